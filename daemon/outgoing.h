// Writing and queueing the mail schoolmail sends: the template set on disk,
// one way to turn rendered text into a queued message, and the receipts
// owed for stored submissions.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.h"
#include "parsers/mime_message.h"
#include "storage/store.h"
#include "templates/mails.h"
#include "templates/message_writer.h"

namespace schoolmail {

// The folder of the template set the settings choose: templates_dir, or the
// built-in set for `language`. Every file of RequiredTemplateFiles() must
// be there: a missing one is an error naming it.
Result<TemplateSet> LoadTemplateSet(const SchoolSettings& school);

// The built-in template folder (…/templates/<language>).
std::string BuiltInTemplateDir(const std::string& language);

// 128 random bits as hex, for Message-IDs.
std::string RandomToken();

// What the daemon needs to write mail.
struct MailContext {
  const Settings* settings = nullptr;
  TemplateSet templates;
  std::function<std::string()> new_token = RandomToken;
};

// How one mail goes out.
struct Envelope {
  std::string kind;       // "receipt", "assignment", ...
  std::string dedup_key;  // one mail per key, ever; "" for none
  std::vector<OutgoingAddress> to;
  // Envelope recipients when they differ from `to` (a class's pupils as
  // hidden recipients of one assignment mail); empty: the `to` addresses.
  std::vector<std::string> bcc;
  std::optional<OutgoingAddress> reply_to;
  std::vector<std::string> in_reply_to;
  std::vector<std::string> references;
  bool automatic = false;         // answers incoming mail: capped, and
                                  // marked Auto-Submitted: auto-replied
  std::int64_t receipt_for = 0;   // the submission this is the receipt of
  std::string message_id;         // "" to make a new one
  std::vector<MailAttachment> attachments;
};

// The envelope of an automatic answer to `mail` (capped, Auto-Submitted:
// auto-replied) to `to`, once per `dedup_key`, threaded under it: In-Reply-To
// its Message-ID, References its references and its Message-ID.
Envelope AnswerEnvelope(const ParsedMessage& mail, const std::string& kind,
                        const std::string& dedup_key,
                        const OutgoingAddress& to);

// Writes `text` as a message from the school's sender and queues it in one
// transaction. The Message-ID is made here, before the first attempt.
Result<EnqueueResult> QueueMail(Store& store, const MailContext& context,
                                const MailText& text, const Envelope& envelope,
                                std::int64_t now);

// The school as every mail's footer names it.
SchoolInfo SchoolInfoOf(const Settings& settings);

// The domain of the school's sender address (for Message-IDs).
std::string SenderDomain(const Settings& settings);

// Dates and times in mail, in the set's language: "30.11.2026 18:00".
std::string HumanTime(std::int64_t instant, const MailContext& context,
                      bool seconds = false);

// Whether a daily job (a marker `job` per day in the store) is due at
// `now`: a school day, at or after `at` school time, not done yet. The day
// when it is due; else nullopt and `skipped` says why.
struct DailyJobCheck {
  std::optional<Date> day;
  std::string skipped;
};
Result<DailyJobCheck> DailyJobDue(Store& store, const Settings& settings,
                                  const std::string& job, TimeOfDay at,
                                  std::int64_t now);

struct ReceiptReport {
  int queued = 0;
  int suppressed = 0;  // over the per-recipient cap, or not writable
};

// Writes and queues every receipt owed (each once, ever).
Result<ReceiptReport> QueueReceipts(Store& store, const MailContext& context,
                                    std::int64_t now);

// Tells the administration (school.admin_address) of every mail that failed
// for some recipient since the last call, one notice per failed mail;
// without an admin address they are only logged. Notices about notices
// are not sent. Returns the number queued.
Result<int> QueueFailureNotices(Store& store, const MailContext& context,
                                std::int64_t now);

}  // namespace schoolmail

// --- Daily jobs' mail (morning mail, grading lists, parent digests) ---

namespace schoolmail {

// What became of one mail of a daily job.
enum class DailyMailOutcome {
  kQueued,   // queued now
  kAlready,  // its dedup key was queued by an earlier run: nothing queued
  kFailed,   // this one mail cannot be written (logged, naming `whom`)
};

// QueueMail for a daily job. Only an error beyond this one mail (the store,
// the process) is returned; the job carries on after kFailed.
Result<DailyMailOutcome> QueueDailyMail(
    Store& store, const MailContext& context, const MailText& text,
    const Envelope& envelope, std::int64_t now, const std::string& whom);

// Adds `outcome` to a daily job's report: its `queued`, `already` or
// `failed` count.
template <typename Report>
void CountDailyMail(DailyMailOutcome outcome, Report& report) {
  switch (outcome) {
    case DailyMailOutcome::kQueued:
      ++report.queued;
      break;
    case DailyMailOutcome::kAlready:
      ++report.already;
      break;
    case DailyMailOutcome::kFailed:
      ++report.failed;
      break;
  }
}

}  // namespace schoolmail
