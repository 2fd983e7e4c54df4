// Illness lines in a class teacher's mail: "Болеет: Иванов Пётр до 05.12".
// Pure: text and today's date in, values out; no I/O, never throws.
//
// Forms, in any letter case (ё read as е), one per line, any number of
// lines, read only from the mail's own text above the quote
// (ReplyOwnLines):
//   Болеет: Иванов Пётр до 05.12     Болеет Иванов Петр до 05.12.2026
//   Болеет: Смирнова Алёна           (today only)
//   Ill: Ivanov Petr until 05.12     (English needs the colon)
// "до"/"until" and the date end the line; the name is what stands between
// the word and them. dd.mm is the next such day on or after `today`;
// dd.mm.yyyy and yyyy-mm-dd are taken as written and must not be before
// `today`. At most kMaxIllnessLines lines are read.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/calendar.h"
#include "config/school.h"

namespace schoolmail {

inline constexpr int kMaxIllnessLines = 40;

struct IllnessLine {
  int line = 0;                  // 1-based line number in the text
  std::string written;           // the line as written, trimmed
  std::string name;              // the pupil's name as written; "" with no_name
  std::optional<Date> last_day;  // nullopt: today only
  // "" when the line is good; else one of "bad_date" (not a calendar day,
  // or "до" without a date), "past_date" (before today), "no_name",
  // "too_many" (more than kMaxIllnessLines lines: this and later ones are
  // not read).
  std::string problem;
  std::string detail;  // the date as written for bad_date / past_date
};

// Every illness line of `text` (UTF-8, LF line ends), in order.
std::vector<IllnessLine> ReadIllnessLines(std::string_view text,
                                          const Date& today);

// A name for matching: lower case, ё as е, blanks collapsed to one space,
// trimmed.
std::string FoldedName(std::string_view name);

// The pupils of `class_name` ("" any class) whose name is `name`
// ("Фамилия Имя", "Имя Фамилия" or "Фамилия Имя Отчество"), compared
// folded; empty when none, more than one when ambiguous.
std::vector<const Pupil*> PupilsNamed(const std::vector<Pupil>& pupils,
                                      const std::string& class_name,
                                      std::string_view name);

}  // namespace schoolmail
