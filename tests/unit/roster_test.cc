#include <doctest/doctest.h>

#include <iconv.h>

#include <string>

#include "config/text.h"
#include "parsers/charset.h"
#include "parsers/csv.h"
#include "parsers/roster.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

const char* kHeader =
    "type;id;last_name;first_name;middle_name;class;emails;subjects;classes;"
    "children;duty_group\n";

std::string SampleRoster() {
  return testing::ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
                           "/scripts/sample-school/roster.csv");
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

std::string Messages(const RosterParse& parse) {
  std::string out;
  for (const RosterProblem& p : parse.problems) {
    out += std::to_string(p.line) + ": " + p.message + "\n";
  }
  return out;
}

TEST_CASE("the sample roster parses completely") {
  RosterParse parse = ParseRoster(SampleRoster(), {});
  INFO(Messages(parse));
  REQUIRE(parse.problems.empty());
  CHECK(parse.roster.classes.size() == 2);
  CHECK(parse.roster.pupils.size() == 4);
  CHECK(parse.roster.parents.size() == 3);
  REQUIRE(parse.roster.teachers.size() == 2);
  const Teacher& petrova = parse.roster.teachers[0];
  CHECK(petrova.subjects == std::vector<std::string>{"Алгебра", "Геометрия"});
  CHECK(petrova.classes == std::vector<std::string>{"7А", "7Б"});
  CHECK(petrova.class_teacher_of == "7А");
  CHECK(parse.roster.pupils[1].addresses ==
        std::vector<std::string>{"alena.smirnova@pupils.test",
                                 "alena2010@pupils.test"});
  CHECK(parse.roster.parents[2].children ==
        std::vector<std::string>{"p-003", "p-004"});
}

TEST_CASE("UTF-8 with BOM, windows-1251 and comma separation read the same") {
  Roster utf8 = ParseRoster(SampleRoster(), {}).roster;
  Roster bom = ParseRoster("\xEF\xBB\xBF" + SampleRoster(), {}).roster;
  Roster cp1251 = ParseRoster(ToWindows1251(SampleRoster()), {}).roster;
  CHECK(bom == utf8);
  CHECK(cp1251 == utf8);
  std::string commas =
      "type,id,last_name,first_name,class,emails,subjects,classes\r\n"
      "class,7А,,,,,,\r\n"
      "pupil,p1,Иванов,Пётр,7А,Petya@Mail.ru,,\r\n"
      "teacher,t1,Петрова,Анна,,petrova@school.test,\"Алгебра, Геометрия\","
      "7А\r\n";
  RosterParse parse = ParseRoster(commas, {});
  INFO(Messages(parse));
  REQUIRE(parse.problems.empty());
  CHECK(parse.roster.pupils[0].addresses[0] == "petya@mail.ru");
  CHECK(parse.roster.teachers[0].subjects.size() == 2);
}

TEST_CASE("every bad row is reported with its line, and nothing is kept") {
  std::string text = std::string(kHeader) +
                     "class;7А;;;;;;;;;\n"
                     "pupil;p1;Иванов;Пётр;;7Г;petya@mail.ru;;;;\n"
                     "pupil;p2;Сидоров;Иван;;7А;not-an-address;;;;\n"
                     "pupil;p3;Козлова;Анна;;7А;petya@mail.ru;;;;\n"
                     "pupil;p4;;Анна;;7А;anna@mail.ru;;;;\n"
                     "pupil;p5;Смирнов;Олег;;7А;oleg@mail.ru;;;;\n"
                     "teacher;p5;Смирнов;Олег;;;oleg2@mail.ru;Физика;7А;;\n"
                     "parent;r1;Иванова;Мария;;;maria@mail.ru;;;p9;\n"
                     "janitor;j1;Петров;Пётр;;;j@mail.ru;;;;\n"
                     "pupil;p6;Орлова;Яна;;7А;yana@mail.ru;;;p1;\n";
  RosterParse parse = ParseRoster(text, {});
  CHECK(Messages(parse) ==
        "3: unknown class \"7Г\": add a class row for it\n"
        "4: malformed address \"not-an-address\"\n"
        "5: address petya@mail.ru already belongs to p1\n"
        "6: missing name (last_name and first_name are required)\n"
        "8: id \"p5\" already used on line 7\n"
        "9: child \"p9\" is not a pupil id\n"
        "10: unknown type \"janitor\": use class, pupil, parent or teacher\n"
        "11: column \"children\" does not apply to a pupil row\n");
}

TEST_CASE("file-level problems: empty file, bad header, open quote") {
  CHECK(Messages(ParseRoster("", {})) ==
        "0: the file is empty: expected a header row\n");
  CHECK(Messages(ParseRoster("type;name\n", {})) ==
        "1: header: unknown column \"name\"; no \"id\" column (columns: type, "
        "id, last_name, first_name, middle_name, class, emails, subjects, "
        "classes, children, duty_group)\n");
  std::string open = std::string(kHeader) + "class;\"7А;;;;;;;;;\n";
  CHECK(Messages(ParseRoster(open, {})).find(
            "2: a quoted field is never closed") == 0);
}

TEST_CASE("rows may refer to the stored roster") {
  Roster stored = ParseRoster(SampleRoster(), {}).roster;
  std::string text = std::string(kHeader) +
                     "pupil;p-100;Новиков;Лев;;7Б;lev@pupils.test;;;;\n"
                     "parent;r-100;Новикова;Ида;;;ida@parents.test;;;"
                     "p-100,p-001;\n";
  RosterParse parse = ParseRoster(text, stored);
  INFO(Messages(parse));
  CHECK(parse.problems.empty());
  std::string taken = std::string(kHeader) +
                      "pupil;p-101;Орлов;Ян;;7Б;ivanov.petya@pupils.test;;;;\n";
  CHECK(Messages(ParseRoster(taken, stored)) ==
        "2: address ivanov.petya@pupils.test already belongs to p-001 "
        "(already stored)\n");
  // The same address may move when its stored owner is in the file too.
  std::string moved = std::string(kHeader) +
                      "pupil;p-001;Иванов;Пётр;;7А;new.petya@pupils.test;;;;\n"
                      "pupil;p-101;Орлов;Ян;;7Б;ivanov.petya@pupils.test;;;;\n";
  CHECK(ParseRoster(moved, stored).problems.empty());
}

TEST_CASE("csv: quotes, doubled quotes, line numbers across quoted newlines") {
  CsvTable t = ParseCsv("a;\"b;c\";\"say \"\"hi\"\"\"\n\n\"multi\nline\";x\nlast;y");
  CHECK(t.separator == ';');
  REQUIRE(t.records.size() == 3);
  CHECK(t.records[0].fields ==
        std::vector<std::string>{"a", "b;c", "say \"hi\""});
  CHECK(t.records[1].line == 3);
  CHECK(t.records[1].fields[0] == "multi\nline");
  CHECK(t.records[2].line == 5);
  CHECK(ParseCsv("a,b;c,d\n").separator == ',');
}

TEST_CASE("charsets: declared, undeclared, invalid bytes") {
  const std::string privet = "Привет";
  CHECK(ToUtf8("\xCF\xF0\xE8\xE2\xE5\xF2", "windows-1251") == privet);
  CHECK(ToUtf8("\xF0\xD2\xC9\xD7\xC5\xD4", "KOI8-R") == privet);
  CHECK(ToUtf8("\x8F\xE0\xA8\xA2\xA5\xE2", "cp866") == privet);
  CHECK(ToUtf8("\xBF\xE0\xD8\xD2\xD5\xE2", "iso-8859-5") == privet);
  CHECK(ToUtf8("\x8F\xF0\xE8\xE2\xE5\xF2", "x-mac-cyrillic") == privet);
  CHECK(ToUtf8("\xCF\xF0\xE8\xE2\xE5\xF2", "unknown-8bit") == privet);
  CHECK(ToUtf8("\xCF\xF0\xE8\xE2\xE5\xF2", "us-ascii") == privet);
  CHECK(ToUtf8(privet, "no-such-charset") == privet);
  CHECK(DecodeUndeclared("\xEF\xBB\xBFok") == "ok");
  CHECK(ToUtf8("a\xFF" "b", "utf-8") == "a\xEF\xBF\xBD" "b");
  CHECK(ToUtf8("\xD0", "utf-8") == "\xEF\xBF\xBD");
  // Regression (fuzzer): a 4-byte form above U+10FFFF is not UTF-8.
  CHECK(ToUtf8("a\xF6\x9D\x90\x8A", "utf-8") ==
        "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(IsValidUtf8(DecodeUndeclared("\xD0\x9F\xD1\x80\xF6\x9D\x90\x8A")));
}

}  // namespace
}  // namespace schoolmail
