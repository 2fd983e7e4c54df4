// The journal export: one class's grades over a period as CSV, for the
// school's electronic diary or Excel
// (`schoolmail export journal --class 7А --from DATE --to DATE`).
//
// Layout: ';'-separated, CRLF line ends, one header line, then one line per
// pupil of the class (by last name, first name, middle name, id):
//
//   Ученик;ID;24.11.2026 Алгебра;25.11.2026 Русский язык
//   Иванов Пётр Андреевич;p-001;5;
//   Смирнова Алёна;p-002;4;зачёт
//
// One column per (day, subject) that has an assignment of the class due
// that day in the period, or a grade; the day is the assignment's due day;
// columns by day, then subject. A cell holds the pupil's current grade for
// the assignments of that subject due that day (two such assignments share
// the cell, "5 4"); for an assignment handed in more than once, the grade
// given last. Pass/fail grades are written as words (зачёт/незачёт in
// Russian, pass/fail in English); a cell without a grade is empty. Work
// that matched no assignment has neither day nor subject and is not in the
// journal. English headers ("Pupil") when the school's language is en.
// Text cells that a spreadsheet would run as a formula (=, +, -, @) start
// with an apostrophe.
//
// Encodings: UTF-8 with a byte order mark (Excel then reads Cyrillic
// right), or windows-1251 (older Excel and diaries on Russian systems);
// characters windows-1251 lacks become '?' and are counted.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "config/school.h"
#include "config/settings.h"
#include "storage/store.h"

namespace schoolmail {

enum class JournalEncoding { kUtf8Bom, kWindows1251 };

struct JournalInput {
  std::vector<Pupil> pupils;            // of the class
  std::vector<Assignment> assignments;  // of the class, due in the period
  std::vector<GradeRow> grades;         // current grades of its pupils
  bool russian = true;                  // header and pass/fail words
};

// The CSV text (UTF-8, no byte order mark). Pure. Grades of pupils not in
// `pupils`, or of work without an assignment, are left out.
std::string JournalCsv(const JournalInput& input);

struct EncodedJournal {
  std::string bytes;
  int replaced = 0;  // characters written as '?' (windows-1251 only)
};
// `csv` (UTF-8) for the file. Pure (glibc iconv).
EncodedJournal EncodeJournal(std::string_view csv, JournalEncoding encoding);

struct JournalRequest {
  std::string class_name;
  Date from, to;  // due days, inclusive
  JournalEncoding encoding = JournalEncoding::kUtf8Bom;
  std::string output;  // file to write (replaced whole); "" for stdout
};

// Reads the class, its assignments and current grades from the store and
// writes the journal. Returns the exit status (1 with the reason on `err`:
// unknown class, a period that ends before it starts, a file not written).
int ExportJournalCommand(Store& store, const Settings& settings,
                         const JournalRequest& request, std::ostream& out,
                         std::ostream& err);

}  // namespace schoolmail
