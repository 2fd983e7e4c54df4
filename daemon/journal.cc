#include "daemon/journal.h"

#include <errno.h>
#include <iconv.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>

#include "config/text.h"
#include "parsers/grade_line.h"

namespace schoolmail {
namespace {

// A cell: quoted when it holds the separator, a quote, a line break or
// blanks at its ends; a text that a spreadsheet would run as a formula
// starts with an apostrophe.
std::string Cell(std::string_view value, bool text) {
  std::string cell(value);
  if (text && !cell.empty() &&
      (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@')) {
    cell.insert(cell.begin(), '\'');
  }
  const bool quote =
      cell.find_first_of(";\"\r\n") != std::string::npos ||
      (!cell.empty() && (cell.front() == ' ' || cell.back() == ' '));
  if (!quote) return cell;
  std::string out = "\"";
  for (char c : cell) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string DayText(const Date& day, bool russian) {
  const std::string iso = FormatDate(day);
  if (!russian) return iso;
  return iso.substr(8, 2) + "." + iso.substr(5, 2) + "." + iso.substr(0, 4);
}

// Sorting by name: case and ё/е do not decide, the id breaks ties.
std::string NameKey(const PersonName& name) {
  std::string key =
      LowerUtf8Cyrillic(name.last + "\x01" + name.first + "\x01" + name.middle);
  for (std::size_t i = 0; i + 1 < key.size(); ++i) {
    if (key[i] == '\xD1' && key[i + 1] == '\x91') {  // ё -> е
      key[i] = '\xD0';
      key[i + 1] = '\xB5';
    }
  }
  return key;
}

using Column = std::pair<Date, std::string>;  // due day, subject

}  // namespace

std::string JournalCsv(const JournalInput& input) {
  std::vector<const Pupil*> pupils;
  for (const Pupil& p : input.pupils) pupils.push_back(&p);
  std::sort(pupils.begin(), pupils.end(), [](const Pupil* a, const Pupil* b) {
    return std::make_pair(NameKey(a->name), a->id) <
           std::make_pair(NameKey(b->name), b->id);
  });

  std::vector<Column> columns;
  for (const Assignment& a : input.assignments) {
    columns.emplace_back(a.due_day, a.subject);
  }
  // Per pupil and assignment the grade given last; then per cell, in the
  // order the grades come (due day, then time handed in).
  struct Latest {
    std::int64_t graded_at = 0;
    std::string value;
    std::size_t order = 0;
    Column column;
  };
  std::map<std::pair<std::string, std::string>, Latest> latest;
  for (std::size_t i = 0; i < input.grades.size(); ++i) {
    const GradeRow& g = input.grades[i];
    const GradeTarget& work = g.submission;
    if (!work.due_day || work.assignment_code.empty()) continue;
    if (std::none_of(pupils.begin(), pupils.end(),
                     [&](const Pupil* p) { return p->id == work.pupil_id; })) {
      continue;
    }
    auto key = std::make_pair(work.pupil_id, work.assignment_code);
    auto found = latest.find(key);
    if (found == latest.end()) {
      latest[key] = Latest{g.graded_at, g.value, i,
                           Column{*work.due_day, work.school_subject}};
      columns.emplace_back(*work.due_day, work.school_subject);
    } else if (g.graded_at >= found->second.graded_at) {
      found->second.graded_at = g.graded_at;
      found->second.value = g.value;
    }
  }
  std::sort(columns.begin(), columns.end());
  columns.erase(std::unique(columns.begin(), columns.end()), columns.end());

  std::map<std::pair<std::string, Column>, std::vector<const Latest*>> cells;
  for (const auto& [key, grade] : latest) {
    cells[{key.first, grade.column}].push_back(&grade);
  }

  const std::string crlf = "\r\n";
  std::string csv = input.russian ? "Ученик;ID" : "Pupil;ID";
  for (const Column& c : columns) {
    csv += ";" + Cell(DayText(c.first, input.russian) + " " + c.second, true);
  }
  csv += crlf;
  for (const Pupil* p : pupils) {
    csv += Cell(p->name.Full(), true) + ";" + Cell(p->id, true);
    for (const Column& c : columns) {
      csv += ";";
      auto found = cells.find({p->id, c});
      if (found == cells.end()) continue;
      std::vector<const Latest*> grades = found->second;
      std::sort(
          grades.begin(), grades.end(),
          [](const Latest* a, const Latest* b) { return a->order < b->order; });
      std::string value;
      for (const Latest* g : grades) {
        if (!value.empty()) value += " ";
        value += GradeValueText(g->value, input.russian);
      }
      csv += Cell(value, true);
    }
    csv += crlf;
  }
  return csv;
}

EncodedJournal EncodeJournal(std::string_view csv, JournalEncoding encoding) {
  EncodedJournal out;
  if (encoding == JournalEncoding::kUtf8Bom) {
    out.bytes = "\xEF\xBB\xBF" + ToValidUtf8(csv);
    return out;
  }
  iconv_t cd = iconv_open("WINDOWS-1251", "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    // glibc always has it; without it, every non-ASCII byte is unknown.
    for (char c : csv) {
      bool ascii = static_cast<unsigned char>(c) < 0x80;
      if (ascii) out.bytes += c;
      if (!ascii && (static_cast<unsigned char>(c) & 0xC0) != 0x80) {
        out.bytes += '?';
        ++out.replaced;
      }
    }
    return out;
  }
  const std::string valid = ToValidUtf8(csv);
  char* in = const_cast<char*>(valid.data());
  std::size_t in_left = valid.size();
  std::string buffer(valid.size() + 16, '\0');
  while (in_left > 0) {
    char* to = buffer.data();
    std::size_t to_left = buffer.size();
    std::size_t done = iconv(cd, &in, &in_left, &to, &to_left);
    out.bytes.append(buffer.data(), buffer.size() - to_left);
    if (done != static_cast<std::size_t>(-1)) break;
    if (errno == E2BIG) continue;
    // EILSEQ (no such character) or EINVAL (cut short): one '?' for the
    // character, then on with the next one.
    out.bytes += '?';
    ++out.replaced;
    std::size_t skip = 1;
    while (skip < in_left &&
           (static_cast<unsigned char>(in[skip]) & 0xC0) == 0x80) {
      ++skip;
    }
    in += skip;
    in_left -= skip;
  }
  iconv_close(cd);
  return out;
}

int ExportJournalCommand(Store& store, const Settings& settings,
                         const JournalRequest& request, std::ostream& out,
                         std::ostream& err) {
  if (request.to < request.from) {
    err << "--to " << FormatDate(request.to) << " is before --from "
        << FormatDate(request.from) << "\n";
    return 1;
  }
  auto roster = store.LoadRoster();
  if (!roster.ok()) {
    err << roster.status().message() << "\n";
    return 1;
  }
  if (std::none_of(
          roster->classes.begin(), roster->classes.end(),
          [&](const SchoolClass& c) { return c.name == request.class_name; })) {
    err << "unknown class \"" << request.class_name << "\"\n";
    return 1;
  }
  auto assignments = store.LoadAssignments();
  if (!assignments.ok()) {
    err << assignments.status().message() << "\n";
    return 1;
  }
  GradeFilter filter;
  filter.class_name = request.class_name;
  filter.due_from = request.from;
  filter.due_to = request.to;
  auto grades = store.ListGrades(filter);
  if (!grades.ok()) {
    err << grades.status().message() << "\n";
    return 1;
  }
  JournalInput input;
  input.russian = settings.school.language == "ru";
  for (const Pupil& p : roster->pupils) {
    if (p.class_name == request.class_name) input.pupils.push_back(p);
  }
  for (const Assignment& a : *assignments) {
    if (a.class_name == request.class_name && request.from <= a.due_day &&
        a.due_day <= request.to) {
      input.assignments.push_back(a);
    }
  }
  input.grades = std::move(*grades);
  EncodedJournal encoded = EncodeJournal(JournalCsv(input), request.encoding);
  if (encoded.replaced > 0) {
    err << encoded.replaced
        << " character(s) have no windows-1251 form and were written as '?'\n";
  }
  if (request.output.empty()) {
    out << encoded.bytes;
    out.flush();
    return out ? 0 : 1;
  }
  // Written beside the target and renamed over it: a reader never sees half
  // a file.
  const std::string temporary = request.output + ".tmp";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    file << encoded.bytes;
    file.flush();
    if (!file) {
      err << "cannot write " << temporary << ": " << std::strerror(errno)
          << "\n";
      std::remove(temporary.c_str());
      return 1;
    }
  }
  if (std::rename(temporary.c_str(), request.output.c_str()) != 0) {
    err << "cannot write " << request.output << ": " << std::strerror(errno)
        << "\n";
    std::remove(temporary.c_str());
    return 1;
  }
  out << request.output << ": " << input.pupils.size() << " pupil(s), "
      << input.grades.size() << " grade(s), " << FormatDate(request.from)
      << ".." << FormatDate(request.to) << "\n";
  return 0;
}

}  // namespace schoolmail
