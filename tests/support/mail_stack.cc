#include "mail_stack.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

extern char** environ;

namespace schoolmail::testing {
namespace {

constexpr const char* kPython = "/usr/bin/python3";
// Generous: start normally takes well under a second.
constexpr auto kCommandTimeout = std::chrono::seconds(60);

std::string SysError(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

#define SCHOOLMAIL_MAILSTACK_STR_(x) #x
#define SCHOOLMAIL_MAILSTACK_STR(x) SCHOOLMAIL_MAILSTACK_STR_(x)

// The macro normally is a string literal ("/path/mailstack.py"); stringizing
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
#ifdef SCHOOLMAIL_MAILSTACK_SCRIPT
  std::string path =
      UnquoteMacro(SCHOOLMAIL_MAILSTACK_STR(SCHOOLMAIL_MAILSTACK_SCRIPT));
#else
  const char* env = std::getenv("SCHOOLMAIL_MAILSTACK_SCRIPT");
  std::string path = env ? env : "";
#endif
  if (path.empty()) {
    throw std::runtime_error(
        "MailStack: the path of tests/mailstack/mailstack.py is unknown: "
        "define SCHOOLMAIL_MAILSTACK_SCRIPT at compile time or set the "
        "environment variable SCHOOLMAIL_MAILSTACK_SCRIPT");
  }
  if (::access(path.c_str(), R_OK) != 0) {
    throw std::runtime_error(SysError("MailStack: cannot read " + path));
  }
  if (::access(kPython, X_OK) != 0) {
    throw std::runtime_error(SysError(std::string("MailStack: cannot run ") + kPython));
  }
  return path;
}

std::string MakeTempDir() {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string base = (tmpdir && *tmpdir) ? tmpdir : "/tmp";
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  std::string templ = base + "/schoolmail-mailstack-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    throw std::runtime_error(SysError("MailStack: mkdtemp(" + templ + ")"));
  }
  return std::string(buf.data());
}

void WriteAll(int fd, const std::string& data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(SysError("MailStack: write " + path));
    }
    done += static_cast<std::size_t>(n);
  }
}

// Writes `data` to `path` atomically: write a temp file next to it, rename.
void WriteFileAtomically(const std::string& path, const std::string& data) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(SysError("MailStack: open " + tmp));
  try {
    WriteAll(fd, data, tmp);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  if (::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string msg = SysError("MailStack: write " + path);
    ::unlink(tmp.c_str());
    throw std::runtime_error(msg);
  }
}

std::map<std::string, std::string> ParseEnv(const std::string& text) {
  std::map<std::string, std::string> env;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

int PortFrom(const std::map<std::string, std::string>& env,
             const std::string& key) {
  auto it = env.find(key);
  if (it == env.end()) {
    throw std::runtime_error("MailStack: `start` printed no " + key);
  }
  int port = 0;
  try {
    port = std::stoi(it->second);
  } catch (const std::exception&) {
    port = 0;
  }
  if (port <= 0 || port > 65535) {
    throw std::runtime_error("MailStack: bad " + key + "=" + it->second);
  }
  return port;
}

std::string Describe(const std::vector<std::string>& args) {
  std::string s = "mailstack.py";
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
      throw std::runtime_error(SysError("MailStack: pipe2"));
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

MailStack::RunResult MailStack::Run(const std::vector<std::string>& args) const {
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

  // Give the script (and the servers it starts) default signal handling,
  // whatever the test binary did with its own.
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
    throw std::runtime_error("MailStack: cannot run " + std::string(kPython) +
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
    result.err += "\nMailStack: " + Describe(args) + " timed out, killed\n";
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else {
    result.exit_code = -1;
    result.err += "\nMailStack: " + Describe(args) + " died with signal " +
                  std::to_string(WIFSIGNALED(status) ? WTERMSIG(status) : 0) +
                  "\n";
  }
  return result;
}

MailStack::RunResult MailStack::RunChecked(
    const std::vector<std::string>& args) const {
  RunResult r = Run(args);
  if (r.exit_code != 0) {
    throw std::runtime_error("MailStack: `" + Describe(args) + "` failed (exit " +
                             std::to_string(r.exit_code) + "):\n" + r.err);
  }
  return r;
}

MailStack::MailStack(MailStackOptions options)
    : options_(std::move(options)), script_(ScriptPath()) {
  dir_ = MakeTempDir();
  try {
    std::vector<std::string> args = {"start", dir_};
    for (const auto& user : options_.users) {
      args.push_back("--user");
      args.push_back(user.name + ":" + user.password);
    }
    if (options_.smtp_require_auth) args.push_back("--smtp-require-auth");
    RunResult r = Run(args);
    if (r.exit_code != 0) {
      throw std::runtime_error("MailStack: `mailstack.py start` failed (exit " +
                               std::to_string(r.exit_code) + "):\n" + r.err);
    }
    auto env = ParseEnv(r.out);
    imap_port_ = PortFrom(env, "IMAP_PORT");
    imaps_port_ = PortFrom(env, "IMAPS_PORT");
    lmtp_port_ = PortFrom(env, "LMTP_PORT");
    smtp_port_ = PortFrom(env, "SMTP_PORT");
    smtps_port_ = PortFrom(env, "SMTPS_PORT");
    auto ca = env.find("CA_FILE");
    if (ca == env.end() || ca->second.empty()) {
      throw std::runtime_error("MailStack: `start` printed no CA_FILE");
    }
    ca_file_ = ca->second;
  } catch (...) {
    Cleanup();
    throw;
  }
}

MailStack::~MailStack() { Cleanup(); }

void MailStack::Cleanup() noexcept {
  if (dir_.empty()) return;
  try {
    RunResult r = Run({"stop", dir_});
    if (r.exit_code != 0) {
      std::cerr << "MailStack: `mailstack.py stop " << dir_ << "` failed (exit "
                << r.exit_code << "):\n"
                << r.err << std::endl;
    }
  } catch (const std::exception& e) {
    std::cerr << "MailStack: stop failed: " << e.what() << std::endl;
  } catch (...) {
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  if (ec) {
    std::cerr << "MailStack: cannot remove " << dir_ << ": " << ec.message()
              << std::endl;
  }
  dir_.clear();
}

void MailStack::SetSmtpRules(const std::string& json) {
  const std::string path = dir_ + "/smtp-rules.json";
  if (json.empty()) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      throw std::runtime_error(SysError("MailStack: unlink " + path));
    }
    return;
  }
  WriteFileAtomically(path, json);
}

void MailStack::StopSmtp() { RunChecked({"smtp-stop", dir_}); }

void MailStack::StartSmtp() { RunChecked({"smtp-start", dir_}); }

std::string MailStack::WriteTempFile(const std::string& contents) const {
  std::string templ = dir_ + "/message-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  int fd = ::mkostemp(buf.data(), O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(SysError("MailStack: mkstemp " + templ));
  std::string path(buf.data());
  try {
    WriteAll(fd, contents, path);
  } catch (...) {
    ::close(fd);
    ::unlink(path.c_str());
    throw;
  }
  ::close(fd);
  return path;
}

unsigned MailStack::Append(const std::string& user, const std::string& mailbox,
                           const std::string& raw_message,
                           const std::string& internal_date,
                           const std::string& flags) {
  std::string password;
  bool found = false;
  for (const auto& u : options_.users) {
    if (u.name == user) {
      password = u.password;
      found = true;
      break;
    }
  }
  if (!found) {
    throw std::runtime_error("MailStack::Append: unknown user " + user);
  }
  const std::string file = WriteTempFile(raw_message);
  std::vector<std::string> args = {"append",  dir_,     "--user",
                                   user,      "--password", password,
                                   "--mailbox", mailbox.empty() ? "INBOX" : mailbox,
                                   "--create"};
  if (!internal_date.empty()) {
    args.push_back("--date");
    args.push_back(internal_date);
  }
  if (!flags.empty()) {
    args.push_back("--flags");
    args.push_back(flags);
  }
  args.push_back(file);
  RunResult r;
  try {
    r = RunChecked(args);
  } catch (...) {
    ::unlink(file.c_str());
    throw;
  }
  ::unlink(file.c_str());
  try {
    std::size_t used = 0;
    unsigned long uid = std::stoul(r.out, &used);
    if (uid == 0 || uid > 0xffffffffUL) throw std::out_of_range("uid");
    return static_cast<unsigned>(uid);
  } catch (const std::exception&) {
    throw std::runtime_error("MailStack::Append: no UID in the output: " + r.out +
                             r.err);
  }
}

void MailStack::Deliver(const std::string& user, const std::string& raw_message) {
  const std::string file = WriteTempFile(raw_message);
  try {
    RunChecked({"deliver", dir_, "--to", user, file});
  } catch (...) {
    ::unlink(file.c_str());
    throw;
  }
  ::unlink(file.c_str());
}

}  // namespace schoolmail::testing
