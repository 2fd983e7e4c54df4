// The school mailbox against the real Dovecot and SMTP server: a teacher's
// tagged mail sets an assignment that reaches every pupil of the class
// with the worksheet attached; a tag that is not understood comes back to
// the teacher with the reasons; a tag from a pupil or from a forged teacher
// (failed Authentication-Results) sets nothing and answers nobody.
#include <doctest/doctest.h>

#include <unistd.h>

#include <sstream>

#include <nlohmann/json.hpp>

#include "parsers/sha256.h"
#include "tests/support/mail_stack.h"
#include "tests/support/schoolmail_process.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

using nlohmann::json;
using testing::Contains;
using testing::MailStack;
using testing::MailOfKind;
using testing::Output;
using testing::Schoolmail;

const std::vector<testing::MailUser> kUsers = {
    {"petrova", "p-secret"},       {"school", "p-secret"},
    {"ivanov.petya", "secret"},    {"alena.smirnova", "secret"},
    {"alena2010", "secret"},       {"kuznetsov.d", "secret"},
    {"sidorov", "secret"},         {"ivanova.elena", "secret"},
    {"kuznetsova.o", "secret"},    {"stranger", "secret"}};

const std::string kWorksheet = "%PDF-1.4 worksheet " + std::string(500, 'w');

// A teacher's mail to the school mailbox: `subject` and a PDF worksheet.
std::string TaggedMail(const std::string& from, const std::string& subject,
                       const std::string& id, const std::string& extra = "") {
  return extra + "From: " + from + "\r\nTo: robot@school.test\r\nSubject: " +
         subject + "\r\nMessage-ID: <" + id +
         ">\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
         "boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain; "
         "charset=utf-8\r\n\r\nРешить в тетради, образец: "
         "https://school.test/obrazec.pdf\r\n--b\r\nContent-Type: "
         "application/pdf\r\nContent-Disposition: attachment; "
         "filename*=utf-8''%D0%9B%D0%B8%D1%81%D1%82%201.pdf\r\n\r\n" +
         kWorksheet + "\r\n--b--\r\n";
}

struct School {
  testing::TempDir dir;
  MailStack stack{{.users = kUsers}};
  std::string config;
  School() {
    config = testing::WriteSchoolConfig(dir, stack, 60,
                                        "authserv_id = mx.school.test\n", "",
                                        "school");
    REQUIRE(Schoolmail({"-c", config, "import", "roster",
                        std::string(SCHOOLMAIL_SOURCE_DIR) +
                            "/scripts/sample-school/roster.csv"}) == 0);
  }
  std::vector<json> Mail(const std::string& user, const std::string& kind) {
    return MailOfKind(stack, user, user == "petrova" ? "p-secret" : "secret", kind);
  }
};

constexpr const char* kMorning = "--now=2026-11-27 10:00";

TEST_CASE("a teacher's tagged mail sets an assignment for the whole class") {
  School s;
  s.stack.Append("school", "INBOX",
                 TaggedMail("Анна Петрова <petrova@school.test>",
                            "#задание 7А Алгебра до 30.11: §12 №1-5", "t1@school.test",
                            "Authentication-Results: mx.school.test; dmarc=pass\r\n"),
                 "27-Nov-2026 09:00:00 +0300");
  REQUIRE(Schoolmail({"-c", s.config, kMorning, "once"}) == 0);

  // Every pupil of 7А (all their addresses), nobody in 7Б.
  for (const char* pupil : {"ivanov.petya", "alena.smirnova", "alena2010"}) {
    CAPTURE(pupil);
    auto mail = s.Mail(pupil, "assignment");
    REQUIRE(mail.size() == 1);
    const json& m = mail[0];
    CHECK(Contains(m["subject"], "ДЗ-1"));
    CHECK(Contains(m["reply-to"], "petrova@school.test"));
    CHECK(m["auto-submitted"] == "auto-generated");
    CHECK(Contains(m["text"], "§12 №1-5"));
    CHECK(Contains(m["text"], "https://school.test/obrazec.pdf"));
    CHECK(Contains(m["text"], "30.11.2026 18:00"));
    REQUIRE(m["attachments"].size() == 1);
    CHECK(m["attachments"][0]["name"] == "Лист 1.pdf");
    CHECK(m["attachments"][0]["sha256"] == Sha256Hex(kWorksheet));
    // The class does not see each other's addresses.
    CHECK(m["to_addresses"] == json::array({"robot@school.test"}));
  }
  CHECK(s.Mail("kuznetsov.d", "assignment").empty());
  auto confirmations = s.Mail("petrova", "assignment_confirmation");
  REQUIRE(confirmations.size() == 1);
  CHECK(Contains(confirmations[0]["text"], "ДЗ-1"));

  // A second cycle sets nothing twice and mails nobody twice.
  REQUIRE(Schoolmail({"-c", s.config, kMorning, "once"}) == 0);
  CHECK(s.Mail("ivanov.petya", "assignment").size() == 1);
  CHECK(s.Mail("petrova", "assignment_confirmation").size() == 1);
}

TEST_CASE("a tag that is not understood comes back with every reason") {
  School s;
  s.stack.Append("school", "INBOX",
                 TaggedMail("petrova@school.test", "#задание 9Я Алгебра до 31.13: x",
                            "t2@school.test"),
                 "27-Nov-2026 09:00:00 +0300");
  s.stack.Append("school", "INBOX",
                 TaggedMail("petrova@school.test", "#задание 7А Литература: читать",
                            "t3@school.test"),
                 "27-Nov-2026 09:05:00 +0300");
  REQUIRE(Schoolmail({"-c", s.config, kMorning, "once"}) == 0);
  auto rejections = s.Mail("petrova", "assignment_rejection");
  REQUIRE(rejections.size() == 2);
  CHECK(rejections[0]["in-reply-to"] == "<t2@school.test>");
  CHECK(Contains(rejections[0]["text"], "31.13"));
  CHECK(Contains(rejections[0]["text"], "#задание 7А"));  // an example
  CHECK(rejections[1]["in-reply-to"] == "<t3@school.test>");
  CHECK(Contains(rejections[1]["text"], "Литература"));
  CHECK(s.Mail("ivanov.petya", "assignment").empty());
  REQUIRE(Schoolmail({"-c", s.config, kMorning, "once"}) == 0);
  CHECK(s.Mail("petrova", "assignment_rejection").size() == 2);
}

TEST_CASE("a tag from a pupil, or forged as from the teacher, sets nothing") {
  School s;
  s.stack.Append("school", "INBOX",
                 TaggedMail("ivanov.petya@pupils.test",
                            "#задание 7А Алгебра до 30.11: ничего не задано",
                            "p1@pupils.test"),
                 "27-Nov-2026 09:00:00 +0300");
  s.stack.Append("school", "INBOX",
                 TaggedMail("petrova@school.test", "#задание 7А Алгебра до 30.11: подделка",
                            "f1@evil.test",
                            "Authentication-Results: mx.school.test; spf=fail; "
                            "dmarc=fail\r\n"),
                 "27-Nov-2026 09:01:00 +0300");
  REQUIRE(Schoolmail({"-c", s.config, kMorning, "once"}) == 0);
  CHECK(s.Mail("ivanov.petya", "assignment").empty());
  CHECK(s.Mail("ivanov.petya", "assignment_rejection").empty());
  CHECK(s.Mail("petrova", "assignment_rejection").empty());
  CHECK(s.Mail("petrova", "assignment_confirmation").empty());
  std::string out = Output({"-c", s.config, kMorning, "once"}, s.dir.path() + "/o.txt");
  CHECK(out.find("school mailbox: 0 new") != std::string::npos);
}

std::string Plain(const std::string& from, const std::string& subject,
                  const std::string& body, const std::string& id) {
  return "From: " + from + "\r\nTo: robot@school.test\r\nSubject: " + subject +
         "\r\nMessage-ID: <" + id + ">\r\nMIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n";
}

TEST_CASE("status by mail: a pupil and parents get the current work and "
          "grades; anyone else gets nothing") {
  School s;
  REQUIRE(Schoolmail({"-c", s.config, kMorning, "assign", "--class", "7А",
                      "--subject", "Алгебра", "--teacher", "t-petrova",
                      "--title", "§12 №1-5", "--due", "2026-11-30", "--code",
                      "ДЗ-1"}) == 0);
  s.stack.Append("petrova", "INBOX",
                 Plain("ivanov.petya@pupils.test", "ДЗ-1", "решение", "w1@pupils.test"),
                 "27-Nov-2026 12:00:00 +0300");
  REQUIRE(Schoolmail({"-c", s.config, kMorning, "once"}) == 0);
  REQUIRE(Schoolmail({"-c", s.config, kMorning, "grade", "1", "5", "--teacher",
                      "t-petrova", "--comment", "Молодец"}) == 0);
  s.stack.Append("school", "INBOX",
                 Plain("ivanov.petya@pupils.test", "Статус", "", "s1@pupils.test"),
                 "27-Nov-2026 18:00:00 +0300");
  s.stack.Append("school", "INBOX",
                 Plain("ivanova.elena@parents.test", "статус?", "", "s2@parents.test"),
                 "27-Nov-2026 18:01:00 +0300");
  s.stack.Append("school", "INBOX",
                 Plain("kuznetsova.o@parents.test", "Вопрос", "status\r\n", "s3@parents.test"),
                 "27-Nov-2026 18:02:00 +0300");
  s.stack.Append("school", "INBOX",
                 Plain("Пётр Иванов <stranger@pupils.test>", "статус", "", "s4@x.test"),
                 "27-Nov-2026 18:03:00 +0300");
  REQUIRE(Schoolmail({"-c", s.config, "--now=2026-11-27 19:00", "once"}) == 0);

  auto pupil = s.Mail("ivanov.petya", "status_reply");
  REQUIRE(pupil.size() == 1);
  CHECK(pupil[0]["in-reply-to"] == "<s1@pupils.test>");
  CHECK(pupil[0]["auto-submitted"] == "auto-replied");
  CHECK(Contains(pupil[0]["text"], "ДЗ-1 Алгебра: §12 №1-5 (срок 30.11.2026 18:00) — сдано, писем: 1"));
  CHECK(Contains(pupil[0]["text"], "ДЗ-1 Алгебра: 5 — «Молодец»"));
  auto mother = s.Mail("ivanova.elena", "status_reply");
  REQUIRE(mother.size() == 1);
  CHECK(Contains(mother[0]["text"], "Пётр Иванов, 7А"));
  CHECK(Contains(mother[0]["text"], "ДЗ-1"));
  auto parent_of_two = s.Mail("kuznetsova.o", "status_reply");
  REQUIRE(parent_of_two.size() == 1);
  CHECK(Contains(parent_of_two[0]["text"], "Дмитрий Кузнецов, 7Б"));
  CHECK(Contains(parent_of_two[0]["text"], "Мария Попова, 7Б"));
  CHECK(Contains(parent_of_two[0]["text"], "Текущих заданий нет."));
  CHECK(s.Mail("stranger", "status_reply").empty());
  // Nothing is answered twice.
  REQUIRE(Schoolmail({"-c", s.config, "--now=2026-11-27 19:05", "once"}) == 0);
  CHECK(s.Mail("ivanov.petya", "status_reply").size() == 1);
}


// The school mailbox's session ends with LOGOUT, as a teacher's does:
// Dovecot logs "Logged out", not "Connection closed".
TEST_CASE("a cycle logs out of the school mailbox") {
  School s;
  REQUIRE(Schoolmail({"-c", s.config, kMorning, "once"}) == 0);
  std::string school_lines;
  for (int i = 0; i < 50; ++i) {  // Dovecot's log process writes a bit later
    std::istringstream log(testing::ReadFile(s.stack.dir() + "/dovecot.log"));
    school_lines.clear();
    for (std::string line; std::getline(log, line);) {
      if (line.find("imap(school)") != std::string::npos) {
        school_lines += line + "\n";
      }
    }
    if (school_lines.find("Logged out") != std::string::npos) break;
    ::usleep(100 * 1000);
  }
  INFO(school_lines);
  CHECK(school_lines.find("Logged out") != std::string::npos);
  CHECK(school_lines.find("Connection closed") == std::string::npos);
}

}  // namespace
}  // namespace schoolmail
