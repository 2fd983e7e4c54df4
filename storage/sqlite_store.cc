// The Store on SQLite: WAL, foreign keys, synchronous=FULL (a committed
// submission survives a power cut: the IMAP side moves only after commit).
#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "config/text.h"
#include "storage/digest_sql.h"
#include "storage/grades_sql.h"
#include "storage/hotline_sql.h"
#include "storage/illness_sql.h"
#include "storage/migrations.h"
#include "storage/outbox_sql.h"
#include "storage/report_sql.h"
#include "storage/sqlite.h"
#include "storage/store.h"
#include "storage/teaching_sql.h"

namespace schoolmail {
namespace {

using sqlite::Database;
using sqlite::SqliteError;
using sqlite::Statement;
using sqlite::Transaction;

Status FromSqlite(const SqliteError& error, const std::string& what) {
  int primary = error.code() & 0xFF;
  Retry retry = (primary == SQLITE_BUSY || primary == SQLITE_LOCKED ||
                 primary == SQLITE_FULL || primary == SQLITE_IOERR)
                    ? Retry::kLater
                    : Retry::kNever;
  return Status::Error(what + ": " + error.what(), Scope::kProcess, retry);
}

std::int64_t IdOf(Database& db, std::string_view select_sql,
                  std::string_view insert_sql, const std::string& name) {
  Statement select(db, select_sql);
  select.Bind(name);
  if (select.Step()) return select.Int(0);
  Statement insert(db, insert_sql);
  insert.Bind(name).Run();
  return db.LastInsertId();
}

// The drain's own commits (a mail claimed, an attempt recorded) run with
// synchronous=NORMAL: in WAL mode they survive a crash of the process, and
// only a power cut can lose the last few, which then sends those mails again
// with the same Message-ID: the outbox's documented at-least-once window,
// not a new one. Everything else (intake, queueing) stays FULL. Measured:
// one fdatasync per mail was most of the gap to a plain SMTP client
// (bench/README.md).
class RelaxedSync {
 public:
  explicit RelaxedSync(Database& db) : db_(db) {
    db_.Execute("PRAGMA synchronous = NORMAL");
  }
  ~RelaxedSync() {
    try {
      db_.Execute("PRAGMA synchronous = FULL");
    } catch (const SqliteError&) {
      // Left NORMAL only if SQLite cannot run a PRAGMA at all; the next
      // statement reports that error.
    }
  }
  RelaxedSync(const RelaxedSync&) = delete;
  RelaxedSync& operator=(const RelaxedSync&) = delete;

 private:
  Database& db_;
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::unique_ptr<Database> db) : db_(std::move(db)) {}

  int SchemaVersion() override {
    try {
      Statement s(*db_, "PRAGMA user_version");
      s.Step();
      return static_cast<int>(s.Int(0));
    } catch (const SqliteError&) {
      return -1;
    }
  }

  Result<Roster> LoadRoster() override {
    try {
      return Load();
    } catch (const SqliteError& e) {
      return FromSqlite(e, "loading the roster");
    }
  }

  Result<RosterImportSummary> ImportRoster(const Roster& roster) override {
    try {
      Roster before = Load();
      Transaction transaction(*db_);
      RosterImportSummary summary = Import(roster, before);
      transaction.Commit();
      return summary;
    } catch (const SqliteError& e) {
      return FromSqlite(e, "importing the roster");
    }
  }


  Status AddAssignment(const Assignment& a, const std::string& source,
                       std::int64_t created_at) override {
    try {
      Transaction transaction(*db_);
      Statement klass(*db_, "SELECT id FROM classes WHERE name = ?");
      klass.Bind(a.class_name);
      if (!klass.Step()) {
        return Status::Error("unknown class \"" + a.class_name + "\"");
      }
      std::int64_t class_id = klass.Int(0);
      std::int64_t subject_id =
          IdOf(*db_, "SELECT id FROM subjects WHERE name = ?",
               "INSERT INTO subjects(name) VALUES (?)", a.subject);
      std::optional<std::int64_t> teacher;
      if (!a.teacher_id.empty()) {
        Statement t(*db_,
                    "SELECT id FROM people WHERE external_id = ? AND "
                    "role = 'teacher'");
        t.Bind(a.teacher_id);
        if (!t.Step()) {
          return Status::Error("unknown teacher \"" + a.teacher_id + "\"");
        }
        teacher = t.Int(0);
      }
      Statement insert(*db_,
                       "INSERT INTO assignments(code, class_id, subject_id, "
                       "teacher_id, title, set_day, due_day, due_time, source, "
                       "mail_message_id, created_at, instructions, links) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      insert.Bind(a.code).Bind(class_id).Bind(subject_id).Bind(teacher)
          .Bind(a.title).Bind(FormatDate(a.set_day)).Bind(FormatDate(a.due_day))
          .Bind(a.due_time.ToString()).Bind(source)
          .Bind(a.mail_message_id.empty() ? std::optional<std::string>()
                                          : std::optional(a.mail_message_id))
          .Bind(created_at).Bind(a.instructions).Bind(Join(a.links, "\n"))
          .Run();
      transaction.Commit();
      return Status::Ok();
    } catch (const SqliteError& e) {
      return FromSqlite(e, "adding assignment " + a.code);
    }
  }

  Result<std::vector<Assignment>> LoadAssignments() override {
    try {
      return teaching_sql::LoadAssignments(*db_);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "loading assignments");
    }
  }

  Result<MailboxCursor> GetCursor(const std::string& mailbox,
                                  const std::string& folder) override {
    try {
      Statement s(*db_,
                  "SELECT uidvalidity, last_uid FROM mailbox_state "
                  "WHERE mailbox = ? AND folder = ?");
      s.Bind(mailbox).Bind(folder);
      if (!s.Step()) return MailboxCursor{};
      return MailboxCursor{s.Int(0), s.Int(1)};
    } catch (const SqliteError& e) {
      return FromSqlite(e, "reading the cursor of " + mailbox);
    }
  }

  Status ResetCursor(const std::string& mailbox, const std::string& folder,
                     std::int64_t uidvalidity) override {
    try {
      Statement s(*db_,
                  "INSERT INTO mailbox_state(mailbox, folder, uidvalidity, "
                  "last_uid) VALUES (?, ?, ?, 0) ON CONFLICT(mailbox, folder) "
                  "DO UPDATE SET uidvalidity = excluded.uidvalidity, "
                  "last_uid = 0");
      s.Bind(mailbox).Bind(folder).Bind(uidvalidity).Run();
      return Status::Ok();
    } catch (const SqliteError& e) {
      return FromSqlite(e, "resetting the cursor of " + mailbox);
    }
  }

  Result<bool> IsProcessed(const std::string& key) override {
    try {
      Statement s(*db_, "SELECT 1 FROM processed_messages WHERE key = ?");
      s.Bind(key);
      return s.Step();
    } catch (const SqliteError& e) {
      return FromSqlite(e, "looking up a message key");
    }
  }

  Result<RecordedIntake> RecordIntake(const IntakeRecord& r) override {
    auto all = RecordIntakes({r});
    if (!all) return all.status();
    return all->front();
  }

  Result<std::vector<RecordedIntake>> RecordIntakes(
      const std::vector<IntakeRecord>& records) override {
    try {
      Transaction transaction(*db_);
      std::vector<RecordedIntake> out;
      for (const IntakeRecord& r : records) out.push_back(RecordOne(r));
      transaction.Commit();
      return out;
    } catch (const SqliteError& e) {
      std::string what = records.empty()
                             ? std::string("recording messages")
                             : "recording " + records.front().mailbox +
                                   " UID " + std::to_string(records.front().uid) +
                                   ".." + std::to_string(records.back().uid);
      return FromSqlite(e, what);
    }
  }

  Result<std::vector<UnfiledMessage>> ListUnfiled(
      const std::string& mailbox) override {
    try {
      Statement s(*db_,
                  "SELECT s.id, pm.uidvalidity, pm.uid, s.file_to, s.status "
                  "FROM submissions s JOIN processed_messages pm "
                  "ON pm.key = s.message_key WHERE s.mailbox = ? AND "
                  "s.file_to IS NOT NULL AND s.filed_at IS NULL ORDER BY s.id");
      s.Bind(mailbox);
      std::vector<UnfiledMessage> out;
      while (s.Step()) {
        out.push_back(UnfiledMessage{s.Int(0), s.Int(1), s.Int(2), s.Text(3),
                                     s.Text(4) == "late"});
      }
      return out;
    } catch (const SqliteError& e) {
      return FromSqlite(e, "listing unfiled submissions of " + mailbox);
    }
  }

  Result<std::int64_t> RecordSent(const SentRecord& r) override {
    try {
      Transaction transaction(*db_);
      std::int64_t linked = 0;
      Statement seen(*db_, "SELECT 1 FROM processed_messages WHERE key = ?");
      seen.Bind(r.message_key);
      if (!seen.Step()) {
        for (const std::string& id : r.refers_to) {
          Statement find(*db_,
                         "SELECT id FROM submissions WHERE mailbox = ? AND "
                         "message_id = ? ORDER BY id DESC LIMIT 1");
          find.Bind(r.mailbox).Bind(id);
          if (find.Step()) {
            linked = find.Int(0);
            break;
          }
        }
        InsertProcessed(r.message_key, r.mailbox, r.folder, r.uidvalidity,
                        r.uid, linked ? "reply" : "sent", r.sent_at);
        if (linked) {
          Statement reply(*db_,
                          "INSERT INTO replies(submission_id, message_key, "
                          "message_id, sent_at, archive_path) "
                          "VALUES (?, ?, ?, ?, ?)");
          reply.Bind(linked).Bind(r.message_key)
              .Bind(r.message_id.empty() ? std::optional<std::string>()
                                         : std::optional(r.message_id))
              .Bind(r.sent_at).Bind(r.archive_path)
              .Run();
        }
      }
      AdvanceCursor(r.mailbox, r.folder, r.uidvalidity, r.uid);
      transaction.Commit();
      return linked;
    } catch (const SqliteError& e) {
      return FromSqlite(e, "recording a sent message of " + r.mailbox);
    }
  }

  using Store::MarkFiled;
  Status MarkFiled(const std::vector<std::int64_t>& submission_ids,
                   const std::string& folder, std::int64_t at) override {
    try {
      Transaction transaction(*db_);
      Statement s(*db_,
                  "UPDATE submissions SET filed_folder = ?, filed_at = ? "
                  "WHERE id = ?");
      for (std::int64_t id : submission_ids) {
        s.Reset();
        s.Bind(folder).Bind(at).Bind(id).Run();
      }
      transaction.Commit();
      return Status::Ok();
    } catch (const SqliteError& e) {
      return FromSqlite(e, "marking a submission filed");
    }
  }

  Status RecordPoll(const std::string& mailbox, const std::string& folder,
                    std::int64_t at, const std::string& error) override {
    try {
      Statement s(*db_,
                  "INSERT INTO mailbox_state(mailbox, folder, uidvalidity, "
                  "last_uid, last_poll_at, last_error, error_count) "
                  "VALUES (?, ?, 0, 0, ?, ?, ?) ON CONFLICT(mailbox, folder) "
                  "DO UPDATE SET last_poll_at = excluded.last_poll_at, "
                  "last_error = excluded.last_error, error_count = CASE WHEN "
                  "excluded.last_error = '' THEN 0 ELSE "
                  "mailbox_state.error_count + 1 END");
      s.Bind(mailbox).Bind(folder).Bind(at).Bind(error)
          .Bind(static_cast<std::int64_t>(error.empty() ? 0 : 1))
          .Run();
      return Status::Ok();
    } catch (const SqliteError& e) {
      return FromSqlite(e, "recording a poll of " + mailbox);
    }
  }

  Result<std::vector<MailboxState>> LoadMailboxStates() override {
    try {
      Statement s(*db_,
                  "SELECT mailbox, folder, uidvalidity, last_uid, "
                  "COALESCE(last_poll_at, 0), last_error, error_count "
                  "FROM mailbox_state ORDER BY mailbox, folder");
      std::vector<MailboxState> out;
      while (s.Step()) {
        out.push_back(MailboxState{s.Text(0), s.Text(1), {s.Int(2), s.Int(3)},
                                   s.Int(4), s.Text(5),
                                   static_cast<int>(s.Int(6))});
      }
      return out;
    } catch (const SqliteError& e) {
      return FromSqlite(e, "loading mailbox states");
    }
  }

  Result<std::vector<SubmissionRow>> ListSubmissions(
      const SubmissionFilter& f) override {
    try {
      Statement s(*db_,
                  "SELECT s.id, COALESCE(p.external_id, ''), "
                  "COALESCE(p.last_name || ' ' || p.first_name, ''), "
                  "COALESCE(c.name, ''), COALESCE(a.code, ''), "
                  "COALESCE(sub.name, ''), s.mailbox, s.sender, s.subject, "
                  "s.received_at, s.status, s.attempt, "
                  "COALESCE(s.filed_folder, ''), "
                  "(SELECT count(*) FROM attachments t "
                  " WHERE t.submission_id = s.id), "
                  "(SELECT count(*) FROM replies r WHERE r.submission_id = s.id) "
                  "FROM submissions s "
                  "LEFT JOIN people p ON p.id = s.pupil_id "
                  "LEFT JOIN pupils u ON u.person_id = p.id "
                  "LEFT JOIN classes c ON c.id = u.class_id "
                  "LEFT JOIN assignments a ON a.id = s.assignment_id "
                  "LEFT JOIN subjects sub ON sub.id = a.subject_id "
                  "WHERE (?1 = '' OR s.mailbox = ?1) "
                  "AND (?2 = '' OR c.name = ?2) "
                  "AND (?3 = '' OR s.status = ?3) "
                  "AND (?4 = 0 OR s.received_at >= ?4) "
                  "AND (?5 = 0 OR s.received_at < ?5) "
                  "ORDER BY s.received_at, s.id");
      s.Bind(f.mailbox).Bind(f.class_name).Bind(f.status).Bind(f.from)
          .Bind(f.to);
      std::vector<SubmissionRow> rows;
      while (s.Step()) {
        SubmissionRow row;
        row.id = s.Int(0);
        row.pupil_id = s.Text(1);
        row.pupil_name = s.Text(2);
        row.class_name = s.Text(3);
        row.assignment_code = s.Text(4);
        row.subject = s.Text(5);
        row.mailbox = s.Text(6);
        row.sender = s.Text(7);
        row.mail_subject = s.Text(8);
        row.received_at = s.Int(9);
        row.status = s.Text(10);
        row.attempt = static_cast<int>(s.Int(11));
        row.filed_folder = s.Text(12);
        row.attachments = static_cast<int>(s.Int(13));
        row.replies = static_cast<int>(s.Int(14));
        rows.push_back(std::move(row));
      }
      return rows;
    } catch (const SqliteError& e) {
      return FromSqlite(e, "listing submissions");
    }
  }

  Result<std::vector<PendingReceipt>> ListPendingReceipts(int limit) override {
    try {
      return outbox_sql::ListPendingReceipts(*db_, limit);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "listing receipts to send");
    }
  }

  Result<int> DropReceiptsTo(const std::string& address,
                             const std::string& reason,
                             std::int64_t at) override {
    try {
      return outbox_sql::DropReceiptsTo(*db_, address, reason, at);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "dropping the receipts to " + address);
    }
  }

  Status DropReceipt(std::int64_t submission_id, const std::string& reason,
                     std::int64_t at) override {
    try {
      outbox_sql::DropReceipt(*db_, submission_id, reason, at);
      return Status::Ok();
    } catch (const SqliteError& e) {
      return FromSqlite(e, "dropping a receipt");
    }
  }

  Result<EnqueueResult> Enqueue(const OutboxMail& mail, std::int64_t now,
                                int cap) override {
    try {
      return outbox_sql::Enqueue(*db_, mail, now, cap);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "queueing " + mail.kind + " mail");
    }
  }

  Result<std::vector<OutboxEntry>> ClaimDue(std::int64_t now,
                                            int limit) override {
    try {
      RelaxedSync relaxed(*db_);
      return outbox_sql::ClaimDue(*db_, now, limit);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "taking mail from the outbox");
    }
  }

  Status RecordAttempt(std::int64_t id,
                       const std::vector<RecipientOutcome>& outcomes,
                       const std::string& reply, std::int64_t now,
                       std::int64_t next_attempt_at) override {
    try {
      RelaxedSync relaxed(*db_);
      outbox_sql::RecordAttempt(*db_, id, outcomes, reply, now,
                                next_attempt_at);
      return Status::Ok();
    } catch (const SqliteError& e) {
      return FromSqlite(e, "recording a send attempt");
    }
  }

  Result<std::vector<OutboxEntry>> ListOutbox(bool all) override {
    try {
      return outbox_sql::ListOutbox(*db_, all);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "listing the outbox");
    }
  }

  Result<bool> RetryOutbox(std::int64_t id, std::int64_t now) override {
    try {
      return outbox_sql::RetryOutbox(*db_, id, now);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "requeueing outbox mail " + std::to_string(id));
    }
  }

  Result<std::vector<OutboxEntry>> TakeUnreportedFailures() override {
    try {
      return outbox_sql::TakeUnreportedFailures(*db_);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "listing failed mail");
    }
  }

  Result<int> CountSuppressed(std::int64_t since) override {
    try {
      return outbox_sql::CountSuppressed(*db_, since);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "counting suppressed mail");
    }
  }

  // --- Lesson plan, timetable, distance mode, announcements, jobs ---

  Result<PlanImportSummary> ImportPlan(const std::vector<PlanItem>& items,
                                       std::int64_t now) override {
    try {
      return teaching_sql::ImportPlan(*db_, items, now);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "importing the lesson plan");
    }
  }

  Status ReplaceTimetable(const std::vector<TimetableEntry>& entries) override {
    try {
      return teaching_sql::ReplaceTimetable(*db_, entries);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "importing the timetable");
    }
  }

  Result<std::vector<TimetableEntry>> LoadTimetable() override {
    try {
      return teaching_sql::LoadTimetable(*db_);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "loading the timetable");
    }
  }

  Status StartDistance(const std::vector<std::string>& classes,
                       const Date& first, const std::optional<Date>& last,
                       const std::string& order_text, std::int64_t at) override {
    try {
      return teaching_sql::StartDistance(*db_, classes, first, last,
                                         order_text, at);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "starting distance mode");
    }
  }

  Result<int> StopDistance(const std::vector<std::string>& classes,
                           const Date& from) override {
    try {
      return teaching_sql::StopDistance(*db_, classes, from);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "stopping distance mode");
    }
  }

  Result<std::vector<std::string>> ClassesInDistance(const Date& day) override {
    try {
      return teaching_sql::ClassesInDistance(*db_, day);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "looking up distance mode");
    }
  }

  Result<std::vector<DistancePeriod>> ListDistancePeriods() override {
    try {
      return teaching_sql::ListDistancePeriods(*db_);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "listing distance periods");
    }
  }

  Result<std::string> AddAssignmentToAnnounce(
      const Assignment& assignment, const std::string& source,
      const std::vector<StoredFile>& files, std::int64_t created_at) override {
    try {
      return teaching_sql::AddAssignmentToAnnounce(*db_, assignment, source,
                                                   files, created_at);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "adding assignment " + assignment.code);
    }
  }

  Result<std::vector<PendingAnnouncement>> ListPendingAnnouncements(
      const Date& set_by) override {
    try {
      return teaching_sql::ListPendingAnnouncements(*db_, set_by);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "listing assignments to mail");
    }
  }

  Status MarkAnnounced(const std::string& code, bool mailed, int pupils,
                       std::int64_t at) override {
    try {
      return teaching_sql::MarkAnnounced(*db_, code, mailed, pupils, at);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "marking assignment " + code + " mailed");
    }
  }

  Result<bool> IsJobDone(const std::string& job, const Date& day) override {
    try {
      return teaching_sql::IsJobDone(*db_, job, day);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "looking up job " + job);
    }
  }

  Status MarkJobDone(const std::string& job, const Date& day,
                     std::int64_t at) override {
    try {
      teaching_sql::MarkJobDone(*db_, job, day, at);
      return Status::Ok();
    } catch (const SqliteError& e) {
      return FromSqlite(e, "marking job " + job + " done");
    }
  }

  Status ForgetJob(const std::string& job, const Date& day) override {
    try {
      teaching_sql::ForgetJob(*db_, job, day);
      return Status::Ok();
    } catch (const SqliteError& e) {
      return FromSqlite(e, "resetting job " + job);
    }
  }

  Status BeginIntakeBatch(const std::string& mailbox, const std::string& folder,
                          std::int64_t uidvalidity, std::int64_t first_uid,
                          std::int64_t last_uid) override {
    try {
      Statement s(*db_,
                  "INSERT INTO intake_batches(mailbox, folder, uidvalidity, "
                  "first_uid, last_uid) VALUES (?, ?, ?, ?, ?) "
                  "ON CONFLICT(mailbox, folder) DO UPDATE SET "
                  "uidvalidity = excluded.uidvalidity, "
                  "first_uid = excluded.first_uid, last_uid = excluded.last_uid");
      s.Bind(mailbox).Bind(folder).Bind(uidvalidity).Bind(first_uid)
          .Bind(last_uid).Run();
      return Status::Ok();
    } catch (const SqliteError& e) {
      return FromSqlite(e, "noting the batch in hand of " + mailbox);
    }
  }

  Status EndIntakeBatch(const std::string& mailbox,
                        const std::string& folder) override {
    try {
      Statement s(*db_,
                  "DELETE FROM intake_batches WHERE mailbox = ? AND folder = ?");
      s.Bind(mailbox).Bind(folder).Run();
      return Status::Ok();
    } catch (const SqliteError& e) {
      return FromSqlite(e, "ending the batch of " + mailbox);
    }
  }

  Result<std::optional<IntakeBatch>> UnfinishedIntakeBatch(
      const std::string& mailbox, const std::string& folder) override {
    try {
      Statement s(*db_,
                  "SELECT uidvalidity, first_uid, last_uid FROM intake_batches "
                  "WHERE mailbox = ? AND folder = ?");
      s.Bind(mailbox).Bind(folder);
      if (!s.Step()) return std::optional<IntakeBatch>();
      return std::optional<IntakeBatch>(IntakeBatch{s.Int(0), s.Int(1), s.Int(2)});
    } catch (const SqliteError& e) {
      return FromSqlite(e, "reading the batch of " + mailbox);
    }
  }

  Result<int> NoteParseAttempt(const std::string& mailbox,
                               const std::string& folder,
                               std::int64_t uidvalidity,
                               std::int64_t uid) override {
    try {
      Statement s(*db_,
                  "INSERT INTO parse_attempts(mailbox, folder, uidvalidity, uid, "
                  "attempts) VALUES (?, ?, ?, ?, 1) ON CONFLICT DO UPDATE SET "
                  "attempts = attempts + 1 RETURNING attempts");
      s.Bind(mailbox).Bind(folder).Bind(uidvalidity).Bind(uid);
      s.Step();
      int attempts = static_cast<int>(s.Int(0));
      s.Run();
      return attempts;
    } catch (const SqliteError& e) {
      return FromSqlite(e, "counting a parse attempt in " + mailbox);
    }
  }

  // --- Grades (storage/grades_sql.h) ---

  Result<std::optional<GradeTarget>> FindSubmission(std::int64_t id) override {
    try {
      return grades_sql::LoadTarget(*db_, id);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "looking up submission " + std::to_string(id));
    }
  }

  Result<std::optional<GradeTarget>> FindSubmissionByMessageId(
      const std::string& message_id, const std::string& mailbox) override {
    try {
      return grades_sql::FindByMessageId(*db_, message_id, mailbox);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "looking up the submission <" + message_id + ">");
    }
  }

  Result<std::optional<GradeTarget>> FindRepliedSubmission(
      const std::string& mailbox,
      const std::vector<std::string>& refers_to) override {
    try {
      std::int64_t id = grades_sql::RepliedSubmission(*db_, mailbox, refers_to);
      if (id == 0) return std::optional<GradeTarget>();
      return grades_sql::LoadTarget(*db_, id);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "looking up the submission a reply answers");
    }
  }

  Result<RecordedGrade> RecordGrade(const NewGrade& grade) override {
    try {
      Transaction transaction(*db_);
      auto recorded = grades_sql::InsertGrade(*db_, grade);
      if (recorded.ok()) transaction.Commit();
      return recorded;
    } catch (const SqliteError& e) {
      return FromSqlite(e, "recording a grade for submission " +
                               std::to_string(grade.submission_id));
    }
  }

  // RecordSent's steps with the grade in the same transaction. A grade the
  // store refuses (an unknown teacher) leaves the link recorded and comes
  // back as the error; the message is not read again.
  Result<RecordedSent> RecordSentWithGrade(
      const SentRecord& r, const std::optional<NewGrade>& grade) override {
    try {
      Transaction transaction(*db_);
      RecordedSent out;
      Status refused;
      Statement seen(*db_, "SELECT 1 FROM processed_messages WHERE key = ?");
      seen.Bind(r.message_key);
      if (!seen.Step()) {
        out.submission_id =
            grades_sql::RepliedSubmission(*db_, r.mailbox, r.refers_to);
        InsertProcessed(r.message_key, r.mailbox, r.folder, r.uidvalidity,
                        r.uid, out.submission_id ? "reply" : "sent", r.sent_at);
        if (out.submission_id) {
          grades_sql::InsertReply(*db_, out.submission_id, r);
          if (grade && grade->submission_id == out.submission_id) {
            auto recorded = grades_sql::InsertGrade(*db_, *grade);
            if (recorded.ok()) {
              out.grade = *recorded;
            } else {
              refused = recorded.status();
            }
          }
        }
      }
      AdvanceCursor(r.mailbox, r.folder, r.uidvalidity, r.uid);
      transaction.Commit();
      if (!refused.ok()) return refused;
      return out;
    } catch (const SqliteError& e) {
      return FromSqlite(e, "recording a sent message of " + r.mailbox);
    }
  }

  Result<std::vector<GradeRow>> ListGrades(const GradeFilter& filter) override {
    try {
      return grades_sql::ListGrades(*db_, filter);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "listing grades");
    }
  }

  Result<std::vector<GradeRow>> ListPendingGradeNotices(int limit) override {
    try {
      return grades_sql::ListPendingNotices(*db_, limit);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "listing grade notices to send");
    }
  }

  Status MarkGradeNotice(std::int64_t grade_id, bool queued,
                         std::int64_t at) override {
    try {
      grades_sql::MarkNotice(*db_, grade_id, queued, at);
      return Status::Ok();
    } catch (const SqliteError& e) {
      return FromSqlite(e, "marking the notice of grade " +
                               std::to_string(grade_id));
    }
  }

  // --- The hotline (storage/hotline_sql.h) ---

  Result<HotlineQuestion> RecordHotlineQuestion(
      const HotlineQuestion& question) override {
    try {
      Transaction transaction(*db_);
      HotlineQuestion stored = hotline_sql::Record(*db_, question);
      transaction.Commit();
      return stored;
    } catch (const SqliteError& e) {
      return FromSqlite(e, "recording a hotline question from " +
                               question.sender);
    }
  }

  Result<std::optional<HotlineQuestion>> FindHotlineQuestionByForward(
      const std::string& forward_message_id) override {
    try {
      return hotline_sql::FindByForward(*db_, forward_message_id);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "looking up a hotline question");
    }
  }

  Status MarkHotlineAnswered(std::int64_t id, std::int64_t at,
                             const std::string& by,
                             const std::string& answer_message_id) override {
    try {
      hotline_sql::MarkAnswered(*db_, id, at, by, answer_message_id);
      return Status::Ok();
    } catch (const SqliteError& e) {
      return FromSqlite(e, "marking hotline question " + std::to_string(id) +
                               " answered");
    }
  }

  Result<std::vector<HotlineQuestion>> ListHotlineQuestions(
      bool open_only) override {
    try {
      return hotline_sql::List(*db_, open_only);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "listing hotline questions");
    }
  }

  // --- Parent digest (storage/digest_sql.h) ---

  Result<std::optional<std::int64_t>> LastQueuedAt(
      const std::string& key_prefix, const std::string& key_before) override {
    try {
      return digest_sql::LastQueuedAt(*db_, key_prefix, key_before);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "looking up mail queued as " + key_prefix);
    }
  }

  // --- The administration's control report (storage/report_sql.h) ---

  Result<std::vector<PlannedLesson>> ListPlannedLessons(
      const Date& first, const Date& last) override {
    try {
      return report_sql::ListPlannedLessons(*db_, first, last);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "reading the lesson plan");
    }
  }

  Result<std::vector<DeliveryRow>> ListDeliveries(
      const DeliveryFilter& filter) override {
    try {
      return report_sql::ListDeliveries(*db_, filter);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "reading the delivery log");
    }
  }

  // --- Receipts over the per-recipient cap (storage/outbox_sql.h) ---

  Result<bool> AutomaticCapReached(const std::string& address,
                                   std::int64_t now, int cap) override {
    try {
      return outbox_sql::AutomaticCapReached(*db_, address, now, cap);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "counting automatic mail to " + address);
    }
  }

 private:
  void InsertProcessed(const std::string& key, const std::string& mailbox,
                       const std::string& folder, std::int64_t uidvalidity,
                       std::int64_t uid, const std::string& outcome,
                       std::int64_t at) {
    Statement insert(*db_,
                     "INSERT INTO processed_messages(key, mailbox, folder, "
                     "uidvalidity, uid, outcome, processed_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)");
    insert.Bind(key).Bind(mailbox).Bind(folder).Bind(uidvalidity).Bind(uid)
        .Bind(outcome).Bind(at)
        .Run();
  }

  // Moves a folder's cursor forward to `uid` (never back).
  void AdvanceCursor(const std::string& mailbox, const std::string& folder,
                     std::int64_t uidvalidity, std::int64_t uid) {
    Statement cursor(*db_,
                     "INSERT INTO mailbox_state(mailbox, folder, uidvalidity, "
                     "last_uid) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT(mailbox, folder) DO UPDATE SET "
                     "uidvalidity = excluded.uidvalidity, last_uid = "
                     "max(mailbox_state.last_uid, excluded.last_uid)");
    cursor.Bind(mailbox).Bind(folder).Bind(uidvalidity).Bind(uid).Run();
  }

  RecordedIntake RecordOne(const IntakeRecord& r) {
    RecordedIntake recorded;
    Statement seen(*db_, "SELECT 1 FROM processed_messages WHERE key = ?");
    seen.Bind(r.message_key);
    if (!seen.Step()) {
      InsertProcessed(r.message_key, r.mailbox, r.folder, r.uidvalidity, r.uid,
                      r.outcome, r.processed_at);
      if (r.submission) recorded = InsertSubmission(r);
    }
    AdvanceCursor(r.mailbox, r.folder, r.uidvalidity, r.uid);
    return recorded;
  }

  RecordedIntake InsertSubmission(const IntakeRecord& r) {
    const SubmissionRecord& sub = *r.submission;
    std::optional<std::int64_t> pupil;
    if (!sub.pupil_id.empty()) {
      Statement p(*db_, "SELECT id FROM people WHERE external_id = ?");
      p.Bind(sub.pupil_id);
      if (p.Step()) pupil = p.Int(0);
    }
    std::optional<std::int64_t> assignment;
    if (!sub.assignment_code.empty()) {
      Statement a(*db_, "SELECT id FROM assignments WHERE code = ?");
      a.Bind(sub.assignment_code);
      if (a.Step()) assignment = a.Int(0);
    }
    int attempt = 1;
    if (pupil) {
      Statement count(*db_,
                      "SELECT count(*) FROM submissions WHERE pupil_id = ? "
                      "AND assignment_id IS ?");
      count.Bind(*pupil).Bind(assignment);
      count.Step();
      attempt = static_cast<int>(count.Int(0)) + 1;
    }
    Statement insert(*db_,
                     "INSERT INTO submissions(message_key, pupil_id, "
                     "assignment_id, mailbox, sender, subject, message_id, "
                     "received_at, status, attempt, archive_path, file_to, "
                     "receipt, warnings) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.Bind(r.message_key).Bind(pupil).Bind(assignment).Bind(r.mailbox)
        .Bind(sub.sender).Bind(sub.subject)
        .Bind(sub.message_id.empty() ? std::optional<std::string>()
                                     : std::optional(sub.message_id))
        .Bind(sub.received_at).Bind(SubmissionStatusName(sub.status))
        .Bind(static_cast<std::int64_t>(attempt)).Bind(sub.archive_path)
        .Bind(sub.file_to.empty() ? std::optional<std::string>()
                                  : std::optional(sub.file_to))
        .Bind(sub.wants_receipt ? "pending" : "none").Bind(sub.warnings)
        .Run();
    std::int64_t id = db_->LastInsertId();
    Statement attach(*db_,
                     "INSERT INTO attachments(submission_id, position, name, "
                     "content_type, size, sha256) VALUES (?, ?, ?, ?, ?, ?)");
    for (size_t i = 0; i < sub.attachments.size(); ++i) {
      const StoredAttachment& a = sub.attachments[i];
      attach.Reset();
      attach.Bind(id).Bind(static_cast<std::int64_t>(i)).Bind(a.name)
          .Bind(a.content_type).Bind(static_cast<std::int64_t>(a.size))
          .Bind(a.sha256)
          .Run();
    }
    return RecordedIntake{id, attempt};
  }

  std::vector<std::string> Addresses(std::int64_t person) {
    Statement s(*db_,
                "SELECT address FROM addresses WHERE person_id = ? "
                "ORDER BY position");
    s.Bind(person);
    std::vector<std::string> out;
    while (s.Step()) out.push_back(s.Text(0));
    return out;
  }

  Roster Load() {
    Roster roster;
    Statement classes(*db_, "SELECT name FROM classes ORDER BY name");
    while (classes.Step()) roster.classes.push_back({classes.Text(0)});

    Statement people(*db_,
                     "SELECT p.id, p.external_id, p.role, p.last_name, "
                     "p.first_name, p.middle_name, c.name, g.name "
                     "FROM people p "
                     "LEFT JOIN pupils u ON u.person_id = p.id "
                     "LEFT JOIN classes c ON c.id = u.class_id "
                     "LEFT JOIN duty_groups g ON g.id = u.duty_group_id "
                     "ORDER BY p.external_id");
    while (people.Step()) {
      std::int64_t row_id = people.Int(0);
      std::string id = people.Text(1);
      std::string role = people.Text(2);
      PersonName name{people.Text(3), people.Text(4), people.Text(5)};
      std::vector<std::string> addresses = Addresses(row_id);
      if (role == "pupil") {
        roster.pupils.push_back(
            Pupil{id, name, people.Text(6), addresses, people.Text(7)});
      } else if (role == "parent") {
        Statement children(*db_,
                           "SELECT p.external_id FROM parent_children pc "
                           "JOIN people p ON p.id = pc.pupil_id "
                           "WHERE pc.parent_id = ? ORDER BY p.external_id");
        children.Bind(row_id);
        Parent parent{id, name, addresses, {}};
        while (children.Step()) parent.children.push_back(children.Text(0));
        roster.parents.push_back(std::move(parent));
      } else {
        Teacher teacher{id, name, addresses, {}, {}, {}};
        Statement subjects(*db_,
                           "SELECT s.name FROM teacher_subjects ts "
                           "JOIN subjects s ON s.id = ts.subject_id "
                           "WHERE ts.teacher_id = ? ORDER BY ts.position");
        subjects.Bind(row_id);
        while (subjects.Step()) teacher.subjects.push_back(subjects.Text(0));
        Statement taught(*db_,
                         "SELECT c.name FROM teacher_classes tc "
                         "JOIN classes c ON c.id = tc.class_id "
                         "WHERE tc.teacher_id = ? ORDER BY tc.position");
        taught.Bind(row_id);
        while (taught.Step()) teacher.classes.push_back(taught.Text(0));
        Statement leads(*db_,
                        "SELECT c.name FROM class_teachers ct "
                        "JOIN classes c ON c.id = ct.class_id "
                        "WHERE ct.teacher_id = ?");
        leads.Bind(row_id);
        if (leads.Step()) teacher.class_teacher_of = leads.Text(0);
        roster.teachers.push_back(std::move(teacher));
      }
    }
    return roster;
  }

  std::int64_t ClassId(const std::string& name) {
    return IdOf(*db_, "SELECT id FROM classes WHERE name = ?",
                "INSERT INTO classes(name) VALUES (?)", name);
  }

  // Inserts or updates the person row; returns its id.
  std::int64_t UpsertPerson(const std::string& id, const char* role,
                            const PersonName& name) {
    Statement s(*db_,
                "INSERT INTO people(external_id, role, last_name, first_name, "
                "middle_name) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(external_id) DO UPDATE SET role = excluded.role, "
                "last_name = excluded.last_name, "
                "first_name = excluded.first_name, "
                "middle_name = excluded.middle_name "
                "RETURNING id");
    s.Bind(id).Bind(role).Bind(name.last).Bind(name.first).Bind(name.middle);
    s.Step();
    return s.Int(0);
  }

  void InsertAddresses(std::int64_t person,
                       const std::vector<std::string>& addresses) {
    Statement s(*db_,
                "INSERT INTO addresses(address, person_id, position) "
                "VALUES (?, ?, ?)");
    for (size_t i = 0; i < addresses.size(); ++i) {
      s.Reset();
      s.Bind(addresses[i]).Bind(person).Bind(static_cast<std::int64_t>(i));
      s.Run();
    }
  }

  RosterImportSummary Import(const Roster& roster, const Roster& before) {
    RosterImportSummary summary;
    for (const SchoolClass& c : roster.classes) {
      Statement s(*db_, "INSERT OR IGNORE INTO classes(name) VALUES (?)");
      s.Bind(c.name).Run();
      summary.classes_added += db_->Changes();
    }

    // Compare with what was stored, for the summary.
    std::map<std::string, int> state;  // id -> 0 new, 1 changed, 2 same
    auto classify = [&](const auto& people, const auto& stored) {
      for (const auto& person : people) {
        auto it = std::find_if(stored.begin(), stored.end(),
                               [&](const auto& s) { return s.id == person.id; });
        state[person.id] = it == stored.end() ? 0 : (*it == person ? 2 : 1);
      }
    };
    classify(roster.pupils, before.pupils);
    classify(roster.parents, before.parents);
    classify(roster.teachers, before.teachers);
    for (const auto& [id, s] : state) {
      if (s == 0) ++summary.people_added;
      if (s == 1) ++summary.people_updated;
      if (s == 2) ++summary.people_unchanged;
    }

    // Release every address of the people in the file first, so that an
    // address may move from one of them to another.
    std::map<std::string, std::int64_t> rows;
    auto upsert = [&](const std::string& id, const char* role,
                      const PersonName& name) {
      std::int64_t row = UpsertPerson(id, role, name);
      Statement s(*db_, "DELETE FROM addresses WHERE person_id = ?");
      s.Bind(row).Run();
      rows[id] = row;
      return row;
    };
    for (const Pupil& p : roster.pupils) upsert(p.id, "pupil", p.name);
    for (const Parent& p : roster.parents) upsert(p.id, "parent", p.name);
    for (const Teacher& t : roster.teachers) upsert(t.id, "teacher", t.name);

    for (const Pupil& p : roster.pupils) {
      std::int64_t row = rows[p.id];
      InsertAddresses(row, p.addresses);
      std::optional<std::int64_t> group;
      if (!p.duty_group.empty()) {
        group = IdOf(*db_, "SELECT id FROM duty_groups WHERE name = ?",
                     "INSERT INTO duty_groups(name) VALUES (?)", p.duty_group);
      }
      Statement s(*db_,
                  "INSERT INTO pupils(person_id, class_id, duty_group_id) "
                  "VALUES (?, ?, ?) ON CONFLICT(person_id) DO UPDATE SET "
                  "class_id = excluded.class_id, "
                  "duty_group_id = excluded.duty_group_id");
      s.Bind(row).Bind(ClassId(p.class_name)).Bind(group).Run();
    }
    for (const Parent& p : roster.parents) {
      std::int64_t row = rows[p.id];
      InsertAddresses(row, p.addresses);
      Statement clear(*db_, "DELETE FROM parent_children WHERE parent_id = ?");
      clear.Bind(row).Run();
      for (const std::string& child : p.children) {
        Statement s(*db_,
                    "INSERT INTO parent_children(parent_id, pupil_id) "
                    "SELECT ?, id FROM people WHERE external_id = ? "
                    "AND role = 'pupil'");
        s.Bind(row).Bind(child).Run();
        if (db_->Changes() != 1) {
          throw SqliteError(SQLITE_CONSTRAINT,
                            "parent " + p.id + ": no pupil " + child);
        }
      }
    }
    for (const Teacher& t : roster.teachers) {
      std::int64_t row = rows[t.id];
      InsertAddresses(row, t.addresses);
      for (const char* sql : {"DELETE FROM teacher_subjects WHERE teacher_id = ?",
                              "DELETE FROM teacher_classes WHERE teacher_id = ?",
                              "DELETE FROM class_teachers WHERE teacher_id = ?"}) {
        Statement s(*db_, sql);
        s.Bind(row).Run();
      }
      for (size_t i = 0; i < t.subjects.size(); ++i) {
        std::int64_t subject =
            IdOf(*db_, "SELECT id FROM subjects WHERE name = ?",
                 "INSERT INTO subjects(name) VALUES (?)", t.subjects[i]);
        Statement s(*db_,
                    "INSERT OR IGNORE INTO teacher_subjects(teacher_id, "
                    "subject_id, position) VALUES (?, ?, ?)");
        s.Bind(row).Bind(subject).Bind(static_cast<std::int64_t>(i)).Run();
      }
      for (size_t i = 0; i < t.classes.size(); ++i) {
        Statement s(*db_,
                    "INSERT OR IGNORE INTO teacher_classes(teacher_id, "
                    "class_id, position) VALUES (?, ?, ?)");
        s.Bind(row).Bind(ClassId(t.classes[i]))
            .Bind(static_cast<std::int64_t>(i))
            .Run();
      }
      if (!t.class_teacher_of.empty()) {
        Statement s(*db_,
                    "INSERT INTO class_teachers(class_id, teacher_id) "
                    "VALUES (?, ?) ON CONFLICT(class_id) DO UPDATE SET "
                    "teacher_id = excluded.teacher_id");
        s.Bind(ClassId(t.class_teacher_of)).Bind(row).Run();
      }
    }
    return summary;
  }

  std::unique_ptr<Database> db_;

 public:
  // --- Illness (storage/illness_sql.h) ---

  Result<std::int64_t> RecordIllness(const Illness& illness) override {
    try {
      Transaction transaction(*db_);
      auto id = illness_sql::InsertIllness(*db_, illness);
      if (id.ok()) transaction.Commit();
      return id;
    } catch (const SqliteError& e) {
      return FromSqlite(e, "recording the illness of pupil " + illness.pupil_id);
    }
  }

  Result<std::vector<Illness>> ListIllnesses(const Date& from,
                                             const Date& to) override {
    try {
      return illness_sql::ListIllnesses(*db_, from, to);
    } catch (const SqliteError& e) {
      return FromSqlite(e, "listing illnesses");
    }
  }
};

void Migrate(Database& db, const std::string& path) {
  Statement version_query(db, "PRAGMA user_version");
  version_query.Step();
  int version = static_cast<int>(version_query.Int(0));
  version_query.Reset();
  int known = static_cast<int>(Migrations().size());
  if (version > known) {
    throw SqliteError(
        SQLITE_ERROR,
        "database " + path + " has schema version " + std::to_string(version) +
            ", newer than this schoolmail knows (" + std::to_string(known) +
            "): run the newer schoolmail or restore a backup");
  }
  if (version == 0) {
    Statement tables(db, "SELECT count(*) FROM sqlite_master");
    tables.Step();
    if (tables.Int(0) != 0) {
      throw SqliteError(SQLITE_ERROR, path + " holds tables but is not a "
                                              "schoolmail database");
    }
  }
  for (int next = version + 1; next <= known; ++next) {
    Transaction transaction(db);
    db.Execute(Migrations()[next - 1]);
    db.Execute("PRAGMA user_version = " + std::to_string(next));
    transaction.Commit();
  }
}

}  // namespace

int CurrentSchemaVersion() { return static_cast<int>(Migrations().size()); }

const char* SubmissionStatusName(SubmissionStatus status) {
  switch (status) {
    case SubmissionStatus::kOnTime: return "on_time";
    case SubmissionStatus::kLate: return "late";
    case SubmissionStatus::kUnmatched: return "unmatched";
    case SubmissionStatus::kUnknownSender: return "unknown_sender";
    case SubmissionStatus::kReview: return "review";
  }
  return "unmatched";
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               StoreOptions options) {
  bool memory = path == ":memory:";
  struct stat info;
  if (!memory && options.must_exist && ::stat(path.c_str(), &info) != 0) {
    return Status::Error("database " + path +
                             " is missing while the mail archive exists; "
                             "refusing to start with an empty database, which "
                             "would answer old mail again. Restore the "
                             "database from a backup.",
                         Scope::kProcess, Retry::kNever);
  }
  try {
    auto db = std::make_unique<Database>(path, !options.must_exist || memory);
    db->Execute("PRAGMA foreign_keys = ON");
    if (!memory) {
      Statement wal(*db, "PRAGMA journal_mode = WAL");
      wal.Step();
      db->Execute("PRAGMA synchronous = FULL");
    }
    Migrate(*db, path);
    return std::unique_ptr<Store>(new SqliteStore(std::move(db)));
  } catch (const SqliteError& e) {
    return FromSqlite(e, "opening the database " + path);
  }
}

}  // namespace schoolmail
