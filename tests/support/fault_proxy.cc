#include "fault_proxy.h"

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

constexpr const char* kPython = "/usr/bin/python3";
// Generous: start normally takes about 0.1 s, stop well under 0.1 s (at most
// 3 s to SIGKILL).
constexpr auto kCommandTimeout = std::chrono::seconds(60);

std::string SysError(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

#define SCHOOLMAIL_FAULTPROXY_STR_(x) #x
#define SCHOOLMAIL_FAULTPROXY_STR(x) SCHOOLMAIL_FAULTPROXY_STR_(x)

// The macro normally is a string literal ("/path/faultproxy.py"); stringizing
// it then yields the literal's spelling, quotes and escapes included, which is
// undone here. An unquoted -D value works too.
[[maybe_unused]] std::string UnquoteMacro(const std::string& spelled) {
  if (spelled.size() < 2 || spelled.front() != '"' || spelled.back() != '"') {
    return spelled;
  }
  std::string out;
  for (std::size_t i = 1; i + 1 < spelled.size(); ++i) {
    if (spelled[i] == '\\' && i + 2 < spelled.size()) ++i;
    out += spelled[i];
  }
  return out;
}

std::string ScriptPath() {
#ifdef SCHOOLMAIL_FAULTPROXY_SCRIPT
  std::string path =
      UnquoteMacro(SCHOOLMAIL_FAULTPROXY_STR(SCHOOLMAIL_FAULTPROXY_SCRIPT));
#else
  const char* env = std::getenv("SCHOOLMAIL_FAULTPROXY_SCRIPT");
  std::string path = env ? env : "";
#endif
  if (path.empty()) {
    throw std::runtime_error(
        "FaultProxy: the path of tests/mailstack/faultproxy.py is unknown: "
        "define SCHOOLMAIL_FAULTPROXY_SCRIPT at compile time or set the "
        "environment variable SCHOOLMAIL_FAULTPROXY_SCRIPT");
  }
  if (::access(path.c_str(), R_OK) != 0) {
    throw std::runtime_error(SysError("FaultProxy: cannot read " + path));
  }
  if (::access(kPython, X_OK) != 0) {
    throw std::runtime_error(SysError(std::string("FaultProxy: cannot run ") + kPython));
  }
  return path;
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

std::string Describe(const std::vector<std::string>& args) {
  std::string s = "faultproxy.py";
  for (const auto& a : args) {
    s += ' ';
    s += a;
  }
  return s;
}

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) {
      throw std::runtime_error(SysError("FaultProxy: pipe2"));
    }
  }
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  int read_fd() const { return fds_[0]; }
  int write_fd() const { return fds_[1]; }
  void CloseRead() {
    if (fds_[0] >= 0) ::close(fds_[0]);
    fds_[0] = -1;
  }
  void CloseWrite() {
    if (fds_[1] >= 0) ::close(fds_[1]);
    fds_[1] = -1;
  }

 private:
  int fds_[2] = {-1, -1};
};

}  // namespace

// Same approach as MailStack::Run: posix_spawn /usr/bin/python3 -I SCRIPT ...,
// stdin from /dev/null, stdout and stderr collected through pipes (the
// detached proxy itself writes to its log file, so the pipes reach EOF when
// the command exits), default signal handling, a timeout.
FaultProxy::RunResult FaultProxy::Run(const std::vector<std::string>& args) const {
  std::vector<std::string> argv_storage;
  argv_storage.reserve(args.size() + 3);
  argv_storage.push_back(kPython);
  argv_storage.push_back("-I");  // ignore PYTHON* variables and user site
  argv_storage.push_back(script_);
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);

  Pipe out_pipe;
  Pipe err_pipe;

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe.write_fd(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_pipe.write_fd(), 2);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty;
  sigemptyset(&empty);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGALRM}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, kPython, &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    throw std::runtime_error("FaultProxy: cannot run " + std::string(kPython) +
                             ": " + std::strerror(rc));
  }
  out_pipe.CloseWrite();
  err_pipe.CloseWrite();

  RunResult result;
  const auto deadline = std::chrono::steady_clock::now() + kCommandTimeout;
  bool timed_out = false;
  pollfd fds[2] = {{out_pipe.read_fd(), POLLIN, 0}, {err_pipe.read_fd(), POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_count = 2;
  while (open_count > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        fds[i].fd = -1;  // EOF (the Pipe destructor closes it)
        --open_count;
      }
    }
  }
  if (timed_out) ::kill(pid, SIGKILL);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    result.exit_code = -1;
    result.err += "\nFaultProxy: " + Describe(args) + " timed out, killed\n";
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else {
    result.exit_code = -1;
    result.err += "\nFaultProxy: " + Describe(args) + " died with signal " +
                  std::to_string(WIFSIGNALED(status) ? WTERMSIG(status) : 0) +
                  "\n";
  }
  return result;
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
                             Describe({"start", dir_, "--name", name_, "--target", target_}) +
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
