#include "storage/grades_sql.h"

namespace schoolmail::grades_sql {
namespace {

using sqlite::Database;
using sqlite::Statement;

// The submission columns of a GradeTarget, and the joins they need (alias
// s for the submission).
constexpr const char* kTargetColumns =
    "s.id, COALESCE(p.external_id, ''), "
    "COALESCE(p.last_name || ' ' || p.first_name, ''), COALESCE(c.name, ''), "
    "s.mailbox, s.sender, COALESCE(s.message_id, ''), s.subject, "
    "s.received_at, s.status, COALESCE(a.code, ''), "
    "COALESCE(t.external_id, ''), COALESCE(sub.name, ''), "
    "COALESCE(a.title, ''), COALESCE(a.due_day, '')";
constexpr int kTargetColumnCount = 15;
constexpr const char* kTargetJoins =
    "LEFT JOIN people p ON p.id = s.pupil_id "
    "LEFT JOIN pupils u ON u.person_id = p.id "
    "LEFT JOIN classes c ON c.id = u.class_id "
    "LEFT JOIN assignments a ON a.id = s.assignment_id "
    "LEFT JOIN people t ON t.id = a.teacher_id "
    "LEFT JOIN subjects sub ON sub.id = a.subject_id ";

GradeTarget ReadTarget(const Statement& s, int first) {
  GradeTarget t;
  t.submission_id = s.Int(first);
  t.pupil_id = s.Text(first + 1);
  t.pupil_name = s.Text(first + 2);
  t.class_name = s.Text(first + 3);
  t.mailbox = s.Text(first + 4);
  t.sender = s.Text(first + 5);
  t.message_id = s.Text(first + 6);
  t.mail_subject = s.Text(first + 7);
  t.received_at = s.Int(first + 8);
  t.status = s.Text(first + 9);
  t.assignment_code = s.Text(first + 10);
  t.assignment_teacher_id = s.Text(first + 11);
  t.school_subject = s.Text(first + 12);
  t.assignment_title = s.Text(first + 13);
  t.due_day = ParseDate(s.Text(first + 14));
  return t;
}

std::string TargetQuery(const std::string& where) {
  return std::string("SELECT ") + kTargetColumns + " FROM submissions s " +
         kTargetJoins + where;
}

// The grade columns of a GradeRow, then the target's; alias g.
std::string GradeQuery(const std::string& where) {
  return std::string(
             "SELECT g.id, g.submission_id, g.value, g.comment, "
             "COALESCE(gt.external_id, ''), "
             "COALESCE(gt.last_name || ' ' || gt.first_name || "
             "CASE WHEN gt.middle_name <> '' THEN ' ' || gt.middle_name "
             "ELSE '' END, ''), "
             "g.source, COALESCE(g.source_message_id, ''), g.graded_at, "
             "COALESCE(g.replaced_by, 0), "
             "COALESCE((SELECT o.value FROM grades o WHERE o.replaced_by = "
             "g.id "
             "ORDER BY o.id DESC LIMIT 1), ''), g.notice, ") +
         kTargetColumns +
         " FROM grades g JOIN submissions s ON s.id = g.submission_id "
         "LEFT JOIN people gt ON gt.id = g.teacher_id " +
         kTargetJoins + where;
}
constexpr int kGradeColumnCount = 12;

GradeRow ReadGrade(const Statement& s) {
  GradeRow g;
  g.id = s.Int(0);
  g.submission_id = s.Int(1);
  g.value = s.Text(2);
  g.comment = s.Text(3);
  g.teacher_id = s.Text(4);
  g.teacher_name = s.Text(5);
  g.source = s.Text(6);
  g.source_message_id = s.Text(7);
  g.graded_at = s.Int(8);
  g.replaced_by = s.Int(9);
  g.previous_value = s.Text(10);
  g.notice = s.Text(11);
  g.submission = ReadTarget(s, kGradeColumnCount);
  return g;
}

std::optional<std::string> TextOrNull(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

}  // namespace

std::optional<GradeTarget> LoadTarget(Database& db, std::int64_t id) {
  Statement s(db, TargetQuery("WHERE s.id = ?"));
  s.Bind(id);
  if (!s.Step()) return std::nullopt;
  return ReadTarget(s, 0);
}

std::optional<GradeTarget> FindByMessageId(Database& db,
                                           const std::string& message_id,
                                           const std::string& mailbox) {
  Statement s(db, TargetQuery("WHERE s.message_id = ?1 AND "
                              "(?2 = '' OR s.mailbox = ?2) "
                              "ORDER BY s.id DESC LIMIT 1"));
  s.Bind(message_id).Bind(mailbox);
  if (!s.Step()) return std::nullopt;
  return ReadTarget(s, 0);
}

std::int64_t RepliedSubmission(Database& db, const std::string& mailbox,
                               const std::vector<std::string>& refers_to) {
  Statement find(db,
                 "SELECT id FROM submissions WHERE mailbox = ? AND "
                 "message_id = ? ORDER BY id DESC LIMIT 1");
  for (const std::string& id : refers_to) {
    find.Reset();
    find.Bind(mailbox).Bind(id);
    if (find.Step()) return find.Int(0);
  }
  return 0;
}

void InsertReply(Database& db, std::int64_t submission_id,
                 const SentRecord& r) {
  Statement reply(db,
                  "INSERT INTO replies(submission_id, message_key, message_id, "
                  "sent_at, archive_path) VALUES (?, ?, ?, ?, ?)");
  reply.Bind(submission_id)
      .Bind(r.message_key)
      .Bind(TextOrNull(r.message_id))
      .Bind(r.sent_at)
      .Bind(r.archive_path)
      .Run();
}

Result<RecordedGrade> InsertGrade(Database& db, const NewGrade& grade) {
  const std::string what =
      "grading submission " + std::to_string(grade.submission_id);
  if (grade.value.empty()) return Status::Error(what + ": no grade value");
  if (grade.source != "reply" && grade.source != "cli" &&
      grade.source != "mail") {
    return Status::Error(what + ": unknown source \"" + grade.source + "\"");
  }
  Statement submission(db, "SELECT pupil_id FROM submissions WHERE id = ?");
  submission.Bind(grade.submission_id);
  if (!submission.Step()) {
    return Status::Error("no submission " +
                         std::to_string(grade.submission_id));
  }
  if (submission.IsNull(0)) {
    return Status::Error(what +
                         ": it came from an unknown sender, there is "
                         "no pupil to grade");
  }
  Statement teacher(db,
                    "SELECT id FROM people WHERE external_id = ? AND "
                    "role = 'teacher'");
  teacher.Bind(grade.teacher_id);
  if (!teacher.Step()) {
    return Status::Error(what + ": no teacher \"" + grade.teacher_id +
                         "\" in the roster");
  }
  const std::int64_t teacher_row = teacher.Int(0);

  RecordedGrade recorded;
  Statement current(db,
                    "SELECT id, value, comment, teacher_id FROM grades "
                    "WHERE submission_id = ? AND replaced_by IS NULL "
                    "ORDER BY id DESC LIMIT 1");
  current.Bind(grade.submission_id);
  if (current.Step()) {
    if (current.Text(1) == grade.value && current.Text(2) == grade.comment &&
        !current.IsNull(3) && current.Int(3) == teacher_row) {
      recorded.unchanged = true;
      return recorded;
    }
    recorded.replaced = current.Int(0);
  }
  Statement insert(db,
                   "INSERT INTO grades(submission_id, value, comment, "
                   "teacher_id, source, source_message_id, graded_at, notice) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')");
  insert.Bind(grade.submission_id)
      .Bind(grade.value)
      .Bind(grade.comment)
      .Bind(teacher_row)
      .Bind(grade.source)
      .Bind(TextOrNull(grade.source_message_id))
      .Bind(grade.graded_at)
      .Run();
  recorded.grade_id = db.LastInsertId();
  // Every older current grade (one, unless something went wrong before)
  // becomes history; a notice of it not yet sent is now out of date.
  Statement replace(db,
                    "UPDATE grades SET replaced_by = ?1, notice = CASE WHEN "
                    "notice = 'pending' THEN 'skipped' ELSE notice END "
                    "WHERE submission_id = ?2 AND replaced_by IS NULL "
                    "AND id <> ?1");
  replace.Bind(recorded.grade_id).Bind(grade.submission_id).Run();
  return recorded;
}

std::vector<GradeRow> ListGrades(Database& db, const GradeFilter& f) {
  Statement s(db, GradeQuery("WHERE (?1 = '' OR c.name = ?1) "
                             "AND (?2 = '' OR p.external_id = ?2) "
                             "AND (?3 = 0 OR g.graded_at >= ?3) "
                             "AND (?4 = 0 OR g.graded_at < ?4) "
                             "AND (?5 = '' OR a.due_day >= ?5) "
                             "AND (?6 = '' OR a.due_day <= ?6) "
                             "AND (?7 = 1 OR g.replaced_by IS NULL) "
                             "ORDER BY c.name, p.last_name, p.first_name, "
                             "p.external_id, a.due_day, s.received_at, "
                             "g.graded_at, g.id"));
  s.Bind(f.class_name)
      .Bind(f.pupil_id)
      .Bind(f.graded_from)
      .Bind(f.graded_to)
      .Bind(f.due_from ? FormatDate(*f.due_from) : std::string())
      .Bind(f.due_to ? FormatDate(*f.due_to) : std::string())
      .Bind(static_cast<std::int64_t>(f.history ? 1 : 0));
  std::vector<GradeRow> rows;
  while (s.Step()) rows.push_back(ReadGrade(s));
  return rows;
}

std::vector<GradeRow> ListPendingNotices(Database& db, int limit) {
  Statement s(db, GradeQuery("WHERE g.notice = 'pending' "
                             "ORDER BY g.graded_at, g.id LIMIT ?"));
  s.Bind(static_cast<std::int64_t>(limit));
  std::vector<GradeRow> rows;
  while (s.Step()) rows.push_back(ReadGrade(s));
  return rows;
}

void MarkNotice(Database& db, std::int64_t grade_id, bool queued,
                std::int64_t at) {
  Statement s(db,
              "UPDATE grades SET notice = ?, notice_at = ? "
              "WHERE id = ? AND notice = 'pending'");
  s.Bind(queued ? "queued" : "skipped").Bind(at).Bind(grade_id).Run();
}

}  // namespace schoolmail::grades_sql
