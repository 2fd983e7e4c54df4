#include "daemon/grades.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/assignments.h"
#include "parsers/grade_line.h"

namespace schoolmail {
namespace {

bool AddressedTo(const ParsedMessage& reply, const std::string& address) {
  for (const auto* list : {&reply.to, &reply.cc}) {
    for (const MailAddress& a : *list) {
      if (a.valid && a.address == address) return true;
    }
  }
  return false;
}

std::string WorkName(const GradeTarget& t) {
  return "submission " + std::to_string(t.submission_id) +
         (t.assignment_code.empty() ? std::string()
                                    : " (" + t.assignment_code + ")");
}

}  // namespace

std::optional<std::string> GradeRefusal(
    const GradeTarget& target, const std::string& teacher_id,
    const std::string& receiving_teacher_id) {
  const std::string work = WorkName(target);
  if (target.pupil_id.empty()) {
    return work + " came from an unknown sender: there is no pupil to grade";
  }
  if (target.status == "review") {
    return work +
           " is under review (the school's server could not confirm "
           "the sender): it cannot be graded";
  }
  if (teacher_id.empty()) return "the teacher is not in the roster";
  if (!target.assignment_teacher_id.empty()) {
    if (target.assignment_teacher_id == teacher_id) return std::nullopt;
    return work + " is for an assignment set by " +
           target.assignment_teacher_id + ", not by " + teacher_id;
  }
  if (!receiving_teacher_id.empty() && receiving_teacher_id == teacher_id) {
    return std::nullopt;
  }
  return work +
         " has no assignment set by a teacher; only the teacher whose "
         "mailbox received it (" +
         target.mailbox + ") may grade it";
}

const Teacher* MailboxTeacher(const Settings& settings, const Roster& roster,
                              const std::string& mailbox) {
  for (const MailboxSettings& m : settings.teacher_mailboxes) {
    if (m.name == mailbox) return TeacherWithAddress(roster, m.address);
  }
  return nullptr;
}

NewGrade GradeFromReading(const GradeTarget& target,
                          const GradeReading& reading,
                          const std::string& teacher_id,
                          const std::string& source, const ParsedMessage& mail,
                          std::int64_t at) {
  NewGrade grade;
  grade.submission_id = target.submission_id;
  grade.value = reading.value;
  grade.comment = reading.comment;
  grade.teacher_id = teacher_id;
  grade.source = source;
  grade.source_message_id = mail.message_id.value_or("");
  grade.graded_at = at;
  return grade;
}

ReplyGrade GradeFromReply(const ParsedMessage& reply,
                          const std::optional<GradeTarget>& target,
                          const Teacher* teacher, const GradeScale& scale,
                          std::int64_t at) {
  ReplyGrade out;
  if (!target) return out;
  GradeReading reading = ReadGradeLine(reply.text, scale);
  if (reading.kind == GradeReading::Kind::kNone) return out;
  const std::string work = WorkName(*target);
  if (reading.kind == GradeReading::Kind::kProblem) {
    out.note = "grade line \"" + OneLine(reading.line) + "\" for " + work +
               " not recorded: " + reading.problem;
    return out;
  }
  if (teacher == nullptr) {
    out.note = "grade for " + work +
               " not recorded: the mailbox's address is not a teacher's in "
               "the roster";
    return out;
  }
  if (auto refusal = GradeRefusal(*target, teacher->id, teacher->id)) {
    out.note = "grade for " + work + " not recorded: " + *refusal;
    return out;
  }
  if (!AddressedTo(reply, target->sender)) {
    out.note = "grade line in a message about " + work +
               " not recorded: it was not sent to the pupil (" +
               target->sender + ")";
    return out;
  }
  out.grade = GradeFromReading(*target, reading, teacher->id, "reply", reply, at);
  return out;
}

Result<GradeNoticeReport> QueueGradeNotices(Store& store,
                                            const MailContext& context,
                                            std::int64_t now) {
  GradeNoticeReport report;
  const Settings& settings = *context.settings;
  auto pending = store.ListPendingGradeNotices(settings.outbox.batch);
  if (!pending.ok()) return pending.status();
  if (pending->empty()) return report;
  auto roster = store.LoadRoster();
  if (!roster.ok()) return roster.status();
  const SchoolInfo school = SchoolInfoOf(settings);

  for (const GradeRow& g : *pending) {
    auto skip = [&](const std::string& why) -> Status {
      spdlog::error("notice of grade {} (submission {}) not sent: {}", g.id,
                    g.submission_id, why);
      ++report.skipped;
      return store.MarkGradeNotice(g.id, false, now);
    };
    const GradeTarget& work = g.submission;
    auto pupil =
        std::find_if(roster->pupils.begin(), roster->pupils.end(),
                     [&](const Pupil& p) { return p.id == work.pupil_id; });
    if (pupil == roster->pupils.end() || pupil->addresses.empty()) {
      if (Status s = skip("pupil " + work.pupil_id + " is not in the roster");
          !s.ok()) {
        return s;
      }
      continue;
    }
    // The address the work came from, while it is still the pupil's.
    const std::string address =
        std::find(pupil->addresses.begin(), pupil->addresses.end(),
                  work.sender) != pupil->addresses.end()
            ? work.sender
            : pupil->addresses.front();
    const Teacher* teacher = TeacherWithId(*roster, g.teacher_id);
    GradeNoticeFacts facts;
    facts.pupil_name = pupil->name.FirstLast();
    if (teacher != nullptr) {
      facts.teacher_name = teacher->name.FirstMiddleLast();
      facts.teacher_address = HandInAddress(*teacher, settings);
    } else {
      facts.teacher_name = g.teacher_name;
    }
    facts.matched = !work.assignment_code.empty();
    facts.assignment_code = work.assignment_code;
    facts.school_subject = work.school_subject;
    facts.assignment_title = work.assignment_title;
    facts.mail_subject = work.mail_subject;
    facts.received_local = HumanTime(work.received_at, context, true);
    facts.late = work.status == "late";
    facts.value = g.value;
    facts.previous_value = g.previous_value;
    facts.comment = g.comment;
    facts.graded_local = HumanTime(g.graded_at, context);
    auto text = RenderGradeNotice(context.templates, school, facts);
    if (!text.ok()) return text.status();  // the school's templates: stop

    Envelope envelope;
    envelope.kind = "grade_notice";
    envelope.dedup_key = "grade:" + std::to_string(g.id);
    envelope.to = {{facts.pupil_name, address}};
    if (!facts.teacher_address.empty()) {
      envelope.reply_to =
          OutgoingAddress{facts.teacher_name, facts.teacher_address};
    }
    if (!work.message_id.empty()) {
      envelope.in_reply_to = {work.message_id};
      envelope.references = {work.message_id};
    }
    envelope.automatic = false;  // it answers the teacher's act, not mail
    auto queued = QueueMail(store, context, *text, envelope, now);
    if (!queued.ok()) {
      if (queued.status().scope() == Scope::kItem) {
        if (Status s = skip(queued.status().message()); !s.ok()) return s;
        continue;
      }
      return queued.status();
    }
    // kDuplicate: queued before a crash kept it from being marked.
    if (Status s = store.MarkGradeNotice(g.id, true, now); !s.ok()) return s;
    if (queued->outcome == EnqueueOutcome::kQueued) ++report.queued;
    spdlog::info(
        "grade notice for grade {} ({} {}) queued to {}", g.id,
        work.assignment_code.empty() ? work.mail_subject : work.assignment_code,
        g.value, address);
  }
  return report;
}

}  // namespace schoolmail
