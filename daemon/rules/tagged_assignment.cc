#include "daemon/rules/tagged_assignment.h"

#include <algorithm>

#include "config/text.h"

namespace schoolmail {
namespace {

// Latin capitals and small letters that look like Cyrillic ones, as UTF-8.
constexpr std::pair<char, const char*> kLookalikes[] = {
    {'A', "А"}, {'B', "В"}, {'C', "С"}, {'E', "Е"}, {'H', "Н"}, {'K', "К"},
    {'M', "М"}, {'O', "О"}, {'P', "Р"}, {'T', "Т"}, {'X', "Х"}, {'a', "а"},
    {'c', "с"}, {'e', "е"}, {'o', "о"}, {'p', "р"}, {'x', "х"}, {'y', "у"}};

std::string ClassKey(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ' ' || c == '\t' || c == '-') continue;
    auto it = std::find_if(std::begin(kLookalikes), std::end(kLookalikes),
                           [c](const auto& pair) { return pair.first == c; });
    if (it != std::end(kLookalikes)) {
      out += it->second;
    } else {
      out += c;
    }
  }
  return LowerUtf8Cyrillic(out);
}

bool SameText(std::string_view a, std::string_view b) {
  return LowerUtf8Cyrillic(Trim(a)) == LowerUtf8Cyrillic(Trim(b));
}

}  // namespace

bool SameClassName(std::string_view a, std::string_view b) {
  return ClassKey(a) == ClassKey(b);
}

TagDecision DecideTaggedAssignment(const TagParse& parse, const Teacher& teacher,
                                   const Roster& roster,
                                   const SchoolSettings& school,
                                   const Date& set_day) {
  TagDecision decision;
  for (const TagIssue& issue : parse.problems) {
    decision.problems.push_back(
        {std::string(TagProblemName(issue.problem)), issue.detail});
  }
  if (!parse.tag) return decision;
  const AssignmentTag& tag = *parse.tag;
  auto klass = std::find_if(roster.classes.begin(), roster.classes.end(),
                            [&](const SchoolClass& c) {
                              return SameClassName(c.name, tag.class_name);
                            });
  if (klass == roster.classes.end()) {
    decision.problems.push_back({"unknown_class", tag.class_name});
    return decision;
  }
  // The subject as the roster spells it: the teacher's own first, then any
  // teacher's (to tell "not yours" from "unknown").
  std::optional<std::string> subject;
  for (const std::string& s : teacher.subjects) {
    if (SameText(s, tag.subject)) subject = s;
  }
  bool teaches_class = std::any_of(
      teacher.classes.begin(), teacher.classes.end(),
      [&](const std::string& c) { return SameClassName(c, klass->name); });
  if (!subject || !teaches_class) {
    bool known = false;
    for (const Teacher& t : roster.teachers) {
      for (const std::string& s : t.subjects) known = known || SameText(s, tag.subject);
    }
    decision.problems.push_back(
        {known ? "not_your_subject" : "unknown_subject",
         tag.subject + " " + klass->name});
    return decision;
  }
  Assignment a;
  a.class_name = klass->name;
  a.subject = *subject;
  a.teacher_id = teacher.id;
  a.title = tag.title;
  a.set_day = set_day;
  a.due_day = tag.due_day;
  a.due_time = tag.due_time.value_or(school.deadline);
  decision.assignment = std::move(a);
  return decision;
}

}  // namespace schoolmail
