// The parents' evening digest: who gets one (parents of children in
// distance mode), what it says per child (today's work with its status,
// grades since the previous digest, the next school day's tasks and online
// lessons), the school's notices, the nothing-to-say rule, and once per
// parent per day. In-memory store, built-in Russian texts.
#include "daemon/parent_digest.h"

#include <doctest/doctest.h>

#include <fstream>

#include "daemon/rules/school_time.h"
#include "parsers/mime_message.h"
#include "parsers/roster.h"
#include "parsers/timetable.h"
#include "tests/support/temp_dir.h"
#include "tests/support/work_intake.h"

namespace schoolmail {
namespace {

Date Day(const char* text) { return *ParseDate(text); }
const char kZone[] = "Europe/Moscow";

std::int64_t At(const char* day, int hour, int minute = 0, int second = 0) {
  return *DeadlineFor(Day(day), TimeOfDay{hour * 60 + minute}, kZone) + second;
}

std::string SampleFile(const char* name) {
  return testing::ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
                           "/scripts/sample-school/" + name);
}

// The sample school and one more family: Ольга Кузнецова-Иванова with two
// addresses and a child in each class (Пётр in 7А, Дмитрий in 7Б).
Roster FamilyRoster() {
  RosterParse parse = ParseRoster(SampleFile("roster.csv"), {});
  REQUIRE(parse.problems.empty());
  Parent family;
  family.id = "r-010";
  family.name = {"Кузнецова-Иванова", "Ольга", ""};
  family.addresses = {"olga@parents.test", "olga.work@parents.test"};
  family.children = {"p-001", "p-003"};
  parse.roster.parents.push_back(family);
  return parse.roster;
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
                const char* teacher, const char* title, const char* due,
                int due_hour = 18) {
  Assignment a;
  a.code = code;
  a.class_name = class_name;
  a.subject = subject;
  a.teacher_id = teacher;
  a.title = title;
  a.set_day = Day("2026-11-23");
  a.due_day = Day(due);
  a.due_time = TimeOfDay{due_hour * 60};
  return a;
}

Settings SchoolSettingsForTest() {
  Settings settings;
  settings.school.name = "Школа №1";
  settings.school.time_zone = kZone;
  settings.school.hotline = "+7 495 000-00-00";
  settings.school.site = "https://school.test";
  settings.school.school_days = {date::Monday, date::Tuesday, date::Wednesday,
                                 date::Thursday, date::Friday};
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

SubmissionRow HandIn(std::int64_t id, const char* pupil, const char* code,
                     const char* status, std::int64_t received) {
  SubmissionRow s;
  s.id = id;
  s.pupil_id = pupil;
  s.assignment_code = code;
  s.status = status;
  s.received_at = received;
  return s;
}

GradeRow Grade(std::int64_t id, const char* pupil, const char* code,
               const char* subject, const char* title, const char* value,
               const char* comment, std::int64_t at,
               std::int64_t replaced_by = 0) {
  GradeRow g;
  g.id = id;
  g.value = value;
  g.comment = comment;
  g.teacher_name = "Петрова Анна Сергеевна";
  g.graded_at = at;
  g.replaced_by = replaced_by;
  g.submission.pupil_id = pupil;
  g.submission.assignment_code = code;
  g.submission.school_subject = subject;
  g.submission.assignment_title = title;
  return g;
}

auto NobodyIll = [](const std::string&, const Date&) { return false; };

// Monday 30.11.2026: both classes in distance mode, 7Б back at school on
// Tuesday. Пётр (7А) handed in ДЗ-1 on time and not ДЗ-2; Дмитрий (7Б)
// handed in ДЗ-3 late and not ДЗ-4, and is ill today. The family's
// previous digest went on Friday 27.11 at 19:30.
DigestSources FamilySources() {
  DigestSources s;
  s.classes = {"7А", "7Б"};
  s.classes_next = {"7А"};
  s.roster = FamilyRoster();
  s.assignments = {
      Work("ДЗ-1", "7А", "Алгебра", "t-petrova", "§12, № 1-5", "2026-11-30"),
      Work("ДЗ-2", "7А", "Русский язык", "t-sidorov", "Упр. 42", "2026-11-30",
           15),
      Work("ДЗ-3", "7Б", "Алгебра", "t-petrova", "§12, № 6-9", "2026-11-30"),
      Work("ДЗ-4", "7Б", "Литература", "t-sidorov", "Стихотворение наизусть",
           "2026-11-30"),
      Work("ДЗ-5", "7А", "Геометрия", "t-petrova", "Задачи 120, 121",
           "2026-12-01"),
      Work("ДЗ-6", "7А", "Алгебра", "t-petrova", "Контрольная", "2026-12-02"),
      Work("ДЗ-9", "7Б", "Алгебра", "t-petrova", "Старое", "2026-11-27"),
  };
  s.submissions = {
      HandIn(1, "p-001", "ДЗ-1", "on_time", At("2026-11-30", 17, 5, 10)),
      HandIn(2, "p-001", "ДЗ-1", "late", At("2026-11-30", 18, 30)),
      HandIn(3, "p-003", "ДЗ-3", "late", At("2026-11-30", 18, 40, 12)),
      HandIn(4, "p-003", "ДЗ-4", "review", At("2026-11-30", 12)),
      HandIn(5, "p-002", "ДЗ-2", "on_time", At("2026-11-30", 12)),
  };
  s.grades = {
      // Before the previous digest: told then.
      Grade(1, "p-001", "ДЗ-7", "Алгебра", "§11", "4", "",
            At("2026-11-27", 19)),
      // Replaced by grade 3: only the current one shows.
      Grade(2, "p-003", "ДЗ-9", "Алгебра", "Старое", "3", "Ошибки в №2",
            At("2026-11-28", 10), /*replaced_by=*/3),
      Grade(3, "p-003", "ДЗ-9", "Алгебра", "Старое", "4", "Исправил, хорошо",
            At("2026-11-29", 11)),
      Grade(4, "p-001", "ДЗ-8", "Геометрия", "Треугольники", "5",
            "Аккуратно,\nмолодец", At("2026-11-30", 16, 20)),
      // Someone else's child.
      Grade(5, "p-002", "ДЗ-8", "Геометрия", "Треугольники", "5", "",
            At("2026-11-30", 16)),
  };
  s.timetable = SampleTimetable();
  s.previous_digest = {{"r-010", At("2026-11-27", 19, 30)}};
  return s;
}

const ParentDigestMail* DigestOf(const std::vector<ParentDigestMail>& mails,
                                 const std::string& parent_id) {
  for (const ParentDigestMail& m : mails) {
    if (m.parent_id == parent_id) return &m;
  }
  return nullptr;
}

TEST_CASE(
    "parent digest: a family with children in two classes, on time, late, "
    "missing, ill, grades, the next day's task and lesson, notices") {
  const Settings settings = SchoolSettingsForTest();
  const MailContext context = ContextFor(settings);
  auto ill = [](const std::string& pupil, const Date& day) {
    return pupil == "p-003" && day == Day("2026-11-30");
  };
  auto mails = DigestsFor(Day("2026-11-30"), At("2026-11-30", 19, 30),
                          FamilySources(), ill,
                          "Завтра родительское собрание в 19:00.\r\n\r\nСсылку "
                          "пришлёт классный руководитель.\n",
                          context);
  // Every parent with a child in distance mode, by id.
  REQUIRE(mails.size() == 4);
  CHECK(mails[0].parent_id == "r-001");
  CHECK(mails[3].parent_id == "r-010");
  const ParentDigestMail& family = *DigestOf(mails, "r-010");
  REQUIRE(family.to.size() == 2);
  CHECK(family.to[0].address == "olga@parents.test");
  CHECK(family.to[1].address == "olga.work@parents.test");
  CHECK_FALSE(family.nothing_to_say);

  auto text = RenderParentDigest(context.templates, SchoolInfoOf(settings),
                                 family.facts);
  REQUIRE(text.ok());
  CHECK(text->subject == "Итоги дня 30.11.2026: Пётр Иванов, Дмитрий Кузнецов");
  CHECK(text->text ==
        "Здравствуйте, Ольга Кузнецова-Иванова!\n"
        "\n"
        "Итоги учебного дня 30.11.2026.\n"
        "\n"
        "== Пётр Иванов, 7А ==\n"
        "\n"
        "Работы на сегодня:\n"
        "- ДЗ-2 Русский язык: Упр. 42 — не сдано\n"
        "- ДЗ-1 Алгебра: §12, № 1-5 — сдано вовремя\n"
        "\n"
        "Оценки и комментарии учителей с 27.11.2026 19:30:\n"
        "- ДЗ-8 Геометрия: Треугольники — оценка 5 (Петрова Анна "
        "Сергеевна, 30.11.2026 16:20)\n"
        "  Комментарий: Аккуратно, молодец\n"
        "\n"
        "Задания на следующий учебный день (вторник, 01.12.2026):\n"
        "- ДЗ-5 Геометрия: Задачи 120, 121 — сдать до 01.12.2026 18:00\n"
        "\n"
        "Онлайн-уроки в следующий учебный день (вторник, "
        "01.12.2026):\n"
        "- 09:00–09:40 Геометрия\n"
        "  Ссылка: https://meet.school.test/7a-geometry\n"
        "\n"
        "== Дмитрий Кузнецов, 7Б ==\n"
        "\n"
        "Работы на сегодня:\n"
        "- ДЗ-3 Алгебра: §12, № 6-9 — сдано после срока (30.11.2026 "
        "18:40:12)\n"
        "- ДЗ-4 Литература: Стихотворение наизусть — уважительная причина: "
        "болеет\n"
        "\n"
        "Оценки и комментарии учителей с 27.11.2026 19:30:\n"
        "- ДЗ-9 Алгебра: Старое — оценка 4 (Петрова Анна Сергеевна, "
        "29.11.2026 11:00)\n"
        "  Комментарий: Исправил, хорошо\n"
        "\n"
        "Задания на следующий учебный день (вторник, 01.12.2026):\n"
        "Заданий на этот день нет.\n"
        "\n"
        "Онлайн-уроки в следующий учебный день (вторник, "
        "01.12.2026):\n"
        "Онлайн-уроков нет.\n"
        "\n"
        "== Объявления школы ==\n"
        "\n"
        "Завтра родительское собрание в 19:00.\n"
        "\n"
        "Ссылку пришлёт классный руководитель.\n"
        "\n"
        "Это письмо отправлено автоматически, отвечать на него не нужно. "
        "Вопросы задайте классному руководителю или по горячей линии "
        "школы.\n"
        "\n"
        "-- \n"
        "Школа №1\n"
        "Горячая линия: +7 495 000-00-00\n"
        "Сайт школы: https://school.test\n");
  // The HTML part says the same, escaped, with the notices' paragraphs.
  CHECK(text->html.find("<p style=\"margin:0 0 8px;\">Завтра родительское "
                        "собрание в 19:00.</p>") != std::string::npos);
  CHECK(text->html.find("уважительная причина: болеет") != std::string::npos);
  CHECK(text->html.find("href=\"https://meet.school.test/7a-geometry\"") !=
        std::string::npos);

  // Without the illness Дмитрий's ДЗ-4 is simply not handed in.
  auto well = DigestsFor(Day("2026-11-30"), At("2026-11-30", 19, 30),
                         FamilySources(), NobodyIll, "", context);
  const DigestChild& dima = DigestOf(well, "r-010")->facts.children[1];
  REQUIRE(dima.today.size() == 2);
  CHECK(dima.today[1].state == DigestWorkLine::State::kMissing);
  CHECK(dima.today[0].state == DigestWorkLine::State::kLate);  // ill or not
}

TEST_CASE(
    "parent digest: before the deadline work is still open; the first "
    "digest covers the grades of the last 7 days") {
  const Settings settings = SchoolSettingsForTest();
  const MailContext context = ContextFor(settings);
  DigestSources sources = FamilySources();
  sources.previous_digest.clear();
  auto mails = DigestsFor(Day("2026-11-30"), At("2026-11-30", 14), sources,
                          NobodyIll, "", context);
  const ParentDigestFacts& f = DigestOf(mails, "r-010")->facts;
  CHECK(f.grades_since_local == "23.11.2026 14:00");
  const DigestChild& petya = f.children[0];
  REQUIRE(petya.today.size() == 2);
  CHECK(petya.today[0].code == "ДЗ-2");  // due 15:00
  CHECK(petya.today[0].state == DigestWorkLine::State::kOpen);
  CHECK(petya.today[1].state == DigestWorkLine::State::kOnTime);
  // The 27.11 grade is now in the window; the 30.11 16:20 one is not yet.
  REQUIRE(petya.grades.size() == 1);
  CHECK(petya.grades[0].code == "ДЗ-7");
}

TEST_CASE("parent digest: nothing to say, both ways") {
  const Settings settings = SchoolSettingsForTest();
  const MailContext context = ContextFor(settings);
  // Friday 04.12: nothing due, no grades, 7А back at school on
  // Monday, so no lessons next day.
  DigestSources sources = FamilySources();
  sources.classes = {"7А"};
  sources.classes_next = {};
  sources.grades.clear();
  auto quiet = DigestsFor(Day("2026-12-04"), At("2026-12-04", 19, 30), sources,
                          NobodyIll, "", context);
  // r-003's children are in 7Б, not in distance mode: no digest at all.
  CHECK(DigestOf(quiet, "r-003") == nullptr);
  REQUIRE(DigestOf(quiet, "r-001") != nullptr);
  CHECK(DigestOf(quiet, "r-001")->nothing_to_say);
  REQUIRE(DigestOf(quiet, "r-010")->facts.children.size() == 1);  // Пётр
  CHECK(DigestOf(quiet, "r-010")->nothing_to_say);

  // A notice is something to say; blank notices are not.
  CHECK_FALSE(
      DigestOf(DigestsFor(Day("2026-12-04"), At("2026-12-04", 19, 30), sources,
                          NobodyIll, "Каникулы с 28.12.", context),
               "r-001")
          ->nothing_to_say);
  CHECK(DigestOf(DigestsFor(Day("2026-12-04"), At("2026-12-04", 19, 30),
                            sources, NobodyIll, " \n\n ", context),
                 "r-001")
            ->nothing_to_say);
  // So is a lesson next school day (7А in distance mode on Monday 07.12).
  sources.classes_next = {"7А"};
  CHECK_FALSE(DigestOf(DigestsFor(Day("2026-12-04"), At("2026-12-04", 19, 30),
                                  sources, NobodyIll, "", context),
                       "r-001")
                  ->nothing_to_say);
}

// The sample school in memory with 7А in distance mode from 30.11; Пётр's
// ДЗ-1 due 30.11 handed in on time.
struct School {
  Settings settings = SchoolSettingsForTest();
  std::unique_ptr<Store> store;
  MailContext context;
  testing::TempDir dir;

  School() {
    store = std::move(OpenSqliteStore(":memory:").value());
    REQUIRE(store->ImportRoster(FamilyRoster()).ok());
    REQUIRE(store
                ->StartDistance({"7А"}, Day("2026-11-30"), std::nullopt,
                                "Приказ №1", 1)
                .ok());
    context = ContextFor(settings);
  }

  void AddWork(const Assignment& a) {
    REQUIRE(store->AddAssignment(a, "cli", 1).ok());
  }

  ParentDigestReport Run(std::int64_t now) {
    auto report = RunParentDigest(*store, context, now);
    INFO(report.status().message());
    REQUIRE(report.ok());
    return *report;
  }

  std::vector<OutboxEntry> Mail() { return *store->ListOutbox(true); }
};

TEST_CASE(
    "parent digest mail: once per parent per day from the configured time; "
    "the nothing-to-say rule and send_when_empty") {
  School school;
  ParentDigestReport early = school.Run(At("2026-11-30", 19, 29));
  CHECK_FALSE(early.ran);
  CHECK(early.skipped == "before 19:30");

  // Nothing due, no grades, no lessons on Tuesday for 7А (the timetable is
  // empty): nobody is written to, and the day is done.
  ParentDigestReport quiet = school.Run(At("2026-11-30", 19, 30));
  CHECK(quiet.ran);
  CHECK(quiet.parents == 3);  // r-001, r-002 and r-010 (Пётр)
  CHECK(quiet.empty == 3);
  CHECK(quiet.queued == 0);
  CHECK(school.Mail().empty());
  CHECK(*school.store->IsJobDone(kParentDigestJob, Day("2026-11-30")));

  // With send_when_empty they are sent all the same, once.
  school.settings.digest.send_when_empty = true;
  REQUIRE(school.store->ForgetJob(kParentDigestJob, Day("2026-11-30")).ok());
  ParentDigestReport sent = school.Run(At("2026-11-30", 19, 40));
  CHECK(sent.queued == 3);
  CHECK(sent.empty == 0);
  auto mail = school.Mail();
  REQUIRE(mail.size() == 3);
  CHECK(mail[0].kind == "parent_digest");
  CHECK(mail[0].summary == "Итоги дня 30.11.2026: Пётр Иванов");
  REQUIRE(mail[2].recipients.size() == 2);  // one mail to both addresses

  // A second run the same day (a restart: the marker forgotten) sends
  // nothing more: the dedup key holds.
  CHECK_FALSE(school.Run(At("2026-11-30", 20)).ran);
  REQUIRE(school.store->ForgetJob(kParentDigestJob, Day("2026-11-30")).ok());
  ParentDigestReport again = school.Run(At("2026-11-30", 20));
  CHECK(again.queued == 0);
  CHECK(again.already == 3);
  CHECK(school.Mail().size() == 3);

  auto bodies = *school.store->ClaimDue(At("2030-01-01", 0), 10);
  REQUIRE(bodies.size() == 3);
  MimeParse parsed = ParseMessage(bodies[2].body, Limits{});
  REQUIRE(parsed.message.has_value());
  CHECK(parsed.message->auto_submitted == "auto-generated");
}

TEST_CASE(
    "parent digest mail: grades since the parent's previous digest; the "
    "notices file re-read each run, a missing one logged") {
  School school;
  school.settings.digest.notices_file = school.dir.path() + "/notices.txt";
  school.AddWork(
      Work("ДЗ-1", "7А", "Алгебра", "t-petrova", "§12", "2026-11-30"));
  school.AddWork(
      Work("ДЗ-2", "7А", "Алгебра", "t-petrova", "§13", "2026-12-01"));
  auto recorded = school.store->RecordIntake(testing::WorkIntake(
      1, "p-001", "ivanov.petya@pupils.test", At("2026-11-30", 17),
      SubmissionStatus::kOnTime));
  REQUIRE(recorded.ok());
  auto grade = [&](const char* value, std::int64_t at) {
    NewGrade g;
    g.submission_id = recorded->submission_id;
    g.value = value;
    g.teacher_id = "t-petrova";
    g.source = "cli";
    g.graded_at = at;
    REQUIRE(school.store->RecordGrade(g).ok());
  };
  grade("4", At("2026-11-30", 18, 30));

  // Monday: no notices file yet.
  ParentDigestReport monday = school.Run(At("2026-11-30", 19, 30));
  CHECK(monday.queued == 3);
  CHECK(monday.notices_error.find(school.settings.digest.notices_file +
                                  " cannot be read") != std::string::npos);
  CHECK(
      *school.store->LastQueuedAt("digest:r-001:", "digest:r-001:2026-12-01") ==
      At("2026-11-30", 19, 30));
  CHECK_FALSE(
      *school.store->LastQueuedAt("digest:r-001:", "digest:r-001:2026-11-30"));

  // Tuesday: the grade changed to 5 after Monday's digest; the notices file
  // is there now.
  grade("5", At("2026-12-01", 10));
  std::ofstream(school.settings.digest.notices_file) << "Собрание в четверг.\n";
  ParentDigestReport tuesday = school.Run(At("2026-12-01", 19, 30));
  CHECK(tuesday.queued == 3);
  CHECK(tuesday.notices_error.empty());
  auto bodies = *school.store->ClaimDue(At("2030-01-01", 0), 10);
  REQUIRE(bodies.size() == 6);
  auto text_of = [&](const OutboxEntry& e) {
    MimeParse parsed = ParseMessage(e.body, Limits{});
    REQUIRE(parsed.message.has_value());
    return parsed.message->text;
  };
  const std::string monday_text = text_of(bodies[0]);
  CHECK(monday_text.find("- ДЗ-1 Алгебра: §12 — сдано вовремя\n") !=
        std::string::npos);
  CHECK(monday_text.find("оценка 4") != std::string::npos);
  CHECK(monday_text.find("Объявления") == std::string::npos);
  const std::string tuesday_text = text_of(bodies[3]);
  CHECK(tuesday_text.find("с 30.11.2026 19:30:\n- ДЗ-1 Алгебра: §12 — "
                          "оценка 5") != std::string::npos);
  CHECK(tuesday_text.find("оценка 4") == std::string::npos);
  CHECK(tuesday_text.find("- ДЗ-2 Алгебра: §13 — не сдано\n") !=
        std::string::npos);
  CHECK(tuesday_text.find("Собрание в четверг.") != std::string::npos);
}

TEST_CASE(
    "Store::LastQueuedAt: the latest mail under a key prefix before a key, "
    "not another parent's, not one that failed for everyone") {
  auto store = std::move(OpenSqliteStore(":memory:").value());
  int n = 0;
  auto queue = [&](const std::string& key, std::int64_t at) {
    OutboxMail mail;
    mail.kind = "parent_digest";
    mail.dedup_key = key;
    mail.envelope_from = "robot@school.test";
    mail.recipients = {"olga@parents.test"};
    mail.message_id = "m" + std::to_string(++n) + "@school.test";
    mail.body = "Subject: x\r\n\r\nx\r\n";
    auto queued = store->Enqueue(mail, at, 20);
    REQUIRE(queued.ok());
    return queued->id;
  };
  queue("digest:r-003:2026-11-26", At("2026-11-26", 19, 30));
  const std::int64_t failed =
      queue("digest:r-003:2026-11-27", At("2026-11-27", 19, 30));
  queue("digest:r-0031:2026-11-29", At("2026-11-29", 19, 30));
  queue("digest:r-003:2026-11-30", At("2026-11-30", 19, 30));
  REQUIRE(store
              ->RecordAttempt(failed,
                              {{"olga@parents.test",
                                RecipientOutcome::State::kFailed, "550 no"}},
                              "550 no", At("2026-11-27", 19, 31), 0)
              .ok());
  // Before 30.11: 27.11 failed, r-0031 is another parent: 26.11.
  CHECK(*store->LastQueuedAt("digest:r-003:", "digest:r-003:2026-11-30") ==
        At("2026-11-26", 19, 30));
  CHECK(*store->LastQueuedAt("digest:r-003:", "digest:r-003:2026-12-01") ==
        At("2026-11-30", 19, 30));
  CHECK_FALSE(*store->LastQueuedAt("digest:r-003:", "digest:r-003:2026-11-26"));
  CHECK(*store->LastQueuedAt("digest:r-0031:", "digest:r-0031:2026-12-01") ==
        At("2026-11-29", 19, 30));
}

TEST_CASE("the digest's keys: [digest] defaults") {
  CHECK(Settings{}.schedule.parent_digest == TimeOfDay{19 * 60 + 30});
  CHECK(Settings{}.digest.notices_file.empty());
  CHECK_FALSE(Settings{}.digest.send_when_empty);
}

}  // namespace
}  // namespace schoolmail
