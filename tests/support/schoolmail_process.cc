#include "tests/support/schoolmail_process.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdlib>

#include "tests/support/python_script.h"

extern char** environ;

namespace schoolmail::testing {

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

int Schoolmail(const std::vector<std::string>& args,
               const std::vector<std::string>& extra_env) {
  return Wait(Spawn(args, extra_env));
}

std::string Output(const std::vector<std::string>& args,
                   const std::string& scratch) {
  std::string command = SCHOOLMAIL_BINARY;
  for (const std::string& a : args) command += " '" + a + "'";
  command += " > " + scratch + " 2>&1";
  int status = std::system(command.c_str());
  INFO(ReadFile(scratch));
  REQUIRE(status == 0);
  return ReadFile(scratch);
}

std::string WriteSchoolConfig(const TempDir& dir, const MailStack& stack,
                              int poll_interval, const std::string& extra,
                              const std::string& school_keys,
                              const std::string& school_user) {
  dir.Write("petrova.password", "p-secret\n");
  std::string imaps = "imaps://127.0.0.1:" + std::to_string(stack.imaps_port());
  std::string password_file = dir.path() + "/petrova.password";
  return dir.Write(
      "school.ini",
      "[school]\nname = Школа\ntimezone = Europe/Moscow\nhotline = 1\n"
      "site = https://school.test\n" + school_keys + "[storage]\ndata_dir = " + dir.path() +
          "/data\n[tls]\nca_file = " + stack.ca_file() +
          "\n[smtp]\nurl = smtp://127.0.0.1:" +
          std::to_string(stack.smtp_port()) +
          "\nsender = robot@school.test\n[school_mailbox]\nurl = " + imaps +
          "\nuser = " + school_user + "\npassword_file = " + password_file +
          "\naddress = robot@school.test\n[mailbox petrova]\nurl = " + imaps +
          "\nuser = petrova\npassword_file = " + password_file +
          "\naddress = petrova@school.test\n[intake]\npoll_interval = " +
          std::to_string(poll_interval) + "\n" + extra);
}

void ImportSampleSchool(const std::string& config) {
  REQUIRE(Schoolmail({"-c", config, "import", "roster",
                      std::string(SCHOOLMAIL_SOURCE_DIR) +
                          "/scripts/sample-school/roster.csv"}) == 0);
  REQUIRE(Schoolmail({"-c", config, "assign", "--class", "7А", "--subject",
                      "Алгебра", "--teacher", "t-petrova", "--title", "x",
                      "--due", "2026-11-26", "--code", "ДЗ-1"}) == 0);
}

nlohmann::json ReadMailbox(const MailStack& stack, const std::string& user,
                           const std::string& password) {
  auto run = RunPythonScript(
      SCHOOLMAIL_EMAIL_READER,
      {stack.host(), std::to_string(stack.imaps_port()), stack.ca_file(), user,
       password},
      std::chrono::seconds(60));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return nlohmann::json::parse(run.out);
}

bool Contains(const nlohmann::json& value, const std::string& needle) {
  return value.is_string() &&
         value.get<std::string>().find(needle) != std::string::npos;
}

std::vector<nlohmann::json> MailOfKind(const MailStack& stack,
                                       const std::string& user,
                                       const std::string& password,
                                       const std::string& kind) {
  std::vector<nlohmann::json> out;
  for (const nlohmann::json& m : ReadMailbox(stack, user, password)) {
    if (m["x-schoolmail-kind"] == kind) out.push_back(m);
  }
  return out;
}

std::string TextOf(const nlohmann::json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : "";
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

}  // namespace schoolmail::testing
