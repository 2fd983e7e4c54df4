// CSV as spreadsheets write it (RFC 4180 quoting). Pure; never throws.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace schoolmail {

struct CsvRecord {
  int line = 0;  // physical line where the record starts, 1-based
  std::vector<std::string> fields;
};

struct CsvProblem {
  int line = 0;
  std::string message;
};

struct CsvTable {
  char separator = ';';
  std::vector<CsvRecord> records;  // blank lines skipped
  std::vector<CsvProblem> problems;
};

// Parses UTF-8 `text`. The separator is ';' or ',', whichever occurs more
// often outside quotes in the first line (';' on a tie, as Excel writes on
// Russian systems). Fields are not trimmed; CRLF and LF both end a record.
CsvTable ParseCsv(std::string_view text);

}  // namespace schoolmail
