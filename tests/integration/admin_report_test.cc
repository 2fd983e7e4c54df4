// The administration's control report end to end with the real mail stack:
// the sample school with its lesson plan, 7Б in distance mode, pupils' work
// read from the teacher's INBOX by the schoolmail binary, a receipt the
// SMTP server refuses with 550, a parent's status request answered; at
// 20:00 exactly one report in the administration's real mailbox, read back
// by Python's email package, with the expected rows; a second cycle sends
// nothing; `schoolmail delivery` answers "was this parent told, and when".
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/support/mail_stack.h"
#include "tests/support/schoolmail_process.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

using nlohmann::json;
using testing::ImportSampleSchool;
using testing::MailStack;
using testing::Output;
using testing::Schoolmail;
using testing::WriteSchoolConfig;

const std::vector<testing::MailUser> kUsers = {
    {"petrova", "p-secret"},    {"school", "p-secret"},
    {"ivanov.petya", "secret"}, {"alena.smirnova", "secret"},
    {"alena2010", "secret"},    {"kuznetsov.d", "secret"},
    {"popova.masha", "secret"}, {"ivanova.elena", "secret"},
    {"smirnov.a", "secret"},    {"kuznetsova.o", "secret"},
    {"zavuch", "secret"},       {"sidorov", "secret"}};

std::string Plain(const std::string& from, const std::string& to,
                  const std::string& subject, const std::string& id) {
  return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject +
         "\r\nMessage-ID: <" + id +
         ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
         "charset=utf-8\r\n\r\nВот работа.\r\n";
}

// A decoded body with its CRLF line ends as LF.
std::string Text(const json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : "";
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

std::vector<json> Reports(const MailStack& stack) {
  return testing::MailOfKind(stack, "zavuch", "secret", "admin_report");
}

TEST_CASE(
    "the control report: once at 20:00 to the administration, with the day's "
    "rates, backlog, inactive pupils, failed mail and digests") {
  testing::TempDir dir;
  MailStack stack({.users = kUsers});
  const std::string config =
      WriteSchoolConfig(dir, stack, 60, "[report]\nungraded_days = 2\n",
                        "admin_address = zavuch@school.test\n", "school");
  const std::string scratch = dir.path() + "/out.txt";
  ImportSampleSchool(config);  // ДЗ-1 Алгебра 7А, set and due 26.11 18:00
  // The plan: ДЗ-2 is 7А Алгебра of 23.11 (due 24.11), ...; 7Б Литература
  // due 26.11, 7Б Геометрия on 26.11.
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-22 12:00", "import", "plan",
                      std::string(SCHOOLMAIL_SOURCE_DIR) +
                          "/scripts/sample-school/plan.csv"}) == 0);
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-22 12:00", "distance",
                      "start", "--classes", "7Б", "--from", "2026-11-23",
                      "--order", "Приказ № 45"}) == 0);
  // Petya's ДЗ-2, on time on Tuesday, never graded.
  stack.Append("petrova", "INBOX",
               Plain("ivanov.petya@pupils.test", "petrova@school.test", "ДЗ-2",
                     "w2@pupils.test"),
               "24-Nov-2026 10:00:00 +0300");
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-26 10:00", "once"}) == 0);

  // Thursday: ДЗ-1 from Petya on time, from Alena late; Petya's address
  // refuses his receipt; Petya's mother asks for the status.
  stack.Append("petrova", "INBOX",
               Plain("ivanov.petya@pupils.test", "petrova@school.test", "ДЗ-1",
                     "w1@pupils.test"),
               "26-Nov-2026 12:00:00 +0300");
  stack.Append("petrova", "INBOX",
               Plain("alena.smirnova@pupils.test", "petrova@school.test",
                     "ДЗ-1", "a1@pupils.test"),
               "26-Nov-2026 18:30:00 +0300");
  stack.Append("school", "INBOX",
               Plain("ivanova.elena@parents.test", "robot@school.test",
                     "статус", "s1@parents.test"),
               "26-Nov-2026 18:40:00 +0300");
  stack.SetSmtpRules(
      R"({"rcpt": {"ivanov.petya@pupils.test": [550, "5.2.1 mailbox disabled"]}})");
  std::string cycle =
      Output({"-c", config, "--now=2026-11-26 19:00", "once"}, scratch);
  INFO(cycle);
  CHECK(cycle.find("control report") == std::string::npos);  // before 20:00
  stack.SetSmtpRules("");

  cycle = Output({"-c", config, "--now=2026-11-26 20:00", "once"}, scratch);
  CHECK(cycle.find("control report 2026-11-26..2026-11-26: queued;") !=
        std::string::npos);
  auto reports = Reports(stack);
  REQUIRE(reports.size() == 1);
  const json& report = reports[0];
  CHECK(report["subject"] == "Контрольный отчёт за 26.11.2026");
  CHECK(report["to_addresses"] == json::array({"zavuch@school.test"}));
  CHECK(report["auto-submitted"] == "auto-generated");
  CHECK(Text(report["content-type"]).find("multipart/alternative") !=
        std::string::npos);
  CHECK(report["defects"].empty());

  const std::string text = Text(report["text"]);
  INFO(text);
  CHECK(text.find("- 7А, Алгебра\n"
                  "  Задано: 1 (по плану 0)\n"
                  "  Сдано: 100% (2 из 2), в срок: 50% (1 из 2)\n") !=
        std::string::npos);
  CHECK(text.find("- 7Б, Геометрия\n"
                  "  Задано: 1 (по плану 1)\n") != std::string::npos);
  CHECK(text.find("- 7Б, Литература\n"
                  "  Задано: 0 (по плану 0)\n"
                  "  Сдано: 0% (0 из 2), в срок: 0% (0 из 2)\n") !=
        std::string::npos);
  CHECK(text.find("2. РАБОТЫ БЕЗ ОЦЕНКИ ДОЛЬШЕ 2 ДНЕЙ\n"
                  "- Петрова Анна Сергеевна: 1 работа\n"
                  "  Самая давняя: ДЗ-2 Алгебра, Иванов Пётр, 7А, получена "
                  "24.11.2026 10:00 (2 дня назад)\n\n") != std::string::npos);
  CHECK(text.find("- Кузнецов Дмитрий Олегович, 7Б: 4 учебных дня; последнее "
                  "письмо: не было\n"
                  "- Попова Мария, 7Б: 4 учебных дня; последнее письмо: не "
                  "было\n\n") != std::string::npos);
  CHECK(text.find("4. НЕ ДОСТАВЛЕННЫЕ ПИСЬМА\n"
                  "- 26.11.2026 19:00 receipt → ivanov.petya@pupils.test\n") !=
        std::string::npos);
  CHECK(
      text.find("  Тема: Получено вовремя: ДЗ-1 Алгебра\n  Ответ сервера: ") !=
      std::string::npos);
  CHECK(text.find("ivanov.petya@pupils.test: 550 5.2.1 mailbox disabled)\n") !=
        std::string::npos);
  CHECK(text.find("- Иванова Елена Викторовна (Пётр Иванов, 7А)\n"
                  "  26.11.2026: не отправлялась\n") != std::string::npos);
  const std::string html = Text(report["html"]);
  CHECK(html.find("<strong>100%</strong><br><span style=\"color:#555555;"
                  "font-size:13px;\">2 из 2</span>") != std::string::npos);

  // A second cycle the same evening sends nothing more.
  cycle = Output({"-c", config, "--now=2026-11-26 20:30", "once"}, scratch);
  CHECK(cycle.find("control report") == std::string::npos);
  CHECK(Reports(stack).size() == 1);

  // Was this parent told? Her status reply, delivered.
  const std::string mother =
      Output({"-c", config, "delivery", "ivanova.elena@parents.test"}, scratch);
  INFO(mother);
  CHECK(mother.rfind("2026-11-26 19:00:00\tstatus_reply\t", 0) == 0);
  CHECK(mother.find("\tsent\t250") != std::string::npos);
  const std::string petya =
      Output({"-c", config, "delivery", "ivanov.petya@pupils.test", "--from",
              "2026-11-26", "--to", "2026-11-26"},
             scratch);
  INFO(petya);
  CHECK(petya.find("2026-11-26 10:00:00\treceipt\tПолучено вовремя: ДЗ-2 "
                   "Алгебра\tsent\t250 ") != std::string::npos);
  CHECK(petya.find("2026-11-26 19:00:00\treceipt\tПолучено вовремя: ДЗ-1 "
                   "Алгебра\tfailed\tSMTP refused: ") != std::string::npos);
  CHECK(petya.find("550 5.2.1 mailbox disabled)\n") != std::string::npos);
  // The days are inclusive, in school time: nothing on the next day.
  CHECK(Output({"-c", config, "delivery", "ivanov.petya@pupils.test", "--from",
                "2026-11-27", "--to", "2026-11-27"},
               scratch) ==
        "No mail to ivanov.petya@pupils.test in the delivery log.\n");
}

}  // namespace
}  // namespace schoolmail
