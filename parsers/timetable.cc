#include "parsers/timetable.h"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

#include "config/text.h"

namespace schoolmail {
namespace {

enum TimetableColumn { kDay, kClass, kStart, kEnd, kSubject, kLink, kNote };

const std::vector<NamedColumn>& TimetableColumns() {
  static const std::vector<NamedColumn> kColumns = {
      {"day", {"day", "date", "weekday", "день", "дата", "день_недели"}, true},
      {"class", {"class", "класс"}, true},
      {"start", {"start", "time", "начало", "время"}, true},
      {"end", {"end", "конец", "окончание"}, false},
      {"subject", {"subject", "предмет", "lesson", "урок"}, true},
      {"link", {"link", "url", "ссылка"}, false},
      {"note", {"note", "примечание", "комментарий"}, false},
  };
  return kColumns;
}

// "пн", "Mon.", "monday", "Понедельник" -> the week day.
std::optional<Weekday> ParseWeekdayName(std::string_view text) {
  text = Trim(text);
  if (text.ends_with('.')) text.remove_suffix(1);
  if (auto day = ParseWeekday(text)) return day;
  static const std::array<std::string_view, 7> kRussian = {
      "воскресенье", "понедельник", "вторник", "среда",
      "четверг",     "пятница",     "суббота"};
  std::string lowered = LowerUtf8Cyrillic(text);
  for (unsigned i = 0; i < kRussian.size(); ++i) {
    if (lowered == kRussian[i]) return Weekday{i};
  }
  return std::nullopt;
}

std::string Quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

}  // namespace

TimetableParse ParseTimetable(std::string_view bytes) {
  TimetableParse result;
  NamedSheet sheet = ReadNamedColumns(bytes, TimetableColumns());
  result.problems = std::move(sheet.problems);

  // (date, week day, class, start, subject), compared without case -> line.
  using Key = std::tuple<std::optional<Date>, std::optional<unsigned>,
                         std::string, int, std::string>;
  std::map<Key, int> first_line;
  for (const NamedRow& cells : sheet.rows) {
    size_t problems_before = result.problems.size();
    auto problem = [&](std::string message) {
      result.problems.push_back({cells.line, std::move(message)});
    };
    TimetableRow row;
    row.line = cells.line;
    if (cells.extra_cells) problem("more fields than columns in the header");

    const std::string& day = cells.cells[kDay];
    row.date = ParseDate(day);
    if (!row.date) row.weekday = ParseWeekdayName(day);
    if (day.empty()) {
      problem("missing day");
    } else if (!row.date && !row.weekday) {
      problem("bad day " + Quoted(day) +
              ": use a date (YYYY-MM-DD or DD.MM.YYYY) or a week day (mon, "
              "пн)");
    }
    row.class_name = CollapseBlanks(cells.cells[kClass]);
    if (row.class_name.empty()) problem("missing class");

    std::optional<TimeOfDay> start = ParseTimeOfDay(cells.cells[kStart]);
    if (cells.cells[kStart].empty()) {
      problem("missing start time");
    } else if (!start) {
      problem("bad start time " + Quoted(cells.cells[kStart]) + ": use HH:MM");
    }
    if (!cells.cells[kEnd].empty()) {
      row.end = ParseTimeOfDay(cells.cells[kEnd]);
      if (!row.end) {
        problem("bad end time " + Quoted(cells.cells[kEnd]) + ": use HH:MM");
      } else if (start && *row.end <= *start) {
        problem("end time " + row.end->ToString() + " is not after start " +
                start->ToString());
      }
    }
    row.subject = CollapseBlanks(cells.cells[kSubject]);
    if (row.subject.empty()) problem("missing subject");
    row.link = cells.cells[kLink];
    if (!row.link.empty() && !LooksLikeWebLink(row.link)) {
      problem("bad link " + Quoted(row.link) + ": expected one http(s)://...");
    }
    row.note = CollapseBlanks(cells.cells[kNote]);

    if (result.problems.size() == problems_before) {  // a good row so far
      std::optional<unsigned> weekday;
      if (row.weekday) weekday = row.weekday->c_encoding();
      Key key{row.date, weekday, LowerUtf8Cyrillic(row.class_name),
              start->minutes, LowerUtf8Cyrillic(row.subject)};
      auto [it, inserted] = first_line.emplace(key, cells.line);
      if (!inserted) {
        problem("the same day, class, start and subject as line " +
                std::to_string(it->second));
      }
    }
    if (result.problems.size() != problems_before) continue;
    row.start = *start;
    result.rows.push_back(std::move(row));
  }
  std::stable_sort(result.problems.begin(), result.problems.end(),
                   [](const PlanProblem& a, const PlanProblem& b) {
                     return a.line < b.line;
                   });
  return result;
}

std::vector<TimetableRow> LessonsOn(const std::vector<TimetableRow>& rows,
                                    const std::string& class_name,
                                    const Date& day) {
  std::vector<TimetableRow> dated;
  std::vector<TimetableRow> weekly;
  Weekday weekday{date::sys_days(day)};
  for (const TimetableRow& row : rows) {
    if (row.class_name != class_name) continue;
    if (row.date && *row.date == day) dated.push_back(row);
    if (row.weekday && *row.weekday == weekday) weekly.push_back(row);
  }
  std::vector<TimetableRow> lessons = dated.empty() ? weekly : dated;
  std::stable_sort(lessons.begin(), lessons.end(),
                   [](const TimetableRow& a, const TimetableRow& b) {
                     return a.start < b.start;
                   });
  return lessons;
}

}  // namespace schoolmail
