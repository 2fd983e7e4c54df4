// The tag a teacher writes in the Subject of a mail to set an assignment:
//
//   #задание 7А Алгебра до 30.11: §12 №1-5
//   #задание 7А Русский язык до 30.11 15:00: упр. 41
//   #assignment 7A Algebra due 2026-11-30: Exercises 1-5
//
// The tag word (#задание or #assignment, any case) starts the subject after
// trimming; "Re: #задание ..." is not a tag. Then come the class (one word
// with a digit; "7 А" is read as "7А"), the subject (every word up to the
// due part or the ':'), an optional due part (до, к, due or by; a date
// DD.MM, DD.MM.YYYY, DD.MM.YY or YYYY-MM-DD; optionally a time HH:MM or
// HH.MM, optionally after "в"/"at") and, after ':', the title. Pure: no
// clock, no roster; the caller matches class and subject.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/calendar.h"

namespace schoolmail {

struct AssignmentTag {
  std::string class_name;  // as written: a Latin "7A" is not made "7А"
  std::string subject;  // as written, blanks collapsed: "Русский язык"
  std::string title;    // the text after the first ':', blanks collapsed
  Date due_day;
  std::optional<TimeOfDay> due_time;  // nullopt: the configured deadline
  bool operator==(const AssignmentTag&) const = default;
};

// What can be wrong with a tag; the caller renders each from a template.
enum class TagProblem {
  kNoClass,    // nothing after the tag word, or a first word with no digit
  kNoSubject,  // no words between the class and the due part or ':'
  kBadDate,    // the due date cannot be read, or text follows it before ':'
  kDueInPast,  // the due date is before the day the tag was set
  kNoTitle,    // no ':' or nothing after it
  kBadTime,    // the due time cannot be read
};

// "no_class", "no_subject", "bad_date", "due_in_past", "no_title",
// "bad_time": stable names for logs and template keys.
std::string_view TagProblemName(TagProblem problem);

struct TagIssue {
  TagProblem problem;
  std::string detail;  // the offending text as written; may be empty
  bool operator==(const TagIssue&) const = default;
};

struct TagParse {
  bool is_tag = false;  // false: an ordinary subject, nothing else is set
  std::optional<AssignmentTag> tag;  // set when is_tag and no problems
  std::vector<TagIssue> problems;    // in the order of the subject's text
};

// Reads `subject` (a decoded Subject header; invalid UTF-8, control
// characters and line breaks are tolerated) as set on `set_day`. A DD.MM
// date takes the first year that puts it on or after `set_day`; without a
// due part the assignment is due the day after `set_day`. Never throws.
TagParse ParseAssignmentTag(std::string_view subject, const Date& set_day);

}  // namespace schoolmail
