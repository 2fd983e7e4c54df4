// The journal export (daemon/journal.h): the CSV layout, and its bytes in
// UTF-8 with BOM and windows-1251.
#include "daemon/journal.h"

#include <doctest/doctest.h>

#include <string>

#include "parsers/charset.h"

namespace schoolmail {
namespace {

Date Day(const char* text) { return *ParseDate(text); }

Pupil P(const char* id, const char* last, const char* first,
        const char* middle = "") {
  return Pupil{
      id, {last, first, middle}, "7А", {std::string(id) + "@x.test"}, ""};
}

Assignment A(const char* code, const char* subject, const char* due) {
  Assignment a;
  a.code = code;
  a.class_name = "7А";
  a.subject = subject;
  a.due_day = Day(due);
  a.set_day = Day(due);
  return a;
}

GradeRow G(const char* pupil, const char* code, const char* subject,
           const char* due, const char* value, std::int64_t at = 100) {
  GradeRow g;
  g.value = value;
  g.graded_at = at;
  g.submission.pupil_id = pupil;
  g.submission.assignment_code = code;
  g.submission.school_subject = subject;
  g.submission.due_day = Day(due);
  return g;
}

JournalInput Sample() {
  JournalInput in;
  // Not in name order; Ё sorts as Е.
  in.pupils = {P("p-003", "Ёлкин", "Иван"),
               P("p-001", "Иванов", "Пётр", "Андреевич"),
               P("p-002", "Смирнова", "Алёна"), P("p-004", "Ежов", "Олег")};
  in.assignments = {A("ДЗ-1", "Алгебра", "2026-11-24"),
                    A("ДЗ-2", "Русский язык", "2026-11-24"),
                    A("ДЗ-3", "Алгебра", "2026-11-25")};
  in.grades = {G("p-001", "ДЗ-1", "Алгебра", "2026-11-24", "5"),
               G("p-002", "ДЗ-1", "Алгебра", "2026-11-24", "4"),
               G("p-002", "ДЗ-3", "Алгебра", "2026-11-25", "3")};
  return in;
}

TEST_CASE(
    "journal: one row per pupil by name, one column per due day and "
    "subject") {
  const std::string csv = JournalCsv(Sample());
  CHECK(csv ==
        "Ученик;ID;24.11.2026 Алгебра;24.11.2026 Русский язык;25.11.2026 "
        "Алгебра\r\n"
        "Ежов Олег;p-004;;;\r\n"
        "Ёлкин Иван;p-003;;;\r\n"
        "Иванов Пётр Андреевич;p-001;5;;\r\n"
        "Смирнова Алёна;p-002;4;;3\r\n");
}

TEST_CASE(
    "journal: English headers and words, pass-fail, shared cells, "
    "the latest grade of work handed in twice") {
  JournalInput in = Sample();
  in.russian = false;
  in.pupils.resize(3);
  in.assignments.push_back(A("ДЗ-4", "Алгебра", "2026-11-24"));
  in.grades = {
      G("p-001", "ДЗ-1", "Алгебра", "2026-11-24", "pass"),
      G("p-001", "ДЗ-4", "Алгебра", "2026-11-24", "fail"),
      // Two graded attempts of ДЗ-3: the grade given last counts.
      G("p-002", "ДЗ-3", "Алгебра", "2026-11-25", "2", 300),
      G("p-002", "ДЗ-3", "Алгебра", "2026-11-25", "4", 200),
      // Work without an assignment, and a pupil of another class: left out.
      GradeRow{},
      G("p-900", "ДЗ-1", "Алгебра", "2026-11-24", "5"),
  };
  const std::string csv = JournalCsv(in);
  CHECK(csv ==
        "Pupil;ID;2026-11-24 Алгебра;2026-11-24 Русский язык;2026-11-25 "
        "Алгебра\r\n"
        "Ёлкин Иван;p-003;;;\r\n"
        "Иванов Пётр Андреевич;p-001;pass fail;;\r\n"
        "Смирнова Алёна;p-002;;;2\r\n");
}

TEST_CASE(
    "journal: a grade without a planned column makes its column; no "
    "assignments, no columns") {
  JournalInput in;
  in.pupils = {P("p-001", "Иванов", "Пётр")};
  CHECK(JournalCsv(in) == "Ученик;ID\r\nИванов Пётр;p-001\r\n");
  in.grades = {G("p-001", "ДЗ-9", "Физика", "2026-11-30", "5")};
  CHECK(JournalCsv(in) ==
        "Ученик;ID;30.11.2026 Физика\r\nИванов Пётр;p-001;5\r\n");
}

TEST_CASE("journal: cells with separators, quotes and formulas are safe") {
  JournalInput in;
  in.pupils = {P("p;1", "=HYPERLINK(\"x\")", "Имя"), P("-1", "+Ли", "Ан")};
  in.assignments = {A("ДЗ-1", "Труд; дом \"Очумелые ручки\"", "2026-11-24")};
  const std::string csv = JournalCsv(in);
  CHECK(csv ==
        "Ученик;ID;\"24.11.2026 Труд; дом \"\"Очумелые ручки\"\"\"\r\n"
        "'+Ли Ан;'-1;\r\n"
        "\"'=HYPERLINK(\"\"x\"\") Имя\";\"p;1\";\r\n");
}

TEST_CASE("journal bytes: UTF-8 with BOM, or windows-1251 as Excel reads it") {
  const std::string csv = JournalCsv(Sample());
  EncodedJournal utf8 = EncodeJournal(csv, JournalEncoding::kUtf8Bom);
  CHECK(utf8.bytes == "\xEF\xBB\xBF" + csv);
  CHECK(utf8.replaced == 0);

  EncodedJournal cp1251 = EncodeJournal(csv, JournalEncoding::kWindows1251);
  CHECK(cp1251.replaced == 0);
  CHECK(cp1251.bytes.substr(0, 6) == "\xD3\xF7\xE5\xED\xE8\xEA");  // Ученик
  CHECK(cp1251.bytes.find("\xA8\xEB\xEA\xE8\xED") !=
        std::string::npos);  // Ёлкин
  CHECK(ToUtf8(cp1251.bytes, "windows-1251") == csv);

  // Characters windows-1251 lacks become '?' and are counted.
  EncodedJournal lossy =
      EncodeJournal("Zoë;Ǆ;日本;ok\r\n", JournalEncoding::kWindows1251);
  CHECK(lossy.bytes == "Zo?;?;??;ok\r\n");
  CHECK(lossy.replaced == 4);
}

}  // namespace
}  // namespace schoolmail
