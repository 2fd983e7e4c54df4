#include "daemon/assignments.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "config/text.h"
#include "daemon/rules/school_time.h"
#include "templates/mails.h"

namespace schoolmail {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}


// True when the mail of `pending` may go at `now`: at once, or for a plan
// item from its set day's morning mail time.
Result<bool> ReadyToGo(const PendingAnnouncement& pending,
                       const Settings& settings, std::int64_t now) {
  if (pending.source != "plan") return true;
  auto from =
      DeadlineFor(pending.assignment.set_day, settings.schedule.morning_mail,
                  settings.school.time_zone);
  if (!from) return from.status();
  return now >= *from;
}

// Queues the mail of one assignment and, for one a teacher set, the
// confirmation, then marks it sent. Only a store or template failure is an
// error.
Status Announce(Store& store, const MailContext& context, const Roster& roster,
                const PendingAnnouncement& pending, std::int64_t now,
                AnnounceReport& report) {
  const Settings& settings = *context.settings;
  const std::string& zone = settings.school.time_zone;
  const Assignment& a = pending.assignment;
  bool from_plan = pending.source == "plan";
  auto deadline = DeadlineFor(a.due_day, a.due_time, zone);
  if (!deadline) return deadline.status();
  if (from_plan) {
    auto go = ReadyToGo(pending, settings, now);
    if (!go) return go.status();
    if (!*go) return Status::Ok();  // not yet
    if (now > *deadline) {
      spdlog::warn(
          "assignment {} ({} {}) not mailed: its deadline {} passed "
          "before its set day's mail could go",
          a.code, a.class_name, a.subject,
          FormatLocal(*deadline, zone).value_or("?"));
      ++report.skipped;
      return store.MarkAnnounced(a.code, false, 0, now);
    }
  }

  const Teacher* teacher = TeacherWithId(roster, a.teacher_id);
  std::vector<std::string> recipients;
  int pupils = 0;
  for (const Pupil& p : roster.pupils) {
    if (p.class_name != a.class_name || p.addresses.empty()) continue;
    ++pupils;
    for (const std::string& address : p.addresses) {
      if (!Contains(recipients, address)) recipients.push_back(address);
    }
  }

  AssignmentFacts facts;
  facts.code = a.code;
  facts.class_name = a.class_name;
  facts.school_subject = a.subject;
  facts.title = a.title;
  facts.instructions = a.instructions;
  facts.links = a.links;
  for (const StoredFile& f : pending.files) {
    facts.attachment_names.push_back(f.name);
  }
  if (teacher) {
    facts.teacher_name = teacher->name.FirstMiddleLast();
    facts.teacher_address = HandInAddress(*teacher, settings);
  }
  facts.set_local = HumanDay(a.set_day, context);
  facts.due_local = HumanTime(*deadline, context);
  SchoolInfo school = SchoolInfoOf(settings);

  // A mail that can never be written (an unsafe address) is skipped with a
  // logged reason; anything else stops this round.
  auto unwritable = [&](const Status& why) -> Status {
    spdlog::error("assignment {}: its mail cannot be written, skipped: {}",
                  a.code, why.message());
    ++report.skipped;
    return store.MarkAnnounced(a.code, false, 0, now);
  };

  if (!recipients.empty()) {
    auto text = RenderAssignment(context.templates, school, facts);
    if (!text) return text.status();
    Envelope envelope;
    envelope.kind = "assignment";
    envelope.dedup_key = "assignment:" + a.code;
    envelope.to = {{a.class_name, settings.smtp.sender}};
    envelope.bcc = recipients;
    if (teacher && !facts.teacher_address.empty()) {
      envelope.reply_to =
          OutgoingAddress{facts.teacher_name, facts.teacher_address};
    }
    envelope.message_id = a.mail_message_id;
    for (const StoredFile& f : pending.files) {
      envelope.attachments.push_back({f.name, f.content_type, f.data});
    }
    auto queued = QueueMail(store, context, *text, envelope, now);
    if (!queued) {
      if (queued.status().scope() == Scope::kItem) {
        return unwritable(queued.status());
      }
      return queued.status();
    }
    if (queued->outcome == EnqueueOutcome::kQueued) {
      spdlog::info("assignment {} mailed to {} pupil(s) of {}", a.code, pupils,
                   a.class_name);
    }
  } else {
    spdlog::warn(
        "assignment {}: class {} has no pupil with an address; "
        "nobody mailed",
        a.code, a.class_name);
  }

  if (!from_plan && teacher && !facts.teacher_address.empty()) {
    auto text =
        RenderAssignmentConfirmation(context.templates, school, facts, pupils);
    if (!text) return text.status();
    Envelope envelope;
    envelope.kind = "assignment_confirmation";
    envelope.dedup_key = "assignment-confirm:" + a.code;
    envelope.to = {{facts.teacher_name, facts.teacher_address}};
    // A confirmation of a teacher's mail answers mail: capped like one.
    envelope.automatic = pending.source == "mail";
    auto queued = QueueMail(store, context, *text, envelope, now);
    if (!queued) {
      if (queued.status().scope() != Scope::kItem) return queued.status();
      spdlog::error(
          "assignment {}: the confirmation to {} cannot be written: "
          "{}",
          a.code, facts.teacher_address, queued.status().message());
    } else if (queued->outcome != EnqueueOutcome::kDuplicate) {
      ++report.confirmations;
    }
  }

  if (!recipients.empty()) ++report.mailed;
  report.pupils += pupils;
  return store.MarkAnnounced(a.code, true, pupils, now);
}

}  // namespace

std::string HandInAddress(const Teacher& teacher, const Settings& settings) {
  for (const MailboxSettings& m : settings.teacher_mailboxes) {
    if (Contains(teacher.addresses, m.address)) return m.address;
  }
  return teacher.addresses.empty() ? std::string() : teacher.addresses.front();
}

std::string HumanDay(const Date& day, const MailContext& context) {
  std::string iso = FormatDate(day);  // YYYY-MM-DD
  if (context.templates.language != "ru") return iso;
  return iso.substr(8, 2) + "." + iso.substr(5, 2) + "." + iso.substr(0, 4);
}

std::vector<const Teacher*> TeachersOf(const Roster& roster,
                                       const std::string& class_name,
                                       const std::string& subject) {
  std::vector<const Teacher*> out;
  for (const Teacher& t : roster.teachers) {
    if (Contains(t.classes, class_name) && Contains(t.subjects, subject)) {
      out.push_back(&t);
    }
  }
  return out;
}

std::vector<PlanProblem> CheckPlanAgainstRoster(
    const std::vector<PlanRow>& rows, const Roster& roster) {
  std::vector<PlanProblem> problems;
  for (const PlanRow& row : rows) {
    bool known = std::any_of(
        roster.classes.begin(), roster.classes.end(),
        [&](const SchoolClass& c) { return c.name == row.class_name; });
    if (!known) {
      problems.push_back({row.line, "unknown class \"" + row.class_name +
                                        "\": add it to the roster first"});
    } else if (TeachersOf(roster, row.class_name, row.subject).empty()) {
      problems.push_back({row.line, "no teacher in the roster teaches \"" +
                                        row.subject + "\" in " +
                                        row.class_name});
    }
  }
  return problems;
}

std::vector<PlanItem> PlanItemsFor(
    const std::vector<PlanRow>& rows, const Roster& roster,
    const Settings& settings, const std::function<std::string()>& new_token) {
  std::vector<PlanItem> items;
  items.reserve(rows.size());
  for (const PlanRow& row : rows) {
    PlanItem item;
    item.line = row.line;
    item.day = row.day;
    item.class_name = row.class_name;
    item.subject = row.subject;
    item.topic = row.topic;
    item.task = row.task;
    item.links = row.links;
    item.due_day = row.due_day;
    item.due_time_in_file = row.due_time;
    item.due_time = row.due_time.value_or(settings.school.deadline);
    auto teachers = TeachersOf(roster, row.class_name, row.subject);
    if (teachers.size() == 1) item.teacher_id = teachers.front()->id;
    item.message_id = MakeMessageId(new_token(), SenderDomain(settings));
    items.push_back(std::move(item));
  }
  return items;
}

Result<Assignment> CreateAssignment(
    Store& store, const MailContext& context, Assignment a,
    const std::string& source, const std::vector<MailAttachment>& worksheets,
    std::int64_t now) {
  if (a.mail_message_id.empty()) {
    a.mail_message_id =
        MakeMessageId(context.new_token(), SenderDomain(*context.settings));
  }
  PendingAnnouncement pending;
  for (const MailAttachment& w : worksheets) {
    pending.files.push_back({w.file_name, w.content_type, w.data});
  }
  auto code = store.AddAssignmentToAnnounce(a, source, pending.files, now);
  if (!code) return code.status();
  a.code = *code;
  if (source == "plan") return a;  // mailed on its set day

  pending.assignment = a;
  pending.source = source;
  auto roster = store.LoadRoster();
  AnnounceReport report;
  Status announced =
      roster ? Announce(store, context, *roster, pending, now, report)
             : roster.status();
  if (!announced.ok()) {
    spdlog::error(
        "assignment {} is stored; its mail is not queued yet and "
        "goes with the next cycle: {}",
        a.code, announced.message());
  }
  return a;
}

Result<AnnounceReport> AnnouncePendingAssignments(Store& store,
                                                  const MailContext& context,
                                                  std::int64_t now) {
  AnnounceReport report;
  auto today = LocalDay(now, context.settings->school.time_zone);
  if (!today) return today.status();
  auto listed = store.ListPendingAnnouncements(*today);
  if (!listed) return listed.status();
  // Today's plan items wait for the morning: no roster loaded for them.
  std::vector<PendingAnnouncement> pending;
  for (PendingAnnouncement& p : *listed) {
    auto go = ReadyToGo(p, *context.settings, now);
    if (!go) return go.status();
    if (*go) pending.push_back(std::move(p));
  }
  if (pending.empty()) return report;
  auto roster = store.LoadRoster();
  if (!roster) return roster.status();
  for (const PendingAnnouncement& p : pending) {
    if (Status s = Announce(store, context, *roster, p, now, report); !s.ok()) {
      return s.WithContext("mailing assignment " + p.assignment.code);
    }
  }
  return report;
}

}  // namespace schoolmail
