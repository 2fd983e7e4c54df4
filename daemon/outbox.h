// Draining the outbox over SMTP: due mail oldest first, one connection
// reused, per-recipient results recorded, temporary failures retried with
// exponential backoff and jitter, permanent ones reported.
//
// Delivery is at least once: the state moves to "sending" (committed)
// before the SMTP transaction and to "sent" after the server's 250. A crash
// between those two commits leaves the mail "sending", and the next drain
// sends it again with the same Message-ID (so clients that dedupe by
// Message-ID show it once). That window is one SMTP transaction long.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "config/settings.h"
#include "daemon/smtp/smtp_transport.h"
#include "storage/store.h"

namespace schoolmail {

// Seconds to wait after the `attempts`-th try failed for now:
// first_retry * 2^(attempts-1), at most max_retry, plus jitter of
// `random01` (0..1) times 20% of that.
std::int64_t RetryDelay(int attempts, const OutboxSettings& settings,
                        double random01);

// What one send attempt means for each of `recipients`. `give_up`: the
// mail is past give_up_days, so a temporary failure is final.
struct AttemptOutcome {
  std::vector<RecipientOutcome> recipients;
  std::string reply;            // for the outbox listing
  bool server_trouble = false;  // the server, not this mail: stop draining
};
AttemptOutcome JudgeAttempt(const Result<SendReport>& sent,
                            const std::vector<std::string>& recipients,
                            bool give_up);

struct DrainReport {
  int sent = 0;      // mails now sent to every recipient still pending
  int deferred = 0;  // to be tried again
  int failed = 0;    // mails with at least one recipient failed for good
  std::string server_error;  // why draining stopped early, or ""
};

struct DrainOptions {
  std::function<std::int64_t()> now;      // the clock (override in tests)
  std::function<double()> random01;       // jitter source
  const std::atomic<bool>* stop = nullptr;  // set by SIGTERM
};

// Sends everything due. Stops early when the server is unreachable or
// refuses the login (everything taken is deferred), or on `stop`.
Result<DrainReport> DrainOutbox(Store& store, SmtpTransport& transport,
                                const Settings& settings,
                                const DrainOptions& options);

// `schoolmail outbox`: one block per mail (all mail when `all`, else what
// is not yet sent to everyone), with its recipients and last replies.
void PrintOutbox(const std::vector<OutboxEntry>& entries,
                 const std::string& zone, std::ostream& out);

// The endpoint the settings describe.
SmtpEndpoint SmtpEndpointFor(const Settings& settings);

}  // namespace schoolmail
