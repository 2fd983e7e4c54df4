#include "daemon/roster_commands.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "config/text.h"
#include "daemon/assignments.h"
#include "daemon/morning.h"
#include "parsers/plan.h"
#include "parsers/roster.h"
#include "parsers/timetable.h"

namespace schoolmail {
namespace {

// The whole file, or nullopt after telling `err`.
std::optional<std::string> ReadWhole(const std::string& path,
                                     std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << path << ": cannot read the file\n";
    return std::nullopt;
  }
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Prints every problem as FILE:LINE: text (in line order) and the verdict;
// returns the exit status 1.
int Reject(const std::string& path, std::vector<PlanProblem> problems,
           std::ostream& err) {
  std::stable_sort(problems.begin(), problems.end(),
                   [](const PlanProblem& a, const PlanProblem& b) {
                     return a.line < b.line;
                   });
  for (const PlanProblem& p : problems) {
    err << path;
    if (p.line > 0) err << ":" << p.line;
    err << ": " << p.message << "\n";
  }
  err << path << ": rejected, nothing imported (" << problems.size()
      << " problem(s))\n";
  return 1;
}

bool KnownClass(const Roster& roster, const std::string& name) {
  return std::any_of(roster.classes.begin(), roster.classes.end(),
                     [&](const SchoolClass& c) { return c.name == name; });
}

}  // namespace

std::vector<std::string> ClassList(const std::string& text) {
  return SplitList(text, ", ;");
}

int ImportRosterFile(Store& store, const std::string& path, std::ostream& out,
                     std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << path << ": cannot read the file\n";
    return 1;
  }
  std::stringstream bytes;
  bytes << in.rdbuf();
  Result<Roster> stored = store.LoadRoster();
  if (!stored) {
    err << stored.status().message() << "\n";
    return 1;
  }
  RosterParse parse = ParseRoster(bytes.str(), *stored);
  if (!parse.problems.empty()) {
    for (const RosterProblem& p : parse.problems) {
      err << path;
      if (p.line > 0) err << ":" << p.line;
      err << ": " << p.message << "\n";
    }
    err << path << ": rejected, nothing imported (" << parse.problems.size()
        << " problem(s))\n";
    return 1;
  }
  Result<RosterImportSummary> summary = store.ImportRoster(parse.roster);
  if (!summary) {
    err << path << ": " << summary.status().message() << "\n";
    return 1;
  }
  out << path << ": imported " << parse.roster.classes.size() << " classes, "
      << parse.roster.pupils.size() << " pupils, "
      << parse.roster.parents.size() << " parents, "
      << parse.roster.teachers.size() << " teachers (" << summary->people_added
      << " new, " << summary->people_updated << " updated, "
      << summary->people_unchanged << " unchanged; " << summary->classes_added
      << " new classes)\n";
  return 0;
}

int ImportPlanFile(Store& store, const Settings& settings,
                   const std::function<std::string()>& new_token,
                   const std::string& path, std::int64_t now,
                   std::ostream& out, std::ostream& err) {
  auto bytes = ReadWhole(path, err);
  if (!bytes) return 1;
  Result<Roster> roster = store.LoadRoster();
  if (!roster) {
    err << roster.status().message() << "\n";
    return 1;
  }
  PlanParse parse = ParsePlan(*bytes);
  std::vector<PlanProblem> problems = parse.problems;
  for (PlanProblem& p : CheckPlanAgainstRoster(parse.rows, *roster)) {
    problems.push_back(std::move(p));
  }
  if (!problems.empty()) return Reject(path, std::move(problems), err);

  std::vector<PlanItem> items =
      PlanItemsFor(parse.rows, *roster, settings, new_token);
  auto summary = store.ImportPlan(items, now);
  if (!summary) {
    err << path << ": " << summary.status().message()
        << "\n" << path << ": rejected, nothing imported\n";
    return 1;
  }
  out << path << ": imported " << items.size() << " rows ("
      << summary->rows_added << " new, " << summary->rows_updated
      << " updated, " << summary->rows_unchanged << " unchanged); "
      << summary->assignments_added.size() << " new assignment(s)";
  if (!summary->assignments_added.empty()) {
    out << " " << summary->assignments_added.front();
    if (summary->assignments_added.size() > 1) {
      out << ".." << summary->assignments_added.back();
    }
  }
  out << ", " << summary->assignments_updated.size()
      << " updated before their mail\n";
  out << "Each assignment is mailed to its class on its lesson day at "
      << settings.schedule.morning_mail.ToString() << " (school time).\n";
  for (const PlanItem& item : items) {
    if (!item.teacher_id.empty()) continue;
    out << path << ":" << item.line << ": "
        << TeachersOf(*roster, item.class_name, item.subject).size()
        << " teachers teach \"" << item.subject << "\" in "
        << item.class_name
        << ": the assignment names no teacher, and replies to its mail go to "
           "the school's address\n";
  }
  for (const std::string& code : summary->assignments_kept) {
    out << code << ": its row changed after the assignment was mailed; it "
                   "keeps what the pupils were told (set a new assignment "
                   "for the change)\n";
  }
  return 0;
}

int ImportTimetableFile(Store& store, const std::string& path,
                        std::ostream& out, std::ostream& err) {
  auto bytes = ReadWhole(path, err);
  if (!bytes) return 1;
  Result<Roster> roster = store.LoadRoster();
  if (!roster) {
    err << roster.status().message() << "\n";
    return 1;
  }
  TimetableParse parse = ParseTimetable(*bytes);
  std::vector<PlanProblem> problems = parse.problems;
  for (const TimetableRow& row : parse.rows) {
    if (!KnownClass(*roster, row.class_name)) {
      problems.push_back({row.line, "unknown class \"" + row.class_name +
                                        "\": add it to the roster first"});
    }
  }
  if (!problems.empty()) return Reject(path, std::move(problems), err);
  std::vector<TimetableEntry> entries;
  std::set<std::string> classes;
  for (const TimetableRow& row : parse.rows) {
    entries.push_back({row.date, row.weekday, row.class_name, row.subject,
                       row.link, row.note, row.start, row.end});
    classes.insert(row.class_name);
  }
  if (Status s = store.ReplaceTimetable(entries); !s.ok()) {
    err << path << ": " << s.message() << "\n"
        << path << ": rejected, nothing imported\n";
    return 1;
  }
  out << path << ": " << entries.size() << " lessons for " << classes.size()
      << " class(es) stored; the previous timetable is replaced\n";
  return 0;
}

int StartDistanceCommand(Store& store, const std::string& classes,
                         const Date& first, const std::optional<Date>& last,
                         const std::string& order_text, const Date& today,
                         std::int64_t now, std::ostream& out,
                         std::ostream& err) {
  std::vector<std::string> names = ClassList(classes);
  if (names.empty()) {
    err << "--classes: name at least one class, e.g. 7А,7Б\n";
    return 2;
  }
  if (Status s = store.StartDistance(names, first, last, order_text, now);
      !s.ok()) {
    err << s.message() << "\nnothing changed\n";
    return 1;
  }
  // A period running today: let today's morning mail run again for it
  // (pupils mailed already are not mailed twice).
  if (first <= today && (!last || today <= *last)) {
    if (Status s = store.ForgetJob(kMorningJob, today); !s.ok()) {
      err << s.message() << "\n";
      return 1;
    }
  }
  out << Join(names, ", ") << ": distance mode from " << FormatDate(first)
      << (last ? " to " + FormatDate(*last) : std::string(" until stopped"))
      << " (" << order_text << ")\n";
  return 0;
}

int StopDistanceCommand(Store& store, const std::string& classes,
                        const Date& from, std::ostream& out,
                        std::ostream& err) {
  std::vector<std::string> names = ClassList(classes);
  if (names.empty()) {
    err << "--classes: name at least one class, e.g. 7А,7Б\n";
    return 2;
  }
  auto changed = store.StopDistance(names, from);
  if (!changed) {
    err << changed.status().message() << "\nnothing changed\n";
    return 1;
  }
  out << Join(names, ", ") << ": back at school from " << FormatDate(from)
      << " (" << *changed << " period(s) changed)\n";
  return 0;
}

int PrintDistancePeriods(Store& store, const Date& today, std::ostream& out,
                         std::ostream& err) {
  auto periods = store.ListDistancePeriods();
  if (!periods) {
    err << periods.status().message() << "\n";
    return 1;
  }
  for (const DistancePeriod& p : *periods) {
    bool now = p.first_day <= today && (!p.last_day || today <= *p.last_day);
    out << p.class_name << "  " << FormatDate(p.first_day) << " .. "
        << (p.last_day ? FormatDate(*p.last_day) : std::string("(open)"))
        << (now ? "  [today]" : "") << "  " << p.order_text << "\n";
  }
  auto today_classes = store.ClassesInDistance(today);
  if (!today_classes) {
    err << today_classes.status().message() << "\n";
    return 1;
  }
  out << periods->size() << " period(s); in distance mode today ("
      << FormatDate(today) << "): "
      << (today_classes->empty() ? std::string("none")
                                 : Join(*today_classes, ", "))
      << "\n";
  return 0;
}

void PrintRoster(const Roster& roster, std::ostream& out) {
  auto class_teacher = [&](const std::string& class_name) -> std::string {
    for (const Teacher& t : roster.teachers) {
      if (t.class_teacher_of == class_name) return t.name.Full();
    }
    return "none";
  };
  for (const SchoolClass& c : roster.classes) {
    out << "Class " << c.name << " (class teacher: " << class_teacher(c.name)
        << ")\n";
    for (const Pupil& p : roster.pupils) {
      if (p.class_name != c.name) continue;
      out << "  " << p.id << "  " << p.name.Full() << "  <"
          << Join(p.addresses, ">, <") << ">";
      if (!p.duty_group.empty()) out << "  duty group: " << p.duty_group;
      out << "\n";
    }
  }
  out << "Parents\n";
  for (const Parent& p : roster.parents) {
    out << "  " << p.id << "  " << p.name.Full() << "  <"
        << Join(p.addresses, ">, <") << ">  children: "
        << Join(p.children, ", ") << "\n";
  }
  out << "Teachers\n";
  for (const Teacher& t : roster.teachers) {
    out << "  " << t.id << "  " << t.name.Full() << "  <"
        << Join(t.addresses, ">, <") << ">";
    if (!t.subjects.empty()) out << "  " << Join(t.subjects, ", ");
    if (!t.classes.empty()) out << " in " << Join(t.classes, ", ");
    if (!t.class_teacher_of.empty()) {
      out << "  class teacher of " << t.class_teacher_of;
    }
    out << "\n";
  }
  out << roster.classes.size() << " classes, " << roster.pupils.size()
      << " pupils, " << roster.parents.size() << " parents, "
      << roster.teachers.size() << " teachers\n";
}

}  // namespace schoolmail
