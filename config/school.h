// The school's people as plain values: the vocabulary that the roster parser
// produces, the store keeps and the rules decide on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/calendar.h"

namespace schoolmail {

struct PersonName {
  std::string last;
  std::string first;
  std::string middle;  // may be empty
  bool operator==(const PersonName&) const = default;
  // "Last First Middle" without a trailing blank.
  std::string Full() const;
  // "First Last" (how a mail greets a pupil); "Last" when no first name.
  std::string FirstLast() const;
  // "First Middle Last" (how a mail names a teacher).
  std::string FirstMiddleLast() const;
};

struct SchoolClass {
  std::string name;  // as the school writes it, e.g. "7А"
  bool operator==(const SchoolClass&) const = default;
};

struct Pupil {
  std::string id;  // the school's stable identifier, e.g. from its diary
  PersonName name;
  std::string class_name;
  std::vector<std::string> addresses;  // normalised, at least one
  std::string duty_group;              // empty: not in a duty group
  bool operator==(const Pupil&) const = default;
};

struct Parent {
  std::string id;
  PersonName name;
  std::vector<std::string> addresses;
  std::vector<std::string> children;  // pupil ids
  bool operator==(const Parent&) const = default;
};

struct Teacher {
  std::string id;
  PersonName name;
  std::vector<std::string> addresses;
  std::vector<std::string> subjects;  // taught in every class of `classes`
  std::vector<std::string> classes;
  std::string class_teacher_of;  // empty: not a class teacher
  bool operator==(const Teacher&) const = default;
};

// A task set for one class in one subject, due at a moment in school time.
struct Assignment {
  std::string code;        // "ДЗ-12": printed in mail subjects, unique
  std::string class_name;
  std::string subject;
  std::string teacher_id;  // who set it; may be empty for plan items
  std::string title;
  Date set_day;
  Date due_day;
  TimeOfDay due_time{18 * 60};
  std::string mail_message_id;  // of the mail that announced it; may be empty
  std::string instructions;        // the task text; may be empty
  std::vector<std::string> links;  // resource links
  bool operator==(const Assignment&) const = default;
};

struct Roster {
  std::vector<SchoolClass> classes;
  std::vector<Pupil> pupils;
  std::vector<Parent> parents;
  std::vector<Teacher> teachers;
  bool operator==(const Roster&) const = default;
};

// The roster's teacher with this (normalised) address or id; nullptr when
// none.
const Teacher* TeacherWithAddress(const Roster& roster,
                                  const std::string& address);
const Teacher* TeacherWithId(const Roster& roster, const std::string& id);

// --- Illness (issue 6: the class teacher's list) ---

// A pupil excused as ill from first_day to last_day, both inclusive.
struct Illness {
  std::int64_t id = 0;
  std::string pupil_id;
  Date first_day;
  Date last_day;
  std::string source;       // "reply", "mail" or "cli"
  std::string recorded_by;  // the teacher's roster id; "" from the command line
  std::int64_t recorded_at = 0;
  bool operator==(const Illness&) const = default;
};
// Whether `illnesses` excuse `pupil_id` on `day`.
bool IllOn(const std::vector<Illness>& illnesses, const std::string& pupil_id,
           const Date& day);

}  // namespace schoolmail
