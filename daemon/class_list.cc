#include "daemon/class_list.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "daemon/assignments.h"
#include "daemon/grading_list.h"
#include "daemon/rules/school_time.h"
#include "parsers/illness_line.h"

namespace schoolmail {
namespace {

bool HandedIn(const SubmissionRow& s) {
  return s.status == "on_time" || s.status == "late";
}

// The last day of the illness that excuses `pupil_id` on `day` (the
// latest, when periods overlap); nullopt when none does.
std::optional<Date> IllUntil(const std::vector<Illness>& illnesses,
                             const std::string& pupil_id, const Date& day) {
  if (!IllOn(illnesses, pupil_id, day)) return std::nullopt;
  Date until = day;
  for (const Illness& i : illnesses) {
    if (i.pupil_id == pupil_id && i.first_day <= day && i.last_day > until) {
      until = i.last_day;
    }
  }
  return until;
}

// The state of a pupil's work for `a` from their hand-ins of it: the first
// on-time one, else the first late one; else missing, not yet due, or
// excused as ill.
ClassListWork WorkOf(const Assignment& a,
                     const std::vector<const SubmissionRow*>& handins, bool ill,
                     std::int64_t now, const MailContext& context) {
  ClassListWork work;
  work.code = a.code;
  work.school_subject = a.subject;
  const SubmissionRow* on_time = nullptr;
  const SubmissionRow* late = nullptr;
  for (const SubmissionRow* s : handins) {
    const SubmissionRow*& first = s->status == "on_time" ? on_time : late;
    if (first == nullptr || std::tie(s->received_at, s->id) <
                                std::tie(first->received_at, first->id)) {
      first = s;
    }
  }
  if (const SubmissionRow* s = on_time ? on_time : late) {
    work.status = s->status;
    work.received_local = HumanTime(s->received_at, context, true);
    return work;
  }
  auto deadline =
      DeadlineFor(a.due_day, a.due_time, context.settings->school.time_zone);
  if (ill) {
    work.status = "ill";
  } else if (deadline.ok() && now <= *deadline) {
    work.status = "pending";
    work.due_local = a.due_time.ToString();
  } else {
    work.status = "missing";
  }
  return work;
}

}  // namespace

std::vector<ClassListMail> ClassListsFor(
    const Date& day, std::int64_t now,
    const std::vector<SubmissionRow>& submissions,
    const std::vector<Assignment>& assignments, const Roster& roster,
    const std::vector<Illness>& illnesses,
    const std::vector<std::string>& classes_in_distance,
    const MailContext& context) {
  const Settings& settings = *context.settings;
  const std::string& zone = settings.school.time_zone;

  // Who wrote at all that day (received from its midnight to the next),
  // and each pupil's hand-ins of each assignment.
  auto day_start = DeadlineFor(day, TimeOfDay{0}, zone);
  auto day_end = DeadlineFor(Date{date::sys_days{day} + date::days{1}},
                             TimeOfDay{0}, zone);
  std::set<std::string> active;
  std::map<std::pair<std::string, std::string>,
           std::vector<const SubmissionRow*>>
      handins;  // by pupil id and assignment code
  for (const SubmissionRow& s : submissions) {
    if (s.pupil_id.empty()) continue;
    if (day_start.ok() && day_end.ok() && *day_start <= s.received_at &&
        s.received_at < *day_end) {
      active.insert(s.pupil_id);
    }
    if (HandedIn(s) && !s.assignment_code.empty()) {
      handins[{s.pupil_id, s.assignment_code}].push_back(&s);
    }
  }
  const std::vector<const SubmissionRow*> none;

  std::vector<ClassListMail> mails;
  for (const std::string& class_name : classes_in_distance) {
    const Teacher* teacher = nullptr;
    for (const Teacher& t : roster.teachers) {
      if (t.class_teacher_of == class_name && !t.addresses.empty()) {
        teacher = &t;
        break;
      }
    }
    if (teacher == nullptr) continue;

    std::vector<const Assignment*> due;
    for (const Assignment& a : assignments) {
      if (a.class_name == class_name && a.due_day == day) due.push_back(&a);
    }
    std::sort(due.begin(), due.end(),
              [](const Assignment* a, const Assignment* b) {
                return std::tie(a->due_time, a->code) <
                       std::tie(b->due_time, b->code);
              });
    std::vector<const Pupil*> pupils;
    for (const Pupil& p : roster.pupils) {
      if (p.class_name == class_name) pupils.push_back(&p);
    }
    std::sort(pupils.begin(), pupils.end(), [](const Pupil* a, const Pupil* b) {
      return std::make_tuple(FoldedName(a->name.Full()), a->id) <
             std::make_tuple(FoldedName(b->name.Full()), b->id);
    });

    ClassListMail mail;
    mail.class_name = class_name;
    mail.teacher_id = teacher->id;
    mail.to = {teacher->name.FirstMiddleLast(), teacher->addresses.front()};
    ClassListFacts& facts = mail.facts;
    facts.teacher_name = GreetingName(teacher->name);
    facts.class_name = class_name;
    facts.day_local = HumanDay(day, context);
    facts.reply_address = settings.school_mailbox.address;
    facts.example =
        "Болеет: " +
        (pupils.empty()
             ? std::string("Иванов Пётр")
             : pupils.front()->name.last + " " + pupils.front()->name.first) +
        " до " + date::format("%d.%m", NextSchoolDay(day, settings.school));
    for (const Assignment* a : due) {
      facts.due.push_back(
          {a->code, a->subject, a->title, a->due_time.ToString()});
    }
    for (const Pupil* p : pupils) {
      ClassListPupil line;
      line.name = p->name.last + " " + p->name.first;
      line.duty_group = p->duty_group;
      auto ill = IllUntil(illnesses, p->id, day);
      if (ill) line.ill_until = HumanDay(*ill, context);
      line.no_activity = !ill && !active.count(p->id);
      for (const Assignment* a : due) {
        auto found = handins.find({p->id, a->code});
        line.works.push_back(
            WorkOf(*a, found != handins.end() ? found->second : none,
                   ill.has_value(), now, context));
      }
      facts.pupils.push_back(std::move(line));
    }
    mails.push_back(std::move(mail));
  }
  return mails;
}

Result<ClassListReport> RunClassList(Store& store, const MailContext& context,
                                     std::int64_t now) {
  const Settings& settings = *context.settings;
  ClassListReport report;
  auto due = DailyJobDue(store, settings, kClassListJob,
                         settings.schedule.class_teacher_list, now);
  if (!due) return due.status();
  if (!due->day) {
    report.skipped = due->skipped;
    return report;
  }
  const Date today = *due->day;
  report.ran = true;
  auto classes = store.ClassesInDistance(today);
  if (!classes) return classes.status();
  report.classes = static_cast<int>(classes->size());
  if (!classes->empty()) {
    auto roster = store.LoadRoster();
    if (!roster) return roster.status();
    auto submissions = store.ListSubmissions({});
    if (!submissions) return submissions.status();
    auto assignments = store.LoadAssignments();
    if (!assignments) return assignments.status();
    auto illnesses = store.ListIllnesses(today, today);
    if (!illnesses) return illnesses.status();
    std::vector<ClassListMail> mails =
        ClassListsFor(today, now, *submissions, *assignments, *roster,
                      *illnesses, *classes, context);
    report.no_teacher = report.classes - static_cast<int>(mails.size());
    for (const std::string& c : *classes) {
      if (std::none_of(mails.begin(), mails.end(), [&](const ClassListMail& m) {
            return m.class_name == c;
          })) {
        spdlog::warn(
            "class list: class {} has no class teacher with an "
            "address in the roster; no list sent",
            c);
      }
    }
    const SchoolInfo school = SchoolInfoOf(settings);
    for (const ClassListMail& mail : mails) {
      auto text = RenderClassList(context.templates, school, mail.facts);
      if (!text) return text.status();  // the school's templates: stop
      Envelope envelope;
      envelope.kind = kClassListJob;
      envelope.dedup_key =
          "class-list:" + mail.class_name + ":" + FormatDate(today);
      envelope.to = {mail.to};
      if (!settings.school_mailbox.address.empty()) {
        envelope.reply_to = OutgoingAddress{settings.school.name,
                                            settings.school_mailbox.address};
      }
      auto outcome = QueueDailyMail(store, context, *text, envelope, now,
                                    "class list of " + mail.class_name);
      if (!outcome) return outcome.status();
      CountDailyMail(*outcome, report);
    }
  }
  if (Status s = store.MarkJobDone(kClassListJob, today, now); !s.ok()) {
    return s;
  }
  return report;
}

}  // namespace schoolmail
