// The class teacher's daily list and illness records: the illness lines of
// a teacher's mail (parsers/illness_line.h), the list's facts and its exact
// text and HTML (ClassListsFor, RenderClassList, built-in Russian texts),
// when the list goes (school days, from schedule.class_teacher_list, once
// per class per day, only for classes in distance mode), and illness
// records in the store (one period once; the overlap query).
#include "daemon/class_list.h"

#include <doctest/doctest.h>

#include "daemon/illness_mail.h"
#include "daemon/rules/school_time.h"
#include "parsers/illness_line.h"
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

// --- Illness lines ---

TEST_CASE(
    "illness lines: the forms, today only without a date, dd.mm as the next "
    "such day") {
  const Date today = Day("2026-11-30");
  auto lines = ReadIllnessLines(
      "Добрый вечер!\n"
      "Болеет: Иванов Пётр до 05.12\n"
      "  болеет Смирнова Алёна\n"
      "БОЛЕЕТ - Иванов Петр до 05.12.2026.\n"
      "Ill: Ivanov Petr until 05.12\n"
      "Болеет: Иванов Пётр до 10.01\n"
      "болеет: Сидоров Олег до 2026-12-01\n"
      "Болеющих больше нет, illness is over\n"
      "Спасибо\n",
      today);
  REQUIRE(lines.size() == 6);
  CHECK(lines[0].line == 2);
  CHECK(lines[0].written == "Болеет: Иванов Пётр до 05.12");
  CHECK(lines[0].name == "Иванов Пётр");
  CHECK(lines[0].last_day == Day("2026-12-05"));
  CHECK(lines[0].problem.empty());
  CHECK(lines[1].line == 3);
  CHECK(lines[1].name == "Смирнова Алёна");
  CHECK_FALSE(lines[1].last_day.has_value());  // today only
  CHECK(lines[2].name == "Иванов Петр");
  CHECK(lines[2].last_day == Day("2026-12-05"));
  CHECK(lines[3].name == "Ivanov Petr");
  CHECK(lines[3].last_day == Day("2026-12-05"));
  CHECK(lines[4].last_day == Day("2027-01-10"));  // after New Year
  CHECK(lines[5].name == "Сидоров Олег");
  CHECK(lines[5].last_day == Day("2026-12-01"));
  // dd.mm of today is today.
  auto same_day = ReadIllnessLines("Болеет: Иванов Пётр до 30.11", today);
  REQUIRE(same_day.size() == 1);
  CHECK(same_day[0].last_day == today);
}

TEST_CASE("illness lines: problems name the line and what is wrong") {
  const Date today = Day("2026-11-30");
  auto lines = ReadIllnessLines(
      "Болеет: Иванов Пётр до 31.02\n"
      "Болеет: Смирнова Алёна до 20.11.2026\n"
      "Болеет:\n"
      "Болеет: до 05.12\n"
      "Болеет: Иванов Пётр до завтра\n"
      "Болеет: Иванов Пётр до\n",
      today);
  REQUIRE(lines.size() == 6);
  CHECK(lines[0].problem == "bad_date");
  CHECK(lines[0].detail == "31.02");
  CHECK(lines[0].line == 1);
  CHECK(lines[1].problem == "past_date");
  CHECK(lines[1].detail == "20.11.2026");
  CHECK(lines[2].problem == "no_name");
  CHECK(lines[2].line == 3);
  CHECK(lines[3].problem == "no_name");
  CHECK(lines[4].problem == "bad_date");
  CHECK(lines[4].detail == "завтра");
  CHECK(lines[5].problem == "bad_date");
}

TEST_CASE("illness lines: only the mail's own text above the quote counts") {
  const Date today = Day("2026-11-30");
  auto lines = ReadIllnessLines(
      "Болеет: Смирнова Алёна до 02.12\n"
      "\n"
      "30.11.2026 18:30, robot@school.test написал(а):\n"
      "> Болеет: Фамилия Имя до ДД.ММ\n"
      "Болеет: Иванов Пётр\n",
      today);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].name == "Смирнова Алёна");
  CHECK(ReadIllnessLines("> Болеет: Иванов Пётр\n", today).empty());
  CHECK(ReadIllnessLines("On Mon, 30 Nov 2026, School wrote:\n"
                         "Болеет: Иванов Пётр\n",
                         today)
            .empty());
  // "Ill" needs its colon; other words that start alike are not lines.
  CHECK(ReadIllnessLines("Ill be there\nIllness: none\nБолеется легко\n", today)
            .empty());
}

TEST_CASE("illness lines: at most kMaxIllnessLines are read") {
  std::string text;
  for (int i = 0; i < kMaxIllnessLines + 5; ++i)
    text += "Болеет: Иванов Пётр\n";
  auto lines = ReadIllnessLines(text, Day("2026-11-30"));
  REQUIRE(lines.size() == static_cast<std::size_t>(kMaxIllnessLines) + 1);
  CHECK(lines.back().problem == "too_many");
  CHECK(lines.back().line == kMaxIllnessLines + 1);
}

Roster SampleRoster() {
  RosterParse parse =
      ParseRoster(testing::ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
                                    "/scripts/sample-school/roster.csv"),
                  {});
  REQUIRE(parse.problems.empty());
  return parse.roster;
}

TEST_CASE(
    "pupils by name: Фамилия Имя in either order, ё as е, any case, in one "
    "class") {
  Roster roster = SampleRoster();
  auto found = PupilsNamed(roster.pupils, "7А", "смирнова  АЛЕНА");
  REQUIRE(found.size() == 1);
  CHECK(found[0]->id == "p-002");
  CHECK(PupilsNamed(roster.pupils, "7А", "Пётр Иванов").size() == 1);
  CHECK(PupilsNamed(roster.pupils, "7А", "Иванов Петр Андреевич").size() == 1);
  CHECK(PupilsNamed(roster.pupils, "7Б", "Иванов Пётр").empty());  // 7А's
  CHECK(PupilsNamed(roster.pupils, "", "Иванов Пётр").size() == 1);
  CHECK(PupilsNamed(roster.pupils, "7А", "Иванов").empty());
  CHECK(PupilsNamed(roster.pupils, "7А", "").empty());
  Pupil twin = roster.pupils[0];
  twin.id = "p-009";
  roster.pupils.push_back(twin);
  CHECK(PupilsNamed(roster.pupils, "7А", "Иванов Пётр").size() == 2);
}

// --- The list ---

// The school in Moscow, Monday to Friday, a New Year holiday.
Settings SchoolSettingsForTest() {
  Settings settings;
  settings.school.name = "Школа №1";
  settings.school.hotline = "+7 495 000-00-00";
  settings.school.time_zone = kZone;
  settings.school.school_days = {date::Monday, date::Tuesday, date::Wednesday,
                                 date::Thursday, date::Friday};
  settings.school.holidays = {{Day("2026-12-31"), Day("2027-01-08")}};
  settings.smtp.sender = "robot@school.test";
  settings.school_mailbox.address = "school@school.test";
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

// The sample school with two more pupils of 7А: Ёлкин Борис in duty group
// 1 (ё sorts as е, before Иванов) and Яковлев Глеб.
Roster ListRoster() {
  Roster roster = SampleRoster();
  Pupil yolkin;
  yolkin.id = "p-005";
  yolkin.name = {"Ёлкин", "Борис", ""};
  yolkin.class_name = "7А";
  yolkin.addresses = {"yolkin@pupils.test"};
  yolkin.duty_group = "1";
  Pupil yakovlev;
  yakovlev.id = "p-006";
  yakovlev.name = {"Яковлев", "Глеб", ""};
  yakovlev.class_name = "7А";
  yakovlev.addresses = {"yakovlev@pupils.test"};
  roster.pupils.push_back(yakovlev);
  roster.pupils.push_back(yolkin);
  return roster;
}

Assignment Work(const char* code, const char* class_name, const char* subject,
                const char* due, int due_hour = 18) {
  Assignment a;
  a.code = code;
  a.class_name = class_name;
  a.subject = subject;
  a.title = std::string("задание ") + code;
  a.set_day = Day("2026-11-20");
  a.due_day = Day(due);
  a.due_time = TimeOfDay{due_hour * 60};
  return a;
}

SubmissionRow Row(std::int64_t id, const char* pupil, const char* code,
                  const char* status, std::int64_t received) {
  SubmissionRow s;
  s.id = id;
  s.pupil_id = pupil;
  s.class_name = "7А";
  s.assignment_code = code;
  s.mailbox = "petrova";
  s.received_at = received;
  s.status = status;
  return s;
}

Illness Ill(const char* pupil, const char* first, const char* last) {
  Illness i;
  i.pupil_id = pupil;
  i.first_day = Day(first);
  i.last_day = Day(last);
  i.source = "reply";
  i.recorded_by = "t-petrova";
  return i;
}

const std::vector<Assignment> kAssignments = {
    Work("ДЗ-1", "7А", "Алгебра", "2026-11-30"),
    Work("ДЗ-5", "7А", "Литература", "2026-11-30", 20),  // due later today
    Work("ДЗ-3", "7А", "Геометрия", "2026-12-01"),       // not today
    Work("ДЗ-4", "7Б", "Алгебра", "2026-11-30"),         // another class
};

const std::vector<SubmissionRow> kSubmissions = {
    // Petya: ДЗ-1 on time (twice: the first counts), ДЗ-5 not yet.
    Row(1, "p-001", "ДЗ-1", "on_time", At("2026-11-30", 17, 5, 12)),
    Row(2, "p-001", "ДЗ-1", "on_time", At("2026-11-30", 17, 45)),
    // Boris: ДЗ-1 late.
    Row(3, "p-005", "ДЗ-1", "late", At("2026-11-30", 18, 20)),
    // Gleb wrote yesterday (the last second of it), not today: no
    // activity, ДЗ-1 missing.
    Row(4, "p-006", "", "unmatched", At("2026-11-29", 12)),
    Row(7, "p-006", "", "review", At("2026-11-29", 23, 59, 59)),
    // Alena is ill: nothing from her. An unknown sender counts for nobody.
    Row(5, "", "ДЗ-1", "unknown_sender", At("2026-11-30", 10)),
    // 7Б's work is not in 7А's list.
    Row(6, "p-003", "ДЗ-4", "on_time", At("2026-11-30", 9)),
};

TEST_CASE(
    "class list: each pupil by name, the work due today with its state, ill "
    "and absent marked; exact text") {
  const Settings settings = SchoolSettingsForTest();
  const MailContext context = ContextFor(settings);
  const std::vector<Illness> illnesses = {
      Ill("p-002", "2026-11-30", "2026-12-02"),
      Ill("p-002", "2026-11-27", "2026-11-30"),  // overlapping: the later end
  };
  auto lists =
      ClassListsFor(Day("2026-11-30"), At("2026-11-30", 18, 30), kSubmissions,
                    kAssignments, ListRoster(), illnesses, {"7А"}, context);
  REQUIRE(lists.size() == 1);
  const ClassListMail& list = lists[0];
  CHECK(list.class_name == "7А");
  CHECK(list.teacher_id == "t-petrova");
  CHECK(list.to.address == "petrova@school.test");
  CHECK(list.to.display_name == "Анна Сергеевна Петрова");

  auto text =
      RenderClassList(context.templates, SchoolInfoOf(settings), list.facts);
  REQUIRE(text.ok());
  CHECK(text->subject ==
        "Класс 7А, 30.11.2026: вовремя 1, с опозданием 1, не сдано 1, "
        "болеют 1, без активности 1");
  CHECK(text->text ==
        "Здравствуйте, Анна Сергеевна!\n"
        "\n"
        "Класс 7А, 30.11.2026.\n"
        "Учеников: 4. Работ к сдаче сегодня: 8.\n"
        "Вовремя: 1. С опозданием: 1. Не сдано: 1. Срок ещё не прошёл: 3.\n"
        "Болеют: 1. Без активности сегодня: 1.\n"
        "\n"
        "Задания со сроком сегодня:\n"
        "- ДЗ-1 Алгебра: задание ДЗ-1 (срок 18:00)\n"
        "- ДЗ-5 Литература: задание ДЗ-5 (срок 20:00)\n"
        "\n"
        "Ёлкин Борис [дежурная группа 1]\n"
        "  ДЗ-1 Алгебра: С ОПОЗДАНИЕМ (30.11.2026 18:20:00)\n"
        "  ДЗ-5 Литература: ещё не сдано, срок 20:00\n"
        "Иванов Пётр\n"
        "  ДЗ-1 Алгебра: вовремя (30.11.2026 17:05:12)\n"
        "  ДЗ-5 Литература: ещё не сдано, срок 20:00\n"
        "Смирнова Алёна — болеет до 02.12.2026\n"
        "  ДЗ-1 Алгебра: болеет до 02.12.2026\n"
        "  ДЗ-5 Литература: болеет до 02.12.2026\n"
        "Яковлев Глеб\n"
        "  ДЗ-1 Алгебра: НЕ СДАНО\n"
        "  ДЗ-5 Литература: ещё не сдано, срок 20:00\n"
        "  сегодня без активности (возможно, отсутствует)\n"
        "\n"
        "Чтобы отметить заболевшего ученика, ответьте на это письмо (ответ "
        "придёт в ящик школы school@school.test) строкой:\n"
        "Болеет: Фамилия Имя до ДД.ММ\n"
        "Например: Болеет: Ёлкин Борис до 01.12\n"
        "Без «до» — только на сегодня. Можно написать несколько строк, по "
        "ученику в строке.\n"
        "\n"
        "-- \n"
        "Школа №1\n"
        "Горячая линия: +7 495 000-00-00\n");
  const std::string& html = text->html;
  CHECK(
      html.find("<h1 style=\"margin:0 0 8px;font-size:20px;line-height:1.3;\">"
                "Класс 7А, <span style=\"white-space:nowrap;\">30.11.2026"
                "</span></h1>") != std::string::npos);
  CHECK(html.find(">Не сдано</td><td style=\"padding:4px 8px;border-bottom:1px "
                  "solid #eeeeee;text-align:right;color:#b42318;\"><strong>1"
                  "</strong></td></tr>") != std::string::npos);
  CHECK(html.find("<strong>Ёлкин Борис</strong> <span style=\"display:inline-"
                  "block;padding:0 6px;border-radius:3px;background-color:"
                  "#eef4ff;color:#1a5fb4;font-size:13px;white-space:nowrap;\">"
                  "дежурная группа 1</span>") != std::string::npos);
  CHECK(html.find("ДЗ-1 Алгебра: <span style=\"color:#b54708;font-weight:bold;"
                  "\">с опозданием</span> <span style=\"color:#555555;white-"
                  "space:nowrap;\">(30.11.2026 18:20:00)</span>") !=
        std::string::npos);
  CHECK(html.find("ДЗ-1 Алгебра: <span style=\"color:#344054;\">болеет до "
                  "02.12.2026</span>") != std::string::npos);
  CHECK(html.find("<span style=\"font-size:14px;color:#b42318;\">сегодня без "
                  "активности (возможно, отсутствует)</span>") !=
        std::string::npos);
  CHECK(html.find("<strong>Болеет: Фамилия Имя до ДД.ММ</strong>") !=
        std::string::npos);
  // By name, ё as е: Ёлкин, Иванов, Смирнова, Яковлев.
  CHECK(html.find("Ёлкин") < html.find("Иванов Пётр"));
  CHECK(html.find("Смирнова") < html.find("Яковлев"));
}

TEST_CASE(
    "class list: after every deadline nothing is pending; the next day the "
    "illness still excuses") {
  const Settings settings = SchoolSettingsForTest();
  const MailContext context = ContextFor(settings);
  const std::vector<Illness> illnesses = {
      Ill("p-002", "2026-11-30", "2026-12-01")};
  auto late_evening =
      ClassListsFor(Day("2026-11-30"), At("2026-11-30", 20, 0, 1), kSubmissions,
                    kAssignments, ListRoster(), illnesses, {"7А"}, context);
  REQUIRE(late_evening.size() == 1);
  const ClassListPupil& gleb = late_evening[0].facts.pupils[3];
  CHECK(gleb.name == "Яковлев Глеб");
  REQUIRE(gleb.works.size() == 2);
  CHECK(gleb.works[0].status == "missing");
  CHECK(gleb.works[1].status == "missing");
  // 20:00:00 itself is still before the deadline has passed.
  auto at_deadline =
      ClassListsFor(Day("2026-11-30"), At("2026-11-30", 20), kSubmissions,
                    kAssignments, ListRoster(), illnesses, {"7А"}, context);
  CHECK(at_deadline[0].facts.pupils[3].works[1].status == "pending");

  // Tuesday: ДЗ-3 is due; nobody wrote; Alena is still ill, then not.
  Assignment geometry = kAssignments[2];
  auto tuesday =
      ClassListsFor(Day("2026-12-01"), At("2026-12-01", 18, 30), kSubmissions,
                    kAssignments, ListRoster(), illnesses, {"7А"}, context);
  REQUIRE(tuesday.size() == 1);
  const ClassListFacts& f = tuesday[0].facts;
  REQUIRE(f.due.size() == 1);
  CHECK(f.due[0].code == "ДЗ-3");
  CHECK(f.pupils[2].name == "Смирнова Алёна");
  CHECK(f.pupils[2].ill_until == "01.12.2026");
  CHECK_FALSE(f.pupils[2].no_activity);
  CHECK(f.pupils[2].works[0].status == "ill");
  CHECK(f.pupils[1].no_activity);  // Petya wrote on Monday only
  CHECK(f.pupils[1].works[0].status == "missing");
  auto wednesday =
      ClassListsFor(Day("2026-12-02"), At("2026-12-02", 18, 30), kSubmissions,
                    kAssignments, ListRoster(), illnesses, {"7А"}, context);
  CHECK(wednesday[0].facts.pupils[2].ill_until.empty());
  CHECK(wednesday[0].facts.pupils[2].no_activity);
  CHECK(wednesday[0].facts.due.empty());
  // Any mail of hers that day counts as activity, from midnight on, even
  // one that matched nothing.
  std::vector<SubmissionRow> with_mail = kSubmissions;
  with_mail.push_back(
      Row(8, "p-002", "", "unmatched", At("2026-12-02", 0, 0, 0)));
  auto active = ClassListsFor(Day("2026-12-02"), At("2026-12-02", 18, 30),
                              with_mail, kAssignments, ListRoster(), illnesses,
                              {"7А"}, context);
  CHECK_FALSE(active[0].facts.pupils[2].no_activity);
}

TEST_CASE(
    "class list: only classes in distance mode with a class teacher who has an "
    "address") {
  const Settings settings = SchoolSettingsForTest();
  const MailContext context = ContextFor(settings);
  Roster roster = ListRoster();
  auto both =
      ClassListsFor(Day("2026-11-30"), At("2026-11-30", 18, 30), kSubmissions,
                    kAssignments, roster, {}, {"7А", "7Б"}, context);
  REQUIRE(both.size() == 2);
  CHECK(both[0].class_name == "7А");
  CHECK(both[1].class_name == "7Б");
  CHECK(both[1].to.address == "sidorov@school.test");
  REQUIRE(both[1].facts.pupils.size() == 2);
  CHECK(both[1].facts.pupils[0].name == "Кузнецов Дмитрий");
  CHECK(both[1].facts.pupils[0].works[0].status == "on_time");
  CHECK(both[1].facts.pupils[1].works[0].status == "missing");
  CHECK(both[1].facts.pupils[1].no_activity);

  for (Teacher& t : roster.teachers) {
    if (t.id == "t-sidorov") t.addresses.clear();
  }
  auto without =
      ClassListsFor(Day("2026-11-30"), At("2026-11-30", 18, 30), kSubmissions,
                    kAssignments, roster, {}, {"7А", "7Б"}, context);
  REQUIRE(without.size() == 1);
  CHECK(without[0].class_name == "7А");
  CHECK(ClassListsFor(Day("2026-11-30"), At("2026-11-30", 18, 30), kSubmissions,
                      kAssignments, roster, {}, {}, context)
            .empty());
}

// The sample school in memory, 7А in distance mode from 30.11, ДЗ-1 due
// 30.11: Petya's work on time.
struct School {
  Settings settings = SchoolSettingsForTest();
  std::unique_ptr<Store> store;
  MailContext context;

  School() {
    store = std::move(OpenSqliteStore(":memory:").value());
    REQUIRE(store->ImportRoster(SampleRoster()).ok());
    REQUIRE(store->AddAssignment(kAssignments[0], "cli", 1).ok());
    REQUIRE(store->StartDistance({"7А"}, Day("2026-11-30"), std::nullopt, "", 1)
                .ok());
    REQUIRE(store
                ->RecordIntake(testing::WorkIntake(
                    1, "p-001", "ivanov.petya@pupils.test",
                    At("2026-11-30", 17), SubmissionStatus::kOnTime))
                .ok());
    context = ContextFor(settings);
  }

  ClassListReport Run(std::int64_t now) {
    auto report = RunClassList(*store, context, now);
    INFO(report.status().message());
    REQUIRE(report.ok());
    return *report;
  }

  std::vector<OutboxEntry> Mail() { return *store->ListOutbox(true); }
};

TEST_CASE(
    "class list mail: once per class per day from the configured time, "
    "Reply-To the school mailbox") {
  School school;
  CHECK(Settings{}.schedule.class_teacher_list == TimeOfDay{18 * 60 + 30});
  ClassListReport saturday = school.Run(At("2026-11-28", 19));
  CHECK_FALSE(saturday.ran);
  CHECK(saturday.skipped == "not a school day");
  ClassListReport early = school.Run(At("2026-11-30", 18, 29));
  CHECK_FALSE(early.ran);
  CHECK(early.skipped == "before 18:30");
  CHECK(school.Mail().empty());

  ClassListReport first = school.Run(At("2026-11-30", 18, 30));
  CHECK(first.ran);
  CHECK(first.classes == 1);
  CHECK(first.no_teacher == 0);
  CHECK(first.queued == 1);
  ClassListReport second = school.Run(At("2026-11-30", 19));
  CHECK_FALSE(second.ran);
  CHECK(second.skipped == "sent already");
  // Even with the marker gone, the dedup key holds.
  REQUIRE(school.store->ForgetJob(kClassListJob, Day("2026-11-30")).ok());
  ClassListReport rerun = school.Run(At("2026-11-30", 20));
  CHECK(rerun.queued == 0);
  CHECK(rerun.already == 1);

  auto mail = school.Mail();
  REQUIRE(mail.size() == 1);
  CHECK(mail[0].kind == "class_list");
  REQUIRE(mail[0].recipients.size() == 1);
  CHECK(mail[0].recipients[0].address == "petrova@school.test");
  CHECK(mail[0].summary ==
        "Класс 7А, 30.11.2026: вовремя 1, с опозданием 0, не сдано 1, "
        "болеют 0, без активности 1");
  auto bodies = *school.store->ClaimDue(At("2030-01-01", 0), 10);
  REQUIRE(bodies.size() == 1);
  CHECK(bodies[0].body.find("\r\nReply-To: ") != std::string::npos);
  CHECK(bodies[0].body.find("<school@school.test>") != std::string::npos);
  MimeParse parsed = ParseMessage(bodies[0].body, Limits{});
  REQUIRE(parsed.message.has_value());
  CHECK(parsed.message->auto_submitted == "auto-generated");
  REQUIRE(parsed.message->reply_to.size() == 1);
  CHECK(parsed.message->reply_to[0].address == "school@school.test");
  CHECK(parsed.message->text.find("Иванов Пётр\n  ДЗ-1 Алгебра: вовремя "
                                  "(30.11.2026 17:00:00)\n") !=
        std::string::npos);

  // Tuesday: the class is still in distance mode; a list again.
  ClassListReport tuesday = school.Run(At("2026-12-01", 18, 30));
  CHECK(tuesday.queued == 1);
  CHECK(school.Mail().size() == 2);
  // After distance mode ends, no list.
  REQUIRE(school.store->StopDistance({"7А"}, Day("2026-12-02")).ok());
  ClassListReport back = school.Run(At("2026-12-02", 18, 30));
  CHECK(back.ran);
  CHECK(back.classes == 0);
  CHECK(school.Mail().size() == 2);
}

// --- Illness records in the store ---

TEST_CASE("illness storage: one period once, errors named, the overlap query") {
  auto store = std::move(OpenSqliteStore(":memory:").value());
  REQUIRE(store->ImportRoster(SampleRoster()).ok());
  auto first = store->RecordIllness(Ill("p-002", "2026-11-30", "2026-12-02"));
  REQUIRE(first.ok());
  auto again = store->RecordIllness(Ill("p-002", "2026-11-30", "2026-12-02"));
  REQUIRE(again.ok());
  CHECK(*again == *first);
  Illness cli = Ill("p-001", "2026-12-03", "2026-12-03");
  cli.source = "cli";
  cli.recorded_by = "";
  cli.recorded_at = 42;
  REQUIRE(store->RecordIllness(cli).ok());
  REQUIRE(store->RecordIllness(Ill("p-002", "2026-11-20", "2026-11-23")).ok());

  auto unknown = store->RecordIllness(Ill("p-999", "2026-11-30", "2026-11-30"));
  CHECK_FALSE(unknown.ok());
  CHECK(unknown.status().message().find("no such pupil") != std::string::npos);
  auto teacher_as_pupil =
      store->RecordIllness(Ill("t-petrova", "2026-11-30", "2026-11-30"));
  CHECK_FALSE(teacher_as_pupil.ok());
  Illness backwards = Ill("p-001", "2026-12-02", "2026-12-01");
  CHECK(store->RecordIllness(backwards).status().message().find(
            "is before the first day") != std::string::npos);
  Illness stranger = Ill("p-001", "2026-12-01", "2026-12-01");
  stranger.recorded_by = "p-002";
  CHECK(store->RecordIllness(stranger).status().message().find(
            "is not a teacher's id") != std::string::npos);
  Illness source = Ill("p-001", "2026-12-01", "2026-12-01");
  source.source = "fax";
  CHECK_FALSE(store->RecordIllness(source).ok());

  auto week = store->ListIllnesses(Day("2026-11-23"), Day("2026-12-03"));
  REQUIRE(week.ok());
  REQUIRE(week->size() == 3);  // by pupil, then first day
  CHECK((*week)[0].pupil_id == "p-001");
  CHECK((*week)[0] == Illness{(*week)[0].id, "p-001", Day("2026-12-03"),
                              Day("2026-12-03"), "cli", "", 42});
  CHECK((*week)[1].first_day == Day("2026-11-20"));
  CHECK((*week)[2].first_day == Day("2026-11-30"));
  CHECK((*week)[2].recorded_by == "t-petrova");
  CHECK((*week)[2].source == "reply");
  auto one_day = store->ListIllnesses(Day("2026-12-02"), Day("2026-12-02"));
  REQUIRE(one_day->size() == 1);  // its last day counts
  CHECK(one_day->front().pupil_id == "p-002");
  CHECK(store->ListIllnesses(Day("2026-11-24"), Day("2026-11-29"))->empty());
  CHECK(IllOn(*week, "p-002", Day("2026-12-02")));
  CHECK_FALSE(IllOn(*week, "p-002", Day("2026-12-03")));
  CHECK_FALSE(IllOn(*week, "p-001", Day("2026-12-02")));
  CHECK(IllOn(*week, "p-001", Day("2026-12-03")));
}

// --- Illness by mail to the school mailbox (daemon/illness_mail.h) ---

// The sample school in memory with a teacher who is not a class teacher
// (Орлова) and a second Иванов Пётр in 7А; authserv-id mx.school.test.
struct IllnessSchool {
  Settings settings = SchoolSettingsForTest();
  std::unique_ptr<Store> store;
  MailContext context;
  SchoolMailboxReport report;

  IllnessSchool() {
    settings.intake.authserv_id = "mx.school.test";
    store = std::move(OpenSqliteStore(":memory:").value());
    Roster roster = SampleRoster();
    Teacher orlova;
    orlova.id = "t-orlova";
    orlova.name = {"Орлова", "Мария", ""};
    orlova.addresses = {"orlova@school.test"};
    orlova.subjects = {"Физика"};
    orlova.classes = {"7А"};
    roster.teachers.push_back(orlova);
    Pupil twin = roster.pupils[0];  // Иванов Пётр, 7А
    twin.id = "p-009";
    twin.addresses = {"petya2@pupils.test"};
    roster.pupils.push_back(twin);
    REQUIRE(store->ImportRoster(roster).ok());
    context = ContextFor(settings);
  }

  Result<std::string> Handle(const std::string& from, const std::string& body,
                             const std::string& headers = "") {
    const std::string raw = "From: " + from +
                            "\r\nTo: school@school.test\r\nSubject: Re: Класс "
                            "7А\r\nMessage-ID: <m1@school.test>\r\n" +
                            headers +
                            "MIME-Version: 1.0\r\nContent-Type: text/plain; "
                            "charset=utf-8\r\n\r\n" +
                            body;
    MimeParse parsed = ParseMessage(raw, Limits{});
    REQUIRE(parsed.message.has_value());
    REQUIRE(IsIllnessMail(*parsed.message));
    return HandleIllnessMail(settings, *store, context, *parsed.message,
                             "key:" + from + body + headers, &report,
                             At("2026-11-30", 19));
  }

  std::vector<Illness> Recorded() {
    return *store->ListIllnesses(Day("2026-01-01"), Day("2027-12-31"));
  }
};

TEST_CASE(
    "illness by mail: each line recorded in the teacher's class or answered "
    "with what is wrong") {
  IllnessSchool school;
  auto outcome = school.Handle("Анна Петрова <petrova@school.test>",
                               "Болеет: Смирнова Алёна до 02.12\r\n"
                               "Болеет: Кузнецов Дмитрий\r\n"
                               "Болеет: Иванов Пётр\r\n"
                               "Болеет: Смирнова Алёна до 31.02\r\n"
                               "Болеет: Смирнова Алёна до 20.11.2026\r\n"
                               "болеет ёлкин\r\n");
  REQUIRE(outcome.ok());
  CHECK(*outcome == "ill: 1 recorded, 5 not (mail)");
  CHECK(school.report.illness_mails == 1);
  CHECK(school.report.illnesses == 1);
  CHECK(school.report.illness_problems == 5);
  CHECK(school.report.illness_refused == 0);
  auto recorded = school.Recorded();
  REQUIRE(recorded.size() == 1);
  CHECK(recorded[0] == Illness{recorded[0].id, "p-002", Day("2026-11-30"),
                               Day("2026-12-02"), "mail", "t-petrova",
                               At("2026-11-30", 19)});

  auto mail = *school.store->ListOutbox(true);
  REQUIRE(mail.size() == 1);
  CHECK(mail[0].kind == "illness_reply");
  CHECK(mail[0].summary == "Болеющие, 7А: записано 1, не записано 5");
  REQUIRE(mail[0].recipients.size() == 1);
  CHECK(mail[0].recipients[0].address == "petrova@school.test");
  auto bodies = *school.store->ClaimDue(At("2030-01-01", 0), 10);
  REQUIRE(bodies.size() == 1);
  MimeParse parsed = ParseMessage(bodies[0].body, Limits{});
  REQUIRE(parsed.message.has_value());
  CHECK(parsed.message->auto_submitted == "auto-replied");
  CHECK(parsed.message->in_reply_to ==
        std::vector<std::string>{"m1@school.test"});
  CHECK(parsed.message->text ==
        "Здравствуйте, Анна Сергеевна!\n"
        "\n"
        "По вашему письму «Re: Класс 7А» записано:\n"
        "- Смирнова Алёна, 7А: болеет с 30.11.2026 по 02.12.2026\n"
        "Эти ученики не считаются не сдавшими работы в эти дни.\n"
        "\n"
        "Не записано:\n"
        "- строка 2 «Болеет: Кузнецов Дмитрий»: в классе 7А нет ученика с "
        "таким именем\n"
        "- строка 3 «Болеет: Иванов Пётр»: в классе 7А несколько учеников с "
        "таким именем, запишите через командную строку schoolmail ill\n"
        "- строка 4 «Болеет: Смирнова Алёна до 31.02»: дата «31.02» не "
        "понята, напишите ДД.ММ или ДД.ММ.ГГГГ\n"
        "- строка 5 «Болеет: Смирнова Алёна до 20.11.2026»: дата "
        "«20.11.2026» уже прошла\n"
        "- строка 6 «болеет ёлкин»: в классе 7А нет ученика с таким именем\n"
        "\n"
        "Пример строки: Болеет: Иванов Пётр до 01.12\n"
        "Без «до» — только на сегодня.\n"
        "\n"
        "-- \n"
        "Школа №1\n"
        "Горячая линия: +7 495 000-00-00\n");

  // The same message again (a restart before it was recorded): the same
  // period is not stored twice and the answer is not sent twice.
  REQUIRE(school
              .Handle("Анна Петрова <petrova@school.test>",
                      "Болеет: Смирнова Алёна до 02.12\r\n"
                      "Болеет: Кузнецов Дмитрий\r\n"
                      "Болеет: Иванов Пётр\r\n"
                      "Болеет: Смирнова Алёна до 31.02\r\n"
                      "Болеет: Смирнова Алёна до 20.11.2026\r\n"
                      "болеет ёлкин\r\n")
              .ok());
  CHECK(school.Recorded().size() == 1);
  CHECK(school.store->ListOutbox(true)->size() == 1);
}

TEST_CASE("illness by mail: a reply to a class list is recorded as such") {
  IllnessSchool school;
  OutboxMail list;
  list.kind = "class_list";
  list.dedup_key = "class-list:7А:2026-11-30";
  list.envelope_from = "robot@school.test";
  list.recipients = {"petrova@school.test"};
  list.message_id = "list-1@school.test";
  list.summary = "Класс 7А";
  list.body = "Subject: x\r\n\r\nx\r\n";
  REQUIRE(school.store->Enqueue(list, At("2026-11-30", 18, 30), 100).ok());
  auto outcome = school.Handle("petrova@school.test",
                               "Болеет: смирнова алена\r\n\r\n"
                               "> Болеет: Фамилия Имя до ДД.ММ\r\n",
                               "In-Reply-To: <list-1@school.test>\r\n");
  REQUIRE(outcome.ok());
  CHECK(*outcome == "ill: 1 recorded, 0 not (reply)");
  auto recorded = school.Recorded();
  REQUIRE(recorded.size() == 1);
  CHECK(recorded[0].source == "reply");
  CHECK(recorded[0].first_day == Day("2026-11-30"));
  CHECK(recorded[0].last_day == Day("2026-11-30"));  // today only
  auto mail = *school.store->ListOutbox(true);
  REQUIRE(mail.size() == 2);
  CHECK(mail[1].summary == "Болеющие, 7А: записано 1");
}

TEST_CASE(
    "illness by mail: not from a class teacher, or failing authentication, "
    "records nothing and answers nobody") {
  IllnessSchool school;
  auto orlova = school.Handle("orlova@school.test", "Болеет: Иванов Пётр\r\n");
  REQUIRE(orlova.ok());
  CHECK(*orlova == "ill_refused: not a class teacher");
  auto pupil = school.Handle("alena.smirnova@pupils.test",
                             "Болеет: Смирнова Алёна до 05.12\r\n");
  REQUIRE(pupil.ok());
  CHECK(*pupil == "ill_refused: not a class teacher");
  auto forged =
      school.Handle("petrova@school.test", "Болеет: Смирнова Алёна\r\n",
                    "Authentication-Results: mx.school.test; dmarc=fail\r\n");
  REQUIRE(forged.ok());
  CHECK(*forged == "ill_refused: authentication failed");
  CHECK(school.report.illness_refused == 3);
  CHECK(school.report.illness_mails == 0);
  CHECK(school.Recorded().empty());
  CHECK(school.store->ListOutbox(true)->empty());
}

}  // namespace
}  // namespace schoolmail
