// Push: one thread per teacher mailbox sits in IMAP IDLE on INBOX and wakes
// the daemon when mail arrives, so a receipt need not wait for the next
// poll. A mailbox whose server has no IDLE is left to polling. A watcher
// that loses its connection reconnects with exponential backoff (1 s up to
// 5 min). The watchers never touch the store: they only say "look here".
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "config/settings.h"

namespace schoolmail {

class IdleWatchers {
 public:
  // Starts a watcher for every teacher mailbox. `stop` ends them.
  IdleWatchers(const Settings& settings, const std::atomic<bool>* stop);
  ~IdleWatchers();  // waits for the watchers to leave IDLE and log out
  IdleWatchers(const IdleWatchers&) = delete;
  IdleWatchers& operator=(const IdleWatchers&) = delete;

  // Waits up to `timeout` for news; returns the mailbox names that have
  // some (and forgets them).
  std::set<std::string> WaitForNews(std::chrono::milliseconds timeout);

 private:
  void Watch(const MailboxSettings& mailbox, const std::string& ca_file);
  void Notify(const std::string& mailbox);
  bool SleepUnlessStopped(std::chrono::seconds duration);

  const std::atomic<bool>* stop_;
  std::mutex mutex_;
  std::condition_variable news_;
  std::set<std::string> dirty_;
  std::vector<std::thread> threads_;
};

}  // namespace schoolmail
