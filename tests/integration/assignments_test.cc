// Assignments and the morning mail end to end, as an operator runs them:
// the schoolmail binary against a real SMTP server delivering into a real
// Dovecot, every pupil's mailbox read back over IMAP.
#include <doctest/doctest.h>

#include <algorithm>

#include "daemon/imap/imap_session.h"
#include "parsers/mime_message.h"
#include "tests/support/mail_stack.h"
#include "tests/support/schoolmail_process.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

using testing::MailStack;
using testing::MailStackOptions;
using testing::Output;

// The sample school's teacher and pupils, each with a mailbox (the stack
// delivers by the address's local part).
MailStackOptions SchoolUsers() {
  return {.users = {{"petrova", "p-secret"},
                    {"ivanov.petya", "secret"},
                    {"alena.smirnova", "secret"},
                    {"alena2010", "secret"},
                    {"kuznetsov.d", "secret"},
                    {"popova.masha", "secret"}}};
}

// Every message in `user`'s INBOX, as stored, oldest first.
std::vector<std::string> Inbox(const MailStack& stack, const std::string& user,
                               const std::string& password = "secret") {
  auto imap = ImapSession::Open(
      {"imaps://127.0.0.1:" + std::to_string(stack.imaps_port()), user,
       password, stack.ca_file()});
  INFO(user);
  REQUIRE(imap.ok());
  REQUIRE((*imap)->Examine("INBOX").ok());
  auto uids = (*imap)->UidsAfter(0);
  REQUIRE(uids.ok());
  if (uids->empty()) return {};
  auto items = (*imap)->UidFetch(*uids, "(UID BODY.PEEK[])");
  REQUIRE(items.ok());
  std::vector<std::string> out;
  for (const FetchItem& item : *items) out.push_back(item.body.value_or(""));
  return out;
}

ParsedMessage Parse(const std::string& raw) {
  MimeParse parse = ParseMessage(raw, Limits{});
  REQUIRE(parse.message.has_value());
  return *parse.message;
}

std::string Header(const std::string& raw) {
  return raw.substr(0, raw.find("\r\n\r\n"));
}

std::string Kind(const std::string& raw) {
  std::string header = Header(raw);
  auto at = header.find("X-Schoolmail-Kind: ");
  if (at == std::string::npos) return "";
  at += 19;
  return header.substr(at, header.find("\r\n", at) - at);
}

struct School {
  testing::TempDir dir;
  MailStack stack{SchoolUsers()};
  std::string config = testing::WriteSchoolConfig(dir, stack, 60);

  School() {
    REQUIRE(Run({"import", "roster",
                 std::string(SCHOOLMAIL_SOURCE_DIR) +
                     "/scripts/sample-school/roster.csv"},
                "2026-11-27 09:00")
                .find("imported") != std::string::npos);
  }

  // `schoolmail ARGS` at school time `now`; its output (it must exit 0).
  std::string Run(std::vector<std::string> args, const std::string& now) {
    args.insert(args.begin(), {"-c", config, "--now", now});
    return Output(args, dir.path() + "/output.txt");
  }
};

TEST_CASE(
    "`assign`: every pupil of the class gets the assignment once, "
    "Reply-To the teacher; a pupil's reply is matched by In-Reply-To") {
  School school;
  // Two open algebra assignments for 7А: only the reply can tell which one.
  school.Run({"assign", "--class", "7А", "--subject", "Алгебра", "--teacher",
              "t-petrova", "--title", "§12 №1-5", "--due", "2026-11-30"},
             "2026-11-27 10:00");
  school.Run({"assign", "--class", "7А", "--subject", "Алгебра", "--teacher",
              "t-petrova", "--title", "§13 №2", "--due", "2026-12-01"},
             "2026-11-27 10:01");
  std::string first = school.Run({"once"}, "2026-11-27 10:05");
  CHECK(first.find("4 sent") != std::string::npos);  // 2 to 7А, 2 to Petrova
  school.Run({"once"}, "2026-11-27 10:06");          // nothing more

  std::string assignment_id;
  for (const char* pupil : {"ivanov.petya", "alena.smirnova", "alena2010"}) {
    INFO(pupil);
    auto inbox = Inbox(school.stack, pupil);
    REQUIRE(inbox.size() == 2);  // ДЗ-1 and ДЗ-2, once each
    for (size_t i = 0; i < inbox.size(); ++i) {
      ParsedMessage m = Parse(inbox[i]);
      std::string code = i == 0 ? "ДЗ-1" : "ДЗ-2";
      CHECK(m.subject->find(code) != std::string::npos);
      REQUIRE(m.reply_to.size() == 1);
      CHECK(m.reply_to[0].address == "petrova@school.test");
      CHECK(m.auto_submitted == "auto-generated");
      REQUIRE(m.to.size() == 1);
      CHECK(m.to[0].address == "robot@school.test");
      CHECK(m.to[0].name == "7А");
      CHECK(m.cc.empty());
      // Hidden recipients: no other pupil's address in the header.
      for (const char* other :
           {"ivanov.petya@", "alena.smirnova@", "alena2010@"}) {
        if (std::string(other).starts_with(pupil)) continue;
        CHECK(Header(inbox[i]).find(other) == std::string::npos);
      }
    }
    if (std::string(pupil) == "ivanov.petya") {
      assignment_id = Parse(inbox[0]).message_id.value_or("");
    }
  }
  CHECK(Inbox(school.stack, "kuznetsov.d").empty());  // 7Б
  CHECK(Inbox(school.stack, "popova.masha").empty());
  auto confirmations = Inbox(school.stack, "petrova", "p-secret");
  REQUIRE(confirmations.size() == 2);
  CHECK(Kind(confirmations[0]) == "assignment_confirmation");
  CHECK(Parse(confirmations[0]).subject->find("ДЗ-1") != std::string::npos);

  // Пётр answers ДЗ-1's mail; his subject names no code or subject.
  REQUIRE_FALSE(assignment_id.empty());
  school.stack.Deliver(
      "petrova",
      "From: ivanov.petya@pupils.test\r\nTo: petrova@school.test\r\n"
      "Subject: Re: моя работа\r\nMessage-ID: <reply-1@pupils.test>\r\n"
      "In-Reply-To: <" +
          assignment_id + ">\r\nReferences: <" + assignment_id +
          ">\r\nMIME-Version: 1.0\r\n"
          "Content-Type: text/plain; charset=utf-8\r\n\r\nРешение.\r\n");
  school.Run({"once"}, "2026-11-27 10:10");
  std::string listing = school.Run({"submissions"}, "2026-11-27 10:11");
  CHECK(listing.find("1 submission(s)") != std::string::npos);
  CHECK(listing.find("Иванов Пётр (7А)  ДЗ-1 attempt 1") != std::string::npos);
}

TEST_CASE(
    "the morning mail reaches each pupil in distance mode once, also "
    "after a second cycle") {
  School school;
  school.Run({"import", "timetable",
              std::string(SCHOOLMAIL_SOURCE_DIR) +
                  "/scripts/sample-school/timetable.csv"},
             "2026-11-27 09:00");
  school.Run({"distance", "start", "--classes", "7А", "--from", "2026-11-30",
              "--order", "Приказ № 45"},
             "2026-11-27 09:00");
  // Friday: not in distance mode yet; only the welcome mail of the period.
  school.Run({"once"}, "2026-11-27 12:00");
  auto friday = Inbox(school.stack, "ivanov.petya");
  REQUIRE(friday.size() == 1);
  CHECK(Kind(friday[0]) == "welcome");

  std::string monday = school.Run({"once"}, "2026-11-30 07:45");
  CHECK(monday.find("morning: 2 queued") != std::string::npos);
  school.Run({"once"}, "2026-11-30 08:00");

  for (const char* pupil : {"ivanov.petya", "alena.smirnova", "alena2010"}) {
    INFO(pupil);
    auto inbox = Inbox(school.stack, pupil);
    REQUIRE(inbox.size() == 2);  // the welcome mail, then the morning mail
    CHECK(Kind(inbox[1]) == "morning");
    ParsedMessage m = Parse(inbox[1]);
    CHECK(m.subject == "Уроки и задания: понедельник, 30.11.2026");
    CHECK(m.auto_submitted == "auto-generated");
    CHECK(m.text.find("09:00–09:40 Алгебра") != std::string::npos);
    CHECK(m.text.find("https://meet.school.test/7a-algebra") !=
          std::string::npos);
  }
  CHECK(Inbox(school.stack, "kuznetsov.d").empty());
}

}  // namespace
}  // namespace schoolmail
