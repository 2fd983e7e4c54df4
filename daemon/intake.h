// Intake: reads one teacher's mailbox and turns pupils' mail into stored
// submissions, then files each into the teacher's sorted queue.
//
// For each new message, in this order: archive the raw bytes (fsync), parse
// and classify, decide on time or late by INTERNALDATE, store it in one
// transaction with the mailbox's new last UID; only after the commit move
// it (SELECT, \Flagged $Late for late work, UID MOVE). A message the
// commit covers but the move did not reach is moved on the next cycle.
// Reading is EXAMINE and BODY.PEEK[]: \Seen never changes.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.h"
#include "config/status.h"
#include "storage/store.h"

namespace schoolmail {

struct IntakeReport {
  int new_messages = 0;
  int submissions = 0;       // on time or late
  int late = 0;
  int unmatched = 0;
  int unknown_sender = 0;
  int review = 0;
  int not_submissions = 0;   // auto-replies, bounces, bulk, our own mail
  int old = 0;               // before the start date
  int known = 0;             // recorded before (restart, new UIDVALIDITY)
  int too_large = 0;
  int filed = 0;
  int left_in_inbox = 0;     // the move was refused: stays in INBOX
  int sent_read = 0;         // new messages in the teacher's Sent folder
  int replies_linked = 0;    // of them, replies to stored submissions
  std::vector<std::string> notes;  // what an operator should read
};

// One cycle over `mailbox`. `now` is the current time (unix seconds; the
// clock override lands here). Errors that stop the whole mailbox (login,
// connection) come back as a Status; per-message trouble is in the report.
// `stop` (SIGTERM): when set, the message in hand is finished and what is
// done so far committed; the rest waits for the next run (filing too).
Result<IntakeReport> RunIntake(const Settings& settings,
                               const MailboxSettings& mailbox, Store& store,
                               std::int64_t now,
                               const std::atomic<bool>* stop = nullptr);

class ImapSession;

// Examines `folder` and returns the UIDs after the store's cursor for
// `mailbox`/`folder`. When UIDVALIDITY changed the cursor starts over (known
// messages are recognised by key and not answered twice) and a note says
// so. `uidvalidity` gets the folder's current UIDVALIDITY.
Result<std::vector<std::uint32_t>> NewUids(ImapSession& imap, Store& store,
                                           const std::string& mailbox,
                                           const std::string& folder,
                                           std::int64_t* uidvalidity,
                                           std::vector<std::string>* notes);

// The key a message is recorded under: mailbox, Message-ID and the SHA-256
// of its bytes.
std::string MessageKey(const std::string& mailbox,
                       const std::optional<std::string>& message_id,
                       const std::string& sha256);

// The folder a classified message goes to, '/'-separated, UTF-8; "" to
// leave it in INBOX.
std::string QueueFolder(const std::string& root, const std::string& status,
                        const Assignment* assignment);

}  // namespace schoolmail
