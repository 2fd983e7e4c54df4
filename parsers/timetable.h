// The timetable of online lessons, for the morning mail. Pure: bytes in,
// values out.
//
// Read like the lesson plan (parsers/plan.h): UTF-8 with or without BOM or
// windows-1251, ';' or ',' separated, columns named by the first line in any
// order and any case:
//
//   day      date, weekday, день,     required; a date (YYYY-MM-DD or
//            дата, день_недели        DD.MM.YYYY): that day only; or a week
//                                     day (mon, пн, monday, понедельник):
//                                     every such day
//   class    класс                    required; as in the roster
//   start    time, начало, время      required; HH:MM
//   end      конец, окончание         optional; HH:MM, after start
//   subject  предмет, lesson, урок    required
//   link     url, ссылка              optional; one http(s):// link
//   note     примечание, комментарий  optional; free text
//
// An example is scripts/sample-school/timetable.csv.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/calendar.h"
#include "parsers/plan.h"

namespace schoolmail {

struct TimetableRow {
  int line = 0;
  std::optional<Date> date;  // exactly one of date and weekday is set
  std::optional<Weekday> weekday;
  std::string class_name;  // blanks collapsed, otherwise as written
  std::string subject;     // blanks collapsed
  std::string link;        // empty or http(s)://...
  std::string note;        // blanks collapsed; may be empty
  TimeOfDay start;
  std::optional<TimeOfDay> end;
  bool operator==(const TimetableRow&) const = default;
};

struct TimetableParse {
  std::vector<TimetableRow> rows;     // the good rows, in file order
  std::vector<PlanProblem> problems;  // in line order; a bad row is left out
};

// Parses a timetable file as read from disk. Checks the header, each row
// (day, times, end after start, link, non-empty class and subject) and that
// no (day, class, start, subject) repeats; parallel groups at the same time
// are fine. Never throws; one bad row does not stop the others.
TimetableParse ParseTimetable(std::string_view bytes);

// The lessons of `class_name` on `day`: rows dated `day`, and the weekly
// rows for its week day unless some row of that class is dated `day` (a
// dated list replaces the weekly pattern for that day). Holidays are the
// caller's to skip. Sorted by start, file order on ties.
std::vector<TimetableRow> LessonsOn(const std::vector<TimetableRow>& rows,
                                    const std::string& class_name,
                                    const Date& day);

}  // namespace schoolmail
