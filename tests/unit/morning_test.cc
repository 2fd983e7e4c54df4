// The morning mail: what it tells each pupil (the class's lessons that day,
// the work due that day and on the next school day, where to hand it in),
// to whom (pupils of classes in distance mode), and when (school days, from
// the morning time, once per pupil per day).
#include "daemon/morning.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "daemon/roster_commands.h"
#include "daemon/rules/school_time.h"
#include "parsers/mime_message.h"
#include "parsers/roster.h"
#include "parsers/timetable.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

Date Day(const char* text) { return *ParseDate(text); }

std::string SampleFile(const char* name) {
  return testing::ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
                           "/scripts/sample-school/" + name);
}

std::vector<TimetableEntry> SampleTimetable() {
  TimetableParse parse = ParseTimetable(SampleFile("timetable.csv"));
  REQUIRE(parse.problems.empty());
  std::vector<TimetableEntry> out;
  for (const TimetableRow& r : parse.rows) {
    out.push_back({r.date, r.weekday, r.class_name, r.subject, r.link, r.note,
                   r.start, r.end});
  }
  return out;
}

Assignment Work(const char* code, const char* class_name, const char* subject,
                const char* teacher, const char* set, const char* due) {
  Assignment a;
  a.code = code;
  a.class_name = class_name;
  a.subject = subject;
  a.teacher_id = teacher;
  a.title = std::string("задание ") + code;
  a.set_day = Day(set);
  a.due_day = Day(due);
  return a;
}

// The sample school in memory: roster, timetable, 7А in distance mode from
// 23.11.2026 (a Monday), built-in Russian texts.
struct School {
  Settings settings;
  std::unique_ptr<Store> store;
  MailContext context;

  School() {
    settings.school.name = "Школа №1";
    settings.school.time_zone = "Europe/Moscow";
    settings.school.school_days = {date::Monday, date::Tuesday, date::Wednesday,
                                   date::Thursday, date::Friday};
    settings.school.holidays = {{Day("2026-12-31"), Day("2027-01-08")}};
    settings.smtp.sender = "robot@school.test";
    settings.school_mailbox.address = "robot@school.test";
    MailboxSettings petrova;
    petrova.name = "petrova";
    petrova.address = "petrova@school.test";
    settings.teacher_mailboxes = {petrova};
    auto opened = OpenSqliteStore(":memory:");
    REQUIRE(opened.ok());
    store = std::move(opened).value();
    RosterParse roster = ParseRoster(SampleFile("roster.csv"), {});
    REQUIRE(store->ImportRoster(roster.roster).ok());
    REQUIRE(store->ReplaceTimetable(SampleTimetable()).ok());
    REQUIRE(store
                ->StartDistance({"7А"}, Day("2026-11-23"), std::nullopt,
                                "Приказ № 45", 0)
                .ok());
    context.settings = &settings;
    auto templates = LoadTemplateSet(settings.school);
    REQUIRE(templates.ok());
    context.templates = std::move(*templates);
  }

  std::int64_t At(const char* day, int hour, int minute = 0) {
    return *DeadlineFor(Day(day), TimeOfDay{hour * 60 + minute},
                        settings.school.time_zone);
  }

  MorningReport Run(const char* day, int hour, int minute = 0) {
    auto report = RunMorningMail(*store, context, At(day, hour, minute));
    INFO(report.status().message());
    REQUIRE(report.ok());
    return *report;
  }

  // Everything queued so far (no bodies).
  std::vector<OutboxEntry> Mail() { return *store->ListOutbox(true); }
  // The queued mail with bodies (claims it: call once).
  std::vector<OutboxEntry> Bodies() {
    return *store->ClaimDue(At("2030-01-01", 0), 1000);
  }
};

std::vector<std::string> Codes(const std::vector<DueLine>& lines) {
  std::vector<std::string> out;
  for (const DueLine& l : lines) out.push_back(l.code);
  return out;
}

TEST_CASE(
    "morning facts: the day's lessons, work due today and on the next "
    "school day, where to hand it in; for each pupil of the classes") {
  School school;
  std::vector<Assignment> assignments = {
      Work("ДЗ-1", "7А", "Алгебра", "t-petrova", "2026-11-23", "2026-11-25"),
      Work("ДЗ-2", "7А", "Литература", "t-sidorov", "2026-11-24", "2026-11-26"),
      Work("ДЗ-3", "7А", "Геометрия", "t-petrova", "2026-11-24", "2026-11-27"),
      Work("ДЗ-4", "7А", "Алгебра", "t-petrova", "2026-11-26", "2026-11-26"),
      Work("ДЗ-5", "7Б", "Алгебра", "t-petrova", "2026-11-23", "2026-11-25"),
  };
  assignments[1].due_time = TimeOfDay{15 * 60};
  // Wednesday 25.11: 7А's dated lessons replace its weekly Wednesday.
  auto mails =
      MorningMailFor(Day("2026-11-25"), {"7А"}, *school.store->LoadRoster(),
                     SampleTimetable(), assignments, school.context);
  REQUIRE(mails.size() == 2);
  CHECK(mails[0].pupil_id == "p-001");
  CHECK(mails[1].pupil_id == "p-002");
  REQUIRE(mails[1].to.size() == 2);  // every address of the pupil
  CHECK(mails[1].to[1].address == "alena2010@pupils.test");

  const MorningFacts& f = mails[0].facts;
  CHECK(f.pupil_name == "Пётр Иванов");
  CHECK(f.class_name == "7А");
  CHECK(f.day_local == "среда, 25.11.2026");
  CHECK(f.next_day_local == "четверг, 26.11.2026");
  CHECK(f.deadline == "18:00");
  REQUIRE(f.lessons.size() == 2);
  CHECK(f.lessons[0].start == "11:00");
  CHECK(f.lessons[0].end == "11:40");
  CHECK(f.lessons[0].subject == "Литература");
  CHECK(f.lessons[0].note == "Перенесено с 9:00");
  CHECK(f.lessons[1].start == "12:00");
  CHECK(f.lessons[1].end.empty());
  CHECK(f.lessons[1].link == "https://meet.school.test/7a-algebra");
  // ДЗ-3 is due later, ДЗ-4 is not set yet, ДЗ-5 is another class's.
  CHECK(Codes(f.due_today) == std::vector<std::string>{"ДЗ-1"});
  CHECK(f.due_today[0].due_local == "25.11.2026 18:00");
  CHECK(f.due_today[0].teacher_address == "petrova@school.test");
  CHECK(Codes(f.due_next) == std::vector<std::string>{"ДЗ-2"});
  CHECK(f.due_next[0].due_local == "26.11.2026 15:00");
  // Sidorov's address is not a watched mailbox here: his roster address.
  CHECK(f.due_next[0].teacher_address == "sidorov@school.test");

  // On a Friday the next school day is Monday.
  auto friday = MorningMailFor(
      Day("2026-11-27"), {"7А"}, *school.store->LoadRoster(), SampleTimetable(),
      {Work("ДЗ-6", "7А", "Алгебра", "t-petrova", "2026-11-27", "2026-11-30")},
      school.context);
  REQUIRE(friday.size() == 2);
  CHECK(friday[0].facts.next_day_local == "понедельник, 30.11.2026");
  CHECK(Codes(friday[0].facts.due_next) == std::vector<std::string>{"ДЗ-6"});
  REQUIRE(friday[0].facts.lessons.size() == 1);
  CHECK(friday[0].facts.lessons[0].subject == "Алгебра");
}

TEST_CASE(
    "morning mail: once per pupil per day from the morning time; a "
    "later cycle only looks up the day's marker") {
  School school;
  MorningReport early = school.Run("2026-11-30", 7, 29);
  CHECK_FALSE(early.ran);
  CHECK(early.skipped == "before 07:30");
  CHECK(school.Mail().empty());

  MorningReport first = school.Run("2026-11-30", 7, 30);
  CHECK(first.ran);
  CHECK(first.classes == 1);
  CHECK(first.queued == 2);  // the two pupils of 7А, none of 7Б
  MorningReport second = school.Run("2026-11-30", 8, 0);
  CHECK_FALSE(second.ran);
  CHECK(second.skipped == "sent already");

  auto mail = school.Mail();
  REQUIRE(mail.size() == 2);
  std::vector<std::string> to;
  for (const OutboxEntry& e : mail) {
    CHECK(e.kind == "morning");
    for (const OutboxRecipient& r : e.recipients) to.push_back(r.address);
  }
  std::sort(to.begin(), to.end());
  CHECK(to == std::vector<std::string>{"alena.smirnova@pupils.test",
                                       "alena2010@pupils.test",
                                       "ivanov.petya@pupils.test"});
  auto bodies = school.Bodies();
  REQUIRE(bodies.size() == 2);
  MimeParse parsed = ParseMessage(bodies[0].body, Limits{});
  REQUIRE(parsed.message.has_value());
  CHECK(parsed.message->auto_submitted == "auto-generated");
  CHECK(parsed.message->text.find("понедельник, 30.11.2026") !=
        std::string::npos);
  CHECK(parsed.message->text.find("https://meet.school.test/7a-algebra") !=
        std::string::npos);

  // Even with the marker gone, the dedup keys hold: nobody is mailed twice.
  REQUIRE(school.store->ForgetJob(kMorningJob, Day("2026-11-30")).ok());
  MorningReport rerun = school.Run("2026-11-30", 9, 0);
  CHECK(rerun.queued == 0);
  CHECK(rerun.already == 2);
  CHECK(school.Mail().size() == 2);
}

TEST_CASE(
    "no morning mail on weekends, holidays, after the deadline, or for "
    "classes not in distance mode") {
  School school;
  MorningReport saturday = school.Run("2026-11-28", 10);
  CHECK_FALSE(saturday.ran);
  CHECK(saturday.skipped == "not a school day");
  MorningReport holiday = school.Run("2027-01-04", 10);  // a Monday
  CHECK_FALSE(holiday.ran);
  CHECK(holiday.skipped == "not a school day");
  MorningReport before_period = school.Run("2026-11-20", 10);  // a Friday
  CHECK(before_period.ran);
  CHECK(before_period.classes == 0);
  CHECK(before_period.queued == 0);
  MorningReport evening = school.Run("2026-12-01", 18, 1);
  CHECK_FALSE(evening.ran);
  CHECK(evening.skipped == "too late in the day");
  CHECK(school.Mail().empty());
  // 7А back at school from 2.12: nobody is in distance mode that day.
  REQUIRE(school.store->StopDistance({"7А"}, Day("2026-12-02")).ok());
  MorningReport back = school.Run("2026-12-02", 8);
  CHECK(back.classes == 0);
  CHECK(school.Mail().empty());
}

TEST_CASE(
    "a class put into distance mode after the morning run gets its mail "
    "the same day; the others are not mailed twice") {
  School school;
  CHECK(school.Run("2026-11-30", 7, 30).queued == 2);
  std::ostringstream out, err;
  CHECK(StartDistanceCommand(*school.store, "7Б", Day("2026-11-30"),
                             std::nullopt, "Приказ № 46", Day("2026-11-30"),
                             school.At("2026-11-30", 9), out, err) == 0);
  MorningReport later = school.Run("2026-11-30", 10);
  CHECK(later.classes == 2);
  CHECK(later.queued == 2);   // 7Б's two pupils
  CHECK(later.already == 2);  // 7А's, from 7:30
  CHECK(school.Mail().size() == 4);
}

}  // namespace
}  // namespace schoolmail
