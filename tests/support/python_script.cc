#include "tests/support/python_script.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace schoolmail::testing {
namespace {

constexpr const char* kPython = "/usr/bin/python3";

class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) {
      throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
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

std::string FindScript(const char* compiled, const char* env_name) {
  const char* env = std::getenv(env_name);
  std::string path = compiled != nullptr ? compiled : (env != nullptr ? env : "");
  if (path.empty()) {
    throw std::runtime_error(std::string("the path of a test helper script is "
                                         "unknown: set ") + env_name);
  }
  if (::access(path.c_str(), R_OK) != 0) {
    throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  }
  if (::access(kPython, X_OK) != 0) {
    throw std::runtime_error(std::string("cannot run ") + kPython);
  }
  return path;
}

std::string Describe(const std::string& script,
                     const std::vector<std::string>& args) {
  std::string s = script.substr(script.rfind('/') + 1);
  for (const auto& a : args) {
    s += ' ';
    s += a;
  }
  return s;
}

ScriptRun RunPythonScript(const std::string& script,
                          const std::vector<std::string>& args,
                          std::chrono::seconds timeout) {
  std::vector<std::string> argv_storage;
  argv_storage.reserve(args.size() + 3);
  argv_storage.push_back(kPython);
  argv_storage.push_back("-I");  // ignore PYTHON* variables and user site
  argv_storage.push_back(script);
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
    throw std::runtime_error("cannot run " + std::string(kPython) +
                             ": " + std::strerror(rc));
  }
  out_pipe.CloseWrite();
  err_pipe.CloseWrite();

  ScriptRun result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
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
    result.err += "\n" + Describe(script, args) + " timed out, killed\n";
  } else if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else {
    result.exit_code = -1;
    result.err += "\n" + Describe(script, args) + " died with signal " +
                  std::to_string(WIFSIGNALED(status) ? WTERMSIG(status) : 0) +
                  "\n";
  }
  return result;
}

}  // namespace schoolmail::testing
