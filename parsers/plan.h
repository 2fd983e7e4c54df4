// The term's lesson plan (`schoolmail import plan FILE.csv`): one row per
// lesson with its topic, task and resources. Pure: bytes in, values out.
//
// The file is UTF-8 (with or without BOM) or windows-1251, separated by ';'
// or ','. The first line names the columns, in any order and any case; a
// blank or '-' in a name counts as '_' ("Due date" = "due_date"):
//
//   date      дата                 required; YYYY-MM-DD or DD.MM.YYYY
//   class     класс                required; as in the roster ("7А")
//   subject   предмет              required; as in the roster ("Алгебра")
//   topic     тема                 required; the lesson's topic
//   task      задание, дз          optional; the task text, may be empty
//   links     ссылки, ссылка, link optional; http(s):// links separated by
//                                  blanks or line breaks
//   due_date  срок, сдать_до,      optional; empty: due on `date` itself
//             дата_сдачи
//   due_time  время_сдачи          optional HH:MM; empty: the school's
//                                  deadline from the config
//
// An example is scripts/sample-school/plan.csv.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/calendar.h"

namespace schoolmail {

struct PlanRow {
  int line = 0;  // where the row starts in the file, 1-based
  Date day;
  std::string class_name;  // blanks collapsed, otherwise as written
  std::string subject;     // blanks collapsed, otherwise as written
  std::string topic;       // blanks collapsed
  std::string task;        // trimmed; may span lines (LF), may be empty
  std::vector<std::string> links;
  Date due_day;                       // == day when the file gives none
  std::optional<TimeOfDay> due_time;  // nullopt: the configured deadline
  bool operator==(const PlanRow&) const = default;
};

struct PlanProblem {
  int line = 0;  // line in the file; 0 for problems of the whole file
  std::string message;
  bool operator==(const PlanProblem&) const = default;
};

struct PlanParse {
  std::vector<PlanRow> rows;          // the good rows, in file order
  std::vector<PlanProblem> problems;  // in line order; a bad row is left out
};

// Parses a lesson plan file as read from disk. Checks the header (required
// columns present, no unknown or repeated column), each row (dates, times,
// links, non-empty class/subject/topic, due not before the lesson) and that
// no (date, class, subject, topic) repeats. Never throws; one bad row does
// not stop the others. Whether the classes and subjects exist is for the
// caller to check against the roster.
PlanParse ParsePlan(std::string_view bytes);

// --- Shared with the timetable parser (parsers/timetable.cc). ---

// True for "http://host..." or "https://host..." (scheme in any case) with
// no blanks, control characters, quotes or angle brackets.
bool LooksLikeWebLink(std::string_view text);

// `text` trimmed, with every run of blanks, tabs and line breaks made one
// blank.
std::string CollapseBlanks(std::string_view text);

// A column of a CSV file whose header names columns by English or Russian
// aliases; aliases are written lower-case with '_' for blanks.
struct NamedColumn {
  std::string_view name;  // how problems call it, e.g. "due_date"
  std::vector<std::string_view> aliases;  // including `name` itself
  bool required = false;
};

struct NamedRow {
  int line = 0;
  std::vector<std::string> cells;  // by index into the columns; trimmed
  bool extra_cells = false;  // non-empty cells beyond the header's columns
};

struct NamedSheet {
  bool header_ok = false;      // false: rows is empty, problems says why
  std::vector<NamedRow> rows;  // blank rows skipped
  std::vector<PlanProblem> problems;
};

// Decodes `bytes` (UTF-8 with or without BOM, or windows-1251), splits the
// CSV and maps each row's cells onto `columns` by the header's names.
NamedSheet ReadNamedColumns(std::string_view bytes,
                            std::span<const NamedColumn> columns);

}  // namespace schoolmail
