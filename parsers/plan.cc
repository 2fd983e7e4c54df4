#include "parsers/plan.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "config/text.h"
#include "parsers/charset.h"
#include "parsers/csv.h"

namespace schoolmail {
namespace {

// Header cell -> the form aliases are written in: trimmed, lower-case,
// blanks and '-' as '_'.
std::string HeaderKey(std::string_view raw) {
  std::string key = LowerUtf8Cyrillic(CollapseBlanks(raw));
  for (char& c : key) {
    if (c == ' ' || c == '-') c = '_';
  }
  return key;
}

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
         c == '\v';
}

enum PlanColumn {
  kDate,
  kClass,
  kSubject,
  kTopic,
  kTask,
  kLinks,
  kDueDate,
  kDueTime,
};

const std::vector<NamedColumn>& PlanColumns() {
  static const std::vector<NamedColumn> kColumns = {
      {"date", {"date", "дата"}, true},
      {"class", {"class", "класс"}, true},
      {"subject", {"subject", "предмет"}, true},
      {"topic", {"topic", "тема"}, true},
      {"task", {"task", "задание", "дз"}, false},
      {"links", {"links", "link", "ссылки", "ссылка"}, false},
      {"due_date", {"due_date", "срок", "сдать_до", "дата_сдачи"}, false},
      {"due_time", {"due_time", "время_сдачи"}, false},
  };
  return kColumns;
}

std::string Quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

}  // namespace

bool LooksLikeWebLink(std::string_view text) {
  std::string lower = LowerAscii(text.substr(0, 8));
  size_t scheme = 0;
  if (lower.starts_with("https://")) {
    scheme = 8;
  } else if (lower.starts_with("http://")) {
    scheme = 7;
  } else {
    return false;
  }
  if (scheme >= text.size() || text[scheme] == '/' || text[scheme] == '?' ||
      text[scheme] == '#') {
    return false;  // no host
  }
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '"' || c == '<' || c == '>') {
      return false;
    }
  }
  return IsValidUtf8(text);
}

std::string CollapseBlanks(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_blank = false;
  for (char c : Trim(text)) {
    if (IsBlank(c)) {
      pending_blank = true;
      continue;
    }
    if (pending_blank) out.push_back(' ');
    pending_blank = false;
    out.push_back(c);
  }
  return out;
}

NamedSheet ReadNamedColumns(std::string_view bytes,
                            std::span<const NamedColumn> columns) {
  NamedSheet sheet;
  CsvTable table = ParseCsv(DecodeUndeclared(bytes));
  for (const CsvProblem& p : table.problems) {
    sheet.problems.push_back({p.line, p.message});
  }
  if (table.records.empty()) {
    sheet.problems.push_back({0, "the file is empty: expected a header row"});
    return sheet;
  }

  // Header: which of `columns` each field is, or -1 for an ignored blank.
  const CsvRecord& header = table.records.front();
  std::vector<int> field_column;
  std::vector<int> column_field(columns.size(), -1);
  std::vector<std::string> errors;
  for (size_t f = 0; f < header.fields.size(); ++f) {
    std::string key = HeaderKey(header.fields[f]);
    int found = -1;
    for (size_t c = 0; c < columns.size() && found < 0; ++c) {
      for (std::string_view alias : columns[c].aliases) {
        if (key == alias) found = static_cast<int>(c);
      }
    }
    field_column.push_back(found);
    if (key.empty()) continue;  // a trailing separator
    if (found < 0) {
      errors.push_back("unknown column " + Quoted(key));
    } else if (column_field[found] >= 0) {
      errors.push_back("column " + Quoted(columns[found].name) + " twice");
      field_column.back() = -1;
    } else {
      column_field[found] = static_cast<int>(f);
    }
  }
  for (size_t c = 0; c < columns.size(); ++c) {
    if (columns[c].required && column_field[c] < 0) {
      errors.push_back("no " + Quoted(columns[c].name) + " column");
    }
  }
  if (!errors.empty()) {
    std::vector<std::string> names;
    for (const NamedColumn& c : columns) {
      names.push_back(std::string(c.name) + (c.required ? "" : " (optional)"));
    }
    sheet.problems.push_back(
        {header.line, "header: " + Join(errors, "; ") +
                          " (columns: " + Join(names, ", ") + ")"});
    return sheet;
  }
  sheet.header_ok = true;

  for (size_t r = 1; r < table.records.size(); ++r) {
    const CsvRecord& record = table.records[r];
    NamedRow row{record.line, std::vector<std::string>(columns.size()), false};
    for (size_t f = 0; f < record.fields.size(); ++f) {
      std::string_view value = Trim(record.fields[f]);
      if (f >= field_column.size()) {
        row.extra_cells = row.extra_cells || !value.empty();
      } else if (field_column[f] >= 0) {
        row.cells[field_column[f]] = std::string(value);
      }
    }
    sheet.rows.push_back(std::move(row));
  }
  return sheet;
}

PlanParse ParsePlan(std::string_view bytes) {
  PlanParse result;
  NamedSheet sheet = ReadNamedColumns(bytes, PlanColumns());
  result.problems = std::move(sheet.problems);

  // (day, class, subject, topic), compared without case -> first line.
  using Key = std::tuple<Date, std::string, std::string, std::string>;
  std::map<Key, int> first_line;
  for (const NamedRow& cells : sheet.rows) {
    size_t problems_before = result.problems.size();
    auto problem = [&](std::string message) {
      result.problems.push_back({cells.line, std::move(message)});
    };
    PlanRow row;
    row.line = cells.line;
    if (cells.extra_cells) problem("more fields than columns in the header");

    std::optional<Date> day = ParseDate(cells.cells[kDate]);
    if (cells.cells[kDate].empty()) {
      problem("missing date");
    } else if (!day) {
      problem("bad date " + Quoted(cells.cells[kDate]) +
              ": use YYYY-MM-DD or DD.MM.YYYY");
    }
    row.class_name = CollapseBlanks(cells.cells[kClass]);
    row.subject = CollapseBlanks(cells.cells[kSubject]);
    row.topic = CollapseBlanks(cells.cells[kTopic]);
    if (row.class_name.empty()) problem("missing class");
    if (row.subject.empty()) problem("missing subject");
    if (row.topic.empty()) problem("missing topic");

    row.task.reserve(cells.cells[kTask].size());
    for (char c : cells.cells[kTask]) {
      if (c != '\r') row.task.push_back(c);  // CRLF inside a quoted cell
    }
    for (std::string& link : SplitList(cells.cells[kLinks], " \t\r\n")) {
      if (!LooksLikeWebLink(link)) {
        problem("bad link " + Quoted(link) + ": expected http(s)://...");
      }
      row.links.push_back(std::move(link));
    }

    std::optional<Date> due_day = day;
    if (!cells.cells[kDueDate].empty()) {
      due_day = ParseDate(cells.cells[kDueDate]);
      if (!due_day) {
        problem("bad due date " + Quoted(cells.cells[kDueDate]) +
                ": use YYYY-MM-DD or DD.MM.YYYY");
      } else if (day && *due_day < *day) {
        problem("due date " + FormatDate(*due_day) + " is before the date " +
                FormatDate(*day));
      }
    }
    if (!cells.cells[kDueTime].empty()) {
      row.due_time = ParseTimeOfDay(cells.cells[kDueTime]);
      if (!row.due_time) {
        problem("bad due time " + Quoted(cells.cells[kDueTime]) +
                ": use HH:MM");
      }
    }

    if (result.problems.size() == problems_before) {  // a good row so far
      Key key{*day, LowerUtf8Cyrillic(row.class_name),
              LowerUtf8Cyrillic(row.subject), LowerUtf8Cyrillic(row.topic)};
      auto [it, inserted] = first_line.emplace(key, cells.line);
      if (!inserted) {
        problem("the same date, class, subject and topic as line " +
                std::to_string(it->second));
      }
    }
    if (result.problems.size() != problems_before) continue;
    row.day = *day;
    row.due_day = *due_day;
    result.rows.push_back(std::move(row));
  }
  std::stable_sort(result.problems.begin(), result.problems.end(),
                   [](const PlanProblem& a, const PlanProblem& b) {
                     return a.line < b.line;
                   });
  return result;
}

}  // namespace schoolmail
