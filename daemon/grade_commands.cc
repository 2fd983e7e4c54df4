#include "daemon/grade_commands.h"

#include "config/text.h"
#include "daemon/grades.h"
#include "daemon/rules/school_time.h"
#include "parsers/grade_line.h"
#include "templates/mails.h"

namespace schoolmail {
namespace {

// The submission named by its number or its Message-ID.
Result<std::optional<GradeTarget>> FindNamed(Store& store,
                                             const std::string& name) {
  std::string text(Trim(name));
  if (!text.empty() &&
      text.find_first_not_of("0123456789") == std::string::npos &&
      text.size() < 18) {
    return store.FindSubmission(std::stoll(text));
  }
  if (text.size() > 2 && text.front() == '<' && text.back() == '>') {
    text = text.substr(1, text.size() - 2);
  }
  return store.FindSubmissionByMessageId(text, "");
}

std::string WorkLine(const GradeTarget& t) {
  std::string work = t.assignment_code.empty()
                         ? "unmatched \"" + OneLine(t.mail_subject) + "\""
                         : t.assignment_code + " " + t.school_subject;
  return t.pupil_name + " (" + t.pupil_id + ", " + t.class_name + "), " + work;
}

}  // namespace

int GradeCommand(Store& store, const Settings& settings,
                 const std::string& submission, const std::string& value,
                 const std::string& comment, const std::string& teacher_id,
                 std::int64_t now, std::ostream& out, std::ostream& err) {
  auto found = FindNamed(store, submission);
  if (!found.ok()) {
    err << found.status().message() << "\n";
    return 1;
  }
  if (!*found) {
    err << "no submission " << submission
        << " (see `schoolmail submissions` for the numbers)\n";
    return 1;
  }
  const GradeTarget& target = **found;
  auto roster = store.LoadRoster();
  if (!roster.ok()) {
    err << roster.status().message() << "\n";
    return 1;
  }
  if (TeacherWithId(*roster, teacher_id) == nullptr) {
    err << "no teacher \"" << teacher_id << "\" in the roster\n";
    return 1;
  }
  auto grade_value = ParseGradeValue(value, settings.grades.scale);
  if (!grade_value.ok()) {
    err << grade_value.status().message() << "\n";
    return 1;
  }
  const Teacher* receiving = MailboxTeacher(settings, *roster, target.mailbox);
  if (auto refusal = GradeRefusal(target, teacher_id,
                                  receiving ? receiving->id : std::string())) {
    err << "refused: " << *refusal << "\n";
    return 1;
  }
  NewGrade grade;
  grade.submission_id = target.submission_id;
  grade.value = *grade_value;
  grade.comment = std::string(Trim(comment));
  grade.teacher_id = teacher_id;
  grade.source = "cli";
  grade.graded_at = now;
  auto recorded = store.RecordGrade(grade);
  if (!recorded.ok()) {
    err << recorded.status().message() << "\n";
    return 1;
  }
  const bool russian = settings.school.language == "ru";
  if (recorded->unchanged) {
    out << "submission " << target.submission_id << " already has grade "
        << GradeValueText(grade.value, russian)
        << " with this comment: nothing changed\n";
    return 0;
  }
  out << "grade " << GradeValueText(grade.value, russian) << " recorded for "
      << "submission " << target.submission_id << ": " << WorkLine(target)
      << (recorded->replaced ? "; it replaces the earlier grade" : "")
      << "; the pupil's notice goes out with the next cycle\n";
  return 0;
}

int PrintGrades(Store& store, const Settings& settings,
                const GradeFilter& filter, std::ostream& out,
                std::ostream& err) {
  auto rows = store.ListGrades(filter);
  if (!rows.ok()) {
    err << rows.status().message() << "\n";
    return 1;
  }
  const bool russian = settings.school.language == "ru";
  for (const GradeRow& g : *rows) {
    out << "#" << g.id << "  "
        << FormatLocal(g.graded_at, settings.school.time_zone).value_or("?")
        << "  " << WorkLine(g.submission) << " (submission " << g.submission_id
        << "): " << GradeValueText(g.value, russian) << "  by "
        << (g.teacher_id.empty() ? "?" : g.teacher_id) << " (" << g.source
        << ")";
    if (!g.comment.empty()) out << "  \"" << OneLine(g.comment) << "\"";
    if (g.replaced_by != 0) out << "  [replaced by #" << g.replaced_by << "]";
    out << "\n";
  }
  out << rows->size() << " grade(s)\n";
  return 0;
}

}  // namespace schoolmail
