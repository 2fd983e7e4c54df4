// The intake rules: who, what, and not-a-submission (RELIABILITY 22, 25-27).
#include <doctest/doctest.h>

#include "daemon/rules/classify.h"

namespace schoolmail {
namespace {

Date Day(int y, unsigned m, unsigned d) {
  return Date{date::year{y}, date::month{m}, date::day{d}};
}

struct School {
  Roster roster;
  IntakeContext context;
  School() {
    roster.classes = {{"7А"}, {"7Б"}};
    roster.pupils = {
        {"p1", {"Иванов", "Пётр", ""}, "7А", {"petya@mail.ru", "p2@ya.ru"}, ""},
        {"p2", {"Смирнова", "Алёна", ""}, "7А", {"alena@mail.ru"}, ""},
        {"p3", {"Кузнецов", "Дима", ""}, "7Б", {"dima@mail.ru"}, ""}};
    context.roster = &roster;
    context.teacher_id = "t1";
    context.own_addresses = {"robot@school.ru"};
    context.authserv_id = "mx.school.ru";
    context.assignments = {
        {"ДЗ-12", "7А", "Алгебра", "t1", "§12 №1-5", Day(2026, 11, 27),
         Day(2026, 11, 30), TimeOfDay{18 * 60}, "assign-12@school.ru", "", {}},
        {"ДЗ-13", "7А", "Геометрия", "t1", "№100", Day(2026, 11, 27),
         Day(2026, 12, 1), TimeOfDay{18 * 60}, "", "", {}},
        {"ДЗ-14", "7Б", "Алгебра", "t1", "§3", Day(2026, 11, 27),
         Day(2026, 11, 30), TimeOfDay{18 * 60}, "", "", {}}};
  }
};

ParsedMessage Mail(const std::string& from, const std::string& subject) {
  ParsedMessage m;
  m.from = {{"", from, true}};
  m.subject = subject;
  return m;
}

TEST_CASE("the assignment: reply, then code, then only open, then subject") {
  School s;
  Date day = Day(2026, 11, 30);
  ParsedMessage reply = Mail("petya@mail.ru", "Re: домашка");
  reply.references = {"other@x", "assign-12@school.ru"};
  auto c = ClassifySubmission(reply, day, s.context);
  CHECK(c.intake == Intake::kSubmission);
  CHECK(c.assignment->code == "ДЗ-12");
  CHECK(c.matched_by == "reply");

  c = ClassifySubmission(Mail("p2@ya.ru", "Re: [дз 13] решение"), day,
                         s.context);
  CHECK(c.assignment->code == "ДЗ-13");
  CHECK(c.matched_by == "code");
  CHECK(c.pupil->id == "p1");  // second address of the same pupil

  c = ClassifySubmission(Mail("dima@mail.ru", "вот"), day, s.context);
  CHECK(c.assignment->code == "ДЗ-14");
  CHECK(c.matched_by == "only open");

  c = ClassifySubmission(Mail("alena@mail.ru", "Геометрия, задача"), day,
                         s.context);
  CHECK(c.assignment->code == "ДЗ-13");
  CHECK(c.matched_by == "subject");

  c = ClassifySubmission(Mail("alena@mail.ru", "вот решение"), day, s.context);
  CHECK(c.intake == Intake::kUnmatched);
  CHECK(c.pupil->id == "p2");

  // Past the late window nothing is open any more.
  c = ClassifySubmission(Mail("dima@mail.ru", "вот"), Day(2026, 12, 8),
                         s.context);
  CHECK(c.intake == Intake::kUnmatched);
}

TEST_CASE("case 27: only the exact normalised address identifies a pupil") {
  School s;
  Date day = Day(2026, 11, 30);
  ParsedMessage by_name = Mail("stranger@evil.ru", "ДЗ-12");
  by_name.from[0].name = "Иванов Пётр";
  CHECK(ClassifySubmission(by_name, day, s.context).intake ==
        Intake::kUnknownSender);
  CHECK(ClassifySubmission(Mail("petya+7a@mail.ru", "ДЗ-12"), day, s.context)
            .intake == Intake::kUnknownSender);
  // Cyrillic "а" (U+0430) in place of Latin "a".
  CHECK(ClassifySubmission(Mail("petyа@mail.ru", "ДЗ-12"), day, s.context)
            .intake == Intake::kUnknownSender);
  ParsedMessage two = Mail("stranger@evil.ru", "ДЗ-12");
  two.from.push_back({"", "petya@mail.ru", true});  // only the first counts
  CHECK(ClassifySubmission(two, day, s.context).intake ==
        Intake::kUnknownSender);
}

TEST_CASE("cases 25 and 26: the topmost result of our own server decides") {
  School s;
  Date day = Day(2026, 11, 30);
  ParsedMessage forged = Mail("petya@mail.ru", "ДЗ-12");
  forged.authentication_results = {
      "mx.school.ru; spf=fail smtp.mailfrom=mail.ru; dkim=none; dmarc=fail",
      "mx.school.ru; dmarc=pass"};  // a forged "pass" lower down
  auto c = ClassifySubmission(forged, day, s.context);
  CHECK(c.intake == Intake::kReview);
  CHECK(c.reason.find("failed authentication") != std::string::npos);

  ParsedMessage other_server = Mail("petya@mail.ru", "ДЗ-12");
  other_server.authentication_results = {"mx.mail.ru; dmarc=fail",
                                         "mx.school.ru 1; dmarc=pass"};
  CHECK(ClassifySubmission(other_server, day, s.context).intake ==
        Intake::kSubmission);
  ParsedMessage dkim = Mail("petya@mail.ru", "ДЗ-12");
  dkim.authentication_results = {"mx.school.ru; spf=fail; dkim=pass"};
  CHECK(AuthenticationVerdict(dkim, "mx.school.ru") == "pass");
  CHECK(AuthenticationVerdict(dkim, "") == "none");
}

TEST_CASE("case 22: automatic mail and our own mail are not submissions") {
  School s;
  Date day = Day(2026, 11, 30);
  for (MessageKind kind : {MessageKind::kAutoReply,
                           MessageKind::kDeliveryReport, MessageKind::kBulk}) {
    ParsedMessage m = Mail("petya@mail.ru", "ДЗ-12");
    m.kind = kind;
    CHECK(ClassifySubmission(m, day, s.context).intake ==
          Intake::kNotSubmission);
  }
  CHECK(ClassifySubmission(Mail("robot@school.ru", "x"), day, s.context)
            .intake == Intake::kNotSubmission);
}

TEST_CASE("assignment codes in subjects") {
  CHECK(FindAssignmentCode("Re: [ДЗ-12] Алгебра") == "ДЗ-12");
  CHECK(FindAssignmentCode("dz 7") == "ДЗ-7");
  CHECK(FindAssignmentCode("HW-31 done") == "ДЗ-31");
  CHECK(FindAssignmentCode("дз12") == "ДЗ-12");
  CHECK_FALSE(FindAssignmentCode("гвоздз12"));  // inside a word
  CHECK_FALSE(FindAssignmentCode("ДЗ по алгебре"));
}

}  // namespace
}  // namespace schoolmail

namespace schoolmail {
namespace {

TEST_CASE("receipt warnings: nothing attached, only links, no text") {
  ParsedMessage m;
  m.text = "Вот моя работа";
  CHECK(SubmissionWarnings(m) == "no_attachment");
  m.text = "  https://disk.yandex.ru/i/abc\n http://example.com/x  ";
  CHECK(SubmissionWarnings(m) == "no_attachment,only_links");
  m.text = " \n ";
  CHECK(SubmissionWarnings(m) == "no_attachment,empty_text");
  m.attachments.push_back({});
  CHECK(SubmissionWarnings(m) == "empty_text");  // a photo without words
  m.text = "https://disk.yandex.ru/i/abc";
  CHECK(SubmissionWarnings(m).empty());  // a link next to a photo is fine
}

}  // namespace
}  // namespace schoolmail

#include "daemon/rules/tagged_assignment.h"

namespace schoolmail {
namespace {

TEST_CASE("class names: case, blanks and Latin look-alikes ignored") {
  CHECK(SameClassName("7А", "7A"));   // Latin A
  CHECK(SameClassName("7А", "7 а"));
  CHECK(SameClassName("10Б", "10б"));
  CHECK_FALSE(SameClassName("7А", "7Б"));
  CHECK_FALSE(SameClassName("7А", "17А"));
}

TEST_CASE("a tagged assignment: the roster decides class, subject, teacher") {
  Roster roster;
  roster.classes = {{"7А"}, {"7Б"}};
  Teacher petrova{"t-petrova", {"Петрова", "Анна", ""}, {"petrova@school.test"},
                  {"Алгебра"}, {"7А"}, ""};
  Teacher sidorov{"t-sidorov", {"Сидоров", "Олег", ""}, {"sidorov@school.test"},
                  {"Литература"}, {"7А"}, ""};
  roster.teachers = {petrova, sidorov};
  SchoolSettings school;
  school.deadline = TimeOfDay{17 * 60};
  Date set = *ParseDate("2026-11-27");

  TagDecision ok = DecideTaggedAssignment(
      ParseAssignmentTag("#задание 7a алгебра до 30.11: §12", set), petrova,
      roster, school, set);
  REQUIRE(ok.assignment);
  CHECK(ok.problems.empty());
  CHECK(ok.assignment->class_name == "7А");     // as the roster spells it
  CHECK(ok.assignment->subject == "Алгебра");
  CHECK(ok.assignment->teacher_id == "t-petrova");
  CHECK(ok.assignment->due_day == *ParseDate("2026-11-30"));
  CHECK(ok.assignment->due_time == TimeOfDay{17 * 60});  // the school's deadline
  CHECK(ok.assignment->title == "§12");

  auto problem = [&](const std::string& subject, const Teacher& who) {
    TagDecision d = DecideTaggedAssignment(ParseAssignmentTag(subject, set), who,
                                           roster, school, set);
    CHECK_FALSE(d.assignment);
    return d.problems.empty() ? std::string() : d.problems.front().code;
  };
  CHECK(problem("#задание 9Я Алгебра до 30.11: x", petrova) == "unknown_class");
  CHECK(problem("#задание 7А Литература до 30.11: x", petrova) == "not_your_subject");
  CHECK(problem("#задание 7А Химия до 30.11: x", petrova) == "unknown_subject");
  CHECK(problem("#задание 7Б Алгебра до 30.11: x", petrova) == "not_your_subject");
  CHECK(problem("#задание 7А Алгебра до 31.13: x", petrova) == "bad_date");
}

}  // namespace
}  // namespace schoolmail
