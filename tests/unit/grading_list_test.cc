// The "waiting for a grade" list: which work waits (the latest hand-in of
// each pupil's work, no current grade), whose list it is on (the teacher
// who set the assignment, else the receiving mailbox's), in which order
// (oldest deadline first, late marked), and when it goes (school days, from
// schedule.grading_list, once per teacher per day, only with something
// waiting). In-memory store, built-in Russian texts.
#include "daemon/grading_list.h"

#include <doctest/doctest.h>

#include "daemon/rules/school_time.h"
#include "parsers/mime_message.h"
#include "parsers/roster.h"
#include "tests/support/temp_dir.h"
#include "tests/support/work_intake.h"

namespace schoolmail {
namespace {

Date Day(const char* text) { return *ParseDate(text); }
const char kZone[] = "Europe/Moscow";

std::int64_t At(const char* day, int hour, int minute = 0, int second = 0) {
  return *DeadlineFor(Day(day), TimeOfDay{hour * 60 + minute}, kZone) + second;
}

Roster SampleRoster() {
  RosterParse parse =
      ParseRoster(testing::ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
                                    "/scripts/sample-school/roster.csv"),
                  {});
  REQUIRE(parse.problems.empty());
  return parse.roster;
}

Assignment Work(const char* code, const char* class_name, const char* subject,
                const char* teacher, const char* due, int due_hour = 18) {
  Assignment a;
  a.code = code;
  a.class_name = class_name;
  a.subject = subject;
  a.teacher_id = teacher;
  a.title = std::string("задание ") + code;
  a.set_day = Day("2026-11-20");
  a.due_day = Day(due);
  a.due_time = TimeOfDay{due_hour * 60};
  return a;
}

MailboxSettings Mailbox(const char* name, const char* address) {
  MailboxSettings m;
  m.name = name;
  m.address = address;
  return m;
}

// Petrova's and Sidorov's mailboxes are watched; the school in Moscow,
// Monday to Friday, a New Year holiday.
Settings SchoolSettingsForTest() {
  Settings settings;
  settings.school.name = "Школа №1";
  settings.school.time_zone = kZone;
  settings.school.school_days = {date::Monday, date::Tuesday, date::Wednesday,
                                 date::Thursday, date::Friday};
  settings.school.holidays = {{Day("2026-12-31"), Day("2027-01-08")}};
  settings.smtp.sender = "robot@school.test";
  settings.school_mailbox.address = "robot@school.test";
  settings.teacher_mailboxes = {Mailbox("petrova", "petrova@school.test"),
                                Mailbox("sidorov", "sidorov@school.test")};
  return settings;
}

MailContext ContextFor(const Settings& settings) {
  MailContext context;
  context.settings = &settings;
  auto templates = LoadTemplateSet(settings.school);
  REQUIRE(templates.ok());
  context.templates = std::move(*templates);
  return context;
}

SubmissionRow Row(std::int64_t id, const char* pupil, const char* code,
                  const char* status, std::int64_t received, int attempt = 1,
                  const char* mailbox = "petrova") {
  SubmissionRow s;
  s.id = id;
  s.pupil_id = pupil;
  s.pupil_name = std::string("Ученик ") + pupil;
  s.class_name = "7А";
  s.assignment_code = code;
  s.mailbox = mailbox;
  s.received_at = received;
  s.status = status;
  s.attempt = attempt;
  s.filed_folder = std::string("Сдано/7А/") + code;
  return s;
}

GradeRow Graded(std::int64_t submission_id, std::int64_t at,
                std::int64_t replaced_by = 0) {
  GradeRow g;
  g.id = submission_id * 10;
  g.submission_id = submission_id;
  g.value = "5";
  g.graded_at = at;
  g.replaced_by = replaced_by;
  return g;
}

const GradingListMail* ListOf(const std::vector<GradingListMail>& lists,
                              const std::string& teacher_id) {
  for (const GradingListMail& l : lists) {
    if (l.teacher_id == teacher_id) return &l;
  }
  return nullptr;
}

TEST_CASE(
    "grading list: the latest ungraded hand-in of each work, oldest "
    "deadline first, late marked, on the list of the teacher who grades it") {
  const Settings settings = SchoolSettingsForTest();
  const MailContext context = ContextFor(settings);
  const std::vector<Assignment> assignments = {
      Work("ДЗ-1", "7А", "Алгебра", "t-petrova", "2026-11-26"),
      Work("ДЗ-2", "7А", "Геометрия", "t-petrova", "2026-11-25", 15),
      Work("ДЗ-3", "7А", "Литература", "t-sidorov", "2026-11-27"),
      Work("ДЗ-4", "7Б", "Алгебра", "", "2026-11-24"),  // nobody set it
  };
  const std::vector<SubmissionRow> submissions = {
      // ДЗ-1: Petya's waits; Alena's is graded.
      Row(1, "p-001", "ДЗ-1", "on_time", At("2026-11-26", 12)),
      Row(2, "p-002", "ДЗ-1", "on_time", At("2026-11-26", 13)),
      // ДЗ-2: Alena handed in again (late) after her grade: that waits.
      Row(3, "p-002", "ДЗ-2", "on_time", At("2026-11-25", 10), 1),
      Row(4, "p-002", "ДЗ-2", "late", At("2026-11-25", 16), 2),
      // ДЗ-2: Petya twice, nothing graded: only his latest hand-in waits.
      Row(5, "p-001", "ДЗ-2", "on_time", At("2026-11-25", 9), 1),
      Row(6, "p-001", "ДЗ-2", "on_time", At("2026-11-25", 11), 2),
      // ДЗ-4, nobody's assignment, came to Petrova: hers, first (24.11).
      Row(7, "p-003", "ДЗ-4", "late", At("2026-11-24", 18, 0, 1)),
      // ДЗ-3 is Sidorov's even though it came to Petrova's mailbox.
      Row(8, "p-001", "ДЗ-3", "on_time", At("2026-11-27", 8)),
      // Not gradable work is never listed.
      Row(9, "p-001", "", "unmatched", At("2026-11-26", 9)),
      Row(10, "p-004", "ДЗ-1", "review", At("2026-11-26", 9)),
      Row(11, "", "ДЗ-1", "unknown_sender", At("2026-11-26", 9)),
      // Maria's ДЗ-4: graded on her first hand-in after the second came in.
      Row(12, "p-004", "ДЗ-4", "on_time", At("2026-11-24", 9), 1),
      Row(13, "p-004", "ДЗ-4", "on_time", At("2026-11-24", 10), 2),
  };
  const std::vector<GradeRow> grades = {
      Graded(2, At("2026-11-26", 20)),
      Graded(3, At("2026-11-25", 12)),  // before attempt 2 came in
      Graded(12, At("2026-11-24", 20)),
      Graded(1, At("2026-11-26", 19), /*replaced_by=*/99),  // not current
  };

  auto lists = GradingListsFor(Day("2026-11-30"), submissions, grades,
                               SampleRoster(), assignments, context);
  REQUIRE(lists.size() == 2);
  CHECK(lists[0].teacher_id == "t-petrova");  // by teacher id
  CHECK(lists[1].teacher_id == "t-sidorov");

  const GradingListMail& petrova = lists[0];
  CHECK(petrova.to.address == "petrova@school.test");
  CHECK(petrova.to.display_name == "Анна Сергеевна Петрова");
  CHECK(petrova.submission_ids == std::vector<std::int64_t>{7, 6, 4, 1});
  const GradingListFacts& f = petrova.facts;
  CHECK(f.teacher_name == "Анна Сергеевна");
  CHECK(f.day_local == "30.11.2026");
  REQUIRE(f.assignments.size() == 3);
  CHECK(f.assignments[0].code == "ДЗ-4");
  CHECK(f.assignments[0].class_name == "7Б");
  CHECK(f.assignments[0].due_local == "24.11.2026 18:00");
  REQUIRE(f.assignments[0].work.size() == 1);
  CHECK(f.assignments[0].work[0].late);
  CHECK(f.assignments[0].work[0].received_local == "24.11.2026 18:00:01");

  const WaitingAssignment& dz2 = f.assignments[1];
  CHECK(dz2.code == "ДЗ-2");
  CHECK(dz2.school_subject == "Геометрия");
  CHECK(dz2.title == "задание ДЗ-2");
  CHECK(dz2.due_local == "25.11.2026 15:00");
  REQUIRE(dz2.work.size() == 2);
  CHECK(dz2.work[0].pupil_name == "Ученик p-001");  // arrived first
  CHECK_FALSE(dz2.work[0].late);
  CHECK(dz2.work[0].attempt == 2);
  CHECK(dz2.work[1].pupil_name == "Ученик p-002");
  CHECK(dz2.work[1].late);
  CHECK(dz2.work[1].attempt == 2);
  CHECK(dz2.work[1].folder == "Сдано/7А/ДЗ-2");
  CHECK(dz2.work[1].mailbox.empty());  // her own mailbox

  CHECK(f.assignments[2].code == "ДЗ-1");
  REQUIRE(f.assignments[2].work.size() == 1);
  CHECK_FALSE(f.assignments[2].work[0].late);

  // Sidorov's: the work that came to Petrova names her mailbox.
  const GradingListMail& sidorov = lists[1];
  CHECK(sidorov.submission_ids == std::vector<std::int64_t>{8});
  CHECK(sidorov.facts.teacher_name == "Олег Игоревич");
  REQUIRE(sidorov.facts.assignments.size() == 1);
  CHECK(sidorov.facts.assignments[0].work[0].mailbox == "petrova@school.test");

  // Without a watched mailbox Sidorov gets no list (nowhere to send it).
  Settings without = settings;
  without.teacher_mailboxes = {Mailbox("petrova", "petrova@school.test")};
  const MailContext only_petrova = ContextFor(without);
  lists = GradingListsFor(Day("2026-11-30"), submissions, grades,
                          SampleRoster(), assignments, only_petrova);
  REQUIRE(lists.size() == 1);
  CHECK(ListOf(lists, "t-sidorov") == nullptr);

  // Everything graded: no lists at all.
  std::vector<GradeRow> all;
  for (const SubmissionRow& s : submissions) {
    all.push_back(Graded(s.id, At("2026-11-28", 10)));
  }
  CHECK(GradingListsFor(Day("2026-11-30"), submissions, all, SampleRoster(),
                        assignments, context)
            .empty());
}

// The sample school in memory: ДЗ-1 (Petrova's, due 26.11 18:00), Petya's
// work on time, Alena's late.
struct School {
  Settings settings = SchoolSettingsForTest();
  std::unique_ptr<Store> store;
  MailContext context;
  std::int64_t petya = 0, alena = 0;

  School() {
    store = std::move(OpenSqliteStore(":memory:").value());
    REQUIRE(store->ImportRoster(SampleRoster()).ok());
    REQUIRE(store
                ->AddAssignment(
                    Work("ДЗ-1", "7А", "Алгебра", "t-petrova", "2026-11-26"),
                    "cli", 1)
                .ok());
    petya = Intake(1, "p-001", SubmissionStatus::kOnTime, At("2026-11-26", 17));
    alena =
        Intake(2, "p-002", SubmissionStatus::kLate, At("2026-11-26", 18, 0, 1));
    context = ContextFor(settings);
  }

  std::int64_t Intake(int uid, const char* pupil, SubmissionStatus status,
                      std::int64_t received) {
    auto recorded = store->RecordIntake(
        testing::WorkIntake(uid, pupil, "x@pupils.test", received, status));
    REQUIRE(recorded.ok());
    return recorded->submission_id;
  }

  void Grade(std::int64_t submission, std::int64_t at) {
    NewGrade g;
    g.submission_id = submission;
    g.value = "5";
    g.teacher_id = "t-petrova";
    g.source = "cli";
    g.graded_at = at;
    REQUIRE(store->RecordGrade(g).ok());
  }

  GradingListReport Run(std::int64_t now) {
    auto report = RunGradingList(*store, context, now);
    INFO(report.status().message());
    REQUIRE(report.ok());
    return *report;
  }

  std::vector<OutboxEntry> Mail() { return *store->ListOutbox(true); }
};

TEST_CASE(
    "grading list mail: once per teacher per day from the configured time, "
    "text and HTML") {
  School school;
  GradingListReport early = school.Run(At("2026-11-30", 15, 59));
  CHECK_FALSE(early.ran);
  CHECK(early.skipped == "before 16:00");
  CHECK(school.Mail().empty());

  GradingListReport first = school.Run(At("2026-11-30", 16));
  CHECK(first.ran);
  CHECK(first.teachers == 1);
  CHECK(first.works == 2);
  CHECK(first.queued == 1);
  GradingListReport second = school.Run(At("2026-11-30", 17));
  CHECK_FALSE(second.ran);
  CHECK(second.skipped == "sent already");

  auto mail = school.Mail();
  REQUIRE(mail.size() == 1);
  CHECK(mail[0].kind == "grading_list");
  REQUIRE(mail[0].recipients.size() == 1);
  CHECK(mail[0].recipients[0].address == "petrova@school.test");
  CHECK(mail[0].summary ==
        "Ждут оценки: 2 работы, из них после срока: 1 — 30.11.2026");

  auto bodies = *school.store->ClaimDue(At("2030-01-01", 0), 10);
  REQUIRE(bodies.size() == 1);
  MimeParse parsed = ParseMessage(bodies[0].body, Limits{});
  REQUIRE(parsed.message.has_value());
  CHECK(parsed.message->auto_submitted == "auto-generated");
  const std::string& text = parsed.message->text;
  CHECK(text.find("Здравствуйте, Анна Сергеевна!") != std::string::npos);
  CHECK(text.find("ДЗ-1 Алгебра, 7А: задание ДЗ-1") != std::string::npos);
  CHECK(text.find("- Иванов Пётр, 7А\n") != std::string::npos);
  CHECK(text.find("- Смирнова Алёна, 7А — ПОСЛЕ СРОКА\n") != std::string::npos);
  CHECK(text.find("Получено: 26.11.2026 18:00:01, попытка 1") !=
        std::string::npos);
  CHECK(text.find("Папка: ещё не разложена") != std::string::npos);
  // On time before late: the same deadline, by arrival.
  CHECK(text.find("Иванов") < text.find("Смирнова"));

  // Even with the marker gone, the dedup key holds: one list a day.
  REQUIRE(school.store->ForgetJob(kGradingListJob, Day("2026-11-30")).ok());
  GradingListReport rerun = school.Run(At("2026-11-30", 18));
  CHECK(rerun.queued == 0);
  CHECK(rerun.already == 1);
  CHECK(school.Mail().size() == 1);

  // The next day, after grading Alena's work, the list holds Petya's only.
  school.Grade(school.alena, At("2026-11-30", 20));
  GradingListReport tuesday = school.Run(At("2026-12-01", 16, 30));
  CHECK(tuesday.queued == 1);
  CHECK(tuesday.works == 1);
  mail = school.Mail();
  REQUIRE(mail.size() == 2);
  CHECK(mail[1].summary == "Ждут оценки: 1 работа — 01.12.2026");
}

TEST_CASE(
    "no grading list on weekends and holidays, nor to a teacher with "
    "nothing waiting") {
  School school;
  GradingListReport saturday = school.Run(At("2026-11-28", 17));
  CHECK_FALSE(saturday.ran);
  CHECK(saturday.skipped == "not a school day");
  GradingListReport holiday = school.Run(At("2027-01-04", 17));  // a Monday
  CHECK_FALSE(holiday.ran);
  CHECK(holiday.skipped == "not a school day");
  CHECK(school.Mail().empty());

  school.Grade(school.petya, At("2026-11-30", 10));
  school.Grade(school.alena, At("2026-11-30", 10));
  GradingListReport monday = school.Run(At("2026-11-30", 16));
  CHECK(monday.ran);  // the day is done: one lookup from now on
  CHECK(monday.teachers == 0);
  CHECK(monday.queued == 0);
  CHECK(school.Mail().empty());
  CHECK(*school.store->IsJobDone(kGradingListJob, Day("2026-11-30")));
}

TEST_CASE("the grading list's time is configurable, 16:00 by default") {
  CHECK(Settings{}.schedule.grading_list == TimeOfDay{16 * 60});
  School school;
  school.settings.schedule.grading_list = TimeOfDay{13 * 60 + 30};
  CHECK(school.Run(At("2026-11-30", 13, 29)).skipped == "before 13:30");
  CHECK(school.Run(At("2026-11-30", 13, 30)).queued == 1);
}

}  // namespace
}  // namespace schoolmail
