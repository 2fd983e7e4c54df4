#include "storage/teaching_sql.h"

#include <algorithm>
#include <cctype>

#include "config/text.h"

namespace schoolmail::teaching_sql {
namespace {

using sqlite::Database;
using sqlite::Statement;
using sqlite::Transaction;

constexpr std::string_view kCodePrefix = "ДЗ-";
// Compares as text after every real date: an open period's last day.
constexpr std::string_view kOpenEnd = "9999-12-31";

std::optional<std::int64_t> ClassId(Database& db, const std::string& name) {
  Statement s(db, "SELECT id FROM classes WHERE name = ?");
  s.Bind(name);
  if (!s.Step()) return std::nullopt;
  return s.Int(0);
}

std::int64_t SubjectId(Database& db, const std::string& name) {
  Statement select(db, "SELECT id FROM subjects WHERE name = ?");
  select.Bind(name);
  if (select.Step()) return select.Int(0);
  Statement insert(db, "INSERT INTO subjects(name) VALUES (?)");
  insert.Bind(name).Run();
  return db.LastInsertId();
}

// The teacher's row id; nullopt for "" (no teacher); an error for an id
// that is not a teacher's.
Result<std::optional<std::int64_t>> TeacherId(Database& db,
                                              const std::string& id) {
  if (id.empty()) return std::optional<std::int64_t>();
  Statement s(
      db, "SELECT id FROM people WHERE external_id = ? AND role = 'teacher'");
  s.Bind(id);
  if (!s.Step()) return Status::Error("unknown teacher \"" + id + "\"");
  return std::optional<std::int64_t>(s.Int(0));
}

// The next free "ДЗ-N": one more than the highest N in use (gaps are never
// filled, so a code is never given twice).
std::string NextCode(Database& db) {
  Statement s(db, "SELECT code FROM assignments WHERE code LIKE 'ДЗ-%'");
  long long highest = 0;
  while (s.Step()) {
    std::string code = s.Text(0);
    if (!code.starts_with(kCodePrefix)) continue;
    std::string digits = code.substr(kCodePrefix.size());
    if (digits.empty() || digits.size() > 12 ||
        !std::all_of(digits.begin(), digits.end(),
                     [](unsigned char c) { return std::isdigit(c); })) {
      continue;
    }
    highest = std::max(highest, std::stoll(digits));
  }
  return std::string(kCodePrefix) + std::to_string(highest + 1);
}

std::optional<std::string> OptionalText(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional(text);
}

// Inserts an assignment row; returns its id.
Result<std::int64_t> InsertAssignment(Database& db, const Assignment& a,
                                      const std::string& source,
                                      std::optional<std::int64_t> plan_id,
                                      const std::string& announce,
                                      std::int64_t created_at) {
  auto class_id = ClassId(db, a.class_name);
  if (!class_id) return Status::Error("unknown class \"" + a.class_name + "\"");
  auto teacher = TeacherId(db, a.teacher_id);
  if (!teacher) return teacher.status();
  Statement code(db, "SELECT 1 FROM assignments WHERE code = ?");
  code.Bind(a.code);
  if (code.Step()) {
    return Status::Error("assignment code " + a.code + " is taken");
  }
  Statement insert(db,
                   "INSERT INTO assignments(code, class_id, subject_id, "
                   "teacher_id, plan_id, title, instructions, links, set_day, "
                   "due_day, due_time, source, mail_message_id, created_at, "
                   "announce) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.Bind(a.code)
      .Bind(*class_id)
      .Bind(SubjectId(db, a.subject))
      .Bind(*teacher)
      .Bind(plan_id)
      .Bind(a.title)
      .Bind(a.instructions)
      .Bind(Join(a.links, "\n"))
      .Bind(FormatDate(a.set_day))
      .Bind(FormatDate(a.due_day))
      .Bind(a.due_time.ToString())
      .Bind(source)
      .Bind(OptionalText(a.mail_message_id))
      .Bind(created_at)
      .Bind(announce)
      .Run();
  return db.LastInsertId();
}

Assignment AssignmentFromPlan(const PlanItem& item) {
  Assignment a;
  a.class_name = item.class_name;
  a.subject = item.subject;
  a.teacher_id = item.teacher_id;
  a.title = item.topic;
  a.set_day = item.day;
  a.due_day = item.due_day;
  a.due_time = item.due_time;
  a.mail_message_id = item.message_id;
  a.instructions = item.task;
  a.links = item.links;
  return a;
}

// The assignment columns every listing reads, in this order.
constexpr char kAssignmentColumns[] =
    "a.code, c.name, sub.name, COALESCE(p.external_id, ''), a.title, "
    "a.set_day, a.due_day, a.due_time, COALESCE(a.mail_message_id, ''), "
    "a.instructions, a.links, a.source, a.id "
    "FROM assignments a JOIN classes c ON c.id = a.class_id "
    "JOIN subjects sub ON sub.id = a.subject_id "
    "LEFT JOIN people p ON p.id = a.teacher_id ";

Assignment ReadAssignment(const Statement& s) {
  Assignment a;
  a.code = s.Text(0);
  a.class_name = s.Text(1);
  a.subject = s.Text(2);
  a.teacher_id = s.Text(3);
  a.title = s.Text(4);
  a.set_day = ParseDate(s.Text(5)).value_or(Date{});
  a.due_day = ParseDate(s.Text(6)).value_or(Date{});
  a.due_time = ParseTimeOfDay(s.Text(7)).value_or(TimeOfDay{18 * 60});
  a.mail_message_id = s.Text(8);
  a.instructions = s.Text(9);
  a.links = SplitList(s.Text(10), "\n");
  return a;
}

std::string DayBefore(const Date& day) {
  return FormatDate(Date{date::sys_days{day} - date::days{1}});
}

}  // namespace

std::vector<Assignment> LoadAssignments(Database& db) {
  Statement s(db, std::string("SELECT ") + kAssignmentColumns +
                      "ORDER BY a.due_day, a.code");
  std::vector<Assignment> out;
  while (s.Step()) out.push_back(ReadAssignment(s));
  return out;
}

Result<PlanImportSummary> ImportPlan(Database& db,
                                     const std::vector<PlanItem>& items,
                                     std::int64_t now) {
  PlanImportSummary summary;
  Transaction transaction(db);
  for (const PlanItem& item : items) {
    auto where = [&](const Status& s) {
      return Status::Error("line " + std::to_string(item.line) + ": " +
                           s.message());
    };
    auto class_id = ClassId(db, item.class_name);
    if (!class_id) {
      return where(Status::Error("unknown class \"" + item.class_name + "\""));
    }
    auto teacher = TeacherId(db, item.teacher_id);
    if (!teacher) return where(teacher.status());
    std::int64_t subject_id = SubjectId(db, item.subject);
    std::string links = Join(item.links, "\n");
    std::optional<std::string> due_time_in_file;
    if (item.due_time_in_file)
      due_time_in_file = item.due_time_in_file->ToString();

    Statement find(db,
                   "SELECT id, task, links, due_day, COALESCE(due_time, '') "
                   "FROM lesson_plan WHERE day = ? AND class_id = ? AND "
                   "subject_id = ? AND topic = ?");
    find.Bind(FormatDate(item.day))
        .Bind(*class_id)
        .Bind(subject_id)
        .Bind(item.topic);
    std::int64_t plan_id = 0;
    bool row_changed = false;
    if (find.Step()) {
      plan_id = find.Int(0);
      row_changed = find.Text(1) != item.task || find.Text(2) != links ||
                    find.Text(3) != FormatDate(item.due_day) ||
                    find.Text(4) != due_time_in_file.value_or("");
      if (row_changed) {
        Statement update(db,
                         "UPDATE lesson_plan SET task = ?, links = ?, "
                         "due_day = ?, due_time = ? WHERE id = ?");
        update.Bind(item.task)
            .Bind(links)
            .Bind(FormatDate(item.due_day))
            .Bind(due_time_in_file)
            .Bind(plan_id)
            .Run();
        ++summary.rows_updated;
      } else {
        ++summary.rows_unchanged;
      }
    } else {
      Statement insert(db,
                       "INSERT INTO lesson_plan(day, class_id, subject_id, "
                       "topic, task, links, due_day, due_time) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      insert.Bind(FormatDate(item.day))
          .Bind(*class_id)
          .Bind(subject_id)
          .Bind(item.topic)
          .Bind(item.task)
          .Bind(links)
          .Bind(FormatDate(item.due_day))
          .Bind(due_time_in_file)
          .Run();
      plan_id = db.LastInsertId();
      ++summary.rows_added;
    }

    Statement assignment(db,
                         "SELECT a.id, a.code, a.announce, a.instructions, "
                         "a.links, a.due_day, a.due_time, "
                         "COALESCE(p.external_id, '') FROM assignments a "
                         "LEFT JOIN people p ON p.id = a.teacher_id "
                         "WHERE a.plan_id = ? ORDER BY a.id LIMIT 1");
    assignment.Bind(plan_id);
    if (!assignment.Step()) {
      if (item.message_id.empty()) {
        return where(Status::Error("no Message-ID for the new assignment"));
      }
      Assignment a = AssignmentFromPlan(item);
      a.code = NextCode(db);
      auto added = InsertAssignment(db, a, "plan", plan_id, "pending", now);
      if (!added) return where(added.status());
      summary.assignments_added.push_back(a.code);
      continue;
    }
    std::int64_t assignment_id = assignment.Int(0);
    std::string code = assignment.Text(1);
    bool mailed =
        assignment.Text(2) == "done" || assignment.Text(2) == "skipped";
    bool differs = assignment.Text(3) != item.task ||
                   assignment.Text(4) != links ||
                   assignment.Text(5) != FormatDate(item.due_day) ||
                   assignment.Text(6) != item.due_time.ToString() ||
                   assignment.Text(7) != item.teacher_id;
    if (!differs) continue;
    if (mailed) {
      summary.assignments_kept.push_back(code);
      continue;
    }
    Statement update(db,
                     "UPDATE assignments SET instructions = ?, links = ?, "
                     "due_day = ?, due_time = ?, teacher_id = ? WHERE id = ?");
    update.Bind(item.task)
        .Bind(links)
        .Bind(FormatDate(item.due_day))
        .Bind(item.due_time.ToString())
        .Bind(*teacher)
        .Bind(assignment_id)
        .Run();
    summary.assignments_updated.push_back(code);
  }
  transaction.Commit();
  return summary;
}

Status ReplaceTimetable(Database& db,
                        const std::vector<TimetableEntry>& entries) {
  Transaction transaction(db);
  db.Execute("DELETE FROM timetable");
  Statement insert(db,
                   "INSERT INTO timetable(class_id, day, weekday, start_time, "
                   "end_time, subject, link, note) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  for (const TimetableEntry& e : entries) {
    auto class_id = ClassId(db, e.class_name);
    if (!class_id) {
      return Status::Error("unknown class \"" + e.class_name + "\"");
    }
    std::optional<std::string> day;
    if (e.date) day = FormatDate(*e.date);
    std::optional<std::int64_t> weekday;
    if (e.weekday) weekday = static_cast<std::int64_t>(e.weekday->c_encoding());
    std::optional<std::string> end;
    if (e.end) end = e.end->ToString();
    insert.Reset();
    insert.Bind(*class_id)
        .Bind(day)
        .Bind(weekday)
        .Bind(e.start.ToString())
        .Bind(end)
        .Bind(e.subject)
        .Bind(e.link)
        .Bind(e.note)
        .Run();
  }
  transaction.Commit();
  return Status::Ok();
}

std::vector<TimetableEntry> LoadTimetable(Database& db) {
  Statement s(db,
              "SELECT c.name, t.day, t.weekday, t.start_time, t.end_time, "
              "t.subject, t.link, t.note FROM timetable t "
              "JOIN classes c ON c.id = t.class_id ORDER BY t.id");
  std::vector<TimetableEntry> out;
  while (s.Step()) {
    TimetableEntry e;
    e.class_name = s.Text(0);
    if (!s.IsNull(1)) e.date = ParseDate(s.Text(1));
    if (!s.IsNull(2)) e.weekday = Weekday{static_cast<unsigned>(s.Int(2))};
    e.start = ParseTimeOfDay(s.Text(3)).value_or(TimeOfDay{});
    if (!s.IsNull(4)) e.end = ParseTimeOfDay(s.Text(4));
    e.subject = s.Text(5);
    e.link = s.Text(6);
    e.note = s.Text(7);
    out.push_back(std::move(e));
  }
  return out;
}

Status StartDistance(Database& db, const std::vector<std::string>& classes,
                     const Date& first, const std::optional<Date>& last,
                     const std::string& order_text, std::int64_t at) {
  if (last && *last < first) {
    return Status::Error("the last day " + FormatDate(*last) +
                         " is before the first day " + FormatDate(first));
  }
  std::string first_text = FormatDate(first);
  std::string last_text = last ? FormatDate(*last) : std::string(kOpenEnd);
  Transaction transaction(db);
  for (const std::string& name : classes) {
    auto class_id = ClassId(db, name);
    if (!class_id) return Status::Error("unknown class \"" + name + "\"");
    Statement overlap(db,
                      "SELECT first_day, COALESCE(last_day, ''), order_text "
                      "FROM distance_periods WHERE class_id = ? AND "
                      "first_day <= ? AND COALESCE(last_day, ?) >= ? "
                      "ORDER BY first_day LIMIT 1");
    overlap.Bind(*class_id).Bind(last_text).Bind(kOpenEnd).Bind(first_text);
    if (overlap.Step()) {
      std::string until = overlap.Text(1).empty()
                              ? std::string(" until stopped")
                              : " to " + overlap.Text(1);
      return Status::Error(name + " is already in distance mode from " +
                           overlap.Text(0) + until + " (" + overlap.Text(2) +
                           "): stop that first or choose other days");
    }
    Statement insert(
        db,
        "INSERT INTO distance_periods(class_id, first_day, "
        "last_day, order_text, created_at) VALUES (?, ?, ?, ?, ?)");
    insert.Bind(*class_id)
        .Bind(first_text)
        .Bind(last ? std::optional(last_text) : std::nullopt)
        .Bind(order_text)
        .Bind(at)
        .Run();
  }
  transaction.Commit();
  return Status::Ok();
}

Result<int> StopDistance(Database& db, const std::vector<std::string>& classes,
                         const Date& from) {
  std::string from_text = FormatDate(from);
  int changed = 0;
  Transaction transaction(db);
  for (const std::string& name : classes) {
    auto class_id = ClassId(db, name);
    if (!class_id) return Status::Error("unknown class \"" + name + "\"");
    Statement remove(db,
                     "DELETE FROM distance_periods WHERE class_id = ? AND "
                     "first_day >= ?");
    remove.Bind(*class_id).Bind(from_text).Run();
    changed += db.Changes();
    Statement cut(db,
                  "UPDATE distance_periods SET last_day = ? WHERE class_id = ? "
                  "AND first_day < ? AND (last_day IS NULL OR last_day >= ?)");
    cut.Bind(DayBefore(from))
        .Bind(*class_id)
        .Bind(from_text)
        .Bind(from_text)
        .Run();
    changed += db.Changes();
  }
  transaction.Commit();
  return changed;
}

std::vector<std::string> ClassesInDistance(Database& db, const Date& day) {
  Statement s(db,
              "SELECT DISTINCT c.name FROM distance_periods d "
              "JOIN classes c ON c.id = d.class_id WHERE d.first_day <= ?1 "
              "AND (d.last_day IS NULL OR d.last_day >= ?1) ORDER BY c.name");
  s.Bind(FormatDate(day));
  std::vector<std::string> out;
  while (s.Step()) out.push_back(s.Text(0));
  return out;
}

std::vector<DistancePeriod> ListDistancePeriods(Database& db) {
  Statement s(db,
              "SELECT d.id, c.name, d.first_day, d.last_day, d.order_text, "
              "d.created_at FROM distance_periods d "
              "JOIN classes c ON c.id = d.class_id "
              "ORDER BY c.name, d.first_day");
  std::vector<DistancePeriod> out;
  while (s.Step()) {
    DistancePeriod p;
    p.id = s.Int(0);
    p.class_name = s.Text(1);
    p.first_day = ParseDate(s.Text(2)).value_or(Date{});
    if (!s.IsNull(3)) p.last_day = ParseDate(s.Text(3));
    p.order_text = s.Text(4);
    p.created_at = s.Int(5);
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::string> AddAssignmentToAnnounce(
    Database& db, const Assignment& assignment, const std::string& source,
    const std::vector<StoredFile>& files, std::int64_t created_at) {
  if (assignment.mail_message_id.empty()) {
    return Status::Error("assignment " + assignment.code +
                         ": no Message-ID chosen for its mail");
  }
  Transaction transaction(db);
  Assignment a = assignment;
  if (a.code.empty()) a.code = NextCode(db);
  auto id =
      InsertAssignment(db, a, source, std::nullopt, "pending", created_at);
  if (!id) return id.status();
  Statement insert(db,
                   "INSERT INTO assignment_files(assignment_id, position, "
                   "name, content_type, data) VALUES (?, ?, ?, ?, ?)");
  for (size_t i = 0; i < files.size(); ++i) {
    insert.Reset();
    insert.Bind(*id)
        .Bind(static_cast<std::int64_t>(i))
        .Bind(files[i].name)
        .Bind(files[i].content_type)
        .Bind(files[i].data)
        .Run();
  }
  transaction.Commit();
  return a.code;
}

std::vector<PendingAnnouncement> ListPendingAnnouncements(Database& db,
                                                          const Date& set_by) {
  Statement s(db, std::string("SELECT ") + kAssignmentColumns +
                      "WHERE a.announce = 'pending' AND a.set_day <= ? "
                      "ORDER BY a.set_day, a.id");
  s.Bind(FormatDate(set_by));
  std::vector<PendingAnnouncement> out;
  while (s.Step()) {
    PendingAnnouncement p;
    p.assignment = ReadAssignment(s);
    p.source = s.Text(11);
    Statement files(db,
                    "SELECT name, content_type, data FROM assignment_files "
                    "WHERE assignment_id = ? ORDER BY position");
    files.Bind(s.Int(12));
    while (files.Step()) {
      p.files.push_back(
          StoredFile{files.Text(0), files.Text(1), files.Text(2)});
    }
    out.push_back(std::move(p));
  }
  return out;
}

Status MarkAnnounced(Database& db, const std::string& code, bool mailed,
                     int pupils, std::int64_t at) {
  Transaction transaction(db);
  Statement s(db,
              "UPDATE assignments SET announce = ?, announced_at = ?, "
              "announced_pupils = ? WHERE code = ? AND announce = 'pending' "
              "RETURNING id");
  s.Bind(mailed ? "done" : "skipped")
      .Bind(at)
      .Bind(static_cast<std::int64_t>(pupils))
      .Bind(code);
  if (!s.Step()) return Status::Ok();  // marked by someone else meanwhile
  std::int64_t id = s.Int(0);
  s.Run();
  // The outbox holds the mail with its files now.
  Statement files(db, "DELETE FROM assignment_files WHERE assignment_id = ?");
  files.Bind(id).Run();
  transaction.Commit();
  return Status::Ok();
}

bool IsJobDone(Database& db, const std::string& job, const Date& day) {
  Statement s(db, "SELECT 1 FROM jobs WHERE name = ? AND day = ?");
  s.Bind(job).Bind(FormatDate(day));
  return s.Step();
}

void MarkJobDone(Database& db, const std::string& job, const Date& day,
                 std::int64_t at) {
  Statement s(db,
              "INSERT INTO jobs(name, day, done_at) VALUES (?, ?, ?) "
              "ON CONFLICT(name, day) DO NOTHING");
  s.Bind(job).Bind(FormatDate(day)).Bind(at).Run();
}

void ForgetJob(Database& db, const std::string& job, const Date& day) {
  Statement s(db, "DELETE FROM jobs WHERE name = ? AND day = ?");
  s.Bind(job).Bind(FormatDate(day)).Run();
}

}  // namespace schoolmail::teaching_sql
