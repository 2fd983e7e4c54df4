// The schoolmail binary as a process. RELIABILITY case 1: killed at every
// durable step of the intake, a restart leaves exactly one submission per
// message, every one filed, and no stray archive file. And `run`: IDLE
// push, and a clean stop on SIGTERM.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>

#include "tests/support/mail_stack.h"
#include "tests/support/schoolmail_process.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

using testing::MailStack;

using testing::ImportSampleSchool;
using testing::Output;
using testing::Schoolmail;
using testing::Spawn;
using testing::Wait;
using testing::WriteSchoolConfig;

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
    std::string config = WriteSchoolConfig(dir, stack, 60);
    ImportSampleSchool(config);
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

    // The archive holds the three messages once each (beside schoolmail's
    // own mail that came back to the teacher), no temporary files.
    int files = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(
             dir.path() + "/data/archive")) {
      if (!entry.is_regular_file()) continue;
      CHECK(entry.path().extension() == ".eml");
      std::string text = testing::ReadFile(entry.path().string());
      if (text.find("Message-ID: <crash") != std::string::npos) ++files;
    }
    CHECK(files == 3);
    // The assignment's folder holds the two pupils' messages once each: a
    // probe appended now gets UID 3 (a doubled move would make it 4).
    CHECK(stack.Append("petrova", "Сдано/7А/Алгебра/2026-11-26 ДЗ-1",
                       Mail("probe@x.test", "probe", 9)) == 3);
  }
}

TEST_CASE("case 5: a message that crashes the parser goes to review after "
          "parse_attempts tries; the others are stored") {
  testing::TempDir dir;
  MailStack stack({.users = {{"petrova", "p-secret"}}});
  std::string config = WriteSchoolConfig(dir, stack, 60);
  ImportSampleSchool(config);
  stack.Append("petrova", "INBOX", Mail("ivanov.petya@pupils.test", "ДЗ-1", 1),
               "26-Nov-2026 12:00:00 +0300");
  stack.Append("petrova", "INBOX",
               Mail("alena.smirnova@pupils.test", "ДЗ-1 XPOISONX", 2),
               "26-Nov-2026 12:01:00 +0300");
  stack.Append("petrova", "INBOX", Mail("alena2010@pupils.test", "ДЗ-1", 3),
               "26-Nov-2026 12:02:00 +0300");
  const std::vector<std::string> poison = {"SCHOOLMAIL_TEST_POISON=XPOISONX"};
  // The batch, then the poisoned message alone three times (the default
  // parse_attempts): each run dies in the parser.
  for (int run = 0; run < 4; ++run) {
    CAPTURE(run);
    CHECK(Schoolmail({"-c", config, "once"}, poison) == 137);
  }
  // Set aside unparsed; the mail after it flows again.
  CHECK(Schoolmail({"-c", config, "once"}, poison) == 0);
  std::string out =
      Output({"-c", config, "submissions"}, dir.path() + "/listing.txt");
  INFO(out);
  CHECK(out.find("3 submission(s)") != std::string::npos);
  CHECK(out.find("review") != std::string::npos);
  size_t on_time = 0;
  for (size_t at = 0; (at = out.find("on_time", at)) != std::string::npos; ++at) ++on_time;
  CHECK(on_time == 2);
  // Nothing is parsed twice afterwards.
  CHECK(Schoolmail({"-c", config, "once"}, poison) == 0);
}

TEST_CASE("SIGTERM in the middle of a big cycle: a clean exit, and a "
          "restart leaves exactly one submission per message") {
  testing::TempDir dir;
  MailStack stack({.users = {{"petrova", "p-secret"}}});
  std::string config = WriteSchoolConfig(dir, stack, 3600);
  ImportSampleSchool(config);
  const int kMessages = 60;
  const std::string padding(300000, 'x');  // ~300 KB each
  for (int i = 0; i < kMessages; ++i) {
    std::string mail = Mail("ivanov.petya@pupils.test", "ДЗ-1", 100 + i);
    mail += padding + "\r\n";
    stack.Append("petrova", "INBOX", mail, "26-Nov-2026 12:00:00 +0300");
  }
  pid_t daemon = Spawn({"-c", config, "run"}, {});
  ::usleep(300 * 1000);
  REQUIRE(::kill(daemon, SIGTERM) == 0);
  CHECK(Wait(daemon) == 0);
  CHECK(Schoolmail({"-c", config, "once"}) == 0);
  std::string out = Output({"-c", config, "submissions"}, dir.path() + "/l.txt");
  CHECK(out.find(std::to_string(kMessages) + " submission(s)") != std::string::npos);
  CHECK(out.find("(not filed yet)") == std::string::npos);
}

TEST_CASE("run: IDLE brings new mail in long before the next poll; SIGTERM "
          "stops it cleanly") {
  testing::TempDir dir;
  MailStack stack({.users = {{"petrova", "p-secret"}}});
  std::string config = WriteSchoolConfig(dir, stack, 3600);  // no poll in this test
  ImportSampleSchool(config);
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
