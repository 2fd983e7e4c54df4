// The administration's control report: the figures (set against the plan,
// hand-in and on-time rates with counts, ill pupils left out), the grading
// backlog per teacher, inactive pupils of classes in distance mode (ill
// days excused through the predicate), failed mail, the parents' digests
// per day, unanswered hotline questions; daily and weekly periods; when it
// goes and that it goes once; the delivery log by address. Built-in
// Russian texts, in-memory store.
#include "daemon/admin_report.h"

#include <doctest/doctest.h>

#include <sstream>

#include "daemon/rules/school_time.h"
#include "parsers/mime_message.h"
#include "parsers/roster.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

Date Day(const char* text) { return *ParseDate(text); }
const char kZone[] = "Europe/Moscow";

std::int64_t At(const char* day, int hour, int minute = 0) {
  return *DeadlineFor(Day(day), TimeOfDay{hour * 60 + minute}, kZone);
}

Roster SampleRoster() {
  RosterParse parse =
      ParseRoster(testing::ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
                                    "/scripts/sample-school/roster.csv"),
                  {});
  REQUIRE(parse.problems.empty());
  return parse.roster;
}

Settings SchoolSettingsForTest() {
  Settings settings;
  settings.school.name = "Школа №1";
  settings.school.time_zone = kZone;
  settings.school.admin_address = "zavuch@school.test";
  settings.school.school_days = {date::Monday, date::Tuesday, date::Wednesday,
                                 date::Thursday, date::Friday};
  settings.school.holidays = {{Day("2026-12-31"), Day("2027-01-08")}};
  settings.smtp.sender = "robot@school.test";
  settings.school_mailbox.address = "robot@school.test";
  MailboxSettings petrova;
  petrova.name = "petrova";
  petrova.address = "petrova@school.test";
  settings.teacher_mailboxes = {petrova};
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

Assignment Work(const char* code, const char* class_name, const char* subject,
                const char* teacher, const char* set, const char* due,
                int due_hour = 18) {
  Assignment a;
  a.code = code;
  a.class_name = class_name;
  a.subject = subject;
  a.teacher_id = teacher;
  a.title = std::string("задание ") + code;
  a.set_day = Day(set);
  a.due_day = Day(due);
  a.due_time = TimeOfDay{due_hour * 60};
  return a;
}

std::int64_t g_next_id = 1;

SubmissionRow Row(const char* pupil, const char* name, const char* class_name,
                  const char* code, const char* status, std::int64_t received) {
  SubmissionRow s;
  s.id = g_next_id++;
  s.pupil_id = pupil;
  s.pupil_name = name;
  s.class_name = class_name;
  s.assignment_code = code;
  s.mailbox = "petrova";
  s.received_at = received;
  s.status = status;
  return s;
}

PlannedLesson Lesson(const char* day, const char* class_name,
                     const char* subject, const char* topic) {
  return {Day(day), class_name, subject, topic};
}

DeliveryRow Delivery(const char* kind, const std::string& key,
                     const char* address, const char* event, std::int64_t at,
                     const char* reply = "") {
  DeliveryRow d;
  d.outbox_id = 7;
  d.kind = kind;
  d.dedup_key = key;
  d.summary = "Сводка";
  d.queued_at = at;
  d.address = address;
  d.event = event;
  d.reply = reply;
  d.at = *event ? at : 0;
  return d;
}

// The week of 30.11.2026 (Monday) to 04.12.2026. 7А (Иванов p-001,
// Смирнова p-002) and 7Б (Кузнецов p-003, Попова p-004) both in distance
// mode from Monday 30.11; Попова is ill on Wednesday 02.12.
AdminReportRecords Week() {
  AdminReportRecords r;
  r.roster = SampleRoster();
  r.assignments = {
      // Set and due on Wednesday.
      Work("ДЗ-1", "7А", "Алгебра", "t-petrova", "2026-12-02", "2026-12-02"),
      // Set on Tuesday, due on Wednesday.
      Work("ДЗ-2", "7Б", "Алгебра", "t-petrova", "2026-12-01", "2026-12-02"),
      // Set on Wednesday, due on Thursday.
      Work("ДЗ-3", "7А", "Русский язык", "t-sidorov", "2026-12-02",
           "2026-12-03"),
      // Due on Wednesday at 21:00, after the report.
      Work("ДЗ-4", "7А", "Геометрия", "t-petrova", "2026-12-02", "2026-12-02",
           21),
      // Last week's, and Monday's.
      Work("ДЗ-0", "7А", "Алгебра", "t-petrova", "2026-11-25", "2026-11-27"),
      Work("ДЗ-6", "7Б", "Алгебра", "t-petrova", "2026-11-27", "2026-11-30"),
      Work("ДЗ-7", "7Б", "Русский язык", "t-sidorov", "2026-11-25",
           "2026-11-27"),
      Work("ДЗ-8", "7А", "Геометрия", "t-petrova", "2026-11-23", "2026-11-25"),
  };
  r.plan = {
      Lesson("2026-11-30", "7Б", "Алгебра", "Уравнения"),
      Lesson("2026-12-02", "7А", "Алгебра", "Линейная функция"),
      Lesson("2026-12-02", "7А", "Русский язык", "Причастие"),
      Lesson("2026-12-02", "7А", "Русский язык", "Деепричастие"),
      Lesson("2026-12-02", "7Б", "Литература", "Пушкин"),
  };
  g_next_id = 1;
  r.submissions = {
      Row("p-001", "Иванов Пётр", "7А", "ДЗ-1", "on_time",
          At("2026-12-02", 17)),
      Row("p-002", "Смирнова Алёна", "7А", "ДЗ-1", "late",
          At("2026-12-02", 19)),
      // Waiting for a grade: 5, 7 and 4 days before Wednesday 20:00.
      Row("p-001", "Иванов Пётр", "7А", "ДЗ-0", "on_time",
          At("2026-11-27", 17)),
      Row("p-002", "Смирнова Алёна", "7А", "ДЗ-8", "on_time",
          At("2026-11-25", 12)),
      Row("p-003", "Кузнецов Дмитрий", "7Б", "ДЗ-7", "on_time",
          At("2026-11-28", 10)),
      // Graded, old: not waiting.
      Row("p-002", "Смирнова Алёна", "7А", "ДЗ-0", "on_time",
          At("2026-11-26", 12)),
      // Monday's work of 7Б: on time and late.
      Row("p-003", "Кузнецов Дмитрий", "7Б", "ДЗ-6", "on_time",
          At("2026-11-30", 9)),
      Row("p-004", "Попова Мария", "7Б", "ДЗ-6", "late", At("2026-11-30", 19)),
  };
  GradeRow graded;
  graded.id = 1;
  graded.submission_id = 6;
  graded.value = "5";
  graded.graded_at = At("2026-11-27", 9);
  r.grades = {graded};
  for (const char* class_name : {"7А", "7Б"}) {
    DistancePeriod p;
    p.class_name = class_name;
    p.first_day = Day("2026-11-30");
    r.distance.push_back(p);
  }
  r.failures = {
      Delivery("receipt", "receipt:9", "ghost@pupils.test", "failed",
               At("2026-12-02", 10, 15), "550 5.1.1 No such user"),
  };
  r.digests = {
      Delivery("parent_digest", "digest:r-001:2026-12-02",
               "ivanova.elena@parents.test", "deferred",
               At("2026-12-02", 19, 30), "451 try later"),
      Delivery("parent_digest", "digest:r-001:2026-12-02",
               "ivanova.elena@parents.test", "sent", At("2026-12-02", 19, 31),
               "250 OK"),
      Delivery("parent_digest", "digest:r-002:2026-12-02",
               "smirnov.a@parents.test", "failed", At("2026-12-02", 19, 30),
               "550 mailbox unavailable"),
      Delivery("parent_digest", "digest:r-003:2026-12-01",
               "kuznetsova.o@parents.test", "", At("2026-12-01", 19, 30)),
  };
  return r;
}

bool Ill(const std::string& pupil, const Date& day) {
  return pupil == "p-004" && day == Day("2026-12-02");
}

std::vector<UnansweredQuestion> Questions() {
  return {{"smirnov.a@parents.test", "Смирнов Андрей (Алёна Смирнова, 7А)",
           "Когда будет расписание?", At("2026-12-01", 9)}};
}

TEST_CASE("control report for a day: every figure, and the text") {
  const Settings settings = SchoolSettingsForTest();
  const MailContext context = ContextFor(settings);
  const AdminReportFacts facts =
      AdminReportFor(Day("2026-12-02"), Day("2026-12-02"), At("2026-12-02", 20),
                     Week(), Ill, Questions(), context);

  CHECK_FALSE(facts.weekly);
  REQUIRE(facts.subjects.size() == 5);
  // 7А Алгебра: ДЗ-1 set and planned; both pupils handed in, one late.
  const ReportSubjectLine& algebra = facts.subjects[0];
  CHECK(algebra.class_name == "7А");
  CHECK(algebra.school_subject == "Алгебра");
  CHECK(algebra.set == 1);
  CHECK(algebra.planned == 1);
  CHECK(algebra.owed == 2);
  CHECK(algebra.handed_in == 2);
  CHECK(algebra.on_time == 1);
  // 7А Геометрия: ДЗ-4 is set; due at 21:00, after the report: not owed.
  CHECK(facts.subjects[1].school_subject == "Геометрия");
  CHECK(facts.subjects[1].set == 1);
  CHECK(facts.subjects[1].owed == 0);
  // 7А Русский язык: one set against two planned.
  CHECK(facts.subjects[2].set == 1);
  CHECK(facts.subjects[2].planned == 2);
  // 7Б Алгебра: ДЗ-2 (set Tuesday) due; Попова ill: one pair owed, missed.
  CHECK(facts.subjects[3].class_name == "7Б");
  CHECK(facts.subjects[3].set == 0);
  CHECK(facts.subjects[3].owed == 1);
  CHECK(facts.subjects[3].handed_in == 0);
  // 7Б Литература: planned, nothing set.
  CHECK(facts.subjects[4].school_subject == "Литература");
  CHECK(facts.subjects[4].planned == 1);

  REQUIRE(facts.ungraded.size() == 2);
  CHECK(facts.ungraded[0].teacher_name == "Петрова Анна Сергеевна");
  CHECK(facts.ungraded[0].count == 2);  // ДЗ-8 and ДЗ-0; ДЗ-1 is 3 hours old
  CHECK(facts.ungraded[0].oldest_days == 7);
  CHECK(facts.ungraded[1].teacher_name == "Сидоров Олег Игоревич");
  CHECK(facts.ungraded[1].count == 1);

  // Кузнецов: no mail on Tuesday and Wednesday (Monday's ДЗ-6 was his
  // last). Попова was ill on Wednesday: excused. 7А wrote on Wednesday.
  REQUIRE(facts.inactive.size() == 1);
  CHECK(facts.inactive[0].pupil_name == "Кузнецов Дмитрий Олегович");
  CHECK(facts.inactive[0].days == 2);

  auto mail =
      RenderAdminReport(context.templates, SchoolInfoOf(settings), facts);
  REQUIRE(mail.ok());
  CHECK(mail->subject == "Контрольный отчёт за 02.12.2026");
  CHECK(mail->text ==
        "Контрольный отчёт за 02.12.2026\n"
        "Составлен 02.12.2026 20:00.\n"
        "\n"
        "1. ЗАДАНИЯ И СДАЧА\n"
        "Задано — заданий с днём выдачи в этот период против уроков по "
        "плану. Сдано и в срок — доля пар «ученик — задание» со сроком в "
        "этот период (болевшие в день срока не считаются).\n"
        "- 7А, Алгебра\n"
        "  Задано: 1 (по плану 1)\n"
        "  Сдано: 100% (2 из 2), в срок: 50% (1 из 2)\n"
        "- 7А, Геометрия\n"
        "  Задано: 1 (по плану 0)\n"
        "  Сроков сдачи не было\n"
        "- 7А, Русский язык\n"
        "  Задано: 1 (по плану 2) — МЕНЬШЕ ПЛАНА\n"
        "  Сроков сдачи не было\n"
        "- 7Б, Алгебра\n"
        "  Задано: 0 (по плану 0)\n"
        "  Сдано: 0% (0 из 1), в срок: 0% (0 из 1)\n"
        "- 7Б, Литература\n"
        "  Задано: 0 (по плану 1) — МЕНЬШЕ ПЛАНА\n"
        "  Сроков сдачи не было\n"
        "\n"
        "2. РАБОТЫ БЕЗ ОЦЕНКИ ДОЛЬШЕ 3 ДНЕЙ\n"
        "- Петрова Анна Сергеевна: 2 работы\n"
        "  Самая давняя: ДЗ-8 Геометрия, Смирнова Алёна, 7А, получена "
        "25.11.2026 12:00 (7 дней назад)\n"
        "- Сидоров Олег Игоревич: 1 работа\n"
        "  Самая давняя: ДЗ-7 Русский язык, Кузнецов Дмитрий, 7Б, получена "
        "28.11.2026 10:00 (4 дня назад)\n"
        "\n"
        "3. УЧЕНИКИ БЕЗ ПИСЕМ ДВА УЧЕБНЫХ ДНЯ И БОЛЬШЕ (дистанционное "
        "обучение; дни болезни не считаются)\n"
        "- Кузнецов Дмитрий Олегович, 7Б: 2 учебных дня; последнее письмо: "
        "30.11.2026 09:00\n"
        "\n"
        "4. НЕ ДОСТАВЛЕННЫЕ ПИСЬМА\n"
        "- 02.12.2026 10:15 receipt → ghost@pupils.test\n"
        "  Тема: Сводка\n"
        "  Ответ сервера: 550 5.1.1 No such user\n"
        "\n"
        "5. ВЕЧЕРНИЕ СВОДКИ РОДИТЕЛЯМ\n"
        "- Иванова Елена Викторовна (Пётр Иванов, 7А)\n"
        "  02.12.2026: доставлена 19:31\n"
        "- Смирнов Андрей (Алёна Смирнова, 7А)\n"
        "  02.12.2026: НЕ ДОСТАВЛЕНА (19:30: 550 mailbox "
        "unavailable)\n"
        "- Кузнецова Ольга (Дмитрий Кузнецов, 7Б; Мария Попова, 7Б)\n"
        "  02.12.2026: не отправлялась\n"
        "\n"
        "6. ВОПРОСЫ ГОРЯЧЕЙ ЛИНИИ БЕЗ ОТВЕТА В ОБЕЩАННЫЙ СРОК\n"
        "- 01.12.2026 09:00 Смирнов Андрей (Алёна Смирнова, 7А) "
        "<smirnov.a@parents.test>\n"
        "  Когда будет расписание?\n"
        "\n"
        "Письмо «было ли сообщено родителю» по одному адресу: schoolmail "
        "delivery АДРЕС.\n"
        "\n"
        "-- \n"
        "Школа №1\n");
  // The HTML part carries the same rows, escaped.
  CHECK(mail->html.find("<strong>100%</strong>") != std::string::npos);
  CHECK(mail->html.find("2 из 2") != std::string::npos);
  CHECK(mail->html.find("Кузнецов Дмитрий Олегович") != std::string::npos);
  CHECK(mail->html.find("&lt;") == std::string::npos);
}

TEST_CASE("control report for a week: Monday to the report day") {
  const Settings settings = SchoolSettingsForTest();
  const MailContext context = ContextFor(settings);
  const AdminReportFacts facts =
      AdminReportFor(Day("2026-11-30"), Day("2026-12-04"), At("2026-12-04", 20),
                     Week(), Ill, {}, context);
  CHECK(facts.weekly);
  // 7Б Алгебра over the week: ДЗ-6 (both handed in, Попова late) and ДЗ-2
  // (Кузнецов missed it, Попова ill): 2 of 3, on time 1 of 3.
  const ReportSubjectLine* algebra_7b = nullptr;
  for (const auto& l : facts.subjects) {
    if (l.class_name == "7Б" && l.school_subject == "Алгебра") algebra_7b = &l;
  }
  REQUIRE(algebra_7b != nullptr);
  CHECK(algebra_7b->set == 1);      // ДЗ-2, set Tuesday
  CHECK(algebra_7b->planned == 1);  // Monday's lesson
  CHECK(algebra_7b->owed == 3);
  CHECK(algebra_7b->handed_in == 2);
  CHECK(algebra_7b->on_time == 1);

  // Every pupil silent on Thursday and Friday; Попова's ill Wednesday ends
  // her count at two days.
  REQUIRE(facts.inactive.size() == 4);
  CHECK(facts.inactive[0].pupil_name == "Иванов Пётр Андреевич");
  CHECK(facts.inactive[0].days == 2);
  CHECK(facts.inactive[2].pupil_name == "Кузнецов Дмитрий Олегович");
  CHECK(facts.inactive[2].days == 4);  // his last mail: Monday
  CHECK(facts.inactive[3].pupil_name == "Попова Мария");
  CHECK(facts.inactive[3].days == 2);

  // Five school days per parent; Kuznetsova's Tuesday digest is queued.
  REQUIRE(facts.parents.size() == 3);
  REQUIRE(facts.parents[2].days.size() == 5);
  CHECK(facts.parents[2].days[1].state == ReportDigestDay::State::kPending);
  CHECK(facts.parents[0].days[2].state == ReportDigestDay::State::kSent);
  CHECK(facts.parents[0].days[2].at_local == "19:31");

  auto mail =
      RenderAdminReport(context.templates, SchoolInfoOf(settings), facts);
  REQUIRE(mail.ok());
  CHECK(mail->subject == "Контрольный отчёт за неделю 30.11.2026–04.12.2026");
  CHECK(mail->text.find("- 7Б, Алгебра\n"
                        "  Задано: 1 (по плану 1)\n"
                        "  Сдано: 67% (2 из 3), в срок: 33% (1 из 3)\n") !=
        std::string::npos);
  CHECK(mail->text.find("- Кузнецова Ольга (Дмитрий Кузнецов, 7Б; Мария "
                        "Попова, 7Б)\n"
                        "  30.11.2026: не отправлялась\n"
                        "  01.12.2026: ещё отправляется\n"
                        "  02.12.2026: не отправлялась\n") !=
        std::string::npos);
  CHECK(mail->text.find("6. ВОПРОСЫ ГОРЯЧЕЙ ЛИНИИ БЕЗ ОТВЕТА В ОБЕЩАННЫЙ "
                        "СРОК\nНет.\n") != std::string::npos);
}

TEST_CASE("percentages round half up; nothing owed is 0") {
  CHECK(RoundedPercent(2, 3) == 67);
  CHECK(RoundedPercent(1, 3) == 33);
  CHECK(RoundedPercent(1, 8) == 13);  // 12.5
  CHECK(RoundedPercent(0, 0) == 0);
  CHECK(RoundedPercent(5, 5) == 100);
}

TEST_CASE("the weekly report's day: the last school day of the ISO week") {
  SchoolSettings school = SchoolSettingsForTest().school;
  auto daily = ReportPeriodOn(Day("2026-12-02"), ReportPeriod::kDaily, school);
  REQUIRE(daily);
  CHECK(daily->first == Day("2026-12-02"));
  CHECK(daily->last == Day("2026-12-02"));
  CHECK_FALSE(ReportPeriodOn(Day("2026-12-03"), ReportPeriod::kWeekly, school));
  auto friday =
      ReportPeriodOn(Day("2026-12-04"), ReportPeriod::kWeekly, school);
  REQUIRE(friday);
  CHECK(friday->first == Day("2026-11-30"));
  CHECK(friday->last == Day("2026-12-04"));
  // New Year's week: the holidays start on Thursday 31.12.
  auto wednesday =
      ReportPeriodOn(Day("2026-12-30"), ReportPeriod::kWeekly, school);
  REQUIRE(wednesday);
  CHECK(wednesday->first == Day("2026-12-28"));
  // Saturday lessons: the week ends on Saturday.
  school.school_days.push_back(date::Saturday);
  CHECK_FALSE(ReportPeriodOn(Day("2026-12-04"), ReportPeriod::kWeekly, school));
  CHECK(ReportPeriodOn(Day("2026-12-05"), ReportPeriod::kWeekly, school));
}

TEST_CASE("the school day before: over weekends and holidays") {
  const SchoolSettings school = SchoolSettingsForTest().school;
  CHECK(PreviousSchoolDay(Day("2026-12-02"), school) == Day("2026-12-01"));
  CHECK(PreviousSchoolDay(Day("2026-11-30"), school) == Day("2026-11-27"));
  CHECK(PreviousSchoolDay(Day("2027-01-11"), school) == Day("2026-12-30"));
}

TEST_CASE("[report] ungraded_days and [schedule] admin_report_period parse") {
  const std::string base = "[school]\nname = Ш\ntime_zone = Europe/Moscow\n";
  LoadedSettings defaults = ParseSettings(base, "s.ini");
  CHECK(defaults.settings.report.ungraded_days == 3);
  CHECK(defaults.settings.schedule.admin_report == TimeOfDay{20 * 60});
  CHECK(defaults.settings.schedule.admin_report_period == ReportPeriod::kDaily);
  LoadedSettings set =
      ParseSettings(base +
                        "[schedule]\nadmin_report_period = Weekly\n[report]\n"
                        "ungraded_days = 5\n",
                    "s.ini");
  CHECK(set.settings.schedule.admin_report_period == ReportPeriod::kWeekly);
  CHECK(set.settings.report.ungraded_days == 5);
  LoadedSettings bad =
      ParseSettings(base +
                        "[schedule]\nadmin_report_period = monthly\n[report]\n"
                        "ungraded_days = 0\n",
                    "s.ini");
  std::vector<std::string> problems;
  for (const ConfigProblem& p : bad.problems) {
    if (p.section == "schedule" || p.section == "report") {
      problems.push_back(p.ToString());
    }
  }
  REQUIRE(problems.size() == 2);
  CHECK(problems[0] ==
        "s.ini:5: [schedule] admin_report_period: unknown period "
        "\"monthly\": use daily or weekly");
  CHECK(problems[1].starts_with("s.ini:7: [report] ungraded_days: "));
}

// The report through the store: when it goes, once per period, where.
struct School {
  Settings settings = SchoolSettingsForTest();
  std::unique_ptr<Store> store;
  MailContext context;

  School() {
    store = std::move(OpenSqliteStore(":memory:").value());
    REQUIRE(store->ImportRoster(SampleRoster()).ok());
    context = ContextFor(settings);
  }

  AdminReportRun Run(std::int64_t now) {
    auto run = RunAdminReport(*store, context, now);
    INFO(run.status().message());
    REQUIRE(run.ok());
    return *run;
  }

  std::vector<OutboxEntry> Mail() { return *store->ListOutbox(true); }
};

TEST_CASE("control report: from 20:00 on school days, once per day") {
  School school;
  CHECK(school.Run(At("2026-12-02", 19, 59)).skipped == "before 20:00");
  CHECK(school.Run(At("2026-12-05", 20)).skipped == "not a school day");
  AdminReportRun run = school.Run(At("2026-12-02", 20));
  CHECK(run.ran);
  CHECK(run.queued);
  CHECK(run.period == "2026-12-02..2026-12-02");
  CHECK(run.parents == 3);
  CHECK(school.Run(At("2026-12-02", 21)).skipped == "sent already");
  // Even with the marker gone, the dedup key holds: one report a period.
  REQUIRE(school.store->ForgetJob(kAdminReportJob, Day("2026-12-02")).ok());
  AdminReportRun again = school.Run(At("2026-12-02", 22));
  CHECK(again.already);
  CHECK_FALSE(again.queued);

  auto mail = school.Mail();
  REQUIRE(mail.size() == 1);
  CHECK(mail[0].kind == "admin_report");
  CHECK(mail[0].summary == "Контрольный отчёт за 02.12.2026");
  REQUIRE(mail[0].recipients.size() == 1);
  CHECK(mail[0].recipients[0].address == "zavuch@school.test");
  auto bodies = *school.store->ClaimDue(At("2030-01-01", 0), 10);
  REQUIRE(bodies.size() == 1);
  CHECK(bodies[0].body.find("multipart/alternative") != std::string::npos);
  MimeParse parsed = ParseMessage(bodies[0].body, Limits{});
  REQUIRE(parsed.message.has_value());
  CHECK(parsed.message->auto_submitted == "auto-generated");
  CHECK(parsed.message->text.find("5. ВЕЧЕРНИЕ СВОДКИ РОДИТЕЛЯМ\n"
                                  "- Иванова Елена Викторовна (Пётр Иванов, "
                                  "7А)\n  02.12.2026: не отправлялась\n") !=
        std::string::npos);
}

TEST_CASE("weekly control report: only on the week's last school day") {
  School school;
  school.settings.schedule.admin_report_period = ReportPeriod::kWeekly;
  CHECK(school.Run(At("2026-12-03", 20)).skipped ==
        "not the last school day of the week");
  AdminReportRun friday = school.Run(At("2026-12-04", 20));
  CHECK(friday.queued);
  CHECK(friday.period == "2026-11-30..2026-12-04");
  auto mail = school.Mail();
  REQUIRE(mail.size() == 1);
  CHECK(mail[0].summary == "Контрольный отчёт за неделю 30.11.2026–04.12.2026");
}

TEST_CASE("without an admin address nothing is sent and the day stays open") {
  School school;
  school.settings.school.admin_address.clear();
  AdminReportRun run = school.Run(At("2026-12-02", 20));
  CHECK_FALSE(run.ran);
  CHECK(run.skipped == "no admin_address");
  CHECK(school.Mail().empty());
  CHECK_FALSE(*school.store->IsJobDone(kAdminReportJob, Day("2026-12-02")));
  school.settings.school.admin_address = "zavuch@school.test";
  CHECK(school.Run(At("2026-12-02", 20, 30)).queued);
}

TEST_CASE("the delivery log by address: every mail, its event and reply") {
  School school;
  auto queue = [&](const char* kind, const char* key, const char* to,
                   std::int64_t at) {
    OutboxMail m;
    m.kind = kind;
    m.dedup_key = key;
    m.envelope_from = "robot@school.test";
    m.recipients = {to};
    m.message_id = std::string(key) + "@school.test";
    m.summary = std::string("Письмо ") + key;
    m.body = "x";
    auto queued = school.store->Enqueue(m, at, 20);
    REQUIRE(queued.ok());
    return queued->id;
  };
  using State = RecipientOutcome::State;
  const char* parent = "ivanova.elena@parents.test";
  std::int64_t digest = queue("parent_digest", "digest:r-001:2026-12-01",
                              parent, At("2026-12-01", 19, 30));
  REQUIRE(school.store
              ->RecordAttempt(digest, {{parent, State::kDeferred, "451 later"}},
                              "451 later", At("2026-12-01", 19, 30),
                              At("2026-12-01", 19, 31))
              .ok());
  REQUIRE(school.store
              ->RecordAttempt(digest, {{parent, State::kSent, "250 OK"}},
                              "250 OK", At("2026-12-01", 19, 31), 0)
              .ok());
  std::int64_t other =
      queue("receipt", "receipt:1", "other@parents.test", At("2026-12-01", 10));
  REQUIRE(school.store
              ->RecordAttempt(
                  other, {{"other@parents.test", State::kFailed, "550 no"}},
                  "550 no", At("2026-12-01", 10), 0)
              .ok());
  queue("parent_digest", "digest:r-001:2026-12-02", parent,
        At("2026-12-02", 19, 30));

  std::ostringstream out, err;
  CHECK(DeliveryCommand(*school.store, school.settings,
                        "Ivanova.Elena@Parents.test", "", "", out, err) == 0);
  CHECK(out.str() ==
        "2026-12-01 19:30:00\tparent_digest\tПисьмо digest:r-001:2026-12-01\t"
        "deferred\t451 later\n"
        "2026-12-01 19:31:00\tparent_digest\tПисьмо digest:r-001:2026-12-01\t"
        "sent\t250 OK\n"
        "2026-12-02 19:30:00\tparent_digest\tПисьмо digest:r-001:2026-12-02\t"
        "queued\t\n");
  std::ostringstream day;
  CHECK(DeliveryCommand(*school.store, school.settings, parent, "2026-12-02",
                        "2026-12-02", day, err) == 0);
  CHECK(day.str() ==
        "2026-12-02 19:30:00\tparent_digest\tПисьмо digest:r-001:2026-12-02\t"
        "queued\t\n");

  DeliveryFilter failed;
  failed.event = "failed";
  failed.from = At("2026-12-01", 0);
  auto rows = school.store->ListDeliveries(failed);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].address == "other@parents.test");
  CHECK((*rows)[0].reply == "550 no");

  std::ostringstream none, bad;
  CHECK(DeliveryCommand(*school.store, school.settings, "nobody@parents.test",
                        "", "", none, err) == 0);
  CHECK(none.str() == "No mail to nobody@parents.test in the delivery log.\n");
  CHECK(DeliveryCommand(*school.store, school.settings, parent, "01.13.2026",
                        "", none, bad) == 2);
  CHECK(bad.str() == "--from: not a date: 01.13.2026 (write 2026-11-30)\n");
}

TEST_CASE("the lesson plan rows of a period") {
  School school;
  PlanItem item;
  item.day = Day("2026-12-02");
  item.class_name = "7А";
  item.subject = "Алгебра";
  item.topic = "Линейная функция";
  item.due_day = Day("2026-12-03");
  item.teacher_id = "t-petrova";
  item.message_id = "a@school.test";
  PlanItem later = item;
  later.day = Day("2026-12-07");
  later.topic = "Квадратная функция";
  later.due_day = Day("2026-12-08");
  later.message_id = "b@school.test";
  REQUIRE(school.store->ImportPlan({item, later}, At("2026-11-30", 9)).ok());
  auto rows =
      school.store->ListPlannedLessons(Day("2026-11-30"), Day("2026-12-04"));
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].class_name == "7А");
  CHECK((*rows)[0].subject == "Алгебра");
  CHECK((*rows)[0].topic == "Линейная функция");
  CHECK((*rows)[0].day == Day("2026-12-02"));
}

}  // namespace
}  // namespace schoolmail
