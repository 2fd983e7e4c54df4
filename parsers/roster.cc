#include "parsers/roster.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "config/address.h"
#include "config/text.h"
#include "parsers/charset.h"
#include "parsers/csv.h"

namespace schoolmail {
namespace {

enum class RowType { kClass, kPupil, kParent, kTeacher };

std::optional<RowType> ParseRowType(std::string_view text) {
  std::string type = LowerUtf8Cyrillic(Trim(text));
  if (type == "class" || type == "класс") return RowType::kClass;
  if (type == "pupil" || type == "student" || type == "ученик") {
    return RowType::kPupil;
  }
  if (type == "parent" || type == "родитель") return RowType::kParent;
  if (type == "teacher" || type == "учитель") return RowType::kTeacher;
  return std::nullopt;
}

const std::vector<std::string>& KnownColumns() {
  static const std::vector<std::string> kColumns = {
      "type",   "id",       "last_name", "first_name", "middle_name",
      "class",  "emails",   "subjects",  "classes",    "children",
      "duty_group"};
  return kColumns;
}

// The columns each row type may fill, besides type and id.
const std::set<std::string>& AllowedColumns(RowType type) {
  static const std::set<std::string> kClass = {};
  static const std::set<std::string> kPupil = {
      "last_name", "first_name", "middle_name", "class", "emails",
      "duty_group"};
  static const std::set<std::string> kParent = {
      "last_name", "first_name", "middle_name", "emails", "children"};
  static const std::set<std::string> kTeacher = {
      "last_name", "first_name", "middle_name", "class",
      "emails",    "subjects",   "classes"};
  switch (type) {
    case RowType::kClass: return kClass;
    case RowType::kPupil: return kPupil;
    case RowType::kParent: return kParent;
    case RowType::kTeacher: return kTeacher;
  }
  return kClass;
}

struct Row {
  int line;
  std::map<std::string, std::string> cells;  // column -> trimmed value
  std::string Get(const std::string& column) const {
    auto it = cells.find(column);
    return it == cells.end() ? std::string() : it->second;
  }
};

}  // namespace

RosterParse ParseRoster(std::string_view bytes, const Roster& stored) {
  RosterParse result;
  std::string text = DecodeUndeclared(bytes);
  CsvTable table = ParseCsv(text);
  for (const CsvProblem& p : table.problems) {
    result.problems.push_back({p.line, p.message});
  }
  if (table.records.empty()) {
    result.problems.push_back({0, "the file is empty: expected a header row"});
    return result;
  }

  // Header: column names, any order, any case.
  const CsvRecord& header = table.records.front();
  std::vector<std::string> columns;
  std::vector<std::string> header_errors;
  for (const std::string& raw : header.fields) {
    std::string name = LowerAscii(Trim(raw));
    bool known = false;
    for (const std::string& k : KnownColumns()) known = known || k == name;
    if (!known) header_errors.push_back("unknown column \"" + name + "\"");
    for (const std::string& c : columns) {
      if (c == name) header_errors.push_back("column \"" + name + "\" twice");
    }
    columns.push_back(name);
  }
  for (const char* needed : {"type", "id"}) {
    bool found = false;
    for (const std::string& c : columns) found = found || c == needed;
    if (!found) {
      header_errors.push_back(std::string("no \"") + needed + "\" column");
    }
  }
  if (!header_errors.empty()) {
    result.problems.push_back(
        {header.line, "header: " + Join(header_errors, "; ") +
                          " (columns: " + Join(KnownColumns(), ", ") + ")"});
    return result;
  }

  std::vector<Row> rows;
  for (size_t r = 1; r < table.records.size(); ++r) {
    const CsvRecord& record = table.records[r];
    Row row{record.line, {}};
    for (size_t c = 0; c < record.fields.size(); ++c) {
      std::string value(Trim(record.fields[c]));
      if (c >= columns.size()) {
        if (!value.empty()) row.cells["#extra"] = value;
        continue;
      }
      row.cells[columns[c]] = value;
    }
    rows.push_back(std::move(row));
  }

  // Classes first, so that rows may name a class defined further down.
  std::set<std::string> classes;
  for (const SchoolClass& c : stored.classes) classes.insert(c.name);
  std::set<std::string> file_classes;
  for (const Row& row : rows) {
    if (ParseRowType(row.Get("type")) == RowType::kClass &&
        !row.Get("id").empty()) {
      classes.insert(row.Get("id"));
    }
  }
  std::set<std::string> pupils;
  for (const Pupil& p : stored.pupils) pupils.insert(p.id);
  for (const Row& row : rows) {
    if (ParseRowType(row.Get("type")) == RowType::kPupil) {
      pupils.insert(row.Get("id"));
    }
  }

  // Addresses of stored people the file does not mention stay theirs.
  std::set<std::string> file_ids;
  for (const Row& row : rows) file_ids.insert(row.Get("id"));
  std::map<std::string, std::string> address_owner;  // address -> who
  auto remember_stored = [&](const std::string& id,
                             const std::vector<std::string>& addresses) {
    if (file_ids.count(id) != 0) return;
    for (const std::string& a : addresses) {
      address_owner[a] = id + " (already stored)";
    }
  };
  for (const Pupil& p : stored.pupils) remember_stored(p.id, p.addresses);
  for (const Parent& p : stored.parents) remember_stored(p.id, p.addresses);
  for (const Teacher& t : stored.teachers) remember_stored(t.id, t.addresses);

  std::map<std::string, int> id_lines;
  for (const Row& row : rows) {
    std::vector<std::string> errors;
    std::string id = row.Get("id");
    auto type = ParseRowType(row.Get("type"));
    if (!type) {
      errors.push_back("unknown type \"" + row.Get("type") +
                       "\": use class, pupil, parent or teacher");
      result.problems.push_back({row.line, Join(errors, "; ")});
      continue;
    }
    if (row.cells.count("#extra") != 0) {
      errors.push_back("more fields than columns in the header");
    }
    if (id.empty()) errors.push_back("missing id");
    for (const auto& [column, value] : row.cells) {
      if (column == "type" || column == "id" || column == "#extra" ||
          value.empty()) {
        continue;
      }
      if (AllowedColumns(*type).count(column) == 0) {
        errors.push_back("column \"" + column + "\" does not apply to a " +
                         row.Get("type") + " row");
      }
    }
    if (*type == RowType::kClass) {
      if (!id.empty() && !file_classes.insert(id).second) {
        errors.push_back("class \"" + id + "\" listed twice");
      }
      if (errors.empty()) result.roster.classes.push_back(SchoolClass{id});
      if (!errors.empty()) {
        result.problems.push_back({row.line, Join(errors, "; ")});
      }
      continue;
    }

    if (!id.empty()) {
      auto [it, inserted] = id_lines.emplace(id, row.line);
      if (!inserted) {
        errors.push_back("id \"" + id + "\" already used on line " +
                         std::to_string(it->second));
      }
    }
    PersonName name{row.Get("last_name"), row.Get("first_name"),
                    row.Get("middle_name")};
    if (name.last.empty() || name.first.empty()) {
      errors.push_back("missing name (last_name and first_name are required)");
    }
    std::vector<std::string> addresses;
    for (const std::string& raw : SplitList(row.Get("emails"), " ,;")) {
      auto address = NormalizeAddress(raw);
      if (!address) {
        errors.push_back("malformed address \"" + raw + "\"");
        continue;
      }
      auto [it, inserted] = address_owner.emplace(*address, id);
      if (!inserted && it->second != id) {
        errors.push_back("address " + *address + " already belongs to " +
                         it->second);
        continue;
      }
      addresses.push_back(*address);
    }
    if (row.Get("emails").empty()) errors.push_back("missing address");
    auto check_class = [&](const std::string& class_name) {
      if (classes.count(class_name) == 0) {
        errors.push_back("unknown class \"" + class_name +
                         "\": add a class row for it");
        return false;
      }
      return true;
    };

    if (*type == RowType::kPupil) {
      Pupil pupil{id, name, row.Get("class"), addresses,
                  row.Get("duty_group")};
      if (pupil.class_name.empty()) {
        errors.push_back("missing class");
      } else {
        check_class(pupil.class_name);
      }
      if (errors.empty()) result.roster.pupils.push_back(std::move(pupil));
    } else if (*type == RowType::kParent) {
      Parent parent{id, name, addresses, SplitList(row.Get("children"), " ,;")};
      if (parent.children.empty()) errors.push_back("no children listed");
      for (const std::string& child : parent.children) {
        if (pupils.count(child) == 0) {
          errors.push_back("child \"" + child + "\" is not a pupil id");
        }
      }
      if (errors.empty()) result.roster.parents.push_back(std::move(parent));
    } else {
      Teacher teacher{id,
                      name,
                      addresses,
                      SplitList(row.Get("subjects"), ",;"),
                      SplitList(row.Get("classes"), " ,;"),
                      row.Get("class")};
      for (const std::string& c : teacher.classes) check_class(c);
      if (!teacher.class_teacher_of.empty()) {
        check_class(teacher.class_teacher_of);
      }
      if (!teacher.classes.empty() && teacher.subjects.empty()) {
        errors.push_back("classes given but no subjects");
      }
      if (errors.empty()) result.roster.teachers.push_back(std::move(teacher));
    }
    if (!errors.empty()) {
      result.problems.push_back({row.line, Join(errors, "; ")});
    }
  }

  // One class teacher per class.
  std::map<std::string, std::string> leads;
  for (const Teacher& t : result.roster.teachers) {
    if (t.class_teacher_of.empty()) continue;
    auto [it, inserted] = leads.emplace(t.class_teacher_of, t.id);
    if (!inserted) {
      result.problems.push_back(
          {id_lines[t.id], "class " + t.class_teacher_of +
                               " already has class teacher " + it->second});
    }
  }
  std::stable_sort(result.problems.begin(), result.problems.end(),
                   [](const RosterProblem& a, const RosterProblem& b) {
                     return a.line < b.line;
                   });
  return result;
}

}  // namespace schoolmail
