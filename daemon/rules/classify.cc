#include "daemon/rules/classify.h"

#include <algorithm>
#include <cctype>

#include "config/text.h"
#include "parsers/plan.h"

namespace schoolmail {
namespace {

bool IsOpen(const Assignment& a, const Date& day, int late_window_days) {
  date::sys_days today{day};
  return date::sys_days{a.set_day} <= today &&
         today <= date::sys_days{a.due_day} + date::days{late_window_days};
}

// "ДЗ-12" and "dz12" both become "дз12" for comparison.
std::string CodeKey(std::string_view code) {
  std::string lowered = LowerUtf8Cyrillic(code);
  std::string key;
  for (size_t i = 0; i < lowered.size(); ++i) {
    if (lowered.compare(i, 2, "dz") == 0) {
      key += "дз";
      ++i;
      continue;
    }
    if (lowered.compare(i, 2, "hw") == 0) {
      key += "дз";
      ++i;
      continue;
    }
    char c = lowered[i];
    if (c == '-' || c == ' ' || c == '_' || c == '#' || c == '[' || c == ']') {
      continue;
    }
    key.push_back(c);
  }
  return key;
}

}  // namespace

const char* IntakeName(Intake intake) {
  switch (intake) {
    case Intake::kNotSubmission: return "not_submission";
    case Intake::kUnknownSender: return "unknown_sender";
    case Intake::kReview: return "review";
    case Intake::kUnmatched: return "unmatched";
    case Intake::kSubmission: return "submission";
  }
  return "unmatched";
}

std::optional<std::string> FindAssignmentCode(const std::string& subject) {
  std::string lowered = LowerUtf8Cyrillic(subject);
  for (const std::string& prefix : {std::string("дз"), std::string("dz"),
                                    std::string("hw")}) {
    size_t at = 0;
    while ((at = lowered.find(prefix, at)) != std::string::npos) {
      // Not inside a word: no letter, digit or UTF-8 byte right before.
      unsigned char before =
          at == 0 ? ' ' : static_cast<unsigned char>(lowered[at - 1]);
      bool word_start = !(std::isalnum(before) || before >= 0x80);
      size_t i = at + prefix.size();
      while (i < lowered.size() &&
             (lowered[i] == '-' || lowered[i] == ' ' || lowered[i] == '_')) {
        ++i;
      }
      size_t digits = i;
      while (i < lowered.size() && std::isdigit(static_cast<unsigned char>(lowered[i]))) {
        ++i;
      }
      if (word_start && i > digits && i - digits <= 6) {
        return "ДЗ-" + lowered.substr(digits, i - digits);
      }
      at += prefix.size();
    }
  }
  return std::nullopt;
}

std::string AuthenticationVerdict(const ParsedMessage& message,
                                  const std::string& authserv_id) {
  if (authserv_id.empty()) return "none";
  for (const std::string& header : message.authentication_results) {
    std::string value = LowerAscii(header);
    size_t semicolon = value.find(';');
    std::string id(Trim(value.substr(0, semicolon)));
    size_t space = id.find_first_of(" \t");  // "mx.school.ru 1" (version)
    if (space != std::string::npos) id = id.substr(0, space);
    if (id != LowerAscii(authserv_id)) continue;  // not ours: skip, look lower
    auto has = [&](const char* result) {
      return value.find(result) != std::string::npos;
    };
    if (has("dmarc=fail")) return "fail";
    if (has("spf=fail") && !has("dkim=pass")) return "fail";
    if (has("dmarc=pass") || has("spf=pass") || has("dkim=pass")) return "pass";
    return "none";  // the topmost of ours decides, even when it says nothing
  }
  return "none";
}

Classification ClassifySubmission(const ParsedMessage& message,
                                  const Date& received_day,
                                  const IntakeContext& context) {
  Classification result;
  if (message.kind != MessageKind::kOrdinary) {
    result.intake = Intake::kNotSubmission;
    result.reason = std::string(MessageKindName(message.kind)) + ": " +
                    message.kind_reason;
    return result;
  }
  if (message.from.empty() || !message.from.front().valid) {
    result.intake = Intake::kUnknownSender;
    result.reason = "no usable From address";
    return result;
  }
  const std::string& sender = message.from.front().address;
  for (const std::string& own : context.own_addresses) {
    if (sender == own) {
      result.intake = Intake::kNotSubmission;
      result.reason = "mail from schoolmail itself";
      return result;
    }
  }
  const Pupil* pupil = nullptr;
  if (context.roster != nullptr) {
    for (const Pupil& p : context.roster->pupils) {
      if (std::find(p.addresses.begin(), p.addresses.end(), sender) !=
          p.addresses.end()) {
        pupil = &p;
      }
    }
  }
  if (pupil == nullptr) {
    result.intake = Intake::kUnknownSender;
    result.reason = sender + " is not a pupil's address";
    return result;
  }
  result.pupil = *pupil;
  if (AuthenticationVerdict(message, context.authserv_id) == "fail") {
    result.intake = Intake::kReview;
    result.reason = "the school's server (" + context.authserv_id +
                    ") says the sender " + sender + " failed authentication";
    return result;
  }

  auto found = [&](const Assignment& a, const char* how) {
    result.intake = Intake::kSubmission;
    result.assignment = a;
    result.matched_by = how;
    result.reason = std::string("matched by ") + how;
    return result;
  };
  // 1. A reply to the assignment's mail.
  for (const Assignment& a : context.assignments) {
    if (a.mail_message_id.empty()) continue;
    auto names = [&](const std::vector<std::string>& ids) {
      return std::find(ids.begin(), ids.end(), a.mail_message_id) != ids.end();
    };
    if (names(message.in_reply_to) || names(message.references)) {
      return found(a, "reply");
    }
  }
  // 2. The code in the subject.
  std::string subject = message.subject.value_or("");
  if (auto code = FindAssignmentCode(subject)) {
    for (const Assignment& a : context.assignments) {
      if (CodeKey(a.code) == CodeKey(*code) &&
          a.class_name == pupil->class_name) {
        return found(a, "code");
      }
    }
  }
  // 3. The only open assignment for the pupil's class; 4. a subject match.
  std::vector<const Assignment*> open;
  for (const Assignment& a : context.assignments) {
    if (a.class_name == pupil->class_name &&
        IsOpen(a, received_day, context.late_window_days)) {
      open.push_back(&a);
    }
  }
  if (open.size() == 1) return found(*open.front(), "only open");
  std::string lowered = LowerUtf8Cyrillic(subject);
  const Assignment* by_subject = nullptr;
  int matches = 0;
  for (const Assignment* a : open) {
    if (!a->subject.empty() &&
        lowered.find(LowerUtf8Cyrillic(a->subject)) != std::string::npos) {
      by_subject = a;
      ++matches;
    }
  }
  if (matches == 1) return found(*by_subject, "subject");
  result.intake = Intake::kUnmatched;
  result.reason = open.empty()
                      ? "no open assignment for class " + pupil->class_name
                      : std::to_string(open.size()) +
                            " open assignments and nothing names one";
  return result;
}

std::string SubmissionWarnings(const ParsedMessage& message) {
  std::vector<std::string> warnings;
  std::string_view text = Trim(message.text);
  bool attached = !message.attachments.empty();
  if (!attached) warnings.push_back("no_attachment");
  if (!attached && !text.empty()) {
    bool links_only = true, any_link = false;
    for (const std::string& word : SplitList(text, " \t\n")) {
      if (LooksLikeWebLink(word)) {
        any_link = true;
      } else {
        links_only = false;
      }
    }
    if (links_only && any_link) warnings.push_back("only_links");
  }
  if (text.empty()) warnings.push_back("empty_text");
  return Join(warnings, ",");
}

}  // namespace schoolmail
