// Outgoing mail end to end: receipts written by the schoolmail binary, sent
// through the real SMTP server into the real Dovecot, read back over IMAPS
// by an independent reader (Python's email package, read_mail.py). SMTP
// faults: 451 then success, 550 for one of two recipients, the server down
// while mail waits, the daemon killed while draining (RELIABILITY 16-18).
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "config/settings.h"
#include "daemon/outbox.h"
#include "parsers/sha256.h"
#include "storage/store.h"
#include "tests/support/mail_stack.h"
#include "tests/support/schoolmail_process.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

using nlohmann::json;
using testing::Contains;
using testing::ImportSampleSchool;
using testing::MailStack;
using testing::Output;
using testing::Schoolmail;
using testing::WriteSchoolConfig;

const std::vector<testing::MailUser> kUsers = {
    {"petrova", "p-secret"},   {"ivanov.petya", "secret"},
    {"alena.smirnova", "secret"}, {"alena2010", "secret"},
    {"stranger", "secret"},    {"zavuch", "secret"}};

std::string PasswordOf(const std::string& user) {
  return user == "petrova" ? "p-secret" : "secret";
}

json ReadMailbox(const MailStack& stack, const std::string& user) {
  return testing::ReadMailbox(stack, user, PasswordOf(user));
}

std::vector<json> Receipts(const MailStack& stack, const std::string& user) {
  return testing::MailOfKind(stack, user, PasswordOf(user), "receipt");
}

const std::string kPhoto = std::string("\xFF\xD8\xFF\xE0", 4) + std::string(3000, 'x');

std::string Base64(const std::string& bytes) {
  static const char* kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int k = 3; k >= 0; --k) out += kAlphabet[(v >> (6 * k)) & 63];
    if (out.size() % 77 == 76) out += "\r\n";
  }
  if (i < bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// A pupil's mail with a photo attached.
std::string PhotoMail(const std::string& from, const std::string& subject,
                      const std::string& id) {
  return "From: " + from + "\r\nTo: petrova@school.test\r\nSubject: " +
         subject + "\r\nMessage-ID: <" + id +
         ">\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
         "boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; "
         "charset=utf-8\r\n\r\nДомашняя работа\r\n--b\r\nContent-Type: "
         "image/jpeg\r\nContent-Disposition: attachment; "
         "filename*=utf-8''%D0%A1%D1%82%D1%80%201.jpg\r\n"
         "Content-Transfer-Encoding: base64\r\n\r\n" +
         Base64(kPhoto) + "\r\n--b--\r\n";
}

std::string TextMail(const std::string& from, const std::string& subject,
                     const std::string& id, const std::string& extra = "") {
  return "From: " + from + "\r\nTo: petrova@school.test\r\nSubject: " +
         subject + "\r\nMessage-ID: <" + id + ">\r\n" + extra +
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
         "https://disk.yandex.ru/i/abc\r\n";
}

constexpr const char* kEvening = "--now=2026-11-26 20:00";

TEST_CASE("receipts reach the pupils once, threaded, and read right") {
  testing::TempDir dir;
  MailStack stack({.users = kUsers});
  std::string config = WriteSchoolConfig(dir, stack, 60);
  ImportSampleSchool(config);
  stack.Append("petrova", "INBOX",
               PhotoMail("ivanov.petya@pupils.test", "ДЗ-1 Иванов", "m1@pupils.test"),
               "26-Nov-2026 12:00:00 +0300");
  stack.Append("petrova", "INBOX",
               TextMail("alena.smirnova@pupils.test", "ДЗ-1", "m2@pupils.test"),
               "26-Nov-2026 19:00:00 +0300");
  stack.Append("petrova", "INBOX",
               TextMail("stranger@pupils.test", "ДЗ-1", "m3@pupils.test"),
               "26-Nov-2026 13:00:00 +0300");
  stack.Append("petrova", "INBOX",
               TextMail("alena2010@pupils.test", "Автоответ: ДЗ-1", "m4@pupils.test",
                        "Auto-Submitted: auto-replied\r\n"),
               "26-Nov-2026 13:30:00 +0300");
  // Case 22: a bounce to a pupil's address, list mail, and schoolmail's own
  // mail coming back: recorded, never answered.
  stack.Append("petrova", "INBOX",
               "From: MAILER-DAEMON@pupils.test\r\nTo: alena2010@pupils.test\r\n"
               "Subject: Undelivered Mail\r\nMessage-ID: <m5@pupils.test>\r\n"
               "Return-Path: <>\r\nMIME-Version: 1.0\r\nContent-Type: "
               "multipart/report; report-type=delivery-status; boundary=r\r\n\r\n"
               "--r\r\nContent-Type: text/plain\r\n\r\nfailed\r\n--r\r\n"
               "Content-Type: message/delivery-status\r\n\r\nAction: failed\r\n--r--\r\n",
               "26-Nov-2026 13:40:00 +0300");
  stack.Append("petrova", "INBOX",
               TextMail("alena2010@pupils.test", "ДЗ-1 рассылка", "m6@pupils.test",
                        "Precedence: bulk\r\nList-Id: <class.pupils.test>\r\n"),
               "26-Nov-2026 13:50:00 +0300");
  stack.Append("petrova", "INBOX",
               TextMail("robot@school.test", "ДЗ-1", "m7@school.test"),
               "26-Nov-2026 13:55:00 +0300");
  REQUIRE(Schoolmail({"-c", config, kEvening, "once"}) == 0);

  auto petya = Receipts(stack, "ivanov.petya");
  REQUIRE(petya.size() == 1);
  const json& r = petya[0];
  CHECK(Contains(r["subject"], "ДЗ-1"));
  CHECK(Contains(r["subject"], "вовремя"));
  CHECK(r["in-reply-to"] == "<m1@pupils.test>");
  CHECK(r["references"] == "<m1@pupils.test>");
  CHECK(r["auto-submitted"] == "auto-replied");
  CHECK(Contains(r["reply-to"], "petrova@school.test"));
  CHECK(Contains(r["from"], "robot@school.test"));
  CHECK(r["to_addresses"] == json::array({"ivanov.petya@pupils.test"}));
  CHECK(Contains(r["message-id"], "@school.test>"));
  CHECK(Contains(r["text"], "Пётр Иванов"));
  CHECK(Contains(r["text"], "Стр 1.jpg"));
  CHECK(Contains(r["text"], Sha256Hex(kPhoto).substr(0, 12)));
  CHECK(Contains(r["text"], "26.11.2026 12:00:00"));  // the server's time
  CHECK(Contains(r["text"], "26.11.2026 18:00"));     // the deadline
  CHECK(Contains(r["text"], "https://school.test"));  // the footer
  CHECK(r["defects"].empty());
  CHECK(r["longest_line"].get<int>() < 998);
  CHECK(r["bare_lf"] == 0);

  auto alena = Receipts(stack, "alena.smirnova");
  REQUIRE(alena.size() == 1);
  CHECK(Contains(alena[0]["subject"], "после срока"));
  CHECK(Contains(alena[0]["text"], "26.11.2026 19:00:00"));
  // No automatic answer to an unknown sender or to an auto-reply.
  CHECK(Receipts(stack, "stranger").empty());
  CHECK(Receipts(stack, "alena2010").empty());

  // Another cycle answers nothing twice.
  REQUIRE(Schoolmail({"-c", config, kEvening, "once"}) == 0);
  CHECK(Receipts(stack, "ivanov.petya").size() == 1);
  CHECK(Receipts(stack, "alena.smirnova").size() == 1);
  std::string listing = Output({"-c", config, "outbox", "--all"}, dir.path() + "/out.txt");
  CHECK(listing.find("receipt sent") != std::string::npos);
  std::string pending = Output({"-c", config, "outbox"}, dir.path() + "/out.txt");
  INFO(pending);
  CHECK(pending.find(" receipt ") == std::string::npos);  // none waiting
}

TEST_CASE("451: deferred with backoff across restarts, then delivered once") {
  testing::TempDir dir;
  MailStack stack({.users = kUsers});
  std::string config = WriteSchoolConfig(dir, stack, 60);
  ImportSampleSchool(config);
  stack.SetSmtpRules(R"({"rcpt": {"ivanov.petya@pupils.test": [451, "4.7.1 greylisted"]}})");
  stack.Append("petrova", "INBOX",
               PhotoMail("ivanov.petya@pupils.test", "ДЗ-1", "g1@pupils.test"),
               "26-Nov-2026 12:00:00 +0300");
  REQUIRE(Schoolmail({"-c", config, kEvening, "once"}) == 0);
  std::string scratch = dir.path() + "/out.txt";
  std::string listing = Output({"-c", config, "outbox"}, scratch);
  CHECK(listing.find("deferred") != std::string::npos);
  CHECK(listing.find("451 4.7.1 greylisted") != std::string::npos);
  CHECK(Receipts(stack, "ivanov.petya").empty());

  stack.SetSmtpRules("");
  // Not due yet (the first retry waits 60-72 s): nothing is sent.
  REQUIRE(Schoolmail({"-c", config, kEvening, "once"}) == 0);
  CHECK(Receipts(stack, "ivanov.petya").empty());
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-26 20:05", "once"}) == 0);
  CHECK(Receipts(stack, "ivanov.petya").size() == 1);
  CHECK(Output({"-c", config, "outbox", "--all"}, scratch).find("attempts 2") !=
        std::string::npos);
}

TEST_CASE("the SMTP server down: mail waits, then goes out in order") {
  testing::TempDir dir;
  MailStack stack({.users = kUsers});
  std::string config = WriteSchoolConfig(dir, stack, 60);
  ImportSampleSchool(config);
  stack.StopSmtp();
  stack.Append("petrova", "INBOX",
               PhotoMail("ivanov.petya@pupils.test", "ДЗ-1", "d1@pupils.test"),
               "26-Nov-2026 12:00:00 +0300");
  stack.Append("petrova", "INBOX",
               PhotoMail("ivanov.petya@pupils.test", "ДЗ-1 исправил", "d2@pupils.test"),
               "26-Nov-2026 12:30:00 +0300");
  // The cycle reports the server trouble (exit 1) and keeps the mail.
  CHECK(Schoolmail({"-c", config, kEvening, "once"}) == 1);
  std::string scratch = dir.path() + "/out.txt";
  std::string listing = Output({"-c", config, "outbox"}, scratch);
  size_t deferred = 0;
  for (size_t at = 0; (at = listing.find("receipt deferred", at)) != std::string::npos; ++at) {
    ++deferred;
  }
  CHECK(deferred == 2);
  stack.StartSmtp();
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-26 23:00", "once"}) == 0);
  auto receipts = Receipts(stack, "ivanov.petya");
  REQUIRE(receipts.size() == 2);
  CHECK(receipts[0]["in-reply-to"] == "<d1@pupils.test>");  // queue order
  CHECK(Contains(receipts[0]["text"], "Попытка: 1"));
  CHECK(receipts[1]["in-reply-to"] == "<d2@pupils.test>");
  CHECK(Contains(receipts[1]["text"], "Попытка: 2"));
}

TEST_CASE("550 for one of two recipients: the other gets it; reported once") {
  testing::TempDir dir;
  MailStack stack({.users = kUsers});
  std::string config = WriteSchoolConfig(dir, stack, 60);
  auto settings = LoadValidSettings(config);
  REQUIRE(settings.ok());
  auto store = OpenSqliteStore(dir.path() + "/outbox.db");
  REQUIRE(store.ok());
  stack.SetSmtpRules(R"({"rcpt": {"gone@pupils.test": [550, "5.1.1 no such user"]}})");
  OutboxMail mail;
  mail.kind = "notice";
  mail.envelope_from = "robot@school.test";
  mail.recipients = {"gone@pupils.test", "stranger@pupils.test"};
  mail.message_id = "n1@school.test";
  mail.summary = "Объявление";
  mail.body =
      "From: robot@school.test\r\nTo: stranger@pupils.test\r\nSubject: "
      "=?utf-8?B?0J7QsdGK0Y/QstC70LXQvdC40LU=?=\r\nMessage-ID: "
      "<n1@school.test>\r\nX-Schoolmail-Kind: notice\r\n\r\nhello\r\n";
  REQUIRE((*store)->Enqueue(mail, 1000, 20).ok());
  SmtpTransport transport(SmtpEndpointFor(*settings));
  DrainOptions options;
  options.now = [] { return std::int64_t{1000}; };
  options.random01 = [] { return 0.0; };
  auto drained = DrainOutbox(**store, transport, *settings, options);
  REQUIRE(drained.ok());
  CHECK(drained->failed == 1);
  CHECK(drained->sent == 1);
  auto inbox = ReadMailbox(stack, "stranger");
  REQUIRE(inbox.size() == 1);
  CHECK(inbox[0]["subject"] == "Объявление");
  auto listed = (*store)->ListOutbox(false);
  REQUIRE(listed->size() == 1);
  CHECK(listed->at(0).state == "sent");
  REQUIRE(listed->at(0).recipients.size() == 2);
  CHECK(listed->at(0).recipients[0].state == "failed");
  CHECK(listed->at(0).recipients[0].last_reply.find("550") != std::string::npos);
  CHECK(listed->at(0).recipients[1].state == "sent");
  CHECK((*store)->TakeUnreportedFailures()->size() == 1);
  CHECK((*store)->TakeUnreportedFailures()->empty());
  // Nothing is due any more: a second drain sends nothing.
  auto again = DrainOutbox(**store, transport, *settings, options);
  CHECK(again->sent == 0);
  CHECK(ReadMailbox(stack, "stranger").size() == 1);
}

TEST_CASE("a receipt refused with 550 is reported to the administration once") {
  testing::TempDir dir;
  MailStack stack({.users = kUsers});
  std::string config = WriteSchoolConfig(
      dir, stack, 60, "", "admin_address = zavuch@school.test\n");
  ImportSampleSchool(config);
  stack.SetSmtpRules(R"({"rcpt": {"ivanov.petya@pupils.test": [550, "5.2.1 mailbox disabled"]}})");
  stack.Append("petrova", "INBOX",
               PhotoMail("ivanov.petya@pupils.test", "ДЗ-1", "f1@pupils.test"),
               "26-Nov-2026 12:00:00 +0300");
  REQUIRE(Schoolmail({"-c", config, kEvening, "once"}) == 0);
  REQUIRE(Schoolmail({"-c", config, kEvening, "once"}) == 0);
  std::vector<json> notices;
  for (const json& m : ReadMailbox(stack, "zavuch")) {
    if (m["x-schoolmail-kind"] == "delivery_failure") notices.push_back(m);
  }
  REQUIRE(notices.size() == 1);
  CHECK(Contains(notices[0]["text"],
                 "ivanov.petya@pupils.test: 550 5.2.1 mailbox disabled"));
  CHECK(notices[0]["auto-submitted"] == "auto-generated");
  std::string listing = Output({"-c", config, "outbox"}, dir.path() + "/out.txt");
  CHECK(listing.find("receipt failed") != std::string::npos);
  CHECK(Receipts(stack, "ivanov.petya").empty());

  // The address works again: the operator requeues the receipt by its number.
  stack.SetSmtpRules("");
  size_t hash = listing.rfind("#", listing.find(" receipt failed"));
  REQUIRE(hash != std::string::npos);
  std::string id = listing.substr(hash + 1, listing.find(' ', hash) - hash - 1);
  std::string retried =
      Output({"-c", config, kEvening, "outbox", "retry", id}, dir.path() + "/out.txt");
  CHECK(retried.find("queued") != std::string::npos);
  CHECK(Schoolmail({"-c", config, "outbox", "retry", "9999"}) == 1);
  REQUIRE(Schoolmail({"-c", config, kEvening, "once"}) == 0);
  CHECK(Receipts(stack, "ivanov.petya").size() == 1);
}

TEST_CASE("case 23: an autoresponder answering every receipt is capped") {
  testing::TempDir dir;
  MailStack stack({.users = kUsers});
  std::string config = WriteSchoolConfig(
      dir, stack, 60, "[limits]\nauto_mails_per_recipient_per_day = 3\n");
  ImportSampleSchool(config);
  // A misconfigured responder without Auto-Submitted or Precedence: every
  // answer looks like a pupil's mail.
  for (int i = 0; i < 5; ++i) {
    stack.Append("petrova", "INBOX",
                 TextMail("ivanov.petya@pupils.test", "Re: Получено вовремя",
                          "loop" + std::to_string(i) + "@pupils.test"),
                 "26-Nov-2026 12:0" + std::to_string(i) + ":00 +0300");
  }
  REQUIRE(Schoolmail({"-c", config, kEvening, "once"}) == 0);
  CHECK(Receipts(stack, "ivanov.petya").size() == 3);
  REQUIRE(Schoolmail({"-c", config, kEvening, "once"}) == 0);
  CHECK(Receipts(stack, "ivanov.petya").size() == 3);
  CHECK(Output({"-c", config, kEvening, "status"}, dir.path() + "/out.txt")
            .find("suppressed by caps in 24 hours: 2") != std::string::npos);
}

TEST_CASE("killed while draining: every mail once, but for the documented "
          "window between the server's 250 and the commit") {
  for (const std::string step : {"after_claim:1", "after_send:1", "after_record:1"}) {
    INFO(step);
    testing::TempDir dir;
    MailStack stack({.users = kUsers});
    std::string config = WriteSchoolConfig(dir, stack, 60);
    ImportSampleSchool(config);
    stack.Append("petrova", "INBOX",
                 PhotoMail("ivanov.petya@pupils.test", "ДЗ-1", "k1@pupils.test"),
                 "26-Nov-2026 12:00:00 +0300");
    stack.Append("petrova", "INBOX",
                 PhotoMail("alena.smirnova@pupils.test", "ДЗ-1", "k2@pupils.test"),
                 "26-Nov-2026 12:00:00 +0300");
    CHECK(Schoolmail({"-c", config, kEvening, "once"},
                     {"SCHOOLMAIL_TEST_CRASH_AT=" + step}) == 137);
    CHECK(Schoolmail({"-c", config, kEvening, "once"}) == 0);
    auto petya = Receipts(stack, "ivanov.petya");
    auto alena = Receipts(stack, "alena.smirnova");
    CHECK(alena.size() == 1);
    if (step == "after_send:1") {
      // The crash came after the server took Petya's receipt and before
      // the commit: sent again, with the same Message-ID.
      REQUIRE(petya.size() == 2);
      CHECK(petya[0]["message-id"] == petya[1]["message-id"]);
    } else {
      CHECK(petya.size() == 1);
    }
  }
}

}  // namespace
}  // namespace schoolmail
