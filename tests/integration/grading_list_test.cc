// The "waiting for a grade" list end to end with the real mail stack: the
// pupils' work read from the teacher's INBOX by the schoolmail binary, one
// piece graded on the command line, and on the next school day at the
// configured time exactly one list mail in the teacher's real mailbox, read
// back by Python's email package: the two ungraded works, oldest deadline
// first, the late one marked, text and HTML. Nothing on the weekend, before
// the time, or on a second `once` the same day.
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

const std::vector<testing::MailUser> kUsers = {{"petrova", "p-secret"},
                                               {"ivanov.petya", "secret"},
                                               {"alena.smirnova", "secret"},
                                               {"alena2010", "secret"}};

std::string Work(const std::string& from, const std::string& subject,
                 const std::string& id) {
  return "From: " + from +
         "\r\nTo: petrova@school.test\r\nSubject: " + subject +
         "\r\nMessage-ID: <" + id +
         ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
         "charset=utf-8\r\n\r\nВот работа.\r\n";
}

std::vector<json> Lists(const MailStack& stack) {
  return testing::MailOfKind(stack, "petrova", "p-secret", "grading_list");
}

std::size_t CountOf(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (size_t at = 0; (at = text.find(needle, at)) != std::string::npos; ++at) {
    ++n;
  }
  return n;
}

TEST_CASE(
    "a teacher's grading list: once, at the configured time, the ungraded "
    "work oldest deadline first, the late one marked") {
  testing::TempDir dir;
  MailStack stack({.users = kUsers});
  const std::string config =
      WriteSchoolConfig(dir, stack, 60, "[schedule]\ngrading_list = 09:00\n");
  const std::string scratch = dir.path() + "/out.txt";
  ImportSampleSchool(config);  // ДЗ-1 Алгебра 7А, due 26.11 18:00
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-24 09:00", "assign",
                      "--class", "7А", "--subject", "Геометрия", "--teacher",
                      "t-petrova", "--title", "Задачи 3-7", "--due",
                      "2026-11-25", "--code", "ДЗ-2"}) == 0);
  // Petya's ДЗ-2 on time, his ДЗ-1 on time (graded below), Alena's ДЗ-1
  // late.
  stack.Append("petrova", "INBOX",
               Work("ivanov.petya@pupils.test", "ДЗ-2", "g2@pupils.test"),
               "25-Nov-2026 10:00:00 +0300");
  stack.Append("petrova", "INBOX",
               Work("ivanov.petya@pupils.test", "ДЗ-1", "a1@pupils.test"),
               "26-Nov-2026 12:00:00 +0300");
  stack.Append("petrova", "INBOX",
               Work("alena.smirnova@pupils.test", "ДЗ-1", "s1@pupils.test"),
               "26-Nov-2026 18:30:00 +0300");

  // Saturday: the work is read, no list.
  std::string cycle =
      Output({"-c", config, "--now=2026-11-28 10:00", "once"}, scratch);
  INFO(cycle);
  CHECK(cycle.find("grading lists:") == std::string::npos);
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-28 11:00", "grade",
                      "<a1@pupils.test>", "5", "--teacher", "t-petrova"}) == 0);
  // Monday before 09:00: still none.
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-30 08:59", "once"}) == 0);
  CHECK(Lists(stack).empty());

  // Monday 09:00: one list.
  cycle = Output({"-c", config, "--now=2026-11-30 09:00", "once"}, scratch);
  CHECK(cycle.find("grading lists: 1 queued for 1 teacher(s) with 2 work(s)") !=
        std::string::npos);
  auto lists = Lists(stack);
  REQUIRE(lists.size() == 1);
  const json& list = lists[0];
  CHECK(list["subject"] ==
        "Ждут оценки: 2 работы, из них после срока: 1 — 30.11.2026");
  CHECK(list["to_addresses"] == json::array({"petrova@school.test"}));
  CHECK(list["auto-submitted"] == "auto-generated");
  CHECK(testing::TextOf(list["content-type"]).find("multipart/alternative") !=
        std::string::npos);
  CHECK(list["defects"].empty());

  const std::string text = testing::TextOf(list["text"]);
  INFO(text);
  CHECK(text.find("Здравствуйте, Анна Сергеевна!") != std::string::npos);
  // ДЗ-2 (due 25.11 18:00) before ДЗ-1 (due 26.11 18:00).
  const std::size_t dz2 = text.find(
      "ДЗ-2 Геометрия, 7А: Задачи 3-7\n"
      "Срок: 25.11.2026 18:00\n"
      "- Иванов Пётр, 7А\n"
      "  Получено: 25.11.2026 10:00:00, "
      "попытка 1\n"
      "  Папка: Сдано/7А/Геометрия/2026-11-25 "
      "ДЗ-2\n");
  const std::size_t dz1 = text.find(
      "ДЗ-1 Алгебра, 7А: x\n"
      "Срок: 26.11.2026 18:00\n"
      "- Смирнова Алёна, 7А — ПОСЛЕ СРОКА\n"
      "  Получено: 26.11.2026 18:30:00, "
      "попытка 1\n"
      "  Папка: Сдано/7А/Алгебра/2026-11-26 "
      "ДЗ-1\n");
  CHECK(dz2 != std::string::npos);
  CHECK(dz1 != std::string::npos);
  CHECK(dz2 < dz1);
  // Petya's graded ДЗ-1 is not on the list.
  CHECK(CountOf(text, "Иванов Пётр") == 1);

  const std::string html = testing::TextOf(list["html"]);
  CHECK(html.find("<strong>Смирнова Алёна</strong>, 7А <span") !=
        std::string::npos);
  CHECK(CountOf(html, ">после срока</span>") == 1);
  CHECK(html.find("ДЗ-2 Геометрия, 7А") < html.find("ДЗ-1 Алгебра, 7А"));

  // A second cycle the same day sends nothing more; the list in the
  // teacher's INBOX is not taken for a pupil's work.
  cycle = Output({"-c", config, "--now=2026-11-30 12:00", "once"}, scratch);
  CHECK(cycle.find("grading lists:") == std::string::npos);
  CHECK(Lists(stack).size() == 1);
  const std::string submissions =
      Output({"-c", config, "submissions"}, scratch);
  INFO(submissions);
  CHECK(submissions.find("3 submission(s)") != std::string::npos);
}

}  // namespace
}  // namespace schoolmail
