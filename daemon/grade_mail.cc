#include "daemon/grade_mail.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "config/address.h"
#include "config/text.h"
#include "daemon/grades.h"
#include "daemon/rules/classify.h"
#include "parsers/address_list.h"
#include "parsers/grade_line.h"
#include "parsers/sha256.h"

namespace schoolmail {
namespace {

std::string SenderOf(const ParsedMessage& mail) {
  if (mail.from.empty()) return "";
  return NormalizeAddress(mail.from[0].address).value_or("");
}

// The value after "Name:" when `line` starts with one of `names` (any
// case), else nullopt.
std::optional<std::string> FieldValue(std::string_view line,
                                      std::initializer_list<const char*> names) {
  const std::string low = LowerUtf8Cyrillic(line);
  for (const char* name : names) {
    const std::string prefix = std::string(name) + ":";
    if (low.starts_with(prefix)) {
      return std::string(Trim(line.substr(prefix.size())));
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<QuotedOriginal> QuotedOriginalIn(std::string_view text) {
  std::vector<std::string> lines;
  for (const std::string& raw : SplitList(text, "\n")) {
    std::string_view line = raw;
    while (!line.empty() && (line.front() == '>' || line.front() == ' ')) {
      line.remove_prefix(1);
    }
    lines.emplace_back(line);
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto from = FieldValue(lines[i], {"from", "от", "отправитель"});
    if (!from) continue;
    std::vector<MailAddress> addresses = ParseAddressList(*from);
    if (addresses.empty()) continue;
    auto sender = NormalizeAddress(addresses.front().address);
    if (!sender) continue;
    // The subject within the same header block (a few lines on).
    for (std::size_t j = i + 1; j < lines.size() && j <= i + 6; ++j) {
      if (auto subject = FieldValue(lines[j], {"subject", "тема"})) {
        return QuotedOriginal{*sender, *subject};
      }
    }
  }
  return std::nullopt;
}

std::vector<std::string> QuotedMessageIds(const ParsedMessage& mail,
                                          const Limits& limits) {
  std::vector<std::string> ids = mail.in_reply_to;
  ids.insert(ids.end(), mail.references.begin(), mail.references.end());
  for (const Attachment& a : mail.attachments) {
    if (a.content_type != "message/rfc822" || a.data.empty()) continue;
    MimeParse attached = ParseMessage(a.data, limits);
    if (attached.message && attached.message->message_id) {
      ids.push_back(*attached.message->message_id);
    }
  }
  return ids;
}

bool IsGradeMail(const ParsedMessage& mail, const Roster& roster,
                 const GradeScale& scale) {
  if (TeacherWithAddress(roster, SenderOf(mail)) == nullptr) return false;
  return ReadGradeLine(mail.text, scale).kind != GradeReading::Kind::kNone;
}

Result<std::string> HandleGradeMail(const Settings& settings, Store& store,
                                    const MailContext& context,
                                    const ParsedMessage& mail,
                                    const std::string& message_key,
                                    std::int64_t now) {
  auto roster = store.LoadRoster();
  if (!roster) return roster.status();
  const std::string sender = SenderOf(mail);
  const Teacher* teacher = TeacherWithAddress(*roster, sender);
  if (teacher == nullptr) return std::string("grade_refused: not a teacher");

  GradeByMailFacts facts;
  facts.teacher_name = teacher->name.FirstMiddleLast();
  facts.mail_subject = OneLine(mail.subject.value_or(""));
  std::string outcome;
  std::optional<GradeTarget> target;

  const GradeReading reading = ReadGradeLine(mail.text, settings.grades.scale);
  if (AuthenticationVerdict(mail, settings.intake.authserv_id) != "pass") {
    facts.problem = "not_authenticated";
    outcome = "grade_refused: not authenticated";
  } else if (reading.kind == GradeReading::Kind::kProblem) {
    facts.problem = "bad_grade";
    facts.grade_line = reading.line;
    outcome = "grade_refused: " + reading.problem;
  } else {
    for (const std::string& id : QuotedMessageIds(mail, settings.limits)) {
      auto found = store.FindSubmissionByMessageId(id, "");
      if (!found) return found.status();
      if (*found) {
        target = *found;
        break;
      }
    }
    if (!target) {
      if (auto quoted = QuotedOriginalIn(mail.text)) {
        SubmissionFilter filter;
        auto rows = store.ListSubmissions(filter);
        if (!rows) return rows.status();
        for (auto row = rows->rbegin(); row != rows->rend(); ++row) {
          if (row->sender == quoted->sender &&
              OneLine(row->mail_subject) == OneLine(quoted->subject)) {
            auto found = store.FindSubmission(row->id);
            if (!found) return found.status();
            target = *found;
            break;
          }
        }
      }
    }
    if (!target) {
      facts.problem = "no_work";
      outcome = "grade_refused: no quoted submission found";
    }
  }
  if (target) {
    facts.pupil_name = target->pupil_name;
    facts.work = target->assignment_code.empty()
                     ? "«" + OneLine(target->mail_subject) + "»"
                     : target->assignment_code + " " + target->school_subject;
    const Teacher* receiving =
        MailboxTeacher(settings, *roster, target->mailbox);
    if (auto refusal = GradeRefusal(*target, teacher->id,
                                    receiving ? receiving->id : "")) {
      facts.problem = "not_yours";
      outcome = "grade_refused: " + *refusal;
    } else {
      auto recorded = store.RecordGrade(
          GradeFromReading(*target, reading, teacher->id, "mail", mail, now));
      if (!recorded) {
        if (recorded.status().scope() != Scope::kItem) {
          return recorded.status();
        }
        facts.problem = "not_recorded";
        outcome = "grade_refused: " + recorded.status().message();
      } else {
        facts.recorded = true;
        facts.value =
            GradeValueText(reading.value, context.templates.language == "ru");
        outcome = "grade: submission " + std::to_string(target->submission_id) +
                  " = " + reading.value;
      }
    }
  }
  spdlog::info("school mailbox: grade mail from {}: {}", sender, outcome);

  auto text = RenderGradeByMail(context.templates, SchoolInfoOf(settings),
                                facts);
  if (!text) return text.status();
  const Envelope envelope = AnswerEnvelope(
      mail, "grade_by_mail", "grade-mail:" + Sha256Hex(message_key),
      {teacher->name.FirstMiddleLast(), sender});
  auto queued = QueueMail(store, context, *text, envelope, now);
  if (!queued) return queued.status();
  return outcome;
}

}  // namespace schoolmail
