#include "daemon/illness_commands.h"

#include <algorithm>

#include "config/text.h"
#include "daemon/rules/school_time.h"
#include "parsers/illness_line.h"

namespace schoolmail {
namespace {

// `text` as a date, or `fallback` when empty; nullopt (and a message on
// `err` naming `option`) when it is not a date.
std::optional<Date> DateOption(const std::string& option,
                               const std::string& text, const Date& fallback,
                               std::ostream& err) {
  if (Trim(text).empty()) return fallback;
  auto day = ParseDate(Trim(text));
  if (!day) {
    err << option << ": \"" << text
        << "\" is not a date; write YYYY-MM-DD or DD.MM.YYYY\n";
  }
  return day;
}

// The pupil named by roster id or by name, in `class_name` when set.
const Pupil* FindPupil(const Roster& roster, const std::string& class_name,
                       const std::string& name, std::ostream& err) {
  for (const Pupil& p : roster.pupils) {
    if (p.id != name) continue;
    if (!class_name.empty() && p.class_name != class_name) {
      err << "pupil " << p.id << " (" << p.name.Full() << ") is in "
          << p.class_name << ", not in " << class_name << "\n";
      return nullptr;
    }
    return &p;
  }
  auto named = PupilsNamed(roster.pupils, class_name, name);
  if (named.size() == 1) return named.front();
  const std::string where =
      class_name.empty() ? std::string("the roster") : "class " + class_name;
  if (named.empty()) {
    err << "unknown pupil \"" << name << "\": no pupil of " << where
        << " has this roster id or name (write \"Фамилия Имя\")\n";
  } else {
    err << "ambiguous pupil \"" << name << "\": " << named.size()
        << " pupils of " << where << " have this name:";
    for (const Pupil* p : named)
      err << " " << p->id << " (" << p->class_name << ")";
    err << "; give the roster id\n";
  }
  return nullptr;
}

}  // namespace

int IllCommand(Store& store, const Settings& settings,
               const IllRequest& request, std::int64_t now, std::ostream& out,
               std::ostream& err) {
  auto today = LocalDay(now, settings.school.time_zone);
  if (!today) {
    err << today.status().message() << "\n";
    return 1;
  }
  auto first = DateOption("--from", request.from, *today, err);
  if (!first) return 2;
  auto last = DateOption("--to", request.to, *first, err);
  if (!last) return 2;
  if (*last < *first) {
    err << "--to " << FormatDate(*last) << " is before --from "
        << FormatDate(*first) << "\n";
    return 2;
  }
  auto roster = store.LoadRoster();
  if (!roster) {
    err << roster.status().message() << "\n";
    return 1;
  }
  if (!request.class_name.empty() &&
      std::none_of(
          roster->classes.begin(), roster->classes.end(),
          [&](const SchoolClass& c) { return c.name == request.class_name; })) {
    err << "unknown class \"" << request.class_name << "\"\n";
    return 1;
  }
  const Pupil* pupil =
      FindPupil(*roster, request.class_name, request.pupil, err);
  if (pupil == nullptr) return 1;
  Illness illness;
  illness.pupil_id = pupil->id;
  illness.first_day = *first;
  illness.last_day = *last;
  illness.source = "cli";
  illness.recorded_at = now;
  auto id = store.RecordIllness(illness);
  if (!id) {
    err << id.status().message() << "\n";
    return 1;
  }
  out << "illness " << *id << ": " << pupil->name.Full() << " (" << pupil->id
      << ", " << pupil->class_name << ") ill from " << FormatDate(*first)
      << " to " << FormatDate(*last) << "\n";
  return 0;
}

int PrintIllnesses(Store& store, const Settings& settings,
                   const std::string& class_name, const std::string& from,
                   const std::string& to, std::int64_t now, std::ostream& out,
                   std::ostream& err) {
  const std::string& zone = settings.school.time_zone;
  auto today = LocalDay(now, zone);
  if (!today) {
    err << today.status().message() << "\n";
    return 1;
  }
  auto first = DateOption("--from", from, *today, err);
  if (!first) return 2;
  auto last = DateOption("--to", to, from.empty() ? *today : *first, err);
  if (!last) return 2;
  auto roster = store.LoadRoster();
  if (!roster) {
    err << roster.status().message() << "\n";
    return 1;
  }
  auto rows = store.ListIllnesses(*first, *last);
  if (!rows) {
    err << rows.status().message() << "\n";
    return 1;
  }
  int shown = 0;
  for (const Illness& i : *rows) {
    const Pupil* pupil = nullptr;
    for (const Pupil& p : roster->pupils) {
      if (p.id == i.pupil_id) pupil = &p;
    }
    if (!class_name.empty() && (!pupil || pupil->class_name != class_name)) {
      continue;
    }
    ++shown;
    out << i.id << "  " << i.pupil_id << " "
        << (pupil ? pupil->name.last + " " + pupil->name.first + " (" +
                        pupil->class_name + ")"
                  : std::string("?"))
        << "  ill " << FormatDate(i.first_day) << ".." << FormatDate(i.last_day)
        << "  " << i.source << " by "
        << (i.recorded_by.empty() ? std::string("the command line")
                                  : i.recorded_by)
        << " at " << FormatLocal(i.recorded_at, zone).value_or("?") << "\n";
  }
  out << shown << " illness record(s) from " << FormatDate(*first) << " to "
      << FormatDate(*last) << "\n";
  return 0;
}

}  // namespace schoolmail
