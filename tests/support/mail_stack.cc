#include "mail_stack.h"
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

// Generous: start normally takes well under a second.
constexpr auto kCommandTimeout = std::chrono::seconds(60);

std::string SysError(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

std::string ScriptPath() {
#ifdef SCHOOLMAIL_MAILSTACK_SCRIPT
  return FindScript(SCHOOLMAIL_MAILSTACK_SCRIPT, "SCHOOLMAIL_MAILSTACK_SCRIPT");
#else
  return FindScript(nullptr, "SCHOOLMAIL_MAILSTACK_SCRIPT");
#endif
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

}  // namespace

MailStack::RunResult MailStack::Run(const std::vector<std::string>& args) const {
  ScriptRun run = RunPythonScript(script_, args, kCommandTimeout);
  return RunResult{run.exit_code, std::move(run.out), std::move(run.err)};
}

MailStack::RunResult MailStack::RunChecked(
    const std::vector<std::string>& args) const {
  RunResult r = Run(args);
  if (r.exit_code != 0) {
    throw std::runtime_error("MailStack: `" + Describe(script_, args) + "` failed (exit " +
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
