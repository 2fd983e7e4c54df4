// Grades in the daemon (daemon/grades.h): who may grade what, the grade a
// reply in the teacher's Sent folder carries, and the notices to pupils
// (in-memory store, built-in Russian texts).
#include "daemon/grades.h"

#include <doctest/doctest.h>

#include <sstream>

#include "daemon/grade_commands.h"
#include "daemon/rules/school_time.h"
#include "parsers/mime_message.h"
#include "parsers/roster.h"
#include "tests/support/temp_dir.h"
#include "tests/support/work_intake.h"

namespace schoolmail {
namespace {

Date Day(const char* text) { return *ParseDate(text); }

GradeTarget Work() {
  GradeTarget t;
  t.submission_id = 7;
  t.pupil_id = "p-001";
  t.mailbox = "petrova";
  t.sender = "ivanov.petya@pupils.test";
  t.message_id = "work@pupils.test";
  t.status = "on_time";
  t.assignment_code = "ДЗ-1";
  t.assignment_teacher_id = "t-petrova";
  return t;
}

TEST_CASE("who may grade: the teacher who set the assignment") {
  GradeTarget t = Work();
  CHECK_FALSE(GradeRefusal(t, "t-petrova", "t-petrova"));
  CHECK_FALSE(GradeRefusal(t, "t-petrova", ""));
  auto refused = GradeRefusal(t, "t-sidorov", "t-sidorov");
  REQUIRE(refused);
  CHECK(refused->find("set by t-petrova, not by t-sidorov") !=
        std::string::npos);
  CHECK(GradeRefusal(t, "", "t-petrova"));

  // Unmatched work, or an assignment nobody set: the teacher whose mailbox
  // received it.
  t.assignment_code.clear();
  t.assignment_teacher_id.clear();
  CHECK_FALSE(GradeRefusal(t, "t-petrova", "t-petrova"));
  CHECK(GradeRefusal(t, "t-sidorov", "t-petrova"));
  CHECK(GradeRefusal(t, "t-petrova", ""));

  // Nobody grades an unknown sender's mail or mail under review.
  t = Work();
  t.pupil_id.clear();
  CHECK(GradeRefusal(t, "t-petrova", "t-petrova")->find("unknown sender") !=
        std::string::npos);
  t = Work();
  t.status = "review";
  CHECK(GradeRefusal(t, "t-petrova", "t-petrova")->find("review") !=
        std::string::npos);
}

ParsedMessage Reply(const std::string& to, const std::string& text) {
  std::string raw =
      "From: petrova@school.test\r\nTo: " + to +
      "\r\nSubject: Re: ДЗ-1\r\nMessage-ID: <reply@school.test>\r\n"
      "In-Reply-To: <work@pupils.test>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\n" +
      text;
  MimeParse parse = ParseMessage(raw, Limits{});
  REQUIRE(parse.message);
  return *parse.message;
}

TEST_CASE("a reply in Sent: grade, comment, and what stops it") {
  Teacher petrova{"t-petrova",
                  {"Петрова", "Анна", "Сергеевна"},
                  {"petrova@school.test"},
                  {"Алгебра"},
                  {"7А"},
                  "7А"};
  Teacher sidorov{"t-sidorov",
                  {"Сидоров", "Олег", ""},
                  {"sidorov@school.test"},
                  {"Алгебра"},
                  {"7А"},
                  ""};
  const GradeScale scale;
  ParsedMessage reply =
      Reply("Пётр <ivanov.petya@pupils.test>", "Оценка: 5\r\nМолодец!\r\n");
  ReplyGrade r = GradeFromReply(reply, Work(), &petrova, scale, 1234);
  REQUIRE(r.grade);
  CHECK(r.note.empty());
  CHECK(r.grade->submission_id == 7);
  CHECK(r.grade->value == "5");
  CHECK(r.grade->comment == "Молодец!");
  CHECK(r.grade->teacher_id == "t-petrova");
  CHECK(r.grade->source == "reply");
  CHECK(r.grade->source_message_id == "reply@school.test");
  CHECK(r.grade->graded_at == 1234);

  // Not a reply to stored work, or no grade line: nothing, silently.
  CHECK_FALSE(GradeFromReply(reply, std::nullopt, &petrova, scale, 1).grade);
  r = GradeFromReply(Reply("ivanov.petya@pupils.test", "Спасибо!"), Work(),
                     &petrova, scale, 1);
  CHECK_FALSE(r.grade);
  CHECK(r.note.empty());

  // A grade line the scale does not allow: a note.
  r = GradeFromReply(Reply("ivanov.petya@pupils.test", "Оценка: 7"), Work(),
                     &petrova, scale, 1);
  CHECK_FALSE(r.grade);
  CHECK(r.note.find("outside the scale 1-5") != std::string::npos);
  // Another teacher's mailbox (work linked there, assignment not theirs).
  r = GradeFromReply(reply, Work(), &sidorov, scale, 1);
  CHECK_FALSE(r.grade);
  CHECK(r.note.find("set by t-petrova") != std::string::npos);
  // A mailbox that is no teacher's.
  CHECK_FALSE(GradeFromReply(reply, Work(), nullptr, scale, 1).grade);
  // Forwarded to a colleague, not to the pupil: not a grade.
  r = GradeFromReply(
      Reply("sidorov@school.test", "Оценка: 2, поговорите с ним"), Work(),
      &petrova, scale, 1);
  CHECK_FALSE(r.grade);
  CHECK(r.note.find("not sent to the pupil") != std::string::npos);
  // In Cc is enough.
  ParsedMessage cc = Reply("ivanova.elena@parents.test", "Оценка: 4");
  cc.cc = reply.to;
  CHECK(GradeFromReply(cc, Work(), &petrova, scale, 1).grade);
}

// The sample school in memory with ДЗ-1 and Petya's work on it.
struct School {
  Settings settings;
  std::unique_ptr<Store> store;
  MailContext context;
  std::int64_t work = 0;

  School() {
    settings.school.name = "Школа №1";
    settings.school.time_zone = "Europe/Moscow";
    settings.school.hotline = "+7 495 000-00-00";
    settings.school.site = "https://school.test";
    settings.smtp.sender = "robot@school.test";
    settings.school_mailbox.address = "robot@school.test";
    MailboxSettings petrova;
    petrova.name = "petrova";
    petrova.address = "petrova@school.test";
    settings.teacher_mailboxes = {petrova};
    store = std::move(OpenSqliteStore(":memory:").value());
    RosterParse roster =
        ParseRoster(testing::ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
                                      "/scripts/sample-school/roster.csv"),
                    {});
    REQUIRE(store->ImportRoster(roster.roster).ok());
    Assignment a;
    a.code = "ДЗ-1";
    a.class_name = "7А";
    a.subject = "Алгебра";
    a.teacher_id = "t-petrova";
    a.title = "§12";
    a.set_day = Day("2026-11-25");
    a.due_day = Day("2026-11-26");
    REQUIRE(store->AddAssignment(a, "cli", 1).ok());
    IntakeRecord r = testing::WorkIntake(1, "p-002",
                                         "alena2010@pupils.test",  // her 2nd
                                         At(17), SubmissionStatus::kOnTime);
    r.submission->message_id = "work@pupils.test";
    work = store->RecordIntake(r)->submission_id;
    context.settings = &settings;
    auto templates = LoadTemplateSet(settings.school);
    REQUIRE(templates.ok());
    context.templates = std::move(*templates);
  }

  std::int64_t At(int hour) {
    return *DeadlineFor(Day("2026-11-26"), TimeOfDay{hour * 60},
                        settings.school.time_zone);
  }

  int Grade(const std::string& value, const std::string& teacher,
            std::string* output = nullptr) {
    std::ostringstream out, err;
    int status = GradeCommand(*store, settings, std::to_string(work), value,
                              "Аккуратно", teacher, At(20), out, err);
    if (output) *output = out.str() + err.str();
    return status;
  }
};

TEST_CASE(
    "grade notices: one per new or changed grade, to the address the "
    "work came from, threaded, Reply-To the teacher") {
  School school;
  REQUIRE(school.Grade("5", "t-petrova") == 0);
  auto report = QueueGradeNotices(*school.store, school.context, school.At(20));
  REQUIRE(report.ok());
  CHECK(report->queued == 1);
  // Nothing more owed; a second run queues nothing.
  CHECK(
      QueueGradeNotices(*school.store, school.context, school.At(21))->queued ==
      0);

  // A changed grade owes a second notice; the same grade again owes none.
  std::string output;
  REQUIRE(school.Grade("4", "t-petrova", &output) == 0);
  CHECK(output.find("replaces the earlier grade") != std::string::npos);
  REQUIRE(school.Grade("4", "t-petrova", &output) == 0);
  CHECK(output.find("nothing changed") != std::string::npos);
  CHECK(
      QueueGradeNotices(*school.store, school.context, school.At(21))->queued ==
      1);

  auto mail = *school.store->ClaimDue(school.At(23), 10);
  REQUIRE(mail.size() == 2);
  for (const OutboxEntry& m : mail) {
    CHECK(m.kind == "grade_notice");
    REQUIRE(m.recipients.size() == 1);
    CHECK(m.recipients[0].address == "alena2010@pupils.test");
    MimeParse parsed = ParseMessage(m.body, Limits{});
    REQUIRE(parsed.message);
    CHECK(parsed.message->in_reply_to ==
          std::vector<std::string>{"work@pupils.test"});
    REQUIRE(parsed.message->reply_to.size() == 1);
    CHECK(parsed.message->reply_to[0].address == "petrova@school.test");
    CHECK(parsed.message->text.find("Алёна Смирнова") != std::string::npos);
    CHECK(parsed.message->text.find("ДЗ-1 Алгебра: §12") != std::string::npos);
    CHECK(parsed.message->text.find("Аккуратно") != std::string::npos);
    CHECK(parsed.message->text.find("Анна Сергеевна Петрова") !=
          std::string::npos);
  }
  CHECK(mail[0].summary.find("Оценка: 5") != std::string::npos);
  CHECK(mail[1].summary.find("Оценка изменена: 4") != std::string::npos);
  CHECK(ParseMessage(mail[1].body, Limits{}).message->text.find("(вместо 5)") !=
        std::string::npos);
}

TEST_CASE(
    "schoolmail grade: refused for another teacher, a bad value, an "
    "unknown submission") {
  School school;
  std::string output;
  CHECK(school.Grade("5", "t-sidorov", &output) == 1);
  CHECK(output.find("refused") != std::string::npos);
  CHECK(school.Grade("6", "t-petrova", &output) == 1);
  CHECK(output.find("1-5") != std::string::npos);
  CHECK(school.Grade("5", "t-nobody", &output) == 1);
  CHECK(school.store->ListGrades({})->empty());

  std::ostringstream out, err;
  CHECK(GradeCommand(*school.store, school.settings, "999", "5", "",
                     "t-petrova", 1, out, err) == 1);
  CHECK(err.str().find("no submission 999") != std::string::npos);
  // By Message-ID, with or without angle brackets.
  CHECK(GradeCommand(*school.store, school.settings, "<work@pupils.test>", "5",
                     "", "t-petrova", 1, out, err) == 0);
  REQUIRE(school.store->ListGrades({})->size() == 1);

  std::ostringstream listing;
  GradeFilter all;
  all.history = true;
  CHECK(PrintGrades(*school.store, school.settings, all, listing, err) == 0);
  CHECK(listing.str().find("Смирнова Алёна (p-002, 7А), ДЗ-1 Алгебра") !=
        std::string::npos);
  CHECK(listing.str().find("1 grade(s)") != std::string::npos);
}

}  // namespace
}  // namespace schoolmail
