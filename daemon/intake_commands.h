// `schoolmail once`, `run`, `submissions`, `status`, `assign`.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "config/settings.h"
#include "daemon/smtp/smtp_transport.h"
#include "storage/store.h"

namespace schoolmail {

// The current time: `override_text` ("2026-11-30 17:59:59" in school time,
// or "@<unix seconds>") when given, else the system clock. Used for tests
// and demos so deadline behaviour can be shown at any hour.
Result<std::int64_t> CurrentTime(const std::string& override_text,
                                 const std::string& zone);

// One intake cycle over every teacher's mailbox, then the outgoing mail
// (receipts queued, the outbox drained); one failing mailbox is reported and
// the others carry on. `transport`: a connection kept open between cycles,
// or nullptr for a new one. Returns the exit status (1 when any
// mailbox failed).
int RunOnce(const Settings& settings, Store& store, std::int64_t now,
            std::ostream& out, SmtpTransport* transport = nullptr);

// Queues the receipts owed and drains the outbox through `transport`;
// false when something failed (reported on `out` and in the log).
bool SendMail(const Settings& settings, Store& store, std::int64_t now,
              SmtpTransport& transport, std::ostream& out);

// Cycles until SIGTERM or SIGINT; a signal lets the cycle in hand finish.
int RunDaemon(const Settings& settings, Store& store,
              const std::string& now_override);

void PrintSubmissions(Store& store, const SubmissionFilter& filter,
                      const std::string& zone, std::ostream& out);
// Per mailbox: last poll, last UID, errors; then the outbox's counts and
// the automatic mail suppressed by caps in the 24 hours before `now`.
void PrintStatus(Store& store, const Settings& settings, std::int64_t now,
                 std::ostream& out);

}  // namespace schoolmail
