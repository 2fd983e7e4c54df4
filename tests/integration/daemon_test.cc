// The schoolmail binary as a process. RELIABILITY case 1: killed at every
// durable step of the intake, a restart leaves exactly one submission per
// message, every one filed, and no stray archive file. And `run`: IDLE
// push, and a clean stop on SIGTERM.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/mail_stack.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace schoolmail {
namespace {

using testing::MailStack;

// Starts the schoolmail binary with `args`; returns its pid.
pid_t Spawn(const std::vector<std::string>& args,
            const std::vector<std::string>& extra_env) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const std::string& e : extra_env) env_strings.push_back(e);
  std::vector<char*> env;
  for (std::string& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  std::vector<std::string> argv_strings{SCHOOLMAIL_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, SCHOOLMAIL_BINARY, &actions, nullptr, argv.data(),
                      env.data()) == 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

int Wait(pid_t pid) {
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs the schoolmail binary with `args`; returns its exit status.
int Schoolmail(const std::vector<std::string>& args,
               const std::vector<std::string>& extra_env) {
  return Wait(Spawn(args, extra_env));
}

// The output of `schoolmail ARGS`.
std::string Output(const std::vector<std::string>& args,
                   const std::string& scratch) {
  std::string command = SCHOOLMAIL_BINARY;
  for (const std::string& a : args) command += " '" + a + "'";
  command += " > " + scratch + " 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  return testing::ReadFile(scratch);
}

// A config for `stack` with one teacher mailbox, in `dir`.
std::string WriteConfig(const testing::TempDir& dir, const MailStack& stack,
                        int poll_interval) {
  dir.Write("petrova.password", "p-secret\n");
  std::string imaps = "imaps://127.0.0.1:" + std::to_string(stack.imaps_port());
  std::string password_file = dir.path() + "/petrova.password";
  return dir.Write(
      "school.ini",
      "[school]\nname = Школа\ntimezone = Europe/Moscow\nhotline = 1\n"
      "site = https://school.test\n[storage]\ndata_dir = " + dir.path() +
          "/data\n[tls]\nca_file = " + stack.ca_file() +
          "\n[smtp]\nurl = smtp://127.0.0.1:" +
          std::to_string(stack.smtp_port()) +
          "\nsender = robot@school.test\n[school_mailbox]\nurl = " + imaps +
          "\nuser = petrova\npassword_file = " + password_file +
          "\naddress = robot@school.test\n[mailbox petrova]\nurl = " + imaps +
          "\nuser = petrova\npassword_file = " + password_file +
          "\naddress = petrova@school.test\n[intake]\npoll_interval = " +
          std::to_string(poll_interval) + "\n");
}

// The sample school and one assignment, ДЗ-1 (7А Алгебра, due 2026-11-26),
// through the command line.
void ImportSchool(const std::string& config) {
  REQUIRE(Schoolmail({"-c", config, "import", "roster",
                      std::string(SCHOOLMAIL_SOURCE_DIR) +
                          "/scripts/sample-school/roster.csv"},
                     {}) == 0);
  REQUIRE(Schoolmail({"-c", config, "assign", "--class", "7А", "--subject",
                      "Алгебра", "--teacher", "t-petrova", "--title", "x",
                      "--due", "2026-11-26", "--code", "ДЗ-1"},
                     {}) == 0);
}

std::string Mail(const std::string& from, const std::string& subject, int n) {
  return "From: " + from + "\r\nTo: petrova@school.test\r\nSubject: " +
         subject + "\r\nMessage-ID: <crash" + std::to_string(n) +
         "@pupils.test>\r\nMIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=utf-8\r\n\r\nработа " +
         std::to_string(n) + "\r\n";
}

TEST_CASE("killed at every step, a restart leaves exactly one of each") {
  // Each step at an occurrence it reaches: fetch per message (the second
  // message), archive sync and commit per batch, move per folder.
  for (const std::string step : {"after_fetch:2", "after_archive:1",
                                 "after_commit:1", "after_move:1"}) {
    INFO(step);
    testing::TempDir dir;
    MailStack stack({.users = {{"petrova", "p-secret"}}});
    std::string config = WriteConfig(dir, stack, 60);
    ImportSchool(config);
    stack.Append("petrova", "INBOX",
                 Mail("ivanov.petya@pupils.test", "ДЗ-1", 1),
                 "26-Nov-2026 12:00:00 +0300");
    stack.Append("petrova", "INBOX",
                 Mail("alena.smirnova@pupils.test", "ДЗ-1", 2),
                 "26-Nov-2026 19:00:00 +0300");
    stack.Append("petrova", "INBOX", Mail("stranger@evil.test", "ДЗ-1", 3),
                 "26-Nov-2026 13:00:00 +0300");

    CHECK(Schoolmail({"-c", config, "once"},
                     {"SCHOOLMAIL_TEST_CRASH_AT=" + step}) ==
          137);
    CHECK(Schoolmail({"-c", config, "once"}, {}) == 0);

    // Read the result back through the command line and the mailbox.
    std::string listing = dir.path() + "/listing.txt";
    CHECK(Schoolmail({"-c", config, "once"}, {}) == 0);  // a third: no change
    std::string out = Output({"-c", config, "submissions"}, listing);
    CHECK(out.find("3 submission(s)") != std::string::npos);
    CHECK(out.find("(not filed yet)") == std::string::npos);
    size_t on_time = 0, late = 0, unknown = 0;
    for (size_t at = 0; (at = out.find("on_time", at)) != std::string::npos; ++at) ++on_time;
    for (size_t at = 0; (at = out.find(" late ", at)) != std::string::npos; ++at) ++late;
    for (size_t at = 0; (at = out.find("unknown_sender", at)) != std::string::npos; ++at) ++unknown;
    CHECK(on_time == 1);
    CHECK(late == 1);
    CHECK(unknown == 1);

    // The archive holds exactly the three messages, no temporary files.
    int files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(
             dir.path() + "/data/archive")) {
      if (!entry.is_regular_file()) continue;
      ++files;
      CHECK(entry.path().extension() == ".eml");
    }
    CHECK(files == 3);
    // The assignment's folder holds the two pupils' messages once each: a
    // probe appended now gets UID 3 (a doubled move would make it 4).
    CHECK(stack.Append("petrova", "Сдано/7А/Алгебра/2026-11-26 ДЗ-1",
                       Mail("probe@x.test", "probe", 9)) == 3);
  }
}

TEST_CASE("run: IDLE brings new mail in long before the next poll; SIGTERM "
          "stops it cleanly") {
  testing::TempDir dir;
  MailStack stack({.users = {{"petrova", "p-secret"}}});
  std::string config = WriteConfig(dir, stack, 3600);  // no poll in this test
  ImportSchool(config);
  pid_t daemon = Spawn({"-c", config, "run"}, {});
  std::string listing = dir.path() + "/listing.txt";
  // The first poll runs at start; then only IDLE can bring the mail in.
  auto polled = [&] {
    return Output({"-c", config, "status"}, listing).find("last UID 0") !=
           std::string::npos;
  };
  for (int i = 0; i < 100 && !polled(); ++i) ::usleep(100 * 1000);
  REQUIRE(polled());
  ::usleep(500 * 1000);  // the watcher is in IDLE by now
  stack.Deliver("petrova", Mail("ivanov.petya@pupils.test", "ДЗ-1", 7));
  bool arrived = false;
  for (int i = 0; i < 150 && !arrived; ++i) {
    arrived = Output({"-c", config, "submissions"}, listing)
                  .find("1 submission(s)") != std::string::npos;
    if (!arrived) ::usleep(100 * 1000);
  }
  CHECK(arrived);
  REQUIRE(::kill(daemon, SIGTERM) == 0);
  CHECK(Wait(daemon) == 0);
}

}  // namespace
}  // namespace schoolmail
