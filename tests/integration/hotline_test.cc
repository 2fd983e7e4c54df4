// The hotline with the real mail stack: a parent's question to the school
// mailbox reaches the duty administrator with the parent and child
// resolved, the parent gets a receipt with the promised time, a stranger's
// question is forwarded without a receipt, a pupil's reply-all to an
// assignment mail is left alone; the administrator's reply is relayed to
// the parent without the quote and the question is marked answered, while
// a stranger's reply to the same forward is not relayed.
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/mail_stack.h"
#include "tests/support/schoolmail_process.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

using nlohmann::json;
using testing::Contains;
using testing::MailOfKind;
using testing::MailStack;
using testing::Output;
using testing::Schoolmail;

const std::vector<testing::MailUser> kUsers = {
    {"school", "p-secret"},      {"zavuch", "secret"},
    {"alena.smirnova", "secret"}, {"alena2010", "secret"},
    {"ivanova.elena", "secret"}, {"stranger", "secret"},
    {"ivanov.petya", "secret"},  {"petrova", "p-secret"}};

std::string Plain(const std::string& from, const std::string& subject,
                  const std::string& body, const std::string& id,
                  const std::string& extra = "") {
  return "From: " + from + "\r\nTo: robot@school.test\r\nSubject: " + subject +
         "\r\nMessage-ID: <" + id + ">\r\n" + extra +
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
         body + "\r\n";
}

std::string Text(const json& value) {
  return value.is_string() ? value.get<std::string>() : "";
}

TEST_CASE("hotline: a question goes to the duty administrator, the answer "
          "comes back to the parent") {
  testing::TempDir dir;
  MailStack stack({.users = kUsers});
  const std::string config = testing::WriteSchoolConfig(
      dir, stack, 60,
      "[hotline]\nduty_address = zavuch@school.test\nanswer_within_hours = 4\n",
      "admin_address = zavuch@school.test\n", "school");
  const std::string scratch = dir.path() + "/out.txt";
  REQUIRE(Schoolmail({"-c", config, "import", "roster",
                      std::string(SCHOOLMAIL_SOURCE_DIR) +
                          "/scripts/sample-school/roster.csv"}) == 0);
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-24 08:00", "assign",
                      "--class", "7А", "--subject", "Алгебра", "--teacher",
                      "t-petrova", "--title", "x", "--due", "2026-11-26",
                      "--code", "ДЗ-1"}) == 0);
  // ДЗ-1's mail to 7А, so that a reply-all to it can be told apart.
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-24 08:00", "once"}) == 0);
  auto assignment = MailOfKind(stack, "ivanov.petya", "secret", "assignment");
  REQUIRE(assignment.size() == 1);
  const std::string assignment_id = Text(assignment[0]["message-id"]);

  stack.Append("school", "INBOX",
               Plain("Елена Иванова <ivanova.elena@parents.test>",
                     "Когда каникулы?",
                     "Добрый день! Когда начинаются зимние каникулы?",
                     "q1@parents.test"),
               "24-Nov-2026 10:00:00 +0300");
  stack.Append("school", "INBOX",
               Plain("stranger@pupils.test", "Вопрос", "Как записаться?",
                     "q2@pupils.test"),
               "24-Nov-2026 10:05:00 +0300");
  stack.Append("school", "INBOX",
               Plain("ivanov.petya@pupils.test", "Re: ДЗ-1", "Вот решение",
                     "r1@pupils.test",
                     "In-Reply-To: " + assignment_id + "\r\n"),
               "24-Nov-2026 10:10:00 +0300");
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-24 10:15", "once"}) == 0);

  auto forwards = MailOfKind(stack, "zavuch", "secret", "hotline_forward");
  REQUIRE(forwards.size() == 2);
  const json& parent_forward =
      Contains(forwards[0]["text"], "ivanova.elena") ? forwards[0] : forwards[1];
  const json& stranger_forward =
      Contains(forwards[0]["text"], "ivanova.elena") ? forwards[1] : forwards[0];
  CHECK(Contains(parent_forward["subject"], "Когда каникулы?"));
  CHECK(Contains(parent_forward["text"],
                 "От: Иванова Елена Викторовна, родитель: Пётр Иванов, 7А "
                 "<ivanova.elena@parents.test>"));
  CHECK(Contains(parent_forward["text"],
                 "Когда начинаются зимние каникулы?"));
  CHECK(Contains(parent_forward["text"], "Ответ обещан до: 24.11.2026 14:15"));
  CHECK(Text(parent_forward["reply-to"]) == "robot@school.test");
  CHECK(Contains(stranger_forward["text"],
                 "stranger@pupils.test (адреса нет в списках школы)"));

  auto receipts = MailOfKind(stack, "ivanova.elena", "secret", "hotline_receipt");
  REQUIRE(receipts.size() == 1);
  CHECK(Text(receipts[0]["in-reply-to"]) == "<q1@parents.test>");
  CHECK(Text(receipts[0]["auto-submitted"]) == "auto-replied");
  CHECK(Contains(receipts[0]["text"], "в течение 4 часов, не позднее 24.11.2026 14:15"));
  CHECK(MailOfKind(stack, "stranger", "secret", "hotline_receipt").empty());

  std::string listed = Output({"-c", config, "--now=2026-11-24 15:00", "hotline", "--open"}, scratch);
  CHECK(listed.find("2 question(s)") != std::string::npos);
  CHECK(listed.find("OVERDUE") != std::string::npos);
  CHECK(listed.find("Ответ") == std::string::npos);

  // The administrator answers the parent's forward; a stranger tries too.
  const std::string forward_id = Text(parent_forward["message-id"]);
  stack.Append("school", "INBOX",
               Plain("zavuch@school.test", "Re: вопрос",
                     "Каникулы с 29 декабря.\r\n\r\n> Добрый день! Когда "
                     "начинаются зимние каникулы?",
                     "a1@school.test",
                     "In-Reply-To: " + forward_id + "\r\nReferences: " +
                         forward_id + "\r\n"),
               "24-Nov-2026 11:00:00 +0300");
  stack.Append("school", "INBOX",
               Plain("stranger@pupils.test", "Re: вопрос", "Я отвечу сам",
                     "a2@pupils.test", "In-Reply-To: " + forward_id + "\r\n"),
               "24-Nov-2026 11:01:00 +0300");
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-24 11:05", "once"}) == 0);

  auto answers = MailOfKind(stack, "ivanova.elena", "secret", "hotline_answer");
  REQUIRE(answers.size() == 1);
  CHECK(Text(answers[0]["in-reply-to"]) == "<q1@parents.test>");
  CHECK(Contains(answers[0]["text"], "Каникулы с 29 декабря."));
  CHECK(!Contains(answers[0]["text"], "Я отвечу сам"));
  CHECK(!Contains(answers[0]["text"], "> Добрый день"));
  // Only the stranger's question is still open; nothing was forwarded for
  // the replies, and the pupil's reply-all went nowhere.
  listed = Output({"-c", config, "--now=2026-11-24 11:06", "hotline", "--open"}, scratch);
  CHECK(listed.find("1 question(s)") != std::string::npos);
  CHECK(listed.find("stranger@pupils.test") != std::string::npos);
  CHECK(MailOfKind(stack, "zavuch", "secret", "hotline_forward").size() == 2);
  listed = Output({"-c", config, "--now=2026-11-24 11:06", "hotline"}, scratch);
  CHECK(listed.find("answered 2026-11-24 11:05:00 by zavuch@school.test") !=
        std::string::npos);
  // A second cycle relays nothing again.
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-24 11:10", "once"}) == 0);
  CHECK(MailOfKind(stack, "ivanova.elena", "secret", "hotline_answer").size() == 1);

  // The evening's control report lists the question still unanswered
  // after its promised time, and not the answered one.
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-24 20:00", "once"}) == 0);
  auto reports = MailOfKind(stack, "zavuch", "secret", "admin_report");
  REQUIRE(reports.size() == 1);
  CHECK(Contains(testing::TextOf(reports[0]["text"]),
                 "6. ВОПРОСЫ ГОРЯЧЕЙ ЛИНИИ БЕЗ ОТВЕТА В ОБЕЩАННЫЙ СРОК\n"
                 "- 24.11.2026 10:15 <stranger@pupils.test>\n"
                 "  Вопрос\n"));
  CHECK(!Contains(reports[0]["text"], "Когда каникулы?"));
}

TEST_CASE("distance start: pupils and parents get the welcome mail, teachers "
          "the briefing, once") {
  testing::TempDir dir;
  MailStack stack({.users = kUsers});
  const std::string config = testing::WriteSchoolConfig(
      dir, stack, 60,
      "[distance]\nplatforms = Сферум — https://sferum.ru\n"
      "  Яндекс Учебник — https://education.yandex.ru\n",
      "", "school");
  const std::string sample =
      std::string(SCHOOLMAIL_SOURCE_DIR) + "/scripts/sample-school/";
  REQUIRE(Schoolmail({"-c", config, "import", "roster", sample + "roster.csv"}) == 0);
  REQUIRE(Schoolmail({"-c", config, "import", "timetable",
                      sample + "timetable.csv"}) == 0);
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-24 12:00", "distance",
                      "start", "--classes", "7А", "--from", "2026-11-25",
                      "--order", "Приказ № 45 от 23.11.2026"}) == 0);
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-24 12:01", "once"}) == 0);

  auto mother = MailOfKind(stack, "ivanova.elena", "secret", "welcome");
  REQUIRE(mother.size() == 1);
  CHECK(Text(mother[0]["subject"]) ==
        "Дистанционное обучение, 7А: как всё устроено");
  CHECK(Text(mother[0]["auto-submitted"]) == "auto-generated");
  CHECK(Contains(mother[0]["text"], "Здравствуйте, Елена Викторовна Иванова!"));
  CHECK(Contains(mother[0]["text"],
                 "Пётр Иванов, класс 7А переходит на дистанционное обучение с "
                 "25.11.2026 до особого распоряжения (Приказ № 45 от 23.11.2026)."));
  CHECK(Contains(mother[0]["text"],
                 "Классный руководитель: Анна Сергеевна Петрова <petrova@school.test>"));
  CHECK(Contains(mother[0]["text"],
                 "- Алгебра: Анна Сергеевна Петрова <petrova@school.test>"));
  CHECK(Contains(mother[0]["text"],
                 "- Литература: Олег Игоревич Сидоров <sidorov@school.test>"));
  CHECK(Contains(mother[0]["text"],
                 "- пн 09:00–09:40 Алгебра: https://meet.school.test/7a-algebra"));
  CHECK(Contains(mother[0]["text"], "- Сферум — https://sferum.ru"));
  CHECK(Contains(mother[0]["text"], "Каждый учебный вечер в 19:30"));
  CHECK(Contains(mother[0]["text"], "robot@school.test"));
  // The pupil's mail has no parents' digest line; 7Б's family gets none.
  auto pupil = MailOfKind(stack, "ivanov.petya", "secret", "welcome");
  REQUIRE(pupil.size() == 1);
  CHECK(Contains(pupil[0]["text"], "Здравствуйте, Пётр Иванов!"));
  CHECK(!Contains(pupil[0]["text"], "Каждый учебный вечер"));
  CHECK(MailOfKind(stack, "stranger", "secret", "welcome").empty());

  auto briefing = MailOfKind(stack, "petrova", "p-secret", "briefing");
  REQUIRE(briefing.size() == 1);
  CHECK(Contains(briefing[0]["text"], "Здравствуйте, Анна Сергеевна!"));
  CHECK(Contains(briefing[0]["text"], "«Сдано/<класс>/<предмет>/<дата сдачи> <задание>»"));
  CHECK(Contains(briefing[0]["text"], "«Оценка: 5» (шкала: 1–5)"));
  CHECK(Contains(briefing[0]["text"], "Вы классный руководитель 7А"));

  // Another cycle sends nothing again.
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-24 12:05", "once"}) == 0);
  CHECK(MailOfKind(stack, "ivanova.elena", "secret", "welcome").size() == 1);
  CHECK(MailOfKind(stack, "petrova", "p-secret", "briefing").size() == 1);
}

}  // namespace
}  // namespace schoolmail
