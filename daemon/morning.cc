#include "daemon/morning.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>

#include "daemon/assignments.h"
#include "daemon/rules/school_time.h"
#include "parsers/timetable.h"

namespace schoolmail {

// "понедельник, 30.11.2026" / "Monday, 2026-11-30".
std::string DayLocal(const Date& day, const MailContext& context) {
  static const char* const kRussian[] = {
      "воскресенье", "понедельник", "вторник", "среда",
      "четверг",     "пятница",     "суббота"};
  static const char* const kEnglish[] = {"Sunday",    "Monday",   "Tuesday",
                                         "Wednesday", "Thursday", "Friday",
                                         "Saturday"};
  unsigned index = Weekday{date::sys_days{day}}.c_encoding();
  bool russian = context.templates.language == "ru";
  return std::string(russian ? kRussian[index] : kEnglish[index]) + ", " +
         HumanDay(day, context);
}

namespace {

std::vector<TimetableRow> AsRows(const std::vector<TimetableEntry>& entries) {
  std::vector<TimetableRow> rows;
  rows.reserve(entries.size());
  int line = 0;
  for (const TimetableEntry& e : entries) {
    TimetableRow row;
    row.line = ++line;  // file order, which LessonsOn keeps on ties
    row.date = e.date;
    row.weekday = e.weekday;
    row.class_name = e.class_name;
    row.subject = e.subject;
    row.link = e.link;
    row.note = e.note;
    row.start = e.start;
    row.end = e.end;
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::vector<LessonLine> LessonLinesOn(
    const std::vector<TimetableEntry>& timetable, const std::string& class_name,
    const Date& day) {
  std::vector<LessonLine> lines;
  for (const TimetableRow& lesson :
       LessonsOn(AsRows(timetable), class_name, day)) {
    lines.push_back({lesson.start.ToString(),
                     lesson.end ? lesson.end->ToString() : std::string(),
                     lesson.subject, lesson.link, lesson.note});
  }
  return lines;
}

std::vector<MorningMail> MorningMailFor(
    const Date& day, const std::vector<std::string>& classes,
    const Roster& roster, const std::vector<TimetableEntry>& timetable,
    const std::vector<Assignment>& assignments, const MailContext& context) {
  const Settings& settings = *context.settings;
  const std::string& zone = settings.school.time_zone;
  Date next = NextSchoolDay(day, settings.school);

  // Per class: lessons and due lines are the same for every pupil.
  struct ClassDay {
    std::vector<LessonLine> lessons;
    std::vector<DueLine> due_today, due_next;
  };
  std::map<std::string, ClassDay> by_class;
  for (const std::string& class_name : classes) {
    ClassDay& c = by_class[class_name];
    c.lessons = LessonLinesOn(timetable, class_name, day);
    // Set and due today or on the next school day, by deadline.
    std::vector<std::pair<std::int64_t, const Assignment*>> due;
    for (const Assignment& a : assignments) {
      if (a.class_name != class_name || a.set_day > day) continue;
      if (a.due_day != day && a.due_day != next) continue;
      auto deadline = DeadlineFor(a.due_day, a.due_time, zone);
      if (!deadline) continue;
      due.emplace_back(*deadline, &a);
    }
    std::stable_sort(due.begin(), due.end(), [](const auto& x, const auto& y) {
      return x.first < y.first;
    });
    for (const auto& [deadline, a] : due) {
      DueLine line{a->code, a->subject, a->title, HumanTime(deadline, context),
                   ""};
      if (const Teacher* t = TeacherWithId(roster, a->teacher_id)) {
        line.teacher_address = HandInAddress(*t, settings);
      }
      (a->due_day == day ? c.due_today : c.due_next).push_back(std::move(line));
    }
  }

  std::vector<MorningMail> mails;
  for (const std::string& class_name : classes) {
    const ClassDay& c = by_class[class_name];
    for (const Pupil& pupil : roster.pupils) {
      if (pupil.class_name != class_name || pupil.addresses.empty()) continue;
      MorningMail mail;
      mail.pupil_id = pupil.id;
      for (const std::string& address : pupil.addresses) {
        mail.to.push_back({pupil.name.FirstLast(), address});
      }
      MorningFacts& f = mail.facts;
      f.pupil_name = pupil.name.FirstLast();
      f.class_name = class_name;
      f.day_local = DayLocal(day, context);
      f.lessons = c.lessons;
      f.due_today = c.due_today;
      f.due_next = c.due_next;
      f.next_day_local = DayLocal(next, context);
      f.deadline = settings.school.deadline.ToString();
      mails.push_back(std::move(mail));
    }
  }
  return mails;
}

Result<MorningReport> RunMorningMail(Store& store, const MailContext& context,
                                     std::int64_t now) {
  const Settings& settings = *context.settings;
  const std::string& zone = settings.school.time_zone;
  MorningReport report;
  auto due = DailyJobDue(store, settings, kMorningJob,
                         settings.schedule.morning_mail, now);
  if (!due) return due.status();
  if (!due->day) {
    report.skipped = due->skipped;
    return report;
  }
  const auto today = due->day;
  auto until = DeadlineFor(*today, settings.school.deadline, zone);
  if (!until) return until.status();
  if (now > *until) {
    spdlog::warn("morning mail of {} not sent: it is past the deadline {}",
                 FormatDate(*today), settings.school.deadline.ToString());
    report.skipped = "too late in the day";
    if (Status s = store.MarkJobDone(kMorningJob, *today, now); !s.ok()) {
      return s;
    }
    return report;
  }

  report.ran = true;
  auto classes = store.ClassesInDistance(*today);
  if (!classes) return classes.status();
  report.classes = static_cast<int>(classes->size());
  if (!classes->empty()) {
    auto roster = store.LoadRoster();
    if (!roster) return roster.status();
    auto timetable = store.LoadTimetable();
    if (!timetable) return timetable.status();
    auto assignments = store.LoadAssignments();
    if (!assignments) return assignments.status();
    SchoolInfo school{settings.school.name, settings.school.site,
                      settings.school.hotline, settings.school_mailbox.address};
    for (const MorningMail& mail : MorningMailFor(
             *today, *classes, *roster, *timetable, *assignments, context)) {
      auto text = RenderMorning(context.templates, school, mail.facts);
      if (!text) return text.status();  // the school's templates: stop
      Envelope envelope;
      envelope.kind = "morning";
      envelope.dedup_key =
          "morning:" + mail.pupil_id + ":" + FormatDate(*today);
      envelope.to = mail.to;
      auto outcome = QueueDailyMail(store, context, *text, envelope, now,
                                    "morning mail to pupil " + mail.pupil_id);
      if (!outcome) return outcome.status();
      CountDailyMail(*outcome, report);
    }
  }
  if (Status s = store.MarkJobDone(kMorningJob, *today, now); !s.ok()) {
    return s;
  }
  return report;
}

}  // namespace schoolmail
