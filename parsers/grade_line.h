// A grade in a teacher's reply to a pupil's work, read from the reply's own
// text above the quoted original. Pure: text in, values out; no I/O, no
// logging; never throws.
//
// The reply's own text ends at the first quoted line ('>'), attribution
// line ("On ... wrote:", "... написал(а):", "... пишет:", Gmail's and
// Yandex's "пн, 30 нояб. 2026 г. в 17:00, Петя <p@x.ru>:"), Outlook
// header block ("From:" / "От:" followed by "Sent:" / "Отправлено:" ...),
// or separator ("-----Original Message-----", "-------- Пересылаемое
// сообщение --------", a line of underscores). A signature, from a "-- "
// line on, and "Sent from my iPhone"-style lines are not part of it.
//
// Grade forms, in any letter case, with ':', '-', '—', '=' or blanks after
// the word:
//   Оценка: 5   Отметка 4   оценка - 5   Grade: 5   Mark: 5   Балл: 5
//   Оценка за ДЗ-1: 5        (a short "за ..." / "for ..." before a colon)
//   Оценка: 5/5   5/5   5 из 5   5 out of 5  (N out of the scale's maximum)
//   Оценка: отлично | хорошо | удовлетворительно | неудовлетворительно
//   зачёт  зачет  зачтено  незачёт  не зачтено  pass  fail
// A form without the word ("5/5", "зачёт") counts only alone on its line;
// only the first kGradeLines non-blank lines of the reply are looked at.
// After the value a line may go on ("Оценка: 5. Молодец!"): that rest
// starts the comment. The comment is the reply's own text without the
// grade line and the signature.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/settings.h"
#include "config/status.h"

namespace schoolmail {

// How many non-blank lines at the top of a reply may hold the grade.
inline constexpr int kGradeLines = 5;

struct GradeReading {
  enum class Kind {
    kNone,     // no grade line: an ordinary reply
    kGrade,    // value and comment are set
    kProblem,  // a grade line that the scale does not allow, or two grades
  };
  Kind kind = Kind::kNone;
  std::string value;    // kGrade: "5" (no leading zeros), "pass" or "fail"
  std::string comment;  // kGrade: trimmed, LF line ends; may be empty
  std::string line;     // kGrade, kProblem: the grade line as written
  std::string problem;  // kProblem: why, in English, for the log and operator
};

// A reply's own text as described above (above the quote, without the
// signature), LF line ends, at most one blank line in a row.
std::string ReplyOwnText(std::string_view reply_text);

// Reads the grade of a reply (ParsedMessage::text: UTF-8, LF) on `scale`.
GradeReading ReadGradeLine(std::string_view reply_text,
                           const GradeScale& scale);

// A grade value as the command line gives it ("5", "5/5", "зачёт", "pass",
// "отлично"): the stored value ("5", "pass", "fail"), or an error saying why
// the scale does not allow it.
Result<std::string> ParseGradeValue(std::string_view text,
                                    const GradeScale& scale);

// A stored value for people: "pass"/"fail" as "зачёт"/"незачёт" when
// `russian`, as "pass"/"fail" otherwise; numbers as they are.
std::string GradeValueText(std::string_view value, bool russian);

// The scale as config writes it: "1-5", "pass-fail".
std::string GradeScaleText(const GradeScale& scale);

}  // namespace schoolmail

namespace schoolmail {

// The lines of a reply's own text as ReadGradeLine reads it (above the
// quote, attribution or separator, before the signature, without device
// signatures), as views into `reply_text` with line ends trimmed.
std::vector<std::string_view> ReplyOwnLines(std::string_view reply_text);

}  // namespace schoolmail
