#include "daemon/outbox.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/crash_point.h"
#include "daemon/rules/school_time.h"

namespace schoolmail {

std::int64_t RetryDelay(int attempts, const OutboxSettings& settings,
                        double random01) {
  std::int64_t delay = settings.first_retry_seconds;
  for (int i = 1; i < attempts && delay < settings.max_retry_seconds; ++i) {
    delay *= 2;
  }
  delay = std::min<std::int64_t>(delay, settings.max_retry_seconds);
  double jitter = std::clamp(random01, 0.0, 1.0) * 0.2 * delay;
  return delay + static_cast<std::int64_t>(jitter);
}

AttemptOutcome JudgeAttempt(const Result<SendReport>& sent,
                            const std::vector<std::string>& recipients,
                            bool give_up) {
  using State = RecipientOutcome::State;
  const State temporary = give_up ? State::kFailed : State::kDeferred;
  AttemptOutcome outcome;
  if (!sent.ok()) {
    const Status& status = sent.status();
    outcome.reply = status.message();
    outcome.server_trouble = status.scope() != Scope::kItem;
    State state = (status.scope() == Scope::kItem &&
                   status.retry() == Retry::kNever)
                      ? State::kFailed
                      : temporary;
    for (const std::string& r : recipients) {
      outcome.recipients.push_back({r, state, status.message()});
    }
    return outcome;
  }
  // The transport's replies carry their code ("550 5.1.1 no such user").
  outcome.reply = sent->final_reply.empty() ? std::to_string(sent->final_code)
                                            : sent->final_reply;
  for (const std::string& r : recipients) {
    auto it = std::find_if(
        sent->recipients.begin(), sent->recipients.end(),
        [&](const RecipientResult& result) { return result.address == r; });
    if (it == sent->recipients.end()) {
      outcome.recipients.push_back({r, temporary, "no reply for recipient"});
      continue;
    }
    const std::string& reply = it->reply;
    if (it->accepted()) {
      outcome.recipients.push_back({r, State::kSent, outcome.reply});
    } else if (it->code / 100 == 5) {
      outcome.recipients.push_back({r, State::kFailed, reply});
    } else {
      outcome.recipients.push_back({r, temporary, reply});
    }
  }
  return outcome;
}

void PrintOutbox(const std::vector<OutboxEntry>& entries,
                 const std::string& zone, std::ostream& out) {
  if (entries.empty()) {
    out << "The outbox is empty: every mail was delivered.\n";
    return;
  }
  auto local = [&](std::int64_t t) {
    return t == 0 ? std::string("-") : FormatLocal(t, zone).value_or("?");
  };
  for (const OutboxEntry& e : entries) {
    out << "#" << e.id << " " << e.kind << " " << e.state << ", attempts "
        << e.attempts << ", queued " << local(e.created_at);
    if (e.state == "deferred" || e.state == "queued") {
      out << ", next try " << local(e.next_attempt_at);
    }
    if (e.state == "sent") out << ", sent " << local(e.sent_at);
    out << "\n  " << e.summary << "\n";
    for (const OutboxRecipient& r : e.recipients) {
      out << "  " << r.address << ": " << r.state;
      if (!r.last_reply.empty()) out << " (" << r.last_reply << ")";
      out << "\n";
    }
    if (!e.last_reply.empty() && e.state != "sent") {
      out << "  last reply: " << e.last_reply << "\n";
    }
  }
}

SmtpEndpoint SmtpEndpointFor(const Settings& settings) {
  return SmtpEndpoint{settings.smtp.url, settings.smtp.user,
                      settings.smtp.password, settings.ca_file};
}

Result<DrainReport> DrainOutbox(Store& store, SmtpTransport& transport,
                                const Settings& settings,
                                const DrainOptions& options) {
  DrainReport report;
  const std::int64_t give_up_after =
      static_cast<std::int64_t>(settings.outbox.give_up_days) * 24 * 60 * 60;
  auto stopped = [&] { return options.stop && options.stop->load(); };
  std::int64_t resume_at = 0;  // when the server failed: try again then
  while (!stopped()) {
    auto due = store.ClaimDue(options.now(), settings.outbox.batch);
    if (!due.ok()) return due.status();
    if (due->empty()) break;
    CrashPoint("after_claim");
    for (size_t i = 0; i < due->size(); ++i) {
      const OutboxEntry& entry = (*due)[i];
      std::vector<std::string> recipients;
      for (const OutboxRecipient& r : entry.recipients) {
        recipients.push_back(r.address);
      }
      std::int64_t now = options.now();
      bool give_up = now - entry.created_at >= give_up_after;
      AttemptOutcome outcome;
      if (stopped() || !report.server_error.empty()) {
        // Not tried: back in the queue, due with the mail that found the
        // server down, so the order of the queue is kept.
        for (const std::string& r : recipients) {
          outcome.recipients.push_back(
              {r, RecipientOutcome::State::kDeferred, "not tried"});
        }
        outcome.reply = entry.last_reply;
        Status put_back = store.RecordAttempt(entry.id, outcome.recipients,
                                              outcome.reply, now,
                                              std::max(now, resume_at));
        if (!put_back.ok()) return put_back;
        continue;
      }
      if (recipients.empty()) {
        outcome.reply = "no recipients left";
      } else {
        auto sent = transport.Send(entry.envelope_from, recipients, entry.body);
        CrashPoint("after_send");
        outcome = JudgeAttempt(sent, recipients, give_up);
      }
      std::int64_t next =
          now + RetryDelay(entry.attempts, settings.outbox, options.random01());
      Status recorded = store.RecordAttempt(entry.id, outcome.recipients,
                                            outcome.reply, now, next);
      if (!recorded.ok()) return recorded;
      CrashPoint("after_record");
      int sent = 0, failed = 0, deferred = 0;
      for (const RecipientOutcome& r : outcome.recipients) {
        switch (r.state) {
          case RecipientOutcome::State::kSent: ++sent; break;
          case RecipientOutcome::State::kFailed: ++failed; break;
          case RecipientOutcome::State::kDeferred: ++deferred; break;
        }
      }
      if (deferred > 0) {
        ++report.deferred;
        spdlog::warn("outbox {} ({}): put off for {} recipient(s): {}",
                     entry.id, entry.kind, deferred, outcome.reply);
      } else if (sent > 0 || recipients.empty()) {
        ++report.sent;
      }
      if (failed > 0) {
        ++report.failed;
        for (const RecipientOutcome& r : outcome.recipients) {
          if (r.state == RecipientOutcome::State::kFailed) {
            spdlog::error("outbox {} ({}): {} failed: {}", entry.id,
                          entry.kind, r.address, r.reply);
          }
        }
      }
      if (outcome.server_trouble) {
        report.server_error = outcome.reply;
        resume_at = next;
      }
    }
    if (!report.server_error.empty()) break;
  }
  return report;
}

}  // namespace schoolmail
