// A teacher's tagged mail to the school mailbox ("#задание 7А Алгебра до
// 30.11: §12 №1-5") checked against the roster. Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/school.h"
#include "config/settings.h"
#include "parsers/assignment_tag.h"

namespace schoolmail {

// True when two class names are the same class: case and blanks ignored,
// and a Latin letter that looks like a Cyrillic one read as Cyrillic
// ("7a" and "7 А" are "7А"). Class names are labels, not identities, so
// this tolerance cannot credit the wrong person.
bool SameClassName(std::string_view a, std::string_view b);

struct TagProblemLine {
  std::string code;    // a code of TagProblemCodes(): "no_class", ...
  std::string detail;  // the offending text
};

struct TagDecision {
  std::optional<Assignment> assignment;  // ready to store (no code yet)
  std::vector<TagProblemLine> problems;  // why not, in subject order
};

// The assignment `parse` describes, set by `teacher` on `set_day`: the
// class and subject as the roster spells them, due at the tag's time or
// the school's deadline. Problems: those of the tag itself, a class or
// subject the roster does not know, and a subject the teacher does not
// teach in that class ("not_your_subject"). REQUIRES: parse.is_tag.
TagDecision DecideTaggedAssignment(const TagParse& parse, const Teacher& teacher,
                                   const Roster& roster,
                                   const SchoolSettings& school,
                                   const Date& set_day);

}  // namespace schoolmail
