#include "daemon/imap/idle_watchers.h"

#include <spdlog/spdlog.h>

#include "daemon/imap/imap_session.h"

namespace schoolmail {
namespace {

// RFC 2177: re-issue IDLE well before the server's 30-minute timeout.
constexpr std::chrono::minutes kIdleRefresh{25};

}  // namespace

IdleWatchers::IdleWatchers(const Settings& settings,
                           const std::atomic<bool>* stop)
    : stop_(stop) {
  for (const MailboxSettings& mailbox : settings.teacher_mailboxes) {
    threads_.emplace_back(&IdleWatchers::Watch, this, mailbox, settings.ca_file);
  }
}

IdleWatchers::~IdleWatchers() {
  for (std::thread& t : threads_) t.join();
}

std::set<std::string> IdleWatchers::WaitForNews(
    std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  news_.wait_for(lock, timeout, [&] { return !dirty_.empty() || *stop_; });
  std::set<std::string> out;
  out.swap(dirty_);
  return out;
}

void IdleWatchers::Notify(const std::string& mailbox) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    dirty_.insert(mailbox);
  }
  news_.notify_one();
}

bool IdleWatchers::SleepUnlessStopped(std::chrono::seconds duration) {
  auto until = std::chrono::steady_clock::now() + duration;
  while (!*stop_ && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return !*stop_;
}

void IdleWatchers::Watch(const MailboxSettings& mailbox,
                         const std::string& ca_file) {
  std::chrono::seconds backoff{1};
  while (!*stop_) {
    auto session =
        ImapSession::Open({mailbox.url, mailbox.user, mailbox.password, ca_file});
    if (!session) {
      spdlog::warn("IDLE watcher {}: {}; retrying in {} s", mailbox.name,
                   session.status().message(), backoff.count());
      if (!SleepUnlessStopped(backoff)) return;
      backoff = std::min(backoff * 2, std::chrono::seconds(300));
      continue;
    }
    ImapSession& imap = **session;
    if (!imap.HasCapability("IDLE")) {
      spdlog::info("IDLE watcher {}: the server has no IDLE; polling only",
                   mailbox.name);
      return;
    }
    auto examined = imap.Examine("INBOX");
    Status idle = examined ? imap.StartIdle() : examined.status();
    if (!idle.ok()) {
      spdlog::warn("IDLE watcher {}: {}", mailbox.name, idle.message());
      if (!SleepUnlessStopped(backoff)) return;
      backoff = std::min(backoff * 2, std::chrono::seconds(300));
      continue;
    }
    backoff = std::chrono::seconds(1);
    auto started = std::chrono::steady_clock::now();
    while (!*stop_) {
      auto news = imap.WaitIdle(std::chrono::milliseconds(500));
      if (!news) {
        spdlog::info("IDLE watcher {}: {}; reconnecting", mailbox.name,
                     news.status().message());
        break;
      }
      if (*news) Notify(mailbox.name);
      if (std::chrono::steady_clock::now() - started > kIdleRefresh) {
        Status restarted = imap.StopIdle();
        if (restarted.ok()) restarted = imap.StartIdle();
        if (!restarted.ok()) break;
        started = std::chrono::steady_clock::now();
      }
    }
    if (*stop_) {
      (void)imap.StopIdle();
      imap.Logout();
    }
  }
}

}  // namespace schoolmail
