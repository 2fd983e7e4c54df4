#include "daemon/admin_report.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "config/address.h"
#include "daemon/assignments.h"
#include "daemon/grading_list.h"
#include "daemon/rules/school_time.h"

namespace schoolmail {
namespace {

constexpr std::int64_t kDaySeconds = 24 * 60 * 60;

bool InPeriod(const Date& day, const Date& first, const Date& last) {
  return first <= day && day <= last;
}

// The school days first..last, in order.
std::vector<Date> SchoolDaysOf(const Date& first, const Date& last,
                               const SchoolSettings& school) {
  std::vector<Date> out;
  for (date::sys_days d{first}; d <= date::sys_days{last}; d += date::days{1}) {
    if (IsSchoolDay(Date{d}, school)) out.push_back(Date{d});
  }
  return out;
}

bool InDistance(const std::vector<DistancePeriod>& periods,
                const std::string& class_name, const Date& day) {
  for (const DistancePeriod& p : periods) {
    if (p.class_name == class_name && p.first_day <= day &&
        (!p.last_day || day <= *p.last_day)) {
      return true;
    }
  }
  return false;
}

// 1. Per class and subject: set against planned, hand-in and on-time rates.
std::vector<ReportSubjectLine> SubjectLines(
    const Date& first, const Date& last, std::int64_t now,
    const AdminReportRecords& r,
    const std::function<bool(const std::string&, const Date&)>& ill,
    const std::string& zone) {
  std::map<std::pair<std::string, std::string>, ReportSubjectLine> lines;
  auto line = [&](const std::string& class_name,
                  const std::string& subject) -> ReportSubjectLine& {
    ReportSubjectLine& l = lines[{class_name, subject}];
    l.class_name = class_name;
    l.school_subject = subject;
    return l;
  };
  for (const PlannedLesson& p : r.plan) {
    if (InPeriod(p.day, first, last)) ++line(p.class_name, p.subject).planned;
  }
  // What each pupil handed in of each assignment: on time, or late only.
  std::map<std::pair<std::string, std::string>, bool> handed_in;  // on time?
  for (const SubmissionRow& s : r.submissions) {
    if (s.pupil_id.empty() || s.assignment_code.empty()) continue;
    if (s.status != "on_time" && s.status != "late") continue;
    bool& on_time = handed_in[{s.pupil_id, s.assignment_code}];
    on_time = on_time || s.status == "on_time";
  }
  for (const Assignment& a : r.assignments) {
    if (InPeriod(a.set_day, first, last)) ++line(a.class_name, a.subject).set;
    if (!InPeriod(a.due_day, first, last)) continue;
    auto deadline = DeadlineFor(a.due_day, a.due_time, zone);
    if (!deadline.ok() || *deadline > now) continue;  // not owed yet
    ReportSubjectLine& l = line(a.class_name, a.subject);
    for (const Pupil& p : r.roster.pupils) {
      if (p.class_name != a.class_name || ill(p.id, a.due_day)) continue;
      ++l.owed;
      auto work = handed_in.find({p.id, a.code});
      if (work == handed_in.end()) continue;
      ++l.handed_in;
      if (work->second) ++l.on_time;
    }
  }
  std::vector<ReportSubjectLine> out;
  for (auto& [key, l] : lines) out.push_back(std::move(l));
  return out;
}

// 2. Per teacher: work waiting for a grade longer than `days` days.
std::vector<ReportUngradedLine> UngradedLines(const AdminReportRecords& r,
                                              std::int64_t now, int days,
                                              const MailContext& context) {
  struct Backlog {
    int count = 0;
    const UngradedWork* oldest = nullptr;
  };
  const std::vector<UngradedWork> works = UngradedWorks(
      r.submissions, r.grades, r.roster, r.assignments, *context.settings);
  std::map<std::string, Backlog> by_teacher;
  for (const UngradedWork& w : works) {
    if (now - w.work->received_at <= days * kDaySeconds) continue;
    Backlog& b = by_teacher[w.teacher_id];
    ++b.count;
    if (b.oldest == nullptr ||
        std::tie(w.work->received_at, w.work->id) <
            std::tie(b.oldest->work->received_at, b.oldest->work->id)) {
      b.oldest = &w;
    }
  }
  std::vector<ReportUngradedLine> out;
  for (const auto& [teacher_id, b] : by_teacher) {
    ReportUngradedLine l;
    const Teacher* teacher = TeacherWithId(r.roster, teacher_id);
    if (teacher != nullptr) l.teacher_name = teacher->name.Full();
    l.count = b.count;
    const SubmissionRow& s = *b.oldest->work;
    l.oldest_received_local = HumanTime(s.received_at, context);
    l.oldest_days = static_cast<int>((now - s.received_at) / kDaySeconds);
    const std::string subject = b.oldest->assignment != nullptr
                                    ? b.oldest->assignment->subject
                                    : s.subject;
    l.oldest_work = s.assignment_code + (subject.empty() ? "" : " " + subject) +
                    ", " + s.pupil_name + ", " + s.class_name;
    out.push_back(std::move(l));
  }
  // Most waiting first; nobody's last.
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(a.teacher_name.empty(), -a.count, a.teacher_name) <
           std::make_tuple(b.teacher_name.empty(), -b.count, b.teacher_name);
  });
  return out;
}

// 3. Pupils of classes in distance mode silent for two school days or more.
std::vector<ReportInactiveLine> InactiveLines(
    const Date& last, const AdminReportRecords& r,
    const std::function<bool(const std::string&, const Date&)>& ill,
    const MailContext& context) {
  const Settings& settings = *context.settings;
  const std::string& zone = settings.school.time_zone;
  std::set<std::pair<std::string, Date>> wrote;  // pupil, local day
  std::map<std::string, std::int64_t> last_mail;
  for (const SubmissionRow& s : r.submissions) {
    if (s.pupil_id.empty()) continue;
    auto day = LocalDay(s.received_at, zone);
    if (day.ok()) wrote.insert({s.pupil_id, *day});
    std::int64_t& latest = last_mail[s.pupil_id];
    latest = std::max(latest, s.received_at);
  }
  constexpr int kLookBack = 366;  // school days at most
  std::vector<ReportInactiveLine> out;
  for (const Pupil& p : r.roster.pupils) {
    int silent = 0;
    Date day = last;
    for (int i = 0; i < kLookBack; ++i) {
      if (!InDistance(r.distance, p.class_name, day) || ill(p.id, day) ||
          wrote.count({p.id, day})) {
        break;
      }
      ++silent;
      day = PreviousSchoolDay(day, settings.school);
    }
    if (silent < 2) continue;
    ReportInactiveLine l;
    l.pupil_name = p.name.Full();
    l.class_name = p.class_name;
    l.days = silent;
    auto mail = last_mail.find(p.id);
    if (mail != last_mail.end()) {
      l.last_mail_local = HumanTime(mail->second, context);
    }
    out.push_back(std::move(l));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.class_name, a.pupil_name) <
           std::tie(b.class_name, b.pupil_name);
  });
  return out;
}

// 5. Each parent's digest on each school day of the period.
std::vector<ReportParentLine> ParentLines(const std::vector<Date>& days,
                                          const AdminReportRecords& r,
                                          const MailContext& context) {
  const std::string& zone = context.settings->school.time_zone;
  std::map<std::string, std::vector<const DeliveryRow*>> by_key;
  for (const DeliveryRow& d : r.digests) by_key[d.dedup_key].push_back(&d);
  std::map<std::string, const Pupil*> pupils;
  for (const Pupil& p : r.roster.pupils) pupils[p.id] = &p;

  std::vector<std::pair<std::string, ReportParentLine>> lines;  // sort key
  for (const Parent& parent : r.roster.parents) {
    ReportParentLine line;
    line.parent_name = parent.name.Full();
    std::string first_class;
    for (const std::string& child_id : parent.children) {
      auto child = pupils.find(child_id);
      if (child == pupils.end()) continue;
      if (!line.children.empty()) line.children += "; ";
      line.children +=
          child->second->name.FirstLast() + ", " + child->second->class_name;
      if (first_class.empty()) first_class = child->second->class_name;
    }
    for (const Date& day : days) {
      using State = ReportDigestDay::State;
      // "19:31" on the digest's own day, the date too on a later one.
      auto when = [&](std::int64_t at) {
        auto local = LocalDay(at, zone);
        if (local.ok() && *local == day) {
          return FormatLocalAs(at, zone, "%H:%M").value_or("?");
        }
        return HumanTime(at, context);
      };
      ReportDigestDay d;
      d.day_local = HumanDay(day, context);
      auto rows = by_key.find("digest:" + parent.id + ":" + FormatDate(day));
      if (rows != by_key.end()) {
        d.state = State::kPending;
        const DeliveryRow* failed = nullptr;
        for (const DeliveryRow* row : rows->second) {  // oldest first
          if (row->event == "sent" && d.state != State::kSent) {
            d.state = State::kSent;
            d.at_local = when(row->at);
          } else if (row->event == "failed") {
            failed = row;
          } else if (row->event == "deferred") {
            d.reply = row->reply;
          }
        }
        if (d.state != State::kSent && failed != nullptr) {
          d.state = State::kFailed;
          d.at_local = when(failed->at);
          d.reply = failed->reply;
        }
      }
      line.days.push_back(std::move(d));
    }
    lines.emplace_back(first_class + "\n" + line.parent_name, std::move(line));
  }
  std::stable_sort(
      lines.begin(), lines.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<ReportParentLine> out;
  for (auto& [key, line] : lines) out.push_back(std::move(line));
  return out;
}

}  // namespace

std::optional<ReportPeriodDays> ReportPeriodOn(const Date& day,
                                               ReportPeriod period,
                                               const SchoolSettings& school) {
  if (period == ReportPeriod::kDaily) return ReportPeriodDays{day, day};
  const date::sys_days today{day};
  const date::weekday weekday{today};
  const date::sys_days monday =
      today - date::days{(weekday.iso_encoding() - 1)};
  const date::sys_days sunday = monday + date::days{6};
  if (date::sys_days{NextSchoolDay(day, school)} <= sunday) return std::nullopt;
  return ReportPeriodDays{Date{monday}, day};
}

AdminReportFacts AdminReportFor(
    const Date& first_day, const Date& last_day, std::int64_t now,
    const AdminReportRecords& records,
    const std::function<bool(const std::string& pupil_id, const Date& day)>&
        ill,
    const std::vector<UnansweredQuestion>& unanswered,
    const MailContext& context) {
  const Settings& settings = *context.settings;
  AdminReportFacts facts;
  facts.first_day_local = HumanDay(first_day, context);
  facts.last_day_local = HumanDay(last_day, context);
  facts.weekly = first_day != last_day;
  facts.now_local = HumanTime(now, context);
  facts.ungraded_days = settings.report.ungraded_days;
  facts.subjects = SubjectLines(first_day, last_day, now, records, ill,
                                settings.school.time_zone);
  facts.ungraded =
      UngradedLines(records, now, settings.report.ungraded_days, context);
  facts.inactive = InactiveLines(last_day, records, ill, context);
  for (const DeliveryRow& d : records.failures) {
    if (d.event != "failed") continue;
    facts.failed.push_back(
        {d.kind, d.address, d.summary, d.reply, HumanTime(d.at, context)});
  }
  facts.parents = ParentLines(
      SchoolDaysOf(first_day, last_day, settings.school), records, context);
  for (const UnansweredQuestion& q : unanswered) {
    facts.questions.push_back(
        {q.who, q.sender, q.subject, HumanTime(q.received_at, context)});
  }
  return facts;
}

Result<AdminReportRun> RunAdminReport(Store& store, const MailContext& context,
                                      std::int64_t now) {
  const Settings& settings = *context.settings;
  const std::string& zone = settings.school.time_zone;
  AdminReportRun run;
  auto due = DailyJobDue(store, settings, kAdminReportJob,
                         settings.schedule.admin_report, now);
  if (!due) return due.status();
  if (!due->day) {
    run.skipped = due->skipped;
    return run;
  }
  const Date today = *due->day;
  auto period = ReportPeriodOn(today, settings.schedule.admin_report_period,
                               settings.school);
  if (!period) {
    run.skipped = "not the last school day of the week";
    return run;
  }
  run.period = FormatDate(period->first) + ".." + FormatDate(period->last);
  if (settings.school.admin_address.empty()) {
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true)) {
      spdlog::warn(
          "control report {}: no [school] admin_address, nothing "
          "sent (it goes once an address is set)",
          run.period);
    }
    run.skipped = "no admin_address";
    return run;
  }
  run.ran = true;

  AdminReportRecords records;
  auto roster = store.LoadRoster();
  if (!roster) return roster.status();
  records.roster = std::move(*roster);
  auto assignments = store.LoadAssignments();
  if (!assignments) return assignments.status();
  records.assignments = std::move(*assignments);
  auto plan = store.ListPlannedLessons(period->first, period->last);
  if (!plan) return plan.status();
  records.plan = std::move(*plan);
  auto submissions = store.ListSubmissions({});
  if (!submissions) return submissions.status();
  records.submissions = std::move(*submissions);
  auto grades = store.ListGrades({});
  if (!grades) return grades.status();
  records.grades = std::move(*grades);
  auto distance = store.ListDistancePeriods();
  if (!distance) return distance.status();
  records.distance = std::move(*distance);
  // Failures since the previous report's time, so that none falls between
  // two reports; digests from the period's first midnight.
  auto window_from =
      DeadlineFor(PreviousSchoolDay(period->first, settings.school),
                  settings.schedule.admin_report, zone);
  if (!window_from) return window_from.status();
  auto period_start = DeadlineFor(period->first, TimeOfDay{0}, zone);
  if (!period_start) return period_start.status();
  DeliveryFilter failures, digests;
  failures.event = "failed";
  failures.from = *window_from;
  digests.kind = "parent_digest";
  digests.from = *period_start;
  for (auto [filter, rows] : {std::pair{&failures, &records.failures},
                              std::pair{&digests, &records.digests}}) {
    auto read = store.ListDeliveries(*filter);
    if (!read) return read.status();
    *rows = std::move(*read);
  }

  // Illness as far back as the inactive count may look (a year).
  auto illnesses = store.ListIllnesses(
      Date{date::sys_days{period->first} - date::days{366}}, period->last);
  if (!illnesses) return illnesses.status();
  auto ill = [&](const std::string& pupil_id, const Date& day) {
    return IllOn(*illnesses, pupil_id, day);
  };
  // Hotline questions whose promised answer time has passed unanswered.
  auto open_questions = store.ListHotlineQuestions(/*open_only=*/true);
  if (!open_questions) return open_questions.status();
  std::vector<UnansweredQuestion> unanswered;
  for (const HotlineQuestion& q : *open_questions) {
    if (q.answer_due_at < now) {
      unanswered.push_back({q.sender, q.who, q.subject, q.received_at});
    }
  }
  const AdminReportFacts facts = AdminReportFor(
      period->first, period->last, now, records, ill, unanswered, context);
  run.subjects = static_cast<int>(facts.subjects.size());
  for (const ReportUngradedLine& l : facts.ungraded) run.ungraded += l.count;
  run.inactive = static_cast<int>(facts.inactive.size());
  run.failed = static_cast<int>(facts.failed.size());
  run.parents = static_cast<int>(facts.parents.size());

  auto text =
      RenderAdminReport(context.templates, SchoolInfoOf(settings), facts);
  if (!text) return text.status();  // the school's templates: stop
  Envelope envelope;
  envelope.kind = "admin_report";
  envelope.dedup_key = "admin-report:" + FormatDate(period->first) + ":" +
                       FormatDate(period->last);
  envelope.to = {{"", settings.school.admin_address}};
  auto queued = QueueMail(store, context, *text, envelope, now);
  if (!queued) {
    if (queued.status().scope() != Scope::kItem) return queued.status();
    spdlog::error("control report {} cannot be written: {}", run.period,
                  queued.status().message());
  } else if (queued->outcome == EnqueueOutcome::kDuplicate) {
    run.already = true;
  } else {
    run.queued = true;
  }
  if (Status s = store.MarkJobDone(kAdminReportJob, today, now); !s.ok()) {
    return s;
  }
  return run;
}

void PrintDeliveries(const std::vector<DeliveryRow>& rows,
                     const std::string& zone, std::ostream& out) {
  for (const DeliveryRow& d : rows) {
    const std::int64_t at = d.event.empty() ? d.queued_at : d.at;
    out << FormatLocal(at, zone).value_or("?") << "\t" << d.kind << "\t"
        << d.summary << "\t" << (d.event.empty() ? "queued" : d.event) << "\t"
        << d.reply << "\n";
  }
}

int DeliveryCommand(Store& store, const Settings& settings,
                    const std::string& address, const std::string& from,
                    const std::string& to, std::ostream& out,
                    std::ostream& err) {
  const std::string& zone = settings.school.time_zone;
  DeliveryFilter filter;
  auto normal = NormalizeAddress(address);
  if (!normal) {
    err << "ADDRESS: not an e-mail address: " << address << "\n";
    return 2;
  }
  filter.address = *normal;
  // A day's start in school time, or an error naming the option.
  auto start_of = [&](const std::string& text, const char* option,
                      int plus_days) -> std::optional<std::int64_t> {
    auto day = ParseDate(text);
    if (!day) {
      err << option << ": not a date: " << text << " (write 2026-11-30)\n";
      return std::nullopt;
    }
    auto at = DeadlineFor(Date{date::sys_days{*day} + date::days{plus_days}},
                          TimeOfDay{0}, zone);
    if (!at.ok()) {
      err << at.status().message() << "\n";
      return std::nullopt;
    }
    return *at;
  };
  if (!from.empty()) {
    auto at = start_of(from, "--from", 0);
    if (!at) return 2;
    filter.from = *at;
  }
  if (!to.empty()) {
    auto at = start_of(to, "--to", 1);
    if (!at) return 2;
    filter.to = *at;
  }
  auto rows = store.ListDeliveries(filter);
  if (!rows) {
    err << rows.status().message() << "\n";
    return 1;
  }
  if (rows->empty()) {
    out << "No mail to " << filter.address << " in the delivery log.\n";
    return 0;
  }
  PrintDeliveries(*rows, zone, out);
  return 0;
}

}  // namespace schoolmail
