// Reading a grade from a teacher's reply (parsers/grade_line.h), and the
// [grades] scale of the config.
#include "parsers/grade_line.h"

#include <doctest/doctest.h>

#include <string>

#include "config/settings.h"
#include "parsers/html_text.h"

namespace schoolmail {
namespace {

const GradeScale kFive{};                // 1-5
const GradeScale kPassFail{true, 0, 0};  // зачёт/незачёт
const GradeScale kTen{false, 1, 10};

using Kind = GradeReading::Kind;

GradeReading Read(const std::string& text, const GradeScale& scale = kFive) {
  return ReadGradeLine(text, scale);
}

TEST_CASE("the Russian and English forms of a grade line") {
  struct Case {
    const char* text;
    const char* value;
  };
  const Case cases[] = {
      {"Оценка: 5", "5"},
      {"Отметка 4", "4"},
      {"оценка - 5", "5"},
      {"ОЦЕНКА: 3", "3"},
      {"Оценка — 4", "4"},
      {"Оценка – 2", "2"},
      {"Оценка:\xC2\xA0"
       "5",
       "5"},  // no-break space from HTML
      {"Оценка = 5", "5"},
      {"Оценка: «5»", "5"},
      {"*Оценка: 5*", "5"},
      {"  Оценка:5", "5"},
      {"Оценка: 5/5", "5"},
      {"Оценка за ДЗ-1: 4", "4"},
      {"Оценка: отлично", "5"},
      {"Оценка: хорошо", "4"},
      {"Оценка: удовлетворительно", "3"},
      {"Оценка: неудовлетворительно", "2"},
      {"Отметка: четыре", "4"},
      {"5/5", "5"},
      {"4 / 5", "4"},
      {"4 из 5", "4"},
      {"3 out of 5", "3"},
      {"Grade: 5", "5"},
      {"grade 4", "4"},
      {"Mark: 3", "3"},
      {"Score - 5/5", "5"},
      {"Балл: 5", "5"},
      {"Оценка: 05", "5"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    GradeReading r = Read(c.text);
    CHECK(r.kind == Kind::kGrade);
    CHECK(r.value == c.value);
    CHECK(r.comment.empty());
  }
}

TEST_CASE("pass-fail forms, with and without the word") {
  struct Case {
    const char* text;
    const char* value;
  };
  const Case cases[] = {
      {"зачёт", "pass"},
      {"Зачет", "pass"},
      {"ЗАЧТЕНО.", "pass"},
      {"незачёт", "fail"},
      {"Незачет", "fail"},
      {"не зачтено", "fail"},
      {"Не зачёт", "fail"},
      {"Оценка: зачёт", "pass"},
      {"Отметка: не зачтено", "fail"},
      {"pass", "pass"},
      {"Fail", "fail"},
      {"Grade: pass", "pass"},
      {"Работа зачтена", ""},  // a sentence, not a grade line
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    GradeReading r = Read(c.text, kPassFail);
    if (*c.value == '\0') {
      CHECK(r.kind == Kind::kNone);
    } else {
      CHECK(r.kind == Kind::kGrade);
      CHECK(r.value == c.value);
    }
  }
}

TEST_CASE("the comment: the rest of the reply above the quote") {
  GradeReading r = Read("Оценка: 5\nМолодец!\n");
  REQUIRE(r.kind == Kind::kGrade);
  CHECK(r.value == "5");
  CHECK(r.comment == "Молодец!");
  CHECK(r.line == "Оценка: 5");

  r = Read(
      "Здравствуй, Петя!\n\nОценка: 4. Ошибка в №3.\n\nИсправь к пятнице.\n");
  REQUIRE(r.kind == Kind::kGrade);
  CHECK(r.value == "4");
  CHECK(r.comment == "Здравствуй, Петя!\n\nОшибка в №3.\n\nИсправь к пятнице.");

  r = Read("Оценка: 5 (отлично)");
  CHECK(r.comment == "(отлично)");
  r = Read("Оценка — 5 — так держать!");
  CHECK(r.comment == "так держать!");
}

TEST_CASE("quoted text, attributions and signatures are not the reply") {
  // Quoted lines: a grade in the pupil's quoted text is not the teacher's.
  CHECK(Read("Спасибо, получила.\n\n> Оценка: 5\n").kind == Kind::kNone);
  GradeReading r = Read(
      "Оценка: 4\nПочерк!\n\nOn Mon, 30 Nov 2026 at 17:00, Пётр Иванов "
      "<ivanov.petya@pupils.test> wrote:\n> Вот моя работа\n> Оценка: 5?\n");
  REQUIRE(r.kind == Kind::kGrade);
  CHECK(r.value == "4");
  CHECK(r.comment == "Почерк!");

  // Gmail wraps a long attribution over two lines.
  r = Read(
      "Отметка 5\nОтлично.\n\nOn Mon, Nov 30, 2026 at 5:00 PM Пётр Иванов <\n"
      "ivanov.petya@pupils.test> wrote:\n\n> работа\n");
  CHECK(r.comment == "Отлично.");

  // Russian clients: Thunderbird, Apple Mail, Yandex, Gmail, Mail.ru.
  for (const char* attribution :
       {"30.11.2026 17:00, Пётр Иванов пишет:",
        "30 нояб. 2026 г., в 17:00, Пётр <ivanov.petya@pupils.test> "
        "написал(а):",
        "30.11.2026, 17:00, \"Пётр Иванов\" <ivanov.petya@pupils.test>:",
        "пн, 30 нояб. 2026 г. в 17:00, Пётр Иванов <ivanov.petya@pupils.test>:",
        "Понедельник, 30 ноября 2026, 17:00 +03:00 от Пётр Иванов "
        "<ivanov.petya@pupils.test>:",
        "-----Original Message-----", "-----Исходное сообщение-----",
        "-------- Пересылаемое сообщение --------",
        "________________________________"}) {
    CAPTURE(attribution);
    r = Read(std::string("Оценка: 3\nПерепиши задачу 2.\n\n") + attribution +
             "\nОценка: 5\nМолодец\n");
    REQUIRE(r.kind == Kind::kGrade);
    CHECK(r.value == "3");
    CHECK(r.comment == "Перепиши задачу 2.");
  }

  // Outlook's header block without a separator line.
  r = Read(
      "Оценка: 4\n\nFrom: Пётр Иванов <ivanov.petya@pupils.test>\n"
      "Sent: Monday, November 30, 2026 5:00 PM\nSubject: ДЗ-1\n\nОценка: 5\n");
  CHECK(r.value == "4");
  CHECK(r.comment.empty());
  r = Read(
      "Оценка: 4\n\nОт: Пётр Иванов <ivanov.petya@pupils.test>\n"
      "Отправлено: 30 ноября 2026 г. 17:00\n\nработа\n");
  CHECK(r.value == "4");
  CHECK(r.comment.empty());

  // The signature after "-- " and device lines are not the comment.
  r = Read(
      "Оценка: 5\nХорошая работа.\n\n-- \nА. С. Петрова\nучитель математики\n");
  CHECK(r.comment == "Хорошая работа.");
  r = Read(
      "Оценка: 5\nХорошая работа.\n\nОтправлено из мобильной Почты Mail.ru\n");
  CHECK(r.comment == "Хорошая работа.");
  r = Read("5/5\n\nSent from my iPhone\n\n> work\n");
  CHECK(r.value == "5");
  CHECK(r.comment.empty());

  // A grade in the signature is not the grade.
  CHECK(Read("Получила, спасибо.\n-- \nОценка: 5\n").kind == Kind::kNone);
}

TEST_CASE("an HTML-only reply converted to text reads like a plain one") {
  // Gmail's HTML reply: the grade in the first div, the attribution in
  // gmail_attr, the original in a blockquote.
  std::string html =
      "<div dir=\"ltr\"><b>Оценка:&nbsp;5</b><div>Молодец, всё верно!</div>"
      "</div><br><div class=\"gmail_quote\"><div dir=\"ltr\" "
      "class=\"gmail_attr\">пн, 30 нояб. 2026 г. в 17:00, Пётр Иванов &lt;"
      "ivanov.petya@pupils.test&gt;:<br></div><blockquote "
      "class=\"gmail_quote\">Вот работа.<br>Оценка: 2</blockquote></div>";
  GradeReading r = Read(HtmlToText(html));
  REQUIRE(r.kind == Kind::kGrade);
  CHECK(r.value == "5");
  CHECK(r.comment == "Молодец, всё верно!");

  // Outlook on the web: paragraphs, then a header block under a rule.
  html =
      "<p>Отметка: 4</p><p>Оформление — аккуратнее.</p><hr>"
      "<div><b>From:</b> Пётр Иванов &lt;ivanov.petya@pupils.test&gt;<br>"
      "<b>Sent:</b> Monday, 30 November 2026 17:00<br></div><p>Работа</p>";
  r = Read(HtmlToText(html));
  REQUIRE(r.kind == Kind::kGrade);
  CHECK(r.value == "4");
  CHECK(r.comment.find("Оформление") == 0);
  CHECK(r.comment.find("Работа") == std::string::npos);
}

TEST_CASE("no grade: an ordinary reply") {
  for (const char* text :
       {"", "Спасибо, получила.", "Отлично!", "Хорошо, жду исправления.",
        "Оценка будет завтра.", "5", "Задача 5 решена неверно.",
        "Пришли, пожалуйста, страницу 2/3 ещё раз.",
        "Встречаемся в 15/16 кабинете", "Оценки будут в пятницу",
        "Grades are on Friday", "2026 год", "Вопрос: оценка за четверть?"}) {
    CAPTURE(text);
    GradeReading r = Read(text);
    CHECK(r.kind == Kind::kNone);
  }
}

TEST_CASE("the grade is looked for in the first lines only") {
  std::string text;
  for (int i = 0; i < kGradeLines; ++i)
    text += "строка " + std::to_string(i) + "\n";
  CHECK(Read(text + "Оценка: 5\n").kind == Kind::kNone);
  CHECK(Read("\n\n\nОценка: 5\n").kind ==
        Kind::kGrade);  // blank lines don't count
}

TEST_CASE("problems: outside the scale, not whole, two grades") {
  struct Case {
    const char* text;
    const char* in_problem;
    GradeScale scale;
  };
  const Case cases[] = {
      {"Оценка: 7", "outside the scale 1-5", kFive},
      {"Оценка: 0", "outside the scale 1-5", kFive},
      {"Оценка: 4+", "whole grades", kFive},
      {"Оценка: 5-", "whole grades", kFive},
      {"Оценка: 4,5", "whole grades", kFive},
      {"Оценка: 8/10", "out of 10", kFive},
      {"8/10", "out of 10", kFive},
      {"Оценка: 6/5", "outside the scale", kFive},
      {"Оценка: зачёт", "not pass-fail", kFive},
      {"зачёт", "not pass-fail", kFive},
      {"Оценка: 5", "pass-fail", kPassFail},
      {"5/5", "pass-fail", kPassFail},
      {"Оценка: ???", "no grade", kFive},
      {"Оценка: 5\nОценка: 4", "two different grades", kFive},
      {"Оценка: 11", "outside the scale 1-10", kTen},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    GradeReading r = Read(c.text, c.scale);
    CHECK(r.kind == Kind::kProblem);
    CHECK(r.problem.find(c.in_problem) != std::string::npos);
    CHECK_FALSE(r.line.empty());
  }
  // The same grade twice is one grade.
  GradeReading r = Read("Оценка: 5\nМолодец\nОценка: 5");
  CHECK(r.kind == Kind::kGrade);
  // On a 1-10 scale, 8/10 and 10 are grades.
  CHECK(Read("8/10", kTen).value == "8");
  CHECK(Read("Оценка: 10", kTen).value == "10");
}

TEST_CASE("CRLF text, damaged UTF-8 and a very long reply") {
  GradeReading r = Read("Оценка: 5\r\nМолодец\r\n");
  CHECK(r.value == "5");
  CHECK(r.comment == "Молодец");
  r = Read("Оценка: 4\n\xFF\xFE плохо\n");
  CHECK(r.value == "4");
  CHECK(r.comment.find("плохо") != std::string::npos);
  std::string long_text = "Оценка: 3\n" + std::string(100000, 'x') + "\n";
  r = Read(long_text);
  CHECK(r.value == "3");
  CHECK(r.comment.size() < 10100);
}

TEST_CASE("a grade value from the command line") {
  CHECK(ParseGradeValue("5", kFive).value() == "5");
  CHECK(ParseGradeValue(" 4 ", kFive).value() == "4");
  CHECK(ParseGradeValue("5/5", kFive).value() == "5");
  CHECK(ParseGradeValue("отлично", kFive).value() == "5");
  CHECK(ParseGradeValue("зачёт", kPassFail).value() == "pass");
  CHECK(ParseGradeValue("Не зачтено", kPassFail).value() == "fail");
  CHECK(ParseGradeValue("fail", kPassFail).value() == "fail");
  CHECK_FALSE(ParseGradeValue("6", kFive).ok());
  CHECK_FALSE(ParseGradeValue("4+", kFive).ok());
  CHECK_FALSE(ParseGradeValue("5 5", kFive).ok());
  CHECK_FALSE(ParseGradeValue("", kFive).ok());
  CHECK_FALSE(ParseGradeValue("зачёт", kFive).ok());
  CHECK_FALSE(ParseGradeValue("5", kPassFail).ok());
  CHECK(ParseGradeValue("6", kFive).status().message().find("1-5") !=
        std::string::npos);
}

TEST_CASE("grade values for people and the scale's name") {
  CHECK(GradeValueText("pass", true) == "зачёт");
  CHECK(GradeValueText("fail", true) == "незачёт");
  CHECK(GradeValueText("pass", false) == "pass");
  CHECK(GradeValueText("4", true) == "4");
  CHECK(GradeScaleText(kFive) == "1-5");
  CHECK(GradeScaleText(kPassFail) == "pass-fail");
}

TEST_CASE("[grades] scale in the config") {
  const std::string base =
      "[school]\nname = S\ntimezone = Europe/Moscow\nhotline = 1\nsite = s\n"
      "[storage]\ndata_dir = /tmp/schoolmail-grade-test\n"
      "[smtp]\nurl = smtp://h:25\nsender = r@s.test\n"
      "[school_mailbox]\nurl = imaps://h\nuser = u\npassword = p\n"
      "address = r@s.test\n";
  LoadedSettings loaded = ParseSettings(base, "a.ini");
  CHECK(loaded.problems.empty());
  CHECK(loaded.settings.grades.scale == kFive);
  loaded = ParseSettings(base + "[grades]\nscale = pass-fail\n", "a.ini");
  CHECK(loaded.problems.empty());
  CHECK(loaded.settings.grades.scale.pass_fail);
  loaded = ParseSettings(base + "[grades]\nscale = 1-10\n", "a.ini");
  CHECK(loaded.settings.grades.scale == kTen);
  for (const char* bad : {"5-1", "five", "1-500", "-5", "1-"}) {
    CAPTURE(bad);
    loaded = ParseSettings(base + "[grades]\nscale = " + bad + "\n", "a.ini");
    REQUIRE(loaded.problems.size() == 1);
    CHECK(loaded.problems[0].ToString().find("[grades] scale:") !=
          std::string::npos);
  }
}

}  // namespace
}  // namespace schoolmail
