#include "config/school.h"

#include <algorithm>

namespace schoolmail {

std::string PersonName::Full() const {
  std::string out = last + " " + first;
  if (!middle.empty()) out += " " + middle;
  return out;
}

std::string PersonName::FirstLast() const {
  return first.empty() ? last : first + " " + last;
}

std::string PersonName::FirstMiddleLast() const {
  std::string out = first;
  if (!middle.empty()) out += (out.empty() ? "" : " ") + middle;
  if (!last.empty()) out += (out.empty() ? "" : " ") + last;
  return out;
}

const Teacher* TeacherWithAddress(const Roster& roster,
                                  const std::string& address) {
  for (const Teacher& t : roster.teachers) {
    if (std::find(t.addresses.begin(), t.addresses.end(), address) !=
        t.addresses.end()) {
      return &t;
    }
  }
  return nullptr;
}

const Teacher* TeacherWithId(const Roster& roster, const std::string& id) {
  if (id.empty()) return nullptr;
  for (const Teacher& t : roster.teachers) {
    if (t.id == id) return &t;
  }
  return nullptr;
}

// --- Illness ---

bool IllOn(const std::vector<Illness>& illnesses, const std::string& pupil_id,
           const Date& day) {
  return std::any_of(illnesses.begin(), illnesses.end(),
                     [&](const Illness& i) {
                       return i.pupil_id == pupil_id && i.first_day <= day &&
                              day <= i.last_day;
                     });
}

}  // namespace schoolmail
