#include "daemon/roster_commands.h"

#include <fstream>
#include <sstream>

#include "config/text.h"
#include "parsers/roster.h"

namespace schoolmail {

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
