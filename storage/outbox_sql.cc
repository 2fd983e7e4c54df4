#include "storage/outbox_sql.h"

#include <map>

namespace schoolmail::outbox_sql {
namespace {

using sqlite::Database;
using sqlite::Statement;
using sqlite::Transaction;

constexpr std::int64_t kDay = 24 * 60 * 60;

std::vector<OutboxRecipient> Recipients(Database& db, std::int64_t id,
                                        bool pending_only) {
  Statement s(db,
              pending_only
                  ? "SELECT address, state, last_reply FROM outbox_recipients "
                    "WHERE outbox_id = ? AND state = 'pending' ORDER BY rowid"
                  : "SELECT address, state, last_reply FROM outbox_recipients "
                    "WHERE outbox_id = ? ORDER BY rowid");
  s.Bind(id);
  std::vector<OutboxRecipient> out;
  while (s.Step()) out.push_back({s.Text(0), s.Text(1), s.Text(2)});
  return out;
}

// Reads the listing columns of one entry (no body) from a row of
// kEntryColumns.
constexpr const char* kEntryColumns =
    "id, kind, message_id, sender, summary, state, attempts, "
    "next_attempt_at, created_at, COALESCE(sent_at, 0), last_reply";

OutboxEntry EntryFrom(const Statement& s) {
  OutboxEntry e;
  e.id = s.Int(0);
  e.kind = s.Text(1);
  e.message_id = s.Text(2);
  e.envelope_from = s.Text(3);
  e.summary = s.Text(4);
  e.state = s.Text(5);
  e.attempts = static_cast<int>(s.Int(6));
  e.next_attempt_at = s.Int(7);
  e.created_at = s.Int(8);
  e.sent_at = s.Int(9);
  e.last_reply = s.Text(10);
  return e;
}

}  // namespace

std::vector<PendingReceipt> ListPendingReceipts(Database& db, int limit) {
  Statement s(db,
              "SELECT s.id, s.mailbox, COALESCE(p.external_id, ''), s.sender, "
              "s.subject, COALESCE(s.message_id, ''), s.received_at, s.status, "
              "s.attempt, COALESCE(a.code, ''), s.warnings FROM submissions s "
              "LEFT JOIN people p ON p.id = s.pupil_id "
              "LEFT JOIN assignments a ON a.id = s.assignment_id "
              "WHERE s.receipt = 'pending' ORDER BY s.id LIMIT ?");
  s.Bind(static_cast<std::int64_t>(limit));
  std::vector<PendingReceipt> out;
  while (s.Step()) {
    PendingReceipt r;
    r.submission_id = s.Int(0);
    r.mailbox = s.Text(1);
    r.pupil_id = s.Text(2);
    r.sender = s.Text(3);
    r.mail_subject = s.Text(4);
    r.message_id = s.Text(5);
    r.received_at = s.Int(6);
    r.status = s.Text(7);
    r.attempt = static_cast<int>(s.Int(8));
    r.assignment_code = s.Text(9);
    r.warnings = s.Text(10);
    out.push_back(std::move(r));
  }
  Statement attachments(db,
                        "SELECT name, content_type, size, sha256 FROM "
                        "attachments WHERE submission_id = ? ORDER BY position");
  for (PendingReceipt& r : out) {
    attachments.Reset();
    attachments.Bind(r.submission_id);
    while (attachments.Step()) {
      r.attachments.push_back(
          {attachments.Text(0), attachments.Text(1),
           static_cast<std::uint64_t>(attachments.Int(2)), attachments.Text(3)});
    }
  }
  return out;
}

void DropReceipt(Database& db, std::int64_t submission_id,
                 const std::string& reason, std::int64_t at) {
  Transaction transaction(db);
  Statement sender(db,
                   "UPDATE submissions SET receipt = 'suppressed' WHERE id = ? "
                   "AND receipt = 'pending' RETURNING sender");
  sender.Bind(submission_id);
  if (sender.Step()) {
    std::string address = sender.Text(0);
    sender.Run();
    Statement log(db,
                  "INSERT INTO suppressed_mail(kind, address, reason, at) "
                  "VALUES ('receipt', ?, ?, ?)");
    log.Bind(address).Bind(reason).Bind(at).Run();
  }
  transaction.Commit();
}

int DropReceiptsTo(Database& db, const std::string& address,
                   const std::string& reason, std::int64_t at) {
  Transaction transaction(db);
  Statement log(db,
                "INSERT INTO suppressed_mail(kind, address, reason, at) "
                "SELECT 'receipt', sender, ?, ? FROM submissions "
                "WHERE receipt = 'pending' AND sender = ?");
  log.Bind(reason).Bind(at).Bind(address).Run();
  Statement drop(db,
                 "UPDATE submissions SET receipt = 'suppressed' "
                 "WHERE receipt = 'pending' AND sender = ?");
  drop.Bind(address).Run();
  const int dropped = db.Changes();
  transaction.Commit();
  return dropped;
}

EnqueueResult Enqueue(Database& db, const OutboxMail& mail, std::int64_t now,
                      int cap) {
  Transaction transaction(db);
  EnqueueResult result;
  if (!mail.dedup_key.empty()) {
    Statement known(db, "SELECT id FROM outbox WHERE dedup_key = ?");
    known.Bind(mail.dedup_key);
    if (known.Step()) {
      result.outcome = EnqueueOutcome::kDuplicate;
      result.id = known.Int(0);
      if (mail.receipt_for != 0) {
        // Queued before: the submission is not owed it any more.
        Statement mark(db,
                       "UPDATE submissions SET receipt = 'queued' WHERE id = ? "
                       "AND receipt = 'pending'");
        mark.Bind(mail.receipt_for).Run();
        transaction.Commit();
      }
      return result;
    }
  }
  std::vector<std::string> recipients;
  if (mail.automatic) {
    Statement log(db,
                  "INSERT INTO suppressed_mail(kind, address, reason, at) "
                  "VALUES (?, ?, ?, ?)");
    for (const std::string& address : mail.recipients) {
      if (!AutomaticCapReached(db, address, now, cap)) {
        recipients.push_back(address);
        continue;
      }
      result.capped.push_back(address);
      log.Reset();
      log.Bind(mail.kind).Bind(address)
          .Bind("cap of " + std::to_string(cap) +
                " automatic mails in 24 hours reached")
          .Bind(now)
          .Run();
    }
  } else {
    recipients = mail.recipients;
  }
  if (recipients.empty()) {
    result.outcome = EnqueueOutcome::kSuppressed;
  } else {
    Statement insert(db,
                     "INSERT INTO outbox(message_id, dedup_key, kind, sender, "
                     "body, state, next_attempt_at, created_at, summary, "
                     "automatic) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?)");
    insert.Bind(mail.message_id)
        .Bind(mail.dedup_key.empty() ? std::optional<std::string>()
                                     : std::optional(mail.dedup_key))
        .Bind(mail.kind).Bind(mail.envelope_from).Bind(mail.body).Bind(now)
        .Bind(now).Bind(mail.summary)
        .Bind(static_cast<std::int64_t>(mail.automatic ? 1 : 0))
        .Run();
    result.id = db.LastInsertId();
    Statement add(db,
                  "INSERT OR IGNORE INTO outbox_recipients(outbox_id, address, "
                  "state) VALUES (?, ?, 'pending')");
    for (const std::string& address : recipients) {
      add.Reset();
      add.Bind(result.id).Bind(address).Run();
    }
  }
  if (mail.receipt_for != 0) {
    Statement mark(db, "UPDATE submissions SET receipt = ? WHERE id = ?");
    mark.Bind(result.outcome == EnqueueOutcome::kQueued ? "queued"
                                                        : "suppressed")
        .Bind(mail.receipt_for)
        .Run();
  }
  transaction.Commit();
  return result;
}

std::vector<OutboxEntry> ClaimDue(Database& db, std::int64_t now, int limit) {
  Transaction transaction(db);
  Statement due(db, std::string("SELECT ") + kEntryColumns +
                        ", body FROM outbox WHERE state = 'sending' OR "
                        "(state IN ('queued', 'deferred') AND "
                        "next_attempt_at <= ?) ORDER BY id LIMIT ?");
  due.Bind(now).Bind(static_cast<std::int64_t>(limit));
  std::vector<OutboxEntry> out;
  while (due.Step()) {
    OutboxEntry e = EntryFrom(due);
    e.body = due.Text(11);
    out.push_back(std::move(e));
  }
  Statement claim(db,
                  "UPDATE outbox SET state = 'sending', attempts = attempts + 1 "
                  "WHERE id = ?");
  for (OutboxEntry& e : out) {
    claim.Reset();
    claim.Bind(e.id).Run();
    e.state = "sending";
    ++e.attempts;
    e.recipients = Recipients(db, e.id, /*pending_only=*/true);
  }
  transaction.Commit();
  return out;
}

void RecordAttempt(Database& db, std::int64_t id,
                   const std::vector<RecipientOutcome>& outcomes,
                   const std::string& reply, std::int64_t now,
                   std::int64_t next_attempt_at) {
  Transaction transaction(db);
  Statement update(db,
                   "UPDATE outbox_recipients SET state = ?, last_reply = ? "
                   "WHERE outbox_id = ? AND address = ? AND state = 'pending'");
  Statement log(db,
                "INSERT INTO delivery_log(outbox_id, address, event, reply, at) "
                "VALUES (?, ?, ?, ?, ?)");
  for (const RecipientOutcome& o : outcomes) {
    const char* event = o.state == RecipientOutcome::State::kSent ? "sent"
                        : o.state == RecipientOutcome::State::kFailed
                            ? "failed"
                            : "deferred";
    update.Reset();
    update.Bind(o.state == RecipientOutcome::State::kDeferred ? "pending"
                                                              : event)
        .Bind(o.reply).Bind(id).Bind(o.address)
        .Run();
    log.Reset();
    log.Bind(id).Bind(o.address).Bind(event).Bind(o.reply).Bind(now).Run();
  }
  Statement counts(db,
                   "SELECT sum(state = 'pending'), sum(state = 'sent') FROM "
                   "outbox_recipients WHERE outbox_id = ?");
  counts.Bind(id);
  counts.Step();
  std::int64_t pending = counts.Int(0);
  std::int64_t sent = counts.Int(1);
  Statement finish(db,
                   "UPDATE outbox SET state = ?, last_reply = ?, "
                   "next_attempt_at = ?, sent_at = CASE WHEN ? = 'sent' "
                   "THEN ? ELSE sent_at END WHERE id = ?");
  const char* state = pending > 0 ? "deferred" : sent > 0 ? "sent" : "failed";
  finish.Bind(state).Bind(reply)
      .Bind(pending > 0 ? next_attempt_at : now)
      .Bind(state).Bind(now).Bind(id)
      .Run();
  transaction.Commit();
}

std::vector<OutboxEntry> ListOutbox(Database& db, bool all) {
  Statement s(db, std::string("SELECT ") + kEntryColumns +
                      " FROM outbox" +
                      (all ? "" : " WHERE state != 'sent' OR EXISTS (SELECT 1 "
                                  "FROM outbox_recipients r WHERE r.outbox_id "
                                  "= outbox.id AND r.state = 'failed')") +
                      " ORDER BY id");
  std::vector<OutboxEntry> out;
  while (s.Step()) out.push_back(EntryFrom(s));
  for (OutboxEntry& e : out) {
    e.recipients = Recipients(db, e.id, /*pending_only=*/false);
  }
  return out;
}

bool RetryOutbox(Database& db, std::int64_t id, std::int64_t now) {
  Transaction transaction(db);
  Statement revive(db,
                   "UPDATE outbox_recipients SET state = 'pending' WHERE "
                   "outbox_id = ? AND state = 'failed'");
  revive.Bind(id).Run();
  int revived = db.Changes();
  Statement requeue(db,
                    "UPDATE outbox SET state = 'queued', next_attempt_at = ?, "
                    "failure_reported = 0 WHERE id = ? AND (state IN "
                    "('deferred', 'failed') OR ? > 0)");
  requeue.Bind(now).Bind(id).Bind(static_cast<std::int64_t>(revived)).Run();
  if (db.Changes() == 0) return false;  // rolled back
  transaction.Commit();
  return true;
}

std::vector<OutboxEntry> TakeUnreportedFailures(Database& db) {
  Transaction transaction(db);
  Statement s(db, std::string("SELECT ") + kEntryColumns +
                      " FROM outbox WHERE failure_reported = 0 AND "
                      "state IN ('sent', 'failed') AND EXISTS (SELECT 1 FROM "
                      "outbox_recipients r WHERE r.outbox_id = outbox.id AND "
                      "r.state = 'failed') ORDER BY id");
  std::vector<OutboxEntry> out;
  while (s.Step()) out.push_back(EntryFrom(s));
  Statement mark(db, "UPDATE outbox SET failure_reported = 1 WHERE id = ?");
  for (OutboxEntry& e : out) {
    e.recipients = Recipients(db, e.id, /*pending_only=*/false);
    mark.Reset();
    mark.Bind(e.id).Run();
  }
  transaction.Commit();
  return out;
}

int CountSuppressed(Database& db, std::int64_t since) {
  Statement s(db, "SELECT count(*) FROM suppressed_mail WHERE at >= ?");
  s.Bind(since);
  s.Step();
  return static_cast<int>(s.Int(0));
}

bool AutomaticCapReached(Database& db, const std::string& address,
                         std::int64_t now, int cap) {
  Statement count(db,
                  "SELECT count(*) FROM outbox_recipients r JOIN outbox o "
                  "ON o.id = r.outbox_id WHERE r.address = ? AND "
                  "o.automatic = 1 AND o.created_at > ?");
  count.Bind(address).Bind(now - kDay);
  count.Step();
  return count.Int(0) >= cap;
}

}  // namespace schoolmail::outbox_sql
