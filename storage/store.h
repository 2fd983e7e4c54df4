// The store: everything schoolmail remembers, behind one small interface.
//
// Every method that changes state runs as one transaction: it either
// happens completely or not at all. Errors come back as values; nothing
// throws across this border.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/school.h"
#include "config/status.h"

namespace schoolmail {

// What an import changed, for the operator.
struct RosterImportSummary {
  int classes_added = 0;
  int people_added = 0;
  int people_updated = 0;
  int people_unchanged = 0;
};

// Where a mailbox's reading stands.
struct MailboxCursor {
  std::int64_t uidvalidity = 0;  // 0: never read
  std::int64_t last_uid = 0;     // every UID up to this one is recorded
};

enum class SubmissionStatus { kOnTime, kLate, kUnmatched, kUnknownSender, kReview };
const char* SubmissionStatusName(SubmissionStatus status);  // "on_time", ...

struct StoredAttachment {
  std::string name;  // as decoded: metadata only, never a path
  std::string content_type;
  std::uint64_t size = 0;
  std::string sha256;
};

// A pupil's (or an unknown sender's) mail as the submissions table keeps it.
struct SubmissionRecord {
  std::string pupil_id;         // empty for an unknown sender
  std::string assignment_code;  // empty when unmatched
  std::string sender;
  std::string subject;
  std::string message_id;       // may be empty
  std::int64_t received_at = 0;  // INTERNALDATE, unix seconds
  SubmissionStatus status = SubmissionStatus::kUnmatched;
  std::string archive_path;     // relative to the data folder
  std::string file_to;          // folder to move it to; "" to leave it
  std::vector<StoredAttachment> attachments;
  bool wants_receipt = false;   // the pupil is owed a receipt
  std::string warnings;         // "no_attachment,only_links,empty_text"
};

// A stored submission still to be moved into its folder.
struct UnfiledMessage {
  std::int64_t submission_id = 0;
  std::int64_t uidvalidity = 0;
  std::int64_t uid = 0;
  std::string file_to;
  bool late = false;
};

// One message read from a mailbox, recorded in one transaction together
// with the mailbox's new cursor.
struct IntakeRecord {
  std::string mailbox;
  std::string folder;
  std::int64_t uidvalidity = 0;
  std::int64_t uid = 0;
  std::string message_key;  // Message-ID + content SHA-256
  std::string outcome;      // "submission", "auto_reply", "old", ...
  std::int64_t processed_at = 0;
  std::optional<SubmissionRecord> submission;
};

struct RecordedIntake {
  std::int64_t submission_id = 0;  // 0 when no submission was stored
  int attempt = 0;                 // 1 for the first hand-in
};

// A message from a teacher's Sent folder.
struct SentRecord {
  std::string mailbox;
  std::string folder;
  std::int64_t uidvalidity = 0;
  std::int64_t uid = 0;
  std::string message_key;
  std::string message_id;
  std::vector<std::string> refers_to;  // In-Reply-To, then References
  std::int64_t sent_at = 0;
  std::string archive_path;
};

// A stored submission, for `schoolmail submissions` and the rules.
struct SubmissionRow {
  std::int64_t id = 0;
  std::string pupil_id;
  std::string pupil_name;
  std::string class_name;
  std::string assignment_code;
  std::string subject;  // the assignment's school subject, or ""
  std::string mailbox;
  std::string sender;
  std::string mail_subject;
  std::int64_t received_at = 0;
  std::string status;
  int attempt = 0;
  std::string filed_folder;
  int attachments = 0;
  int replies = 0;  // the teacher's replies linked from the Sent folder
};

// A mailbox folder as `schoolmail status` shows it.
struct MailboxState {
  std::string mailbox;
  std::string folder;
  MailboxCursor cursor;
  std::int64_t last_poll_at = 0;  // 0: never polled
  std::string last_error;         // "" after a good poll
  int error_count = 0;            // failed polls in a row
};

// A submission whose receipt is owed and not yet queued.
struct PendingReceipt {
  std::int64_t submission_id = 0;
  std::string mailbox;
  std::string pupil_id;
  std::string sender;       // the address the work came from
  std::string mail_subject;
  std::string message_id;   // the pupil's Message-ID, for threading
  std::int64_t received_at = 0;
  std::string status;       // on_time, late, unmatched
  int attempt = 1;
  std::string assignment_code;  // "" when unmatched
  std::string warnings;
  std::vector<StoredAttachment> attachments;
};

// Outgoing mail as the outbox keeps it. The message (with its Message-ID)
// is complete before it is queued and never changes afterwards.
struct OutboxMail {
  std::string kind;         // "receipt", "assignment", "morning", ...
  std::string dedup_key;    // one mail per key, ever ("receipt:42"); "" none
  std::string envelope_from;
  std::vector<std::string> recipients;  // normalised addresses
  std::string message_id;   // without angle brackets
  std::string summary;      // the subject, for `schoolmail outbox`
  std::string body;         // the complete RFC 5322 message, CRLF
  // Counts against the per-recipient daily cap (mail that answers
  // incoming mail: receipts, confirmations, replies to commands).
  bool automatic = false;
  std::int64_t receipt_for = 0;  // the submission this is the receipt of
};

enum class EnqueueOutcome {
  kQueued,      // in the outbox (possibly for fewer recipients: see capped)
  kDuplicate,   // a mail with this dedup key exists: nothing queued
  kSuppressed,  // every recipient is over the cap: nothing queued
};

struct EnqueueResult {
  EnqueueOutcome outcome = EnqueueOutcome::kQueued;
  std::int64_t id = 0;               // the outbox entry (kQueued)
  std::vector<std::string> capped;   // recipients left out by the cap
};

struct OutboxRecipient {
  std::string address;
  std::string state;  // pending, sent, failed
  std::string last_reply;
};

struct OutboxEntry {
  std::int64_t id = 0;
  std::string kind;
  std::string message_id;
  std::string envelope_from;
  std::string summary;
  std::string body;  // empty in listings
  std::string state;  // queued, sending, sent, deferred, failed
  int attempts = 0;
  std::int64_t next_attempt_at = 0;
  std::int64_t created_at = 0;
  std::int64_t sent_at = 0;
  std::string last_reply;
  std::vector<OutboxRecipient> recipients;
};

// What one attempt did for one recipient.
struct RecipientOutcome {
  enum class State { kSent, kFailed, kDeferred };
  std::string address;
  State state = State::kDeferred;
  std::string reply;
};

struct SubmissionFilter {
  std::string mailbox;     // empty: any
  std::string class_name;  // empty: any
  std::string status;      // empty: any
  std::int64_t from = 0;   // received_at range, unix seconds; 0: open
  std::int64_t to = 0;
};

// --- Lesson plan, timetable, distance mode, announcements (issue 5) ---

// One lesson plan row with the assignment it makes, checked against the
// roster by the caller (daemon/assignments.h).
struct PlanItem {
  int line = 0;  // in the imported file
  Date day;      // the lesson: the assignment's set day
  std::string class_name;
  std::string subject;
  std::string topic;  // the assignment's title
  std::string task;   // its instructions; may be empty
  std::vector<std::string> links;
  Date due_day;
  std::optional<TimeOfDay> due_time_in_file;  // as the file gave it
  TimeOfDay due_time{18 * 60};  // the file's, or the school's deadline
  std::string teacher_id;       // "" when not exactly one teacher
  // The Message-ID the assignment's mail will carry (without brackets);
  // used only when the row makes a new assignment.
  std::string message_id;
};

struct PlanImportSummary {
  int rows_added = 0;
  int rows_updated = 0;
  int rows_unchanged = 0;
  std::vector<std::string> assignments_added;    // codes
  std::vector<std::string> assignments_updated;  // not yet mailed: changed
  // Rows that changed after their assignment was mailed: the assignment
  // keeps what the pupils were told.
  std::vector<std::string> assignments_kept;
};

// One row of the online lesson timetable (parsers/timetable.h's
// TimetableRow without its file line).
struct TimetableEntry {
  std::optional<Date> date;  // exactly one of date and weekday is set
  std::optional<Weekday> weekday;
  std::string class_name;
  std::string subject;
  std::string link;
  std::string note;
  TimeOfDay start;
  std::optional<TimeOfDay> end;
  bool operator==(const TimetableEntry&) const = default;
};

// A class in distance learning from first_day to last_day (open: until
// stopped), by the administration's order.
struct DistancePeriod {
  std::int64_t id = 0;
  std::string class_name;
  Date first_day;
  std::optional<Date> last_day;
  std::string order_text;
  std::int64_t created_at = 0;
};

// A worksheet that goes with an assignment's mail, kept until it is sent.
struct StoredFile {
  std::string name;
  std::string content_type;
  std::string data;
};

// An assignment whose mail to its class is still owed.
struct PendingAnnouncement {
  Assignment assignment;  // mail_message_id is set
  std::string source;     // "plan", "mail" or "cli"
  std::vector<StoredFile> files;
};

// --- Grades (issue 6) ---

// A stored submission with what grading it needs.
struct GradeTarget {
  std::int64_t submission_id = 0;
  std::string pupil_id;         // "" for an unknown sender
  std::string pupil_name;       // "Иванов Пётр"
  std::string class_name;
  std::string mailbox;          // the teacher mailbox that received it
  std::string sender;           // the address the work came from
  std::string message_id;       // the pupil's Message-ID; may be empty
  std::string mail_subject;
  std::int64_t received_at = 0;
  std::string status;           // on_time, late, unmatched, ...
  std::string assignment_code;  // "" when unmatched
  std::string assignment_teacher_id;  // who set it; "" when nobody did
  std::string school_subject;   // the assignment's subject, or ""
  std::string assignment_title;
  std::optional<Date> due_day;  // the assignment's
};

// A grade to record. The caller has checked that the teacher may give it
// (daemon/grades.h: GradeRefusal).
struct NewGrade {
  std::int64_t submission_id = 0;
  std::string value;       // "5", "pass", "fail" (parsers/grade_line.h)
  std::string comment;
  std::string teacher_id;  // the roster id of the teacher who gave it
  std::string source;      // "reply", "cli" or "mail"
  std::string source_message_id;  // the teacher's mail; "" for the CLI
  std::int64_t graded_at = 0;
};

struct RecordedGrade {
  std::int64_t grade_id = 0;  // the new current grade; 0 when unchanged
  std::int64_t replaced = 0;  // the grade it replaced, or 0
  bool unchanged = false;     // the current grade already said the same
};

// What RecordSentWithGrade did.
struct RecordedSent {
  std::int64_t submission_id = 0;  // the linked submission, or 0
  RecordedGrade grade;             // grade_id 0: no grade recorded
};

// A grade as stored, with its submission, for listings, notices and the
// journal.
struct GradeRow {
  std::int64_t id = 0;
  std::int64_t submission_id = 0;
  std::string value;
  std::string comment;
  std::string teacher_id;    // roster id; "" when not known
  std::string teacher_name;  // "Петрова Анна Сергеевна"
  std::string source;        // reply, cli, mail
  std::string source_message_id;
  std::int64_t graded_at = 0;
  std::int64_t replaced_by = 0;  // 0: the current grade
  std::string previous_value;    // of the grade this one replaced, or ""
  std::string notice;            // none, pending, queued, skipped
  GradeTarget submission;
};

struct GradeFilter {
  std::string class_name;  // empty: any
  std::string pupil_id;    // empty: any
  std::int64_t graded_from = 0;  // graded_at in [from, to); 0: open
  std::int64_t graded_to = 0;
  std::optional<Date> due_from;  // the assignment's due day, inclusive;
  std::optional<Date> due_to;    // set: only grades of matched work
  bool history = false;          // also grades that were replaced
};

// --- The hotline (issue 6) ---

// A question sent to the school mailbox, forwarded to the duty
// administrator; answered when the administrator's reply to the forward
// has been relayed to the sender.
struct HotlineQuestion {
  std::int64_t id = 0;
  std::string message_key;  // of the question's mail: one question per mail
  std::string sender;       // normalised
  std::string who;          // "Иванова Елена Викторовна (мама: Иванов Пётр, 7А)"
  std::string subject;
  std::string message_id;   // the question's, without <>; may be empty
  std::int64_t received_at = 0;
  std::int64_t answer_due_at = 0;   // the answer promised by then
  std::string forward_message_id;   // of the forward to the administrator
  std::int64_t answered_at = 0;     // 0: not answered yet
  std::string answered_by;          // the administrator's address
  std::string answer_message_id;    // of the answer relayed to the sender
};

// --- The administration's control report (issue 6) ---

// A stored lesson plan row (what the plan says a class does in a subject on
// a day).
struct PlannedLesson {
  Date day;
  std::string class_name;
  std::string subject;
  std::string topic;
};

// One outgoing mail to one recipient with one event of the delivery log:
// an attempt's result, or none yet (event "") while it waits in the outbox.
struct DeliveryRow {
  std::int64_t outbox_id = 0;
  std::string kind;       // "parent_digest", "receipt", ...
  std::string dedup_key;  // "" when the mail has none
  std::string summary;    // the subject
  std::int64_t queued_at = 0;
  std::string address;    // the recipient, normalised
  std::string event;      // sent, failed, deferred; "" not tried yet
  std::string reply;      // the server's reply to that attempt
  std::int64_t at = 0;    // of the event; 0 when none
};

struct DeliveryFilter {
  std::string address;  // recipient; empty: any
  std::string kind;     // empty: any
  std::string event;    // sent, failed, deferred; empty: any (also none)
  // The event's time (the queueing time when there is no event yet) in
  // [from, to); 0: open.
  std::int64_t from = 0;
  std::int64_t to = 0;
};

// The answer of a Store method that a store does not implement.
inline Status NotKept(const std::string& what) {
  return Status::Error("this store does not keep " + what, Scope::kProcess,
                       Retry::kNever);
}

class Store {
 public:
  virtual ~Store() = default;

  // The schema version this database is at (after migrations).
  virtual int SchemaVersion() = 0;

  // Everything in the roster, sorted: classes by name, people by id.
  virtual Result<Roster> LoadRoster() = 0;

  // Adds or updates the classes and people of `roster`, matched by class
  // name and person id; people the file does not mention are kept. One
  // transaction. REQUIRES: `roster` passed ParseRoster against LoadRoster().
  virtual Result<RosterImportSummary> ImportRoster(const Roster& roster) = 0;

  // Adds an assignment (source "plan", "mail" or "cli"). Its class and
  // subject must exist in the roster; its code must be new.
  virtual Status AddAssignment(const Assignment& assignment,
                               const std::string& source,
                               std::int64_t created_at) = 0;
  // Every assignment, by due day.
  virtual Result<std::vector<Assignment>> LoadAssignments() = 0;

  // Where reading `mailbox`/`folder` stands; zeros when never read.
  virtual Result<MailboxCursor> GetCursor(const std::string& mailbox,
                                          const std::string& folder) = 0;
  // Starts a folder over under a new UIDVALIDITY (last_uid 0).
  virtual Status ResetCursor(const std::string& mailbox,
                             const std::string& folder,
                             std::int64_t uidvalidity) = 0;
  // True when a message with this key was recorded before (in any folder).
  virtual Result<bool> IsProcessed(const std::string& message_key) = 0;
  // Records one message and moves the cursor to its UID, in one
  // transaction. A key recorded before only moves the cursor.
  virtual Result<RecordedIntake> RecordIntake(const IntakeRecord& record) = 0;
  // The same for several messages of one folder, in one transaction.
  virtual Result<std::vector<RecordedIntake>> RecordIntakes(
      const std::vector<IntakeRecord>& records) = 0;
  // Submissions of `mailbox` whose move has not happened yet (also after a
  // crash between the commit and the move), oldest first.
  virtual Result<std::vector<UnfiledMessage>> ListUnfiled(
      const std::string& mailbox) = 0;
  // Records a message of a teacher's Sent folder and moves that folder's
  // cursor, in one transaction; when it answers a stored submission of the
  // same mailbox (by Message-ID), links it. Returns that submission's id,
  // or 0.
  virtual Result<std::int64_t> RecordSent(const SentRecord& record) = 0;
  // Notes where a submission was filed in the teacher's mailbox.
  virtual Status MarkFiled(std::int64_t submission_id,
                           const std::string& folder, std::int64_t at) {
    return MarkFiled(std::vector<std::int64_t>{submission_id}, folder, at);
  }
  // The same for several submissions, in one transaction.
  virtual Status MarkFiled(const std::vector<std::int64_t>& submission_ids,
                           const std::string& folder, std::int64_t at) = 0;
  // Notes a poll of a mailbox: error text ("" when it went well).
  virtual Status RecordPoll(const std::string& mailbox,
                            const std::string& folder, std::int64_t at,
                            const std::string& error) = 0;

  // Every mailbox folder's state, by mailbox and folder.
  virtual Result<std::vector<MailboxState>> LoadMailboxStates() = 0;

  virtual Result<std::vector<SubmissionRow>> ListSubmissions(
      const SubmissionFilter& filter) = 0;

  // --- Receipts and the outbox ---

  // Submissions owed a receipt, oldest first, at most `limit`.
  virtual Result<std::vector<PendingReceipt>> ListPendingReceipts(
      int limit) = 0;
  // Marks a pending receipt as never to be sent (logged by the caller).
  // The same for every pending receipt to `address` (its per-recipient
  // cap is reached: a backlog is suppressed in one transaction instead of
  // one a cycle). Returns how many were dropped.
  virtual Result<int> DropReceiptsTo(const std::string& address,
                                     const std::string& reason,
                                     std::int64_t at) {
    (void)address, (void)reason, (void)at;
    return NotKept("receipts");
  }
  virtual Status DropReceipt(std::int64_t submission_id,
                             const std::string& reason, std::int64_t at) = 0;

  // Queues `mail` in one transaction: skipped when its dedup key exists;
  // for an automatic mail, recipients who already got `cap` automatic mails
  // in the 24 hours before `now` are left out and counted as suppressed.
  // A receipt marks its submission queued (or suppressed) in the same
  // transaction.
  virtual Result<EnqueueResult> Enqueue(const OutboxMail& mail,
                                        std::int64_t now, int cap) = 0;
  // Mail due at `now` (queued or deferred with next_attempt_at <= now, and
  // mail left "sending" by a crash), oldest first, at most `limit`, with
  // bodies and pending recipients only. Each is marked "sending" with one
  // more attempt before it is returned.
  virtual Result<std::vector<OutboxEntry>> ClaimDue(std::int64_t now,
                                                    int limit) = 0;
  // Records one attempt: per-recipient results; the entry becomes sent
  // (nobody pending, someone got it), failed (nobody got it), or deferred
  // until `next_attempt_at`. Every recipient's result goes to the delivery
  // log.
  virtual Status RecordAttempt(std::int64_t id,
                               const std::vector<RecipientOutcome>& outcomes,
                               const std::string& reply, std::int64_t now,
                               std::int64_t next_attempt_at) = 0;
  // Entries for `schoolmail outbox`: all but sent ones unless `all`; newest
  // last; no bodies.
  virtual Result<std::vector<OutboxEntry>> ListOutbox(bool all) = 0;
  // Requeues a deferred or failed entry (its failed recipients too) to go
  // now. False when no such entry or it was sent.
  virtual Result<bool> RetryOutbox(std::int64_t id, std::int64_t now) = 0;
  // Failed entries whose failure the administration has not been told of;
  // marks them told.
  virtual Result<std::vector<OutboxEntry>> TakeUnreportedFailures() = 0;
  // Mail left out by caps since `since`: count.
  virtual Result<int> CountSuppressed(std::int64_t since) = 0;

  // --- Lesson plan, timetable, distance mode, announcements, jobs ---
  // (The defaults answer "not kept by this store", so stores that wrap
  // another one need not forward what they do not use.)

  // Stores the plan rows, matched by (day, class, subject, topic): a new row
  // is added and makes a new assignment (source "plan", code the next free
  // "ДЗ-N", announcement pending until its set day); a known row is updated,
  // and so is its assignment while it has not been mailed. One transaction.
  // REQUIRES: every class exists; every teacher_id is a teacher's.
  virtual Result<PlanImportSummary> ImportPlan(
      const std::vector<PlanItem>& items, std::int64_t now) {
    (void)items, (void)now;
    return NotKept("the lesson plan");
  }

  // Replaces the whole timetable with `entries` (in file order) in one
  // transaction. An unknown class is an error and changes nothing.
  virtual Status ReplaceTimetable(const std::vector<TimetableEntry>& entries) {
    (void)entries;
    return NotKept("the timetable");
  }
  // The stored timetable, in file order.
  virtual Result<std::vector<TimetableEntry>> LoadTimetable() {
    return NotKept("the timetable");
  }

  // Puts `classes` into distance mode from `first` to `last` (nullopt: until
  // stopped), in one transaction. An unknown class, last before first, or a
  // period that overlaps one already stored for a class is an error and
  // changes nothing.
  virtual Status StartDistance(const std::vector<std::string>& classes,
                               const Date& first,
                               const std::optional<Date>& last,
                               const std::string& order_text,
                               std::int64_t at) {
    (void)classes, (void)first, (void)last, (void)order_text, (void)at;
    return NotKept("distance periods");
  }
  // Ends distance mode of `classes` before `from` (the first day back at
  // school): periods running on `from` end the day before, periods that
  // would start on or after it are removed. One transaction; an unknown
  // class is an error. Returns how many periods changed.
  virtual Result<int> StopDistance(const std::vector<std::string>& classes,
                                   const Date& from) {
    (void)classes, (void)from;
    return NotKept("distance periods");
  }
  // The classes in distance mode on `day`, by name.
  virtual Result<std::vector<std::string>> ClassesInDistance(const Date& day) {
    (void)day;
    return NotKept("distance periods");
  }
  // Every period, by class and first day.
  virtual Result<std::vector<DistancePeriod>> ListDistancePeriods() {
    return NotKept("distance periods");
  }

  // Adds an assignment whose mail to its class is owed (announcement
  // pending), with the files that go with that mail, in one transaction.
  // An empty code takes the next free "ДЗ-N" in the same transaction.
  // Returns the code. REQUIRES: mail_message_id is set. Errors as
  // AddAssignment.
  virtual Result<std::string> AddAssignmentToAnnounce(
      const Assignment& assignment, const std::string& source,
      const std::vector<StoredFile>& files, std::int64_t created_at) {
    (void)assignment, (void)source, (void)files, (void)created_at;
    return NotKept("announcements");
  }
  // Assignments with their mail still owed whose set day is `set_by` or
  // earlier, by set day and code.
  virtual Result<std::vector<PendingAnnouncement>> ListPendingAnnouncements(
      const Date& set_by) {
    (void)set_by;
    return NotKept("announcements");
  }
  // Ends an assignment's pending announcement: `mailed` (to `pupils`
  // pupils), or skipped (nothing sent, e.g. its deadline had passed); its
  // files are dropped (the outbox holds the mail). Nothing happens when it
  // is not pending.
  virtual Status MarkAnnounced(const std::string& code, bool mailed,
                               int pupils, std::int64_t at) {
    (void)code, (void)mailed, (void)pupils, (void)at;
    return NotKept("announcements");
  }

  // Daily jobs ("morning", ...): done markers per school day, so a job
  // that is done costs one lookup per cycle.
  virtual Result<bool> IsJobDone(const std::string& job, const Date& day) {
    (void)job, (void)day;
    return NotKept("job markers");
  }
  virtual Status MarkJobDone(const std::string& job, const Date& day,
                             std::int64_t at) {
    (void)job, (void)day, (void)at;
    return NotKept("job markers");
  }
  // --- The parser's attempts (RELIABILITY 5) ---

  // Notes that the UIDs first..last of `mailbox`/`folder` are being read
  // (replacing any earlier note), before any of them is parsed.
  virtual Status BeginIntakeBatch(const std::string& mailbox,
                                  const std::string& folder,
                                  std::int64_t uidvalidity,
                                  std::int64_t first_uid,
                                  std::int64_t last_uid) {
    (void)mailbox, (void)folder, (void)uidvalidity, (void)first_uid,
        (void)last_uid;
    return NotKept("intake batches");
  }
  // Clears that note once the batch is committed.
  virtual Status EndIntakeBatch(const std::string& mailbox,
                                const std::string& folder) {
    (void)mailbox, (void)folder;
    return NotKept("intake batches");
  }
  // The batch a previous run began and did not end (it crashed or was
  // killed while parsing): UIDVALIDITY, first and last UID; nullopt if none.
  struct IntakeBatch {
    std::int64_t uidvalidity = 0, first_uid = 0, last_uid = 0;
  };
  virtual Result<std::optional<IntakeBatch>> UnfinishedIntakeBatch(
      const std::string& mailbox, const std::string& folder) {
    (void)mailbox, (void)folder;
    return NotKept("intake batches");
  }
  // Counts one more attempt to parse this message, committed before the
  // parser runs; returns the attempts so far, this one included.
  virtual Result<int> NoteParseAttempt(const std::string& mailbox,
                                       const std::string& folder,
                                       std::int64_t uidvalidity,
                                       std::int64_t uid) {
    (void)mailbox, (void)folder, (void)uidvalidity, (void)uid;
    return NotKept("parse attempts");
  }

  // Lets a job run again for `day` (after something it depends on changed).
  virtual Status ForgetJob(const std::string& job, const Date& day) {
    (void)job, (void)day;
    return NotKept("job markers");
  }

  // --- Grades (issue 6) ---
  // A submission has at most one current grade; a new one replaces it and
  // the old one is kept, replaced_by the new one. Each new or changed grade
  // owes the pupil a notice ("pending"), recorded in the same transaction.

  // The submission with this id; nullopt when there is none.
  virtual Result<std::optional<GradeTarget>> FindSubmission(std::int64_t id) {
    (void)id;
    return NotKept("grades");
  }
  // The latest submission with this Message-ID (without <>), received in
  // `mailbox` ("" any); nullopt when there is none.
  virtual Result<std::optional<GradeTarget>> FindSubmissionByMessageId(
      const std::string& message_id, const std::string& mailbox) {
    (void)message_id, (void)mailbox;
    return NotKept("grades");
  }
  // The submission a teacher's sent message answers, as RecordSent links
  // it: the first of `refers_to` that is the Message-ID of a submission of
  // `mailbox`; nullopt when none is.
  virtual Result<std::optional<GradeTarget>> FindRepliedSubmission(
      const std::string& mailbox, const std::vector<std::string>& refers_to) {
    (void)mailbox, (void)refers_to;
    return NotKept("grades");
  }
  // Records `grade` as the submission's current grade, in one transaction:
  // the current one, if any, is kept as history (replaced_by) and its notice,
  // if still pending, is skipped; the new one owes a notice. A grade with
  // the current one's value, comment and teacher changes nothing
  // (unchanged). Errors: no such submission or teacher, or a submission of
  // an unknown sender (nobody to grade).
  virtual Result<RecordedGrade> RecordGrade(const NewGrade& grade) {
    (void)grade;
    return NotKept("grades");
  }
  // RecordSent and, when the message links to grade->submission_id, that
  // grade (as RecordGrade), in one transaction: a crash never keeps the
  // link without the grade. A message recorded before changes nothing.
  virtual Result<RecordedSent> RecordSentWithGrade(
      const SentRecord& record, const std::optional<NewGrade>& grade) {
    (void)record, (void)grade;
    return NotKept("grades");
  }
  // Grades by class, pupil id, time graded and due day, current only unless
  // filter.history; by class, pupil name, due day, then time graded.
  virtual Result<std::vector<GradeRow>> ListGrades(const GradeFilter& filter) {
    (void)filter;
    return NotKept("grades");
  }
  // Grades whose notice to the pupil is owed, oldest first, at most `limit`.
  virtual Result<std::vector<GradeRow>> ListPendingGradeNotices(int limit) {
    (void)limit;
    return NotKept("grades");
  }
  // Ends a pending notice: queued, or skipped (never to be sent).
  virtual Status MarkGradeNotice(std::int64_t grade_id, bool queued,
                                 std::int64_t at) {
    (void)grade_id, (void)queued, (void)at;
    return NotKept("grades");
  }

  // --- The hotline (issue 6) ---

  // Stores `question` unless a question with its message key is stored;
  // returns the stored one either way (its id and forward Message-ID).
  virtual Result<HotlineQuestion> RecordHotlineQuestion(
      const HotlineQuestion& question) {
    (void)question;
    return NotKept("hotline questions");
  }
  // The question whose forward to the administrator has this Message-ID
  // (without <>); nullopt when there is none.
  virtual Result<std::optional<HotlineQuestion>> FindHotlineQuestionByForward(
      const std::string& forward_message_id) {
    (void)forward_message_id;
    return NotKept("hotline questions");
  }
  // Marks a question answered (the first answer counts; later ones change
  // nothing).
  virtual Status MarkHotlineAnswered(std::int64_t id, std::int64_t at,
                                     const std::string& by,
                                     const std::string& answer_message_id) {
    (void)id, (void)at, (void)by, (void)answer_message_id;
    return NotKept("hotline questions");
  }
  // Questions by time received: all, or only those not answered yet.
  virtual Result<std::vector<HotlineQuestion>> ListHotlineQuestions(
      bool open_only) {
    (void)open_only;
    return NotKept("hotline questions");
  }

  // --- Illness (issue 6: the class teacher's list) ---

  // Records that a pupil is ill from first_day to last_day, in one
  // transaction; returns the period's id. The same period recorded again
  // for the pupil is not stored twice (the first one's id comes back).
  // Errors: no such pupil, a recorded_by that is not a teacher's id, last
  // day before first day, an unknown source.
  virtual Result<std::int64_t> RecordIllness(const Illness& illness) {
    (void)illness;
    return NotKept("illnesses");
  }
  // The periods that overlap [from, to], by pupil id then first day.
  virtual Result<std::vector<Illness>> ListIllnesses(const Date& from,
                                                     const Date& to) {
    (void)from, (void)to;
    return NotKept("illnesses");
  }

  // --- Parent digest (issue 6) ---

  // When the latest outbox mail whose dedup key starts with `key_prefix`
  // and sorts before `key_before` was queued (e.g. a parent's previous
  // digest: prefix "digest:r-003:", before "digest:r-003:2026-11-30");
  // mail that failed for every recipient does not count. nullopt when
  // there is none. REQUIRES: `key_before` starts with `key_prefix`.
  virtual Result<std::optional<std::int64_t>> LastQueuedAt(
      const std::string& key_prefix, const std::string& key_before) {
    (void)key_prefix, (void)key_before;
    return NotKept("the outbox");
  }

  // --- The administration's control report (issue 6) ---

  // The lesson plan rows whose lesson day is in [first, last], by day,
  // class, subject and topic.
  virtual Result<std::vector<PlannedLesson>> ListPlannedLessons(
      const Date& first, const Date& last) {
    (void)first, (void)last;
    return NotKept("the lesson plan");
  }
  // The delivery log joined with the outbox, one row per recipient and
  // event (a recipient not tried yet: one row without an event), oldest
  // first.
  virtual Result<std::vector<DeliveryRow>> ListDeliveries(
      const DeliveryFilter& filter) {
    (void)filter;
    return NotKept("the delivery log");
  }

  // --- Receipts over the per-recipient cap (issue 4) ---

  // Whether `address` got `cap` or more automatic mails in the 24 hours
  // before `now`: the test Enqueue applies, asked before a mail is written
  // (a backlog of old work would otherwise render every capped receipt).
  virtual Result<bool> AutomaticCapReached(const std::string& address,
                                           std::int64_t now, int cap) {
    (void)address, (void)now, (void)cap;
    return NotKept("the outbox");
  }
};


struct StoreOptions {
  // Refuse to create a new database file (the daemon sets this when an
  // archive already exists: an empty database would answer old mail again).
  bool must_exist = false;
};

// The schema version this program writes.
int CurrentSchemaVersion();

// Opens (creating or migrating as needed) the SQLite database at `path`;
// ":memory:" gives a private in-memory store for tests. Refuses a database
// written by a newer schoolmail.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path,
                                               StoreOptions options = {});

}  // namespace schoolmail
