#include "daemon/illness_mail.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "config/address.h"
#include "daemon/assignments.h"
#include "daemon/class_list.h"
#include "daemon/grading_list.h"
#include "daemon/rules/classify.h"
#include "daemon/rules/school_time.h"
#include "parsers/illness_line.h"
#include "parsers/sha256.h"

namespace schoolmail {
namespace {

// Whether the mail answers one of the class lists (In-Reply-To or
// References names a class list's Message-ID).
Result<bool> AnswersClassList(Store& store, const ParsedMessage& mail) {
  std::vector<std::string> refers_to = mail.in_reply_to;
  refers_to.insert(refers_to.end(), mail.references.begin(),
                   mail.references.end());
  if (refers_to.empty()) return false;
  auto outbox = store.ListOutbox(/*all=*/true);
  if (!outbox) return outbox.status();
  for (const OutboxEntry& e : *outbox) {
    if (e.kind == kClassListJob && std::find(refers_to.begin(), refers_to.end(),
                                             e.message_id) != refers_to.end()) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool IsIllnessMail(const ParsedMessage& mail) {
  // Any day does to tell whether there are lines at all.
  return !ReadIllnessLines(mail.text, Date{}).empty();
}

Result<std::string> HandleIllnessMail(const Settings& settings, Store& store,
                                      const MailContext& context,
                                      const ParsedMessage& mail,
                                      const std::string& message_key,
                                      SchoolMailboxReport* report,
                                      std::int64_t now) {
  auto roster = store.LoadRoster();
  if (!roster) return roster.status();
  const std::string sender =
      mail.from.empty() ? ""
                        : NormalizeAddress(mail.from[0].address).value_or("");
  const Teacher* teacher = TeacherWithAddress(*roster, sender);
  std::string refusal;
  if (teacher == nullptr || teacher->class_teacher_of.empty()) {
    refusal = "not a class teacher";
  } else if (AuthenticationVerdict(mail, settings.intake.authserv_id) ==
             "fail") {
    refusal = "authentication failed";
  }
  if (!refusal.empty()) {
    ++report->illness_refused;
    spdlog::warn("school mailbox: illness lines from {} refused: {}", sender,
                 refusal);
    return "ill_refused: " + refusal;
  }
  const std::string& class_name = teacher->class_teacher_of;
  auto today = LocalDay(now, settings.school.time_zone);
  if (!today) return today.status();
  auto answers_list = AnswersClassList(store, mail);
  if (!answers_list) return answers_list.status();
  const std::string source = *answers_list ? "reply" : "mail";

  IllnessReplyFacts facts;
  facts.teacher_name = GreetingName(teacher->name);
  facts.class_name = class_name;
  facts.mail_subject = mail.subject.value_or("");
  std::string example_name = "Иванов Пётр";
  for (const Pupil& p : roster->pupils) {
    if (p.class_name == class_name) {
      example_name = p.name.last + " " + p.name.first;
      break;
    }
  }
  facts.example = "Болеет: " + example_name + " до " +
                  date::format("%d.%m", NextSchoolDay(*today, settings.school));
  for (const IllnessLine& line : ReadIllnessLines(mail.text, *today)) {
    IllnessProblemLine problem{line.line, line.written, line.problem,
                               line.detail};
    if (problem.code.empty()) {
      auto named = PupilsNamed(roster->pupils, class_name, line.name);
      if (named.size() != 1) {
        problem.code = named.empty() ? "unknown_name" : "ambiguous_name";
      } else {
        Illness illness;
        illness.pupil_id = named.front()->id;
        illness.first_day = *today;
        illness.last_day = line.last_day.value_or(*today);
        illness.source = source;
        illness.recorded_by = teacher->id;
        illness.recorded_at = now;
        auto recorded = store.RecordIllness(illness);
        if (!recorded) return recorded.status();
        ++report->illnesses;
        spdlog::info("school mailbox: {} ill {}..{}, recorded by {} ({})",
                     illness.pupil_id, FormatDate(illness.first_day),
                     FormatDate(illness.last_day), teacher->id, source);
        facts.recorded.push_back(
            {named.front()->name.last + " " + named.front()->name.first,
             class_name, HumanDay(illness.first_day, context),
             HumanDay(illness.last_day, context)});
        continue;
      }
    }
    ++report->illness_problems;
    facts.problems.push_back(std::move(problem));
  }

  auto text =
      RenderIllnessReply(context.templates, SchoolInfoOf(settings), facts);
  if (!text) return text.status();
  const Envelope envelope = AnswerEnvelope(
      mail, "illness_reply", "illness-reply:" + Sha256Hex(message_key),
      {teacher->name.FirstMiddleLast(), sender});
  auto queued = QueueMail(store, context, *text, envelope, now);
  if (!queued) return queued.status();
  ++report->illness_mails;
  return "ill: " + std::to_string(facts.recorded.size()) + " recorded, " +
         std::to_string(facts.problems.size()) + " not (" + source + ")";
}

}  // namespace schoolmail
