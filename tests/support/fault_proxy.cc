#include "fault_proxy.h"
#include "python_script.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

extern char** environ;

namespace schoolmail::testing {
namespace {

// Generous: start normally takes about 0.1 s, stop well under 0.1 s (at most
// 3 s to SIGKILL).
constexpr auto kCommandTimeout = std::chrono::seconds(60);

std::string SysError(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

std::string ScriptPath() {
#ifdef SCHOOLMAIL_FAULTPROXY_SCRIPT
  return FindScript(SCHOOLMAIL_FAULTPROXY_SCRIPT, "SCHOOLMAIL_FAULTPROXY_SCRIPT");
#else
  return FindScript(nullptr, "SCHOOLMAIL_FAULTPROXY_SCRIPT");
#endif
}

void WriteAll(int fd, const std::string& data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(SysError("FaultProxy: write " + path));
    }
    done += static_cast<std::size_t>(n);
  }
}

// Empty string when the file cannot be read (e.g. does not exist).
std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

}  // namespace

FaultProxy::RunResult FaultProxy::Run(const std::vector<std::string>& args) const {
  ScriptRun run = RunPythonScript(script_, args, kCommandTimeout);
  return RunResult{run.exit_code, std::move(run.out), std::move(run.err)};
}

std::string FaultProxy::FilePath(const std::string& suffix) const {
  return dir_ + "/" + name_ + suffix;
}

FaultProxy::FaultProxy(std::string dir, std::string name, std::string target_host,
                       int target_port)
    : script_(ScriptPath()), dir_(std::move(dir)), name_(std::move(name)) {
  if (dir_.empty() || name_.empty()) {
    throw std::runtime_error("FaultProxy: empty dir or name");
  }
  if (target_port <= 0 || target_port > 65535) {
    throw std::runtime_error("FaultProxy: bad target port " +
                                std::to_string(target_port));
  }
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  const bool ipv6 = target_host.find(':') != std::string::npos;
  target_ = (ipv6 ? "[" + target_host + "]" : target_host) + ":" +
            std::to_string(target_port);

  // A fresh proxy is a pass-through, whatever an earlier one left behind.
  const std::string rules = FilePath(".rules.json");
  if (::unlink(rules.c_str()) != 0 && errno != ENOENT) {
    throw std::runtime_error(SysError("FaultProxy: unlink " + rules));
  }

  RunResult r = Run({"start", dir_, "--name", name_, "--target", target_});
  if (r.exit_code != 0) {
    // `start` cleans up after its own failures; only when it was killed (timeout)
    // may a proxy it started be left. (Not always: with "already running", a
    // stop would end that other proxy.)
    if (r.exit_code < 0) Run({"stop", dir_, "--name", name_});
    throw std::runtime_error("FaultProxy: `" +
                             Describe(script_, {"start", dir_, "--name", name_, "--target", target_}) +
                             "` failed (exit " + std::to_string(r.exit_code) +
                             "):\n" + r.err);
  }
  running_ = true;
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("PORT=", 0) == 0) {
      try {
        port_ = std::stoi(line.substr(5));
      } catch (const std::exception&) {
        port_ = 0;
      }
    }
  }
  if (port_ <= 0 || port_ > 65535) {
    Stop();
    throw std::runtime_error("FaultProxy: `start` printed no valid PORT=:\n" + r.out +
                             r.err + "\n" + Log());
  }
}

FaultProxy::~FaultProxy() { Stop(); }

void FaultProxy::Stop() noexcept {
  if (!running_) return;
  running_ = false;
  try {
    RunResult r = Run({"stop", dir_, "--name", name_});
    if (r.exit_code != 0) {
      std::cerr << "FaultProxy: `faultproxy.py stop " << dir_ << " --name " << name_
                << "` failed (exit " << r.exit_code << "):\n"
                << r.err << std::endl;
    }
  } catch (const std::exception& e) {
    std::cerr << "FaultProxy: stop failed: " << e.what() << std::endl;
  } catch (...) {
  }
}

void FaultProxy::SetRules(const std::string& json) {
  if (json.find_first_not_of(" \t\r\n") == std::string::npos) {
    ClearRules();
    return;
  }
  const std::string path = FilePath(".rules.json");
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(SysError("FaultProxy: open " + tmp));
  try {
    WriteAll(fd, json, tmp);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  if (::close(fd) != 0) {
    std::string msg = SysError("FaultProxy: write " + tmp);
    ::unlink(tmp.c_str());
    throw std::runtime_error(msg);
  }
  RunResult r;
  try {
    r = Run({"check", tmp});
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  if (r.exit_code != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("FaultProxy::SetRules: rejected " + json + ":\n" + r.err);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string msg = SysError("FaultProxy: rename " + tmp + " to " + path);
    ::unlink(tmp.c_str());
    throw std::runtime_error(msg);
  }
}

void FaultProxy::ClearRules() {
  const std::string path = FilePath(".rules.json");
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw std::runtime_error(SysError("FaultProxy: unlink " + path));
  }
}

int FaultProxy::FaultsFired() const {
  const std::string text = Events();
  int n = 0;
  for (char c : text) {
    if (c == '\n') ++n;
  }
  return n;
}

std::string FaultProxy::Events() const { return ReadFile(FilePath(".events.jsonl")); }

std::string FaultProxy::Log() const { return ReadFile(FilePath(".log")); }

}  // namespace schoolmail::testing
