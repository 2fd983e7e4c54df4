#include "daemon/hotline.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "config/address.h"
#include "daemon/rules/classify.h"
#include "daemon/rules/school_time.h"
#include "parsers/grade_line.h"
#include "parsers/sha256.h"
#include "templates/message_writer.h"

namespace schoolmail {
namespace {

bool Has(const std::vector<std::string>& addresses, const std::string& a) {
  return std::find(addresses.begin(), addresses.end(), a) != addresses.end();
}

std::string SenderOf(const ParsedMessage& mail) {
  if (mail.from.empty()) return "";
  return NormalizeAddress(mail.from[0].address).value_or("");
}

// The question's own text: above any quote (a parent answering a digest),
// or the whole text when that leaves nothing.
std::string QuestionText(const ParsedMessage& mail) {
  std::string own = ReplyOwnText(mail.text);
  return own.empty() ? std::string(mail.text) : own;
}

std::vector<std::string> RefersTo(const ParsedMessage& mail) {
  std::vector<std::string> ids = mail.in_reply_to;
  ids.insert(ids.end(), mail.references.begin(), mail.references.end());
  return ids;
}

}  // namespace

std::string DutyAddress(const Settings& settings) {
  return settings.hotline.duty_address.empty() ? settings.school.admin_address
                                               : settings.hotline.duty_address;
}

SenderInRoster DescribeSender(const Roster& roster, const std::string& address,
                              bool russian) {
  SenderInRoster out;
  for (const Pupil& p : roster.pupils) {
    if (!Has(p.addresses, address)) continue;
    out.name = p.name.FirstLast();
    out.who = p.name.Full() + (russian ? ", ученик " : ", pupil of ") +
              p.class_name;
    return out;
  }
  for (const Parent& parent : roster.parents) {
    if (!Has(parent.addresses, address)) continue;
    out.name = parent.name.FirstMiddleLast();
    out.who = parent.name.Full() + (russian ? ", родитель: " : ", parent of ");
    bool first = true;
    for (const std::string& id : parent.children) {
      for (const Pupil& p : roster.pupils) {
        if (p.id != id) continue;
        out.who += (first ? "" : "; ") + p.name.FirstLast() + ", " +
                   p.class_name;
        first = false;
      }
    }
    return out;
  }
  for (const Teacher& t : roster.teachers) {
    if (!Has(t.addresses, address)) continue;
    out.name = t.name.FirstMiddleLast();
    out.who = t.name.Full() + (russian ? ", учитель" : ", teacher");
    return out;
  }
  return out;
}

bool RepliesToAssignmentMail(const ParsedMessage& mail,
                             const std::vector<Assignment>& assignments) {
  for (const std::string& id : RefersTo(mail)) {
    for (const Assignment& a : assignments) {
      if (!a.mail_message_id.empty() && a.mail_message_id == id) return true;
    }
  }
  return false;
}

Result<std::string> TakeHotlineQuestion(const Settings& settings, Store& store,
                                        const MailContext& context,
                                        const ParsedMessage& mail,
                                        const std::string& message_key,
                                        std::int64_t now) {
  const std::string sender = SenderOf(mail);
  auto roster = store.LoadRoster();
  if (!roster) return roster.status();
  const bool russian = context.templates.language == "ru";
  const SenderInRoster known = DescribeSender(*roster, sender, russian);
  const bool failed =
      AuthenticationVerdict(mail, settings.intake.authserv_id) == "fail";

  HotlineQuestion question;
  question.message_key = message_key;
  question.sender = sender;
  question.who = failed ? "" : known.who;  // a forged From proves nothing
  question.subject = OneLine(mail.subject.value_or(""));
  question.message_id = mail.message_id.value_or("");
  question.received_at = now;
  question.answer_due_at =
      now + static_cast<std::int64_t>(settings.hotline.answer_within_hours) *
                3600;
  question.forward_message_id =
      MakeMessageId(context.new_token(), SenderDomain(settings));
  auto stored = store.RecordHotlineQuestion(question);
  if (!stored) return stored.status();
  const HotlineQuestion& q = *stored;
  const SchoolInfo school = SchoolInfoOf(settings);
  const std::string number = std::to_string(q.id);

  const std::string duty = DutyAddress(settings);
  if (duty.empty()) {
    spdlog::warn(
        "hotline question {} from {} is recorded only: no [hotline] "
        "duty_address or [school] admin_address to forward it to",
        q.id, sender);
  } else {
    HotlineForwardFacts facts;
    facts.number = q.id;
    facts.who = q.who;
    facts.sender = sender;
    facts.mail_subject = q.subject;
    facts.received_local = HumanTime(q.received_at, context);
    facts.answer_by_local = HumanTime(q.answer_due_at, context);
    facts.question = QuestionText(mail);
    for (const Attachment& a : mail.attachments) {
      if (!a.name.empty()) facts.attachments.push_back(a.name);
    }
    auto text = RenderHotlineForward(context.templates, school, facts);
    if (!text) return text.status();
    Envelope envelope;
    envelope.kind = "hotline_forward";
    envelope.dedup_key = "hotline-forward:" + number;
    envelope.to = {{"", duty}};
    if (!settings.school_mailbox.address.empty()) {
      envelope.reply_to = OutgoingAddress{"", settings.school_mailbox.address};
    }
    envelope.message_id = q.forward_message_id;
    auto queued = QueueMail(store, context, *text, envelope, now);
    if (!queued) return queued.status();
  }

  // A receipt only to someone the roster knows and the server did not fail.
  if (!known.name.empty() && !failed) {
    HotlineReceiptFacts facts;
    facts.number = q.id;
    facts.recipient_name = known.name;
    facts.mail_subject = q.subject;
    facts.received_local = HumanTime(q.received_at, context);
    facts.answer_by_local = HumanTime(q.answer_due_at, context);
    facts.hours = settings.hotline.answer_within_hours;
    auto text = RenderHotlineReceipt(context.templates, school, facts);
    if (!text) return text.status();
    const Envelope envelope = AnswerEnvelope(
        mail, "hotline_receipt", "hotline-receipt:" + number,
        {known.name, sender});
    auto queued = QueueMail(store, context, *text, envelope, now);
    if (!queued) return queued.status();
  }
  spdlog::info("hotline question {} from {} {}", q.id, sender,
               duty.empty() ? "recorded" : "forwarded to " + duty);
  return "hotline_question: " + number;
}

Result<std::optional<std::string>> RelayHotlineAnswer(
    const Settings& settings, Store& store, const MailContext& context,
    const ParsedMessage& mail, const std::string& message_key,
    std::int64_t now) {
  std::optional<HotlineQuestion> question;
  for (const std::string& id : RefersTo(mail)) {
    auto found = store.FindHotlineQuestionByForward(id);
    if (!found) return found.status();
    if (*found) {
      question = **found;
      break;
    }
  }
  if (!question) return std::optional<std::string>();
  const HotlineQuestion& q = *question;
  const std::string number = std::to_string(q.id);
  const std::string sender = SenderOf(mail);
  const bool from_duty = !sender.empty() &&
                         (sender == DutyAddress(settings) ||
                          sender == settings.school.admin_address);
  if (!from_duty ||
      AuthenticationVerdict(mail, settings.intake.authserv_id) == "fail") {
    spdlog::warn("reply to hotline question {} from {} not relayed: {}", q.id,
                 sender,
                 from_duty ? "failed the school server's authentication check"
                           : "not the duty administrator");
    return std::optional<std::string>("hotline_answer_refused: " + number);
  }
  const std::string answer = ReplyOwnText(mail.text);
  if (answer.empty()) {
    spdlog::warn("reply to hotline question {} from {} has no text above the "
                 "quote: nothing relayed",
                 q.id, sender);
    return std::optional<std::string>("hotline_answer_empty: " + number);
  }
  auto roster = store.LoadRoster();
  if (!roster) return roster.status();
  HotlineAnswerFacts facts;
  facts.number = q.id;
  facts.recipient_name =
      DescribeSender(*roster, q.sender, context.templates.language == "ru")
          .name;
  facts.mail_subject = q.subject;
  facts.answer = answer;
  auto text = RenderHotlineAnswer(context.templates, SchoolInfoOf(settings),
                                  facts);
  if (!text) return text.status();
  Envelope envelope;
  envelope.kind = "hotline_answer";
  envelope.dedup_key = "hotline-answer:" + Sha256Hex(message_key);
  envelope.to = {{facts.recipient_name, q.sender}};
  if (!settings.school_mailbox.address.empty()) {
    envelope.reply_to = OutgoingAddress{"", settings.school_mailbox.address};
  }
  if (!q.message_id.empty()) {
    envelope.in_reply_to = {q.message_id};
    envelope.references = {q.message_id};
  }
  envelope.message_id =
      MakeMessageId(context.new_token(), SenderDomain(settings));
  auto queued = QueueMail(store, context, *text, envelope, now);
  if (!queued) return queued.status();
  if (Status s = store.MarkHotlineAnswered(q.id, now, sender,
                                           envelope.message_id);
      !s.ok()) {
    return s;
  }
  spdlog::info("hotline question {}: answer from {} relayed to {}", q.id,
               sender, q.sender);
  return std::optional<std::string>("hotline_answer: " + number);
}

int PrintHotlineQuestions(Store& store, const Settings& settings,
                          bool open_only, std::int64_t now, std::ostream& out,
                          std::ostream& err) {
  auto questions = store.ListHotlineQuestions(open_only);
  if (!questions) {
    err << questions.status().message() << "\n";
    return 1;
  }
  const std::string& zone = settings.school.time_zone;
  auto local = [&](std::int64_t t) {
    return FormatLocal(t, zone).value_or(std::to_string(t));
  };
  for (const HotlineQuestion& q : *questions) {
    out << "#" << q.id << "  " << local(q.received_at) << "  " << q.sender;
    if (!q.who.empty()) out << " (" << q.who << ")";
    out << "\n    " << (q.subject.empty() ? "(no subject)" : q.subject)
        << "\n    ";
    if (q.answered_at != 0) {
      out << "answered " << local(q.answered_at) << " by " << q.answered_by;
    } else if (now > q.answer_due_at) {
      out << "OVERDUE: answer promised by " << local(q.answer_due_at);
    } else {
      out << "open: answer promised by " << local(q.answer_due_at);
    }
    out << "\n";
  }
  out << questions->size() << " question(s)\n";
  return 0;
}

}  // namespace schoolmail
