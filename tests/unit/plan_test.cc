// The lesson plan, the timetable and the assignment tag in mail subjects.
#include "parsers/plan.h"

#include <doctest/doctest.h>
#include <iconv.h>

#include <cstdint>
#include <string>
#include <vector>

#include "config/text.h"
#include "parsers/assignment_tag.h"
#include "parsers/timetable.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

Date D(int y, unsigned m, unsigned d) {
  return Date{date::year{y}, date::month{m}, date::day{d}};
}

std::string SampleFile(const std::string& name) {
  return testing::ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
                           "/scripts/sample-school/" + name);
}

// `utf8` converted to windows-1251 with iconv, as Excel would save it.
std::string ToWindows1251(const std::string& utf8) {
  iconv_t cd = iconv_open("WINDOWS-1251", "UTF-8");
  REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size(), '\0');
  char* in = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* dst = out.data();
  size_t dst_left = out.size();
  REQUIRE(iconv(cd, &in, &in_left, &dst, &dst_left) != static_cast<size_t>(-1));
  iconv_close(cd);
  out.resize(out.size() - dst_left);
  return out;
}

std::string Messages(const std::vector<PlanProblem>& problems) {
  std::string out;
  for (const PlanProblem& p : problems) {
    out += std::to_string(p.line) + ": " + p.message + "\n";
  }
  return out;
}
std::string Messages(const PlanParse& parse) {
  return Messages(parse.problems);
}
std::string Messages(const TimetableParse& parse) {
  return Messages(parse.problems);
}

// Deterministic bytes for the robustness tests.
struct Bytes {
  uint64_t state;
  unsigned Next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<unsigned>(state >> 33);
  }
};

// --- Lesson plan ---

const char* kPlanHeader =
    "date;class;subject;topic;task;links;due_date;due_time\n";

TEST_CASE("plan: the sample plan parses completely") {
  PlanParse parse = ParsePlan(SampleFile("plan.csv"));
  INFO(Messages(parse.problems));
  REQUIRE(parse.problems.empty());
  REQUIRE(parse.rows.size() == 7);
  const PlanRow& first = parse.rows[0];
  CHECK(first.line == 2);
  CHECK(first.day == D(2026, 11, 23));
  CHECK(first.class_name == "7А");
  CHECK(first.subject == "Алгебра");
  CHECK(first.topic == "Линейная функция и её график");
  CHECK(first.task == "§12, № 1-5");
  CHECK(first.links == std::vector<std::string>{
                           "https://resh.edu.ru/",
                           "https://school.test/materials/7/algebra-12.pdf"});
  CHECK(first.due_day == D(2026, 11, 24));
  CHECK_FALSE(first.due_time.has_value());
  CHECK(parse.rows[2].subject == "Русский язык");
  CHECK(parse.rows[2].due_time == TimeOfDay{15 * 60});
  // A quoted task over two lines; no due date: due the lesson's day.
  const PlanRow& geometry = parse.rows[3];
  CHECK(geometry.line == 5);
  CHECK(geometry.task ==
        "Задачи 120, 121.\nЧертежи сфотографировать и прислать одним файлом.");
  CHECK(geometry.due_day == geometry.day);
  CHECK(parse.rows[4].line == 7);
  CHECK(parse.rows[6].task.empty());
}

TEST_CASE("plan: UTF-8 with BOM, windows-1251 and ',' read the same") {
  std::string sample = SampleFile("plan.csv");
  PlanParse utf8 = ParsePlan(sample);
  PlanParse bom = ParsePlan("\xEF\xBB\xBF" + sample);
  PlanParse cp1251 = ParsePlan(ToWindows1251(sample));
  REQUIRE(utf8.problems.empty());
  CHECK(bom.problems.empty());
  CHECK(cp1251.problems.empty());
  CHECK(bom.rows == utf8.rows);
  CHECK(cp1251.rows == utf8.rows);

  std::string commas =
      "Date,Class,Subject,Topic,Task,Links\r\n"
      "30.11.2026,7А,Алгебра,Степень,\"§13, №1\","
      "\"https://a.test/1\r\nhttps://a.test/2\"\r\n";
  PlanParse parse = ParsePlan(commas);
  INFO(Messages(parse.problems));
  REQUIRE(parse.rows.size() == 1);
  CHECK(parse.rows[0].day == D(2026, 11, 30));
  CHECK(parse.rows[0].task == "§13, №1");
  CHECK(parse.rows[0].links ==
        std::vector<std::string>{"https://a.test/1", "https://a.test/2"});
  CHECK(parse.rows[0].due_day == D(2026, 11, 30));
}

TEST_CASE("plan: every column alias is read") {
  // For each column, every alias in place of its English name.
  const std::vector<std::pair<std::string, std::vector<std::string>>> kAliases =
      {{"date", {"date", "Дата", "DATE"}},
       {"class", {"class", "Класс"}},
       {"subject", {"subject", "Предмет"}},
       {"topic", {"topic", "Тема"}},
       {"task", {"task", "Задание", "ДЗ"}},
       {"links", {"links", "link", "Ссылки", "ссылка"}},
       {"due_date",
        {"due_date", "Due date", "due-date", "Срок", "Сдать до", "дата_сдачи",
         "Дата сдачи"}},
       {"due_time", {"due_time", "Due time", "Время сдачи"}}};
  const std::string kRow =
      "2026-11-30;7А;Алгебра;Степень;§13;https://a.test/x;01.12.2026;15:00\n";
  for (size_t column = 0; column < kAliases.size(); ++column) {
    for (const std::string& alias : kAliases[column].second) {
      std::vector<std::string> names;
      for (size_t c = 0; c < kAliases.size(); ++c) {
        names.push_back(c == column ? alias : kAliases[c].first);
      }
      PlanParse parse = ParsePlan(Join(names, ";") + "\n" + kRow);
      INFO(alias);
      INFO(Messages(parse.problems));
      REQUIRE(parse.problems.empty());
      REQUIRE(parse.rows.size() == 1);
      const PlanRow& row = parse.rows[0];
      CHECK(row.day == D(2026, 11, 30));
      CHECK(row.class_name == "7А");
      CHECK(row.subject == "Алгебра");
      CHECK(row.topic == "Степень");
      CHECK(row.task == "§13");
      CHECK(row.links == std::vector<std::string>{"https://a.test/x"});
      CHECK(row.due_day == D(2026, 12, 1));
      CHECK(row.due_time == TimeOfDay{15 * 60});
    }
  }
  // Any order; optional columns may be left out.
  PlanParse reordered =
      ParsePlan("тема;класс;дата;предмет\nСтепень;7Б;01.12.2026;Алгебра\n");
  INFO(Messages(reordered.problems));
  REQUIRE(reordered.rows.size() == 1);
  CHECK(reordered.rows[0].class_name == "7Б");
  CHECK(reordered.rows[0].day == D(2026, 12, 1));
  CHECK(reordered.rows[0].links.empty());
}

TEST_CASE("plan: header problems are reported at the header's line") {
  CHECK(Messages(ParsePlan("")) ==
        "0: the file is empty: expected a header row\n");
  CHECK(Messages(ParsePlan("date;class;subject\n2026-11-30;7А;Алгебра\n")) ==
        "1: header: no \"topic\" column (columns: date, class, subject, "
        "topic, task (optional), links (optional), due_date (optional), "
        "due_time (optional))\n");
  CHECK(Messages(ParsePlan("\n\nдата;class;subject;topic;date;teacher\n"))
            .starts_with("3: header: column \"date\" twice; unknown column "
                         "\"teacher\" (columns:"));
  // A trailing separator is no column.
  PlanParse trailing =
      ParsePlan("date;class;subject;topic;\n2026-11-30;7А;Алгебра;Степень;\n");
  CHECK(trailing.problems.empty());
  CHECK(trailing.rows.size() == 1);
}

TEST_CASE("plan: each row problem names its line; good rows are kept") {
  std::string text =
      std::string(kPlanHeader) +
      "2026-11-30;7А;Алгебра;Степень;§13;;;\n"                // 2: good
      "2026-11-31;7А;Алгебра;Корни;;;;\n"                     // 3
      "30/11/2026;7А;Алгебра;Корни;;;;\n"                     // 4
      ";7А;Алгебра;Корни;;;;\n"                               // 5
      "2026-11-30;7А;Алгебра;Корни;;;2026-11-29;\n"           // 6
      "2026-11-30;7А;Алгебра;Дроби;;;1 декабря;\n"            // 7
      "2026-11-30;7А;Алгебра;Модуль;;;;18.00\n"               // 8
      "2026-11-30;7А;Алгебра;Модуль;;;;25:00\n"               // 9
      "2026-11-30; ;Алгебра;Модуль;;;;\n"                     // 10
      "2026-11-30;7А;;Модуль;;;;\n"                           // 11
      "2026-11-30;7А;Алгебра;;;;;\n"                          // 12
      "2026-11-30;7А;Алгебра;Модуль;;www.site.ru;;\n"         // 13
      "2026-11-30;7А;Алгебра;Модуль;;https://;;\n"            // 14
      "2026-11-30;7А;Алгебра;Модуль;;ftp://files.test/a;;\n"  // 15
      "2026-11-30;7а;алгебра;степень;;;;\n"                   // 16
      "2026-11-30;7А;Алгебра;Модуль;;;;;extra\n"              // 17
      "2026-12-01;7А;Алгебра;Модуль;;;2026-12-02;9:30\n";     // 18: good
  PlanParse parse = ParsePlan(text);
  CHECK(Messages(parse.problems) ==
        "3: bad date \"2026-11-31\": use YYYY-MM-DD or DD.MM.YYYY\n"
        "4: bad date \"30/11/2026\": use YYYY-MM-DD or DD.MM.YYYY\n"
        "5: missing date\n"
        "6: due date 2026-11-29 is before the date 2026-11-30\n"
        "7: bad due date \"1 декабря\": use YYYY-MM-DD or DD.MM.YYYY\n"
        "8: bad due time \"18.00\": use HH:MM\n"
        "9: bad due time \"25:00\": use HH:MM\n"
        "10: missing class\n"
        "11: missing subject\n"
        "12: missing topic\n"
        "13: bad link \"www.site.ru\": expected http(s)://...\n"
        "14: bad link \"https://\": expected http(s)://...\n"
        "15: bad link \"ftp://files.test/a\": expected http(s)://...\n"
        "16: the same date, class, subject and topic as line 2\n"
        "17: more fields than columns in the header\n");
  REQUIRE(parse.rows.size() == 2);
  CHECK(parse.rows[0].line == 2);
  CHECK(parse.rows[1].line == 18);
  CHECK(parse.rows[1].due_time == TimeOfDay{9 * 60 + 30});
}

TEST_CASE("plan: blanks collapse, links split on any blank, an open quote") {
  PlanParse parse = ParsePlan(
      std::string(kPlanHeader) +
      "2026-11-30; 7А ;Русский   язык;\"Причастный\nоборот\";\"  "
      "упр. 41\r\nупр. 42  \";\"HTTPS://A.test/1 \thttp://b.test/2\n\n"
      "https://c.test/?q=\xD1\x8F\";;\n");
  INFO(Messages(parse.problems));
  REQUIRE(parse.rows.size() == 1);
  const PlanRow& row = parse.rows[0];
  CHECK(row.class_name == "7А");
  CHECK(row.subject == "Русский язык");
  CHECK(row.topic == "Причастный оборот");
  CHECK(row.task == "упр. 41\nупр. 42");
  CHECK(row.links == std::vector<std::string>{"HTTPS://A.test/1",
                                              "http://b.test/2",
                                              "https://c.test/?q=я"});
  PlanParse open = ParsePlan(std::string(kPlanHeader) +
                             "2026-11-30;7А;Алгебра;\"Степень;;;;\n");
  CHECK(
      Messages(open.problems).starts_with("2: a quoted field is never closed"));
}

// --- Timetable ---

const char* kTimetableHeader = "day;class;start;end;subject;link;note\n";

TEST_CASE("timetable: the sample timetable parses completely") {
  TimetableParse parse = ParseTimetable(SampleFile("timetable.csv"));
  INFO(Messages(parse.problems));
  REQUIRE(parse.problems.empty());
  REQUIRE(parse.rows.size() == 14);
  const TimetableRow& first = parse.rows[0];
  CHECK(first.line == 2);
  CHECK_FALSE(first.date.has_value());
  CHECK(first.weekday == date::Monday);
  CHECK(first.class_name == "7А");
  CHECK(first.start == TimeOfDay{9 * 60});
  CHECK(first.end == TimeOfDay{9 * 60 + 40});
  CHECK(first.subject == "Алгебра");
  CHECK(first.link == "https://meet.school.test/7a-algebra");
  CHECK(first.note.empty());
  const TimetableRow& last = parse.rows.back();
  CHECK(last.date == D(2026, 11, 25));
  CHECK_FALSE(last.weekday.has_value());
  CHECK_FALSE(last.end.has_value());
  CHECK(last.note == "Консультация перед контрольной");

  std::string sample = SampleFile("timetable.csv");
  CHECK(ParseTimetable("\xEF\xBB\xBF" + sample).rows == parse.rows);
  CHECK(ParseTimetable(ToWindows1251(sample)).rows == parse.rows);
}

TEST_CASE("timetable: every column alias and week day form is read") {
  const std::vector<std::pair<std::string, std::vector<std::string>>> kAliases =
      {{"day",
        {"day", "date", "weekday", "День", "дата", "День недели",
         "day-of-week"}},
       {"class", {"class", "КЛАСС"}},
       {"start", {"start", "time", "Начало", "время"}},
       {"end", {"end", "конец", "Окончание"}},
       {"subject", {"subject", "предмет", "lesson", "Урок"}},
       {"link", {"link", "URL", "Ссылка"}},
       {"note", {"note", "Примечание", "комментарий"}}};
  for (size_t column = 0; column < kAliases.size(); ++column) {
    for (const std::string& alias : kAliases[column].second) {
      std::vector<std::string> names;
      for (size_t c = 0; c < kAliases.size(); ++c) {
        names.push_back(c == column ? alias : kAliases[c].first);
      }
      TimetableParse parse = ParseTimetable(
          Join(names, ",") +
          "\nвт,7А,9:00,09:40,Алгебра,https://meet.test/a,Тест\n");
      INFO(alias);
      INFO(Messages(parse.problems));
      if (alias == "day-of-week") {
        // Not an alias: the header names what it does not know.
        CHECK(Messages(parse.problems)
                  .starts_with("1: header: unknown column \"day_of_week\"; "
                               "no \"day\" column"));
        continue;
      }
      REQUIRE(parse.rows.size() == 1);
      const TimetableRow& row = parse.rows[0];
      CHECK(row.weekday == date::Tuesday);
      CHECK(row.class_name == "7А");
      CHECK(row.start == TimeOfDay{9 * 60});
      CHECK(row.end == TimeOfDay{9 * 60 + 40});
      CHECK(row.subject == "Алгебра");
      CHECK(row.link == "https://meet.test/a");
      CHECK(row.note == "Тест");
    }
  }
  const std::vector<std::pair<std::string, date::weekday>> kDays = {
      {"mon", date::Monday},         {"Пн", date::Monday},
      {"пн.", date::Monday},         {"Monday", date::Monday},
      {"Понедельник", date::Monday}, {"вторник", date::Tuesday},
      {"СРЕДА", date::Wednesday},    {"thu", date::Thursday},
      {"пятница", date::Friday},     {"сб", date::Saturday},
      {"Воскресенье", date::Sunday}};
  for (const auto& [text, weekday] : kDays) {
    TimetableParse parse = ParseTimetable("day;class;start;subject\n" + text +
                                          ";7А;09:00;Алгебра\n");
    INFO(text);
    REQUIRE(parse.rows.size() == 1);
    CHECK(parse.rows[0].weekday == weekday);
  }
  TimetableParse dated = ParseTimetable(
      "day;class;start;subject\n25.11.2026;7А;09:00;Алгебра\n"
      "2026-11-26;7А;09:00;Алгебра\n");
  REQUIRE(dated.rows.size() == 2);
  CHECK(dated.rows[0].date == D(2026, 11, 25));
  CHECK(dated.rows[1].date == D(2026, 11, 26));
}

TEST_CASE("timetable: each row problem names its line") {
  CHECK(Messages(ParseTimetable("day;class;subject\n")) ==
        "1: header: no \"start\" column (columns: day, class, start, end "
        "(optional), subject, link (optional), note (optional))\n");
  std::string text =
      std::string(kTimetableHeader) +
      "пн;7А;09:00;09:40;Алгебра;;\n"                  // 2: good
      "понед;7А;09:00;09:40;Алгебра;;\n"               // 3
      ";7А;09:00;09:40;Алгебра;;\n"                    // 4
      "пн;;09:00;09:40;Алгебра;;\n"                    // 5
      "пн;7А;;09:40;Алгебра;;\n"                       // 6
      "пн;7А;9ч;09:40;Алгебра;;\n"                     // 7
      "пн;7А;10:00;9.40;Геометрия;;\n"                 // 8
      "пн;7А;10:00;10:00;Геометрия;;\n"                // 9
      "пн;7А;10:00;10:40;;;\n"                         // 10
      "пн;7А;10:00;10:40;Геометрия;zoom 123 456;\n"    // 11
      "пн;7А;09:00;09:45;алгебра;;\n"                  // 12
      "пн;7А;09:00;09:40;Английский язык (гр. 1);;\n"  // 13: good
      "пн;7А;09:00;09:40;Английский язык (гр. 2);;\n"  // 14: good
      "пн;7А;11:00;11:40;Алгебра;;;x\n";               // 15
  TimetableParse parse = ParseTimetable(text);
  CHECK(Messages(parse.problems) ==
        "3: bad day \"понед\": use a date (YYYY-MM-DD or DD.MM.YYYY) or a "
        "week day (mon, пн)\n"
        "4: missing day\n"
        "5: missing class\n"
        "6: missing start time\n"
        "7: bad start time \"9ч\": use HH:MM\n"
        "8: bad end time \"9.40\": use HH:MM\n"
        "9: end time 10:00 is not after start 10:00\n"
        "10: missing subject\n"
        "11: bad link \"zoom 123 456\": expected one http(s)://...\n"
        "12: the same day, class, start and subject as line 2\n"
        "15: more fields than columns in the header\n");
  REQUIRE(parse.rows.size() == 3);
  CHECK(parse.rows[1].line == 13);
  CHECK(parse.rows[2].line == 14);
}

std::vector<std::string> Subjects(const std::vector<TimetableRow>& lessons) {
  std::vector<std::string> out;
  for (const TimetableRow& lesson : lessons) {
    out.push_back(lesson.start.ToString() + " " + lesson.subject);
  }
  return out;
}

TEST_CASE("timetable: a dated list replaces the weekly pattern of its class") {
  TimetableParse parse = ParseTimetable(SampleFile("timetable.csv"));
  REQUIRE(parse.problems.empty());
  const auto& rows = parse.rows;
  // Monday: the weekly rows, sorted by start.
  CHECK(Subjects(LessonsOn(rows, "7А", D(2026, 11, 23))) ==
        std::vector<std::string>{"09:00 Алгебра", "10:00 Русский язык"});
  CHECK(Subjects(LessonsOn(rows, "7А", D(2026, 11, 30))) ==
        std::vector<std::string>{"09:00 Алгебра", "10:00 Русский язык"});
  // Wednesday 25.11: 7А has dated rows, which replace its Wednesday; 7Б
  // keeps its weekly Wednesday; the next Wednesday is weekly again.
  CHECK(Subjects(LessonsOn(rows, "7А", D(2026, 11, 25))) ==
        std::vector<std::string>{"11:00 Литература", "12:00 Алгебра"});
  CHECK(Subjects(LessonsOn(rows, "7Б", D(2026, 11, 25))) ==
        std::vector<std::string>{"09:00 Русский язык"});
  CHECK(Subjects(LessonsOn(rows, "7А", D(2026, 12, 2))) ==
        std::vector<std::string>{"09:00 Литература"});
  // Nothing on Saturday, nothing for an unknown class.
  CHECK(LessonsOn(rows, "7А", D(2026, 11, 28)).empty());
  CHECK(LessonsOn(rows, "7В", D(2026, 11, 23)).empty());

  // Sorted by start whatever the file order; ties keep the file order.
  TimetableParse unsorted = ParseTimetable(
      "day;class;start;subject\n"
      "пт;7А;12:00;Литература\n"
      "пт;7А;08:30;Английский язык (гр. 2)\n"
      "пт;7А;08:30;Английский язык (гр. 1)\n"
      "2026-11-28;7А;10:00;Алгебра\n"
      "пт;7А;09:15;Алгебра\n");
  REQUIRE(unsorted.problems.empty());
  CHECK(Subjects(LessonsOn(unsorted.rows, "7А", D(2026, 11, 27))) ==
        std::vector<std::string>{"08:30 Английский язык (гр. 2)",
                                 "08:30 Английский язык (гр. 1)",
                                 "09:15 Алгебра", "12:00 Литература"});
  // A dated Saturday in a week with no Saturday pattern.
  CHECK(Subjects(LessonsOn(unsorted.rows, "7А", D(2026, 11, 28))) ==
        std::vector<std::string>{"10:00 Алгебра"});
}

// --- Assignment tag ---

const Date kSetDay = D(2026, 11, 25);

AssignmentTag TagOf(std::string_view subject, const Date& set_day = kSetDay) {
  TagParse parse = ParseAssignmentTag(subject, set_day);
  INFO(subject);
  REQUIRE(parse.is_tag);
  for (const TagIssue& issue : parse.problems) {
    INFO(TagProblemName(issue.problem), ": ", issue.detail);
    CHECK(false);
  }
  REQUIRE(parse.tag.has_value());
  return *parse.tag;
}

std::string Problems(std::string_view subject, const Date& set_day = kSetDay) {
  TagParse parse = ParseAssignmentTag(subject, set_day);
  if (!parse.is_tag) return "not a tag";
  CHECK(parse.tag.has_value() == parse.problems.empty());
  std::string out;
  for (const TagIssue& issue : parse.problems) {
    if (!out.empty()) out += "; ";
    out += std::string(TagProblemName(issue.problem)) + " \"" + issue.detail +
           "\"";
  }
  return out;
}

TEST_CASE("tag: the written forms") {
  AssignmentTag basic = TagOf("#задание 7А Алгебра до 30.11: §12 №1-5");
  CHECK(basic == AssignmentTag{"7А", "Алгебра", "§12 №1-5", D(2026, 11, 30),
                               std::nullopt});
  CHECK(TagOf("#assignment 7A Algebra due 30.11: Exercises 1-5") ==
        AssignmentTag{"7A", "Algebra", "Exercises 1-5", D(2026, 11, 30),
                      std::nullopt});
  CHECK(TagOf("#задание 7А Алгебра до 30.11 15:00: §12") ==
        AssignmentTag{"7А", "Алгебра", "§12", D(2026, 11, 30),
                      TimeOfDay{15 * 60}});
  CHECK(TagOf("#задание 7А Алгебра до 30.11.2026: §12").due_day ==
        D(2026, 11, 30));
  CHECK(TagOf("#задание 7А Алгебра до 2026-11-30: §12").due_day ==
        D(2026, 11, 30));
  CHECK(TagOf("#задание 7А Алгебра до 30.11.26: §12").due_day ==
        D(2026, 11, 30));
  CHECK(TagOf("#задание 7А Алгебра до 1.12.: §12").due_day == D(2026, 12, 1));
  // No due part: the day after the day it was set.
  CHECK(TagOf("#задание 7А Алгебра: §12") ==
        AssignmentTag{"7А", "Алгебра", "§12", D(2026, 11, 26), std::nullopt});
  CHECK(TagOf("#задание 7А Алгебра: §12", D(2026, 11, 30)).due_day ==
        D(2026, 12, 1));
  // Several words of subject; the title keeps its own colons.
  CHECK(TagOf("#задание 7Б Русский язык до 27.11: упр. 41: письменно") ==
        AssignmentTag{"7Б", "Русский язык", "упр. 41: письменно",
                      D(2026, 11, 27), std::nullopt});
  CHECK(TagOf("#задание 7Б Русский язык: упр. 41").subject == "Русский язык");
  CHECK(TagOf("#задание 7Б Русский язык к 27.11 в 9.30: упр. 41") ==
        AssignmentTag{"7Б", "Русский язык", "упр. 41", D(2026, 11, 27),
                      TimeOfDay{9 * 60 + 30}});
  CHECK(
      TagOf("#assignment 7B English by 2026-11-27 at 08:00: Unit 5").due_time ==
      TimeOfDay{8 * 60});
  // Case of the tag and the keywords; blanks; the class's letter apart.
  CHECK(TagOf("  #ЗАДАНИЕ   7А  Алгебра   ДО 30.11:   §12   №1  ").title ==
        "§12 №1");
  CHECK(TagOf("#Assignment 7a Algebra DUE 30.11: x").class_name == "7a");
  CHECK(TagOf("#задание 7 А Алгебра до 30.11: §12").class_name == "7А");
  CHECK(TagOf("#задание 10Б Алгебра до 30.11:§12").class_name == "10Б");
  CHECK(TagOf("#задание 7А Алгебра до 30.11:§12").title == "§12");
  CHECK(TagOf("#задание 7А Алгебра до 30.11 15:00:§12").title == "§12");
  // A Latin look-alike is returned as written, for the caller to match.
  CHECK(TagOf("#задание 7A Алгебра: §12").class_name == "7A");
  CHECK(TagOf("#задание 7A Алгебра: §12").class_name != "7А");
}

TEST_CASE("tag: a day and month take the year that is not in the past") {
  const Date set = D(2026, 12, 28);
  CHECK(TagOf("#задание 7А Алгебра до 30.12: x", set).due_day ==
        D(2026, 12, 30));
  CHECK(TagOf("#задание 7А Алгебра до 10.01: x", set).due_day ==
        D(2027, 1, 10));
  CHECK(TagOf("#задание 7А Алгебра до 28.12: x", set).due_day ==
        D(2026, 12, 28));
  CHECK(TagOf("#задание 7А Алгебра: x", D(2026, 12, 31)).due_day ==
        D(2027, 1, 1));
  CHECK(TagOf("#задание 7А Алгебра до 29.02: x", D(2027, 12, 1)).due_day ==
        D(2028, 2, 29));
  CHECK(Problems("#задание 7А Алгебра до 29.02: x", D(2026, 3, 1)) ==
        "bad_date \"29.02\"");
}

TEST_CASE("tag: each problem, with the text it is about") {
  CHECK(Problems("#задание") ==
        "no_class \"\"; no_subject \"\"; no_title \"\"");
  CHECK(Problems("#задание: x") == "no_class \"\"; no_subject \"\"");
  CHECK(Problems("#задание Алгебра до 30.11: x") == "no_class \"Алгебра\"");
  CHECK(Problems("#задание 7А: §12") == "no_subject \"\"");
  CHECK(Problems("#задание 7А до 30.11: §12") == "no_subject \"\"");
  CHECK(Problems("#задание 7А Алгебра до 31.11: x") == "bad_date \"31.11\"");
  CHECK(Problems("#задание 7А Алгебра до пятницы: x") ==
        "bad_date \"пятницы\"");
  CHECK(Problems("#задание 7А Алгебра до: x") == "bad_date \"\"");
  CHECK(Problems("#задание 7А Алгебра до 30.11 вечером: x") ==
        "bad_date \"30.11 вечером\"");
  CHECK(Problems("#задание 7А Алгебра до пятницы 5 урока: x") ==
        "bad_date \"пятницы 5 урока\"");
  CHECK(Problems("#задание 7А Алгебра до 24.11.2026: x") ==
        "due_in_past \"24.11.2026\"");
  CHECK(Problems("#задание 7А Алгебра до 2025-12-01: x") ==
        "due_in_past \"2025-12-01\"");
  CHECK(Problems("#задание 7А Алгебра до 30.11") == "no_title \"\"");
  CHECK(Problems("#задание 7А Алгебра до 30.11 15:00") == "no_title \"\"");
  CHECK(Problems("#задание 7А Алгебра до 30.11:   ") == "no_title \"\"");
  CHECK(Problems("#задание 7А Алгебра") == "no_title \"\"");
  CHECK(Problems("#задание 7А Алгебра до 30.11 §12 №1-5") ==
        "no_title \"§12 №1-5\"");
  CHECK(Problems("#задание 7А Алгебра до 30.11 25:00: x") ==
        "bad_time \"25:00\"");
  CHECK(Problems("#задание 7А Алгебра до 30.11 15: x") == "bad_time \"15\"");
  CHECK(Problems("#задание 7А Алгебра до 30.11 в обед: x") ==
        "bad_time \"обед\"");
  CHECK(Problems("#задание 7А до 31.11 25:00") ==
        "no_subject \"\"; bad_date \"31.11\"; bad_time \"25:00\"; "
        "no_title \"\"");
}

TEST_CASE("tag: ordinary subjects are not tags") {
  for (std::string_view subject :
       {"", "   ", "Привет", "Re: задание", "Re: #задание 7А Алгебра: x",
        "Fwd: #задание 7А Алгебра: x", "задание 7А Алгебра: x", "#",
        "#заданием 7А Алгебра: x", "#задание7А Алгебра: x", "# задание 7А",
        "#assignments 7A Algebra: x", "ДЗ-12 Иванов"}) {
    INFO(subject);
    TagParse parse = ParseAssignmentTag(subject, kSetDay);
    CHECK_FALSE(parse.is_tag);
    CHECK_FALSE(parse.tag.has_value());
    CHECK(parse.problems.empty());
  }
}

TEST_CASE("tag: hostile subjects never crash") {
  // Folded or broken headers: line breaks, tabs, no-break spaces.
  CHECK(TagOf("#задание 7А\r\n Русский\tязык\xC2\xA0до 30.11:\r\n §12") ==
        AssignmentTag{"7А", "Русский язык", "§12", D(2026, 11, 30),
                      std::nullopt});
  // Invalid UTF-8 becomes U+FFFD; the result is valid UTF-8.
  AssignmentTag broken = TagOf("#задание 7А Алг\xFF\xD0ебра: \xC0\xAF§12\xE2");
  CHECK(IsValidUtf8(broken.subject));
  CHECK(IsValidUtf8(broken.title));
  CHECK(broken.subject ==
        "Алг\xEF\xBF\xBD\xEF\xBF\xBD"
        "ебра");
  CHECK(Problems("\xFF#задание 7А Алгебра: x") == "not a tag");
  const char kNul[] = "#задание 7А\0Алгебра: x";
  CHECK(TagOf(std::string_view(kNul, sizeof kNul - 1)).subject == "Алгебра");

  // Very long subjects: a long subject, a long title, a long due part.
  std::string words;
  for (int i = 0; i < 100000; ++i) words += "слово ";
  CHECK(TagOf("#задание 7А " + words + ": x").subject.size() ==
        words.size() - 1);
  CHECK(TagOf("#задание 7А Алгебра: " + words).title.size() ==
        words.size() - 1);
  CHECK(Problems("#задание 7А Алгебра до 30.11 " + std::string(200000, '1') +
                 ": x")
            .starts_with("bad_time \"111"));
  CHECK(Problems("#задание 7А Алгебра до " + std::string(200000, ':')) ==
        "bad_date \"\"");

  // Random bytes and tag-shaped noise: no crash, invariants hold.
  const std::string kPieces[] = {
      "#задание", " ",    "7А",   "Алгебра", "до", "30.11",      ":", "15:00",
      "в",        "\r\n", "\xD0", "\xFF",    ".",  "2026-11-30", "к"};
  Bytes bytes{42};
  for (int round = 0; round < 3000; ++round) {
    std::string subject;
    size_t length = bytes.Next() % 24;
    for (size_t i = 0; i < length; ++i) {
      if (round % 2 == 0) {
        subject += kPieces[bytes.Next() % std::size(kPieces)];
      } else {
        subject.push_back(static_cast<char>(bytes.Next() & 0xFF));
      }
    }
    TagParse parse = ParseAssignmentTag(subject, kSetDay);
    CHECK(parse.tag.has_value() == (parse.is_tag && parse.problems.empty()));
    if (!parse.is_tag) CHECK(parse.problems.empty());
    if (parse.tag) {
      CHECK(IsValidUtf8(parse.tag->title));
      CHECK(parse.tag->due_day >= kSetDay);
      CHECK(parse.tag->due_day.ok());
    }
    for (const TagIssue& issue : parse.problems) {
      CHECK(IsValidUtf8(issue.detail));
    }
  }
}

TEST_CASE("plan and timetable: hostile files never crash") {
  // Every prefix of the samples: cut rows, open quotes, lone bytes.
  for (const char* name : {"plan.csv", "timetable.csv"}) {
    std::string sample = SampleFile(name);
    for (size_t cut = 0; cut <= sample.size(); ++cut) {
      std::string_view prefix(sample.data(), cut);
      PlanParse plan = ParsePlan(prefix);
      TimetableParse timetable = ParseTimetable(prefix);
      for (const PlanRow& row : plan.rows) CHECK(row.due_day >= row.day);
      for (const TimetableRow& row : timetable.rows) {
        CHECK(row.date.has_value() != row.weekday.has_value());
      }
    }
  }
  // Random bytes after a good header.
  Bytes bytes{7};
  for (int round = 0; round < 500; ++round) {
    std::string body;
    size_t length = bytes.Next() % 300;
    for (size_t i = 0; i < length; ++i) {
      const char kAlphabet[] = ";,\"\r\n :.-0123456789htps/\xD0\xD1\x90\xFF";
      body.push_back(kAlphabet[bytes.Next() % (sizeof kAlphabet - 1)]);
    }
    PlanParse plan = ParsePlan(kPlanHeader + body);
    TimetableParse timetable = ParseTimetable(kTimetableHeader + body);
    for (const PlanRow& row : plan.rows) {
      CHECK(row.day.ok());
      CHECK(IsValidUtf8(row.task));
      for (const std::string& link : row.links) CHECK(LooksLikeWebLink(link));
    }
    for (const PlanProblem& p : plan.problems) CHECK(p.line >= 0);
    for (const TimetableRow& row : timetable.rows) {
      CHECK(!row.subject.empty());
    }
  }
  // A long line and many rows stay quick.
  std::string many(kPlanHeader);
  for (int i = 0; i < 5000; ++i) {
    many += "2026-11-30;7А;Алгебра;Тема " + std::to_string(i) + ";" +
            std::string(100, 'x') + ";;;\n";
  }
  CHECK(ParsePlan(many).rows.size() == 5000);
}

}  // namespace
}  // namespace schoolmail
