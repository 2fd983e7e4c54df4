#include "parsers/csv.h"

namespace schoolmail {
namespace {

char DetectSeparator(std::string_view text) {
  int semicolons = 0;
  int commas = 0;
  bool quoted = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n') break;
    if (c == ';') ++semicolons;
    if (c == ',') ++commas;
  }
  return commas > semicolons ? ',' : ';';
}

bool IsBlank(const std::vector<std::string>& fields) {
  for (const std::string& field : fields) {
    if (field.find_first_not_of(" \t") != std::string::npos) return false;
  }
  return true;
}

}  // namespace

CsvTable ParseCsv(std::string_view text) {
  CsvTable table;
  table.separator = DetectSeparator(text);
  int line = 1;
  size_t i = 0;
  while (i < text.size()) {
    CsvRecord record;
    record.line = line;
    std::string field;
    bool field_quoted = false;
    bool record_done = false;
    while (!record_done) {
      if (i >= text.size()) {
        record.fields.push_back(std::move(field));
        break;
      }
      char c = text[i];
      if (c == '"' && field.empty() && !field_quoted) {
        // A quoted field: runs to the closing quote, "" is one quote.
        field_quoted = true;
        int start_line = line;
        ++i;
        bool closed = false;
        while (i < text.size()) {
          if (text[i] == '"') {
            if (i + 1 < text.size() && text[i + 1] == '"') {
              field.push_back('"');
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (text[i] == '\n') ++line;
          field.push_back(text[i]);
          ++i;
        }
        if (!closed) {
          table.problems.push_back(
              {start_line, "a quoted field is never closed (missing \")"});
        }
        continue;
      }
      if (c == table.separator) {
        record.fields.push_back(std::move(field));
        field.clear();
        field_quoted = false;
        ++i;
        continue;
      }
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
        ++i;
        continue;
      }
      if (c == '\n') {
        record.fields.push_back(std::move(field));
        ++line;
        ++i;
        record_done = true;
        continue;
      }
      field.push_back(c);
      ++i;
    }
    if (!IsBlank(record.fields)) table.records.push_back(std::move(record));
  }
  return table;
}

}  // namespace schoolmail
