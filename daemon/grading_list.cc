#include "daemon/grading_list.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "daemon/assignments.h"
#include "daemon/rules/school_time.h"

namespace schoolmail {

std::string GreetingName(const PersonName& name) {
  if (name.first.empty()) return name.Full();
  return name.middle.empty() ? name.first : name.first + " " + name.middle;
}

namespace {

bool Gradable(const SubmissionRow& s) {
  return (s.status == "on_time" || s.status == "late") && !s.pupil_id.empty() &&
         !s.assignment_code.empty();
}

// Later hand-ins sort after earlier ones.
bool Earlier(const SubmissionRow& a, const SubmissionRow& b) {
  return std::tie(a.received_at, a.id) < std::tie(b.received_at, b.id);
}

// Oldest deadline first (none last), then by assignment, then by arrival.
bool ListOrder(const UngradedWork& a, const UngradedWork& b) {
  const bool a_none = !a.deadline, b_none = !b.deadline;
  const std::int64_t a_due = a.deadline.value_or(0),
                     b_due = b.deadline.value_or(0);
  return std::tie(a_none, a_due, a.work->assignment_code, a.work->received_at,
                  a.work->pupil_name, a.work->id) <
         std::tie(b_none, b_due, b.work->assignment_code, b.work->received_at,
                  b.work->pupil_name, b.work->id);
}

// The teacher whose mailbox is `mailbox` ([mailbox NAME] whose address is a
// teacher's), by mailbox name.
std::map<std::string, const Teacher*> MailboxTeachers(
    const Roster& roster, const Settings& settings) {
  std::map<std::string, const Teacher*> out;
  for (const MailboxSettings& m : settings.teacher_mailboxes) {
    const Teacher* t = TeacherWithAddress(roster, m.address);
    if (t != nullptr) out[m.name] = t;
  }
  return out;
}

}  // namespace

std::vector<UngradedWork> UngradedWorks(
    const std::vector<SubmissionRow>& submissions,
    const std::vector<GradeRow>& grades, const Roster& roster,
    const std::vector<Assignment>& assignments, const Settings& settings) {
  const std::string& zone = settings.school.time_zone;
  const auto mailbox_teacher = MailboxTeachers(roster, settings);
  std::map<std::string, const Assignment*> by_code;
  for (const Assignment& a : assignments) by_code[a.code] = &a;
  std::map<std::int64_t, std::int64_t> graded_at;  // current grades
  for (const GradeRow& g : grades) {
    if (g.replaced_by == 0) graded_at[g.submission_id] = g.graded_at;
  }

  // Each pupil's hand-ins of each assignment, in order of arrival.
  std::map<std::pair<std::string, std::string>,
           std::vector<const SubmissionRow*>>
      works;
  for (const SubmissionRow& s : submissions) {
    if (Gradable(s)) works[{s.pupil_id, s.assignment_code}].push_back(&s);
  }

  std::vector<UngradedWork> out;
  for (auto& [key, handins] : works) {
    std::sort(handins.begin(), handins.end(),
              [](const SubmissionRow* a, const SubmissionRow* b) {
                return Earlier(*a, *b);
              });
    const SubmissionRow& latest = *handins.back();
    bool graded = false;
    for (const SubmissionRow* s : handins) {
      auto grade = graded_at.find(s->id);
      if (grade == graded_at.end()) continue;
      if (s == &latest || grade->second >= latest.received_at) graded = true;
    }
    if (graded) continue;

    UngradedWork w;
    w.work = &latest;
    auto assignment = by_code.find(latest.assignment_code);
    if (assignment != by_code.end()) {
      w.assignment = assignment->second;
      auto deadline =
          DeadlineFor(w.assignment->due_day, w.assignment->due_time, zone);
      if (deadline.ok()) w.deadline = *deadline;
      w.teacher_id = w.assignment->teacher_id;
    }
    if (w.teacher_id.empty()) {
      auto receiver = mailbox_teacher.find(latest.mailbox);
      if (receiver != mailbox_teacher.end())
        w.teacher_id = receiver->second->id;
    }
    out.push_back(std::move(w));
  }
  return out;
}

std::vector<GradingListMail> GradingListsFor(
    const Date& day, const std::vector<SubmissionRow>& submissions,
    const std::vector<GradeRow>& grades, const Roster& roster,
    const std::vector<Assignment>& assignments, const MailContext& context) {
  const Settings& settings = *context.settings;

  // The teachers with a watched mailbox: the first such mailbox is where
  // their list goes; any of them is "their own".
  const auto mailbox_teacher = MailboxTeachers(roster, settings);
  std::map<std::string, std::string> mailbox_address;  // mailbox name
  std::map<std::string, std::string> list_address;     // teacher id
  for (const MailboxSettings& m : settings.teacher_mailboxes) {
    mailbox_address[m.name] = m.address;
    auto t = mailbox_teacher.find(m.name);
    if (t != mailbox_teacher.end())
      list_address.emplace(t->second->id, m.address);
  }

  std::map<std::string, std::vector<UngradedWork>> by_teacher;
  for (UngradedWork& w :
       UngradedWorks(submissions, grades, roster, assignments, settings)) {
    if (!list_address.count(w.teacher_id)) continue;  // nobody to tell
    by_teacher[w.teacher_id].push_back(std::move(w));
  }

  std::vector<GradingListMail> mails;
  for (auto& [teacher_id, waiting] : by_teacher) {
    const Teacher* teacher = TeacherWithId(roster, teacher_id);
    if (teacher == nullptr) continue;
    std::sort(waiting.begin(), waiting.end(), ListOrder);
    GradingListMail mail;
    mail.teacher_id = teacher_id;
    mail.to = {teacher->name.FirstMiddleLast(), list_address[teacher_id]};
    mail.facts.teacher_name = GreetingName(teacher->name);
    mail.facts.day_local = HumanDay(day, context);
    for (const UngradedWork& w : waiting) {
      const SubmissionRow& s = *w.work;
      mail.submission_ids.push_back(s.id);
      auto& list = mail.facts.assignments;
      if (list.empty() || list.back().code != s.assignment_code) {
        WaitingAssignment a;
        a.code = s.assignment_code;
        a.school_subject = s.subject;
        if (w.assignment != nullptr) {
          a.school_subject = w.assignment->subject;
          a.title = w.assignment->title;
          a.class_name = w.assignment->class_name;
        }
        if (a.class_name.empty()) a.class_name = s.class_name;
        if (w.deadline) a.due_local = HumanTime(*w.deadline, context);
        list.push_back(std::move(a));
      }
      WaitingWork line;
      line.pupil_name = s.pupil_name;
      line.class_name = s.class_name;
      line.received_local = HumanTime(s.received_at, context, true);
      line.late = s.status == "late";
      line.attempt = s.attempt;
      line.folder = s.filed_folder;
      auto receiver = mailbox_teacher.find(s.mailbox);
      bool own = receiver != mailbox_teacher.end() &&
                 receiver->second->id == teacher_id;
      if (!own) {
        auto address = mailbox_address.find(s.mailbox);
        line.mailbox =
            address != mailbox_address.end() ? address->second : s.mailbox;
      }
      list.back().work.push_back(std::move(line));
    }
    mails.push_back(std::move(mail));
  }
  return mails;
}

Result<GradingListReport> RunGradingList(Store& store,
                                         const MailContext& context,
                                         std::int64_t now) {
  const Settings& settings = *context.settings;
  GradingListReport report;
  auto due = DailyJobDue(store, settings, kGradingListJob,
                         settings.schedule.grading_list, now);
  if (!due) return due.status();
  if (!due->day) {
    report.skipped = due->skipped;
    return report;
  }
  const auto today = due->day;

  report.ran = true;
  auto roster = store.LoadRoster();
  if (!roster) return roster.status();
  auto submissions = store.ListSubmissions({});
  if (!submissions) return submissions.status();
  auto grades = store.ListGrades({});
  if (!grades) return grades.status();
  auto assignments = store.LoadAssignments();
  if (!assignments) return assignments.status();
  const SchoolInfo school = SchoolInfoOf(settings);
  for (const GradingListMail& mail : GradingListsFor(
           *today, *submissions, *grades, *roster, *assignments, context)) {
    ++report.teachers;
    report.works += static_cast<int>(mail.submission_ids.size());
    auto text = RenderGradingList(context.templates, school, mail.facts);
    if (!text) return text.status();  // the school's templates: stop
    Envelope envelope;
    envelope.kind = "grading_list";
    envelope.dedup_key =
        "grading-list:" + mail.teacher_id + ":" + FormatDate(*today);
    envelope.to = {mail.to};
    auto outcome = QueueDailyMail(store, context, *text, envelope, now,
                                  "grading list to teacher " + mail.teacher_id);
    if (!outcome) return outcome.status();
    CountDailyMail(*outcome, report);
  }
  if (Status s = store.MarkJobDone(kGradingListJob, *today, now); !s.ok()) {
    return s;
  }
  return report;
}

}  // namespace schoolmail
