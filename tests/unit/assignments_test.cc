// Assignments: the lesson plan checked against the roster, and every new
// assignment's mail to its class (one message, hidden recipients, Reply-To
// the teacher, queued once) with the teacher's confirmation. Against an
// in-memory store; the mail is read back from the outbox with our parser.
#include "daemon/assignments.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "daemon/rules/school_time.h"
#include "parsers/mime_message.h"
#include "parsers/plan.h"
#include "parsers/roster.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

Date Day(const char* text) { return *ParseDate(text); }

Settings TestSettings() {
  Settings s;
  s.school.name = "Школа №1";
  s.school.time_zone = "Europe/Moscow";
  s.school.school_days = {date::Monday, date::Tuesday, date::Wednesday,
                          date::Thursday, date::Friday};
  s.school.hotline = "+7 000 000-00-00";
  s.school.site = "https://school.test";
  s.smtp.sender = "robot@school.test";
  s.smtp.sender_name = "Школа №1";
  s.school_mailbox.address = "robot@school.test";
  MailboxSettings petrova;
  petrova.name = "petrova";
  petrova.address = "petrova@school.test";
  s.teacher_mailboxes = {petrova};
  return s;
}

Roster SampleRoster(const std::string& extra_rows = "") {
  RosterParse parse =
      ParseRoster(testing::ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
                                    "/scripts/sample-school/roster.csv") +
                      extra_rows,
                  {});
  INFO(parse.problems.size());
  REQUIRE(parse.problems.empty());
  return parse.roster;
}

// A school in memory: the sample roster, the built-in Russian texts, and
// Message-ID tokens t1, t2, ...
struct School {
  Settings settings = TestSettings();
  std::unique_ptr<Store> store;
  MailContext context;

  School() {
    auto opened = OpenSqliteStore(":memory:");
    REQUIRE(opened.ok());
    store = std::move(opened).value();
    REQUIRE(store->ImportRoster(SampleRoster()).ok());
    context.settings = &settings;
    auto templates = LoadTemplateSet(settings.school);
    REQUIRE(templates.ok());
    context.templates = std::move(*templates);
    context.new_token = [n = 0]() mutable { return "t" + std::to_string(++n); };
  }

  std::int64_t At(const char* day, int hour, int minute = 0) {
    return *DeadlineFor(Day(day), TimeOfDay{hour * 60 + minute},
                        settings.school.time_zone);
  }

  // Every mail in the outbox, with bodies (claims it: call once).
  std::vector<OutboxEntry> Mail() {
    return *store->ClaimDue(At("2030-01-01", 0), 1000);
  }

  Assignment Algebra() {
    Assignment a;
    a.class_name = "7А";
    a.subject = "Алгебра";
    a.teacher_id = "t-petrova";
    a.title = "§12 №1-5";
    a.instructions = "Решить в тетради.";
    a.links = {"https://school.test/a.pdf"};
    a.set_day = Day("2026-11-27");
    a.due_day = Day("2026-11-30");
    return a;
  }
};

ParsedMessage Parse(const std::string& body) {
  MimeParse parse = ParseMessage(body, Limits{});
  REQUIRE(parse.message.has_value());
  return *parse.message;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<std::string> Addresses(const std::vector<OutboxRecipient>& rs) {
  std::vector<std::string> out;
  for (const OutboxRecipient& r : rs) out.push_back(r.address);
  return Sorted(out);
}

TEST_CASE(
    "plan rows against the roster: an unknown class, or a subject no "
    "teacher of the class teaches, is a problem naming the line") {
  PlanParse plan = ParsePlan(
      "date;class;subject;topic;task\n"
      "2026-11-30;7А;Алгебра;Функции;§12\n"
      "2026-11-30;9Я;Алгебра;Функции;§12\n"
      "2026-11-30;7А;Химия;Кислоты;§3\n"
      "2026-11-30;7Б;Литература;Гоголь;гл. 1\n");
  REQUIRE(plan.problems.empty());
  auto problems = CheckPlanAgainstRoster(plan.rows, SampleRoster());
  REQUIRE(problems.size() == 2);
  CHECK(problems[0] ==
        PlanProblem{3, "unknown class \"9Я\": add it to the roster first"});
  CHECK(problems[1] ==
        PlanProblem{4, "no teacher in the roster teaches \"Химия\" in 7А"});
}

TEST_CASE(
    "plan items: the one teacher of the subject in the class, else none; "
    "the school's deadline where the row gives no time") {
  Settings settings = TestSettings();
  settings.school.deadline = TimeOfDay{17 * 60};
  // A second algebra teacher in 7Б: nobody is "the" teacher there.
  Roster roster = SampleRoster(
      "teacher;t-orlova;Орлова;Ирина;;;orlova@school.test;Алгебра;7Б;;\n");
  PlanParse plan = ParsePlan(
      "date;class;subject;topic;due_date;due_time\n"
      "2026-11-30;7А;Алгебра;Функции;2026-12-01;15:00\n"
      "2026-11-30;7Б;Алгебра;Функции;;\n");
  REQUIRE(plan.problems.empty());
  int n = 0;
  auto items = PlanItemsFor(plan.rows, roster, settings,
                            [&] { return "tok" + std::to_string(++n); });
  REQUIRE(items.size() == 2);
  CHECK(items[0].teacher_id == "t-petrova");
  CHECK(items[0].due_day == Day("2026-12-01"));
  CHECK(items[0].due_time == TimeOfDay{15 * 60});
  CHECK(items[0].message_id == "tok1@school.test");
  CHECK(items[0].line == 2);
  CHECK(items[1].teacher_id.empty());
  CHECK(items[1].due_day == Day("2026-11-30"));
  CHECK(items[1].due_time == TimeOfDay{17 * 60});
  CHECK_FALSE(items[1].due_time_in_file.has_value());
  CHECK(items[1].message_id == "tok2@school.test");
}

TEST_CASE(
    "an assignment set from the command line: one message to the class "
    "with hidden recipients, Reply-To the teacher, the teacher "
    "confirmed; queued once") {
  School school;
  auto created =
      CreateAssignment(*school.store, school.context, school.Algebra(), "cli",
                       {}, school.At("2026-11-27", 10));
  INFO(created.status().message());
  REQUIRE(created.ok());
  CHECK(created->code == "ДЗ-1");
  CHECK(created->mail_message_id == "t1@school.test");
  CHECK(school.store->LoadAssignments()->at(0).mail_message_id ==
        "t1@school.test");

  // Every later cycle finds nothing owed.
  auto again = AnnouncePendingAssignments(*school.store, school.context,
                                          school.At("2026-11-27", 10, 1));
  REQUIRE(again.ok());
  CHECK(again->mailed == 0);
  CHECK(again->confirmations == 0);

  auto mail = school.Mail();
  REQUIRE(mail.size() == 2);
  const OutboxEntry& pupils = mail[0];
  CHECK(pupils.kind == "assignment");
  CHECK(pupils.message_id == "t1@school.test");
  CHECK(Addresses(pupils.recipients) ==
        Sorted({"ivanov.petya@pupils.test", "alena.smirnova@pupils.test",
                "alena2010@pupils.test"}));
  ParsedMessage m = Parse(pupils.body);
  CHECK(m.subject->find("ДЗ-1") != std::string::npos);
  REQUIRE(m.to.size() == 1);
  CHECK(m.to[0].name == "7А");
  CHECK(m.to[0].address == "robot@school.test");
  REQUIRE(m.reply_to.size() == 1);
  CHECK(m.reply_to[0].address == "petrova@school.test");
  CHECK(m.auto_submitted == "auto-generated");
  CHECK(pupils.body.find("pupils.test") == std::string::npos);  // hidden
  CHECK(m.text.find("Решить в тетради.") != std::string::npos);
  CHECK(m.text.find("https://school.test/a.pdf") != std::string::npos);
  CHECK(m.text.find("30.11.2026 18:00") != std::string::npos);

  const OutboxEntry& teacher = mail[1];
  CHECK(teacher.kind == "assignment_confirmation");
  CHECK(Addresses(teacher.recipients) ==
        std::vector<std::string>{"petrova@school.test"});
  ParsedMessage c = Parse(teacher.body);
  CHECK(c.subject->find("ДЗ-1") != std::string::npos);
  CHECK(c.text.find("Задание разослано ученикам класса: 2.") !=
        std::string::npos);
}

TEST_CASE(
    "worksheets of a teacher's mail go with the pupils' mail; the "
    "confirmation answers mail (auto-replied)") {
  School school;
  MailAttachment sheet{"Лист 1.pdf", "application/pdf",
                       std::string("%PDF\0x", 6)};
  auto created =
      CreateAssignment(*school.store, school.context, school.Algebra(), "mail",
                       {sheet}, school.At("2026-11-27", 10));
  REQUIRE(created.ok());
  auto mail = school.Mail();
  REQUIRE(mail.size() == 2);
  ParsedMessage m = Parse(mail[0].body);
  REQUIRE(m.attachments.size() == 1);
  CHECK(m.attachments[0].name == "Лист 1.pdf");
  CHECK(m.attachments[0].size == 6);
  CHECK(Parse(mail[1].body).auto_submitted == "auto-replied");
}

TEST_CASE(
    "storing is enough: an assignment stored before a crash is mailed "
    "by the next cycle, once, also when its mail was queued already") {
  School school;
  Assignment a = school.Algebra();
  a.mail_message_id = "stored@school.test";
  REQUIRE(school.store->AddAssignmentToAnnounce(a, "cli", {}, 1).ok());
  Assignment b = school.Algebra();
  b.code = "ДЗ-9";
  b.mail_message_id = "queued@school.test";
  REQUIRE(school.store->AddAssignmentToAnnounce(b, "cli", {}, 1).ok());
  // ДЗ-9's mail made it into the outbox before the crash; its mark did not.
  OutboxMail queued;
  queued.kind = "assignment";
  queued.dedup_key = "assignment:ДЗ-9";
  queued.envelope_from = "robot@school.test";
  queued.recipients = {"ivanov.petya@pupils.test"};
  queued.message_id = "queued@school.test";
  queued.body = "Subject: x\r\n\r\nx\r\n";
  REQUIRE(school.store->Enqueue(queued, 1, 20).ok());

  auto now = school.At("2026-11-27", 10);
  auto report = AnnouncePendingAssignments(*school.store, school.context, now);
  REQUIRE(report.ok());
  CHECK(report->mailed == 2);
  CHECK(report->pupils == 4);
  auto second = AnnouncePendingAssignments(*school.store, school.context, now);
  CHECK(second->mailed == 0);
  CHECK(school.store->ListPendingAnnouncements(Day("2030-01-01"))->empty());

  int announcements = 0;
  for (const OutboxEntry& e : school.Mail()) {
    if (e.kind == "assignment") ++announcements;
  }
  CHECK(announcements == 2);  // ДЗ-1 once, ДЗ-9 only the one from before
}

TEST_CASE(
    "a plan item is mailed on its set day from the morning mail time, "
    "not before; one past its deadline is skipped; no confirmations") {
  School school;
  PlanParse plan = ParsePlan(
      "date;class;subject;topic;due_date\n"
      "2026-11-30;7А;Алгебра;Функции;2026-12-01\n"
      "2026-12-07;7А;Алгебра;Графики;\n"
      "2026-11-20;7А;Геометрия;Треугольники;\n");
  REQUIRE(plan.problems.empty());
  auto roster = school.store->LoadRoster();
  auto items = PlanItemsFor(plan.rows, *roster, school.settings,
                            school.context.new_token);
  REQUIRE(school.store->ImportPlan(items, school.At("2026-11-27", 9)).ok());

  auto run = [&](const char* day, int hour, int minute) {
    auto r = AnnouncePendingAssignments(*school.store, school.context,
                                        school.At(day, hour, minute));
    REQUIRE(r.ok());
    return *r;
  };
  AnnounceReport before = run("2026-11-29", 12, 0);
  CHECK(before.mailed == 0);
  CHECK(before.skipped == 1);  // the 20.11 lesson: due long ago
  CHECK(run("2026-11-30", 7, 29).mailed == 0);
  AnnounceReport on_time = run("2026-11-30", 7, 30);
  CHECK(on_time.mailed == 1);
  CHECK(on_time.confirmations == 0);
  CHECK(run("2026-11-30", 7, 31).mailed == 0);

  auto mail = school.Mail();
  REQUIRE(mail.size() == 1);
  CHECK(mail[0].kind == "assignment");
  ParsedMessage m = Parse(mail[0].body);
  CHECK(m.subject->find("Функции") != std::string::npos);
  CHECK(m.text.find("01.12.2026 18:00") != std::string::npos);
  // The 7 December lesson is still owed.
  CHECK(school.store->ListPendingAnnouncements(Day("2026-12-07"))->size() == 1);
}

}  // namespace
}  // namespace schoolmail
