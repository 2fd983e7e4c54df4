// The class teacher's daily list end to end with the real mail stack: 7А
// in distance mode, an assignment due today, Petya's work on time and
// Alena's late, read by the schoolmail binary; at [schedule]
// class_teacher_list exactly one list mail in the class teacher's real
// mailbox (petrova@school.test, class teacher of 7А in the sample roster),
// read back by Python's email package, with the exact statuses. Then the
// teacher's reply "Болеет: Смирнова Алёна до 27.11" delivered into the
// school mailbox (the list's Reply-To): recorded (source "reply"),
// `schoolmail ill --list` shows it, the confirmation arrives threaded
// under the reply, and the next school day's list shows her ill. A second
// `once` the same day sends no second list; the same reply from a teacher
// who is not a class teacher records nothing and is not answered; from the
// class teacher of 7Б it finds nobody (her class only) and says so.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "tests/support/mail_stack.h"
#include "tests/support/schoolmail_process.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

using nlohmann::json;
using testing::MailOfKind;
using testing::MailStack;
using testing::Output;
using testing::Schoolmail;

const std::vector<testing::MailUser> kUsers = {
    {"petrova", "p-secret"},    {"school", "p-secret"},
    {"sidorov", "secret"},      {"orlova", "secret"},
    {"ivanov.petya", "secret"}, {"alena.smirnova", "secret"},
    {"alena2010", "secret"}};

std::string Work(const std::string& from, const std::string& subject,
                 const std::string& id) {
  return "From: " + from +
         "\r\nTo: petrova@school.test\r\nSubject: " + subject +
         "\r\nMessage-ID: <" + id +
         ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
         "charset=utf-8\r\n\r\nВот работа.\r\n";
}

// A teacher's mail to the school mailbox answering `in_reply_to` ("" none).
std::string Reply(const std::string& from, const std::string& id,
                  const std::string& in_reply_to, const std::string& body) {
  std::string refs = in_reply_to.empty()
                         ? ""
                         : "In-Reply-To: " + in_reply_to +
                               "\r\nReferences: " + in_reply_to + "\r\n";
  return "From: " + from +
         "\r\nTo: robot@school.test\r\nSubject: Re: Класс 7А" +
         "\r\nMessage-ID: <" + id + ">\r\n" + refs +
         "MIME-Version: 1.0\r\nContent-Type: text/plain; "
         "charset=utf-8\r\n\r\n" +
         body;
}

bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST_CASE(
    "the class teacher's list: once a day with each pupil's status; illness "
    "recorded by replying, confirmed, and excused the next day") {
  testing::TempDir dir;
  MailStack stack({.users = kUsers});
  const std::string config =
      testing::WriteSchoolConfig(dir, stack, 60, "", "", "school");
  const std::string scratch = dir.path() + "/out.txt";
  auto run = [&](const std::string& now, std::vector<std::string> args) {
    args.insert(args.begin(), {"-c", config, "--now=" + now});
    return Output(args, scratch);
  };
  testing::ImportSampleSchool(config);
  // A teacher who is not a class teacher.
  const std::string extra = dir.Write(
      "extra.csv",
      "type;id;last_name;first_name;middle_name;class;emails;subjects;"
      "classes;children;duty_group\n"
      "teacher;t-orlova;Орлова;Мария;;;orlova@school.test;Физика;7А;;\n");
  REQUIRE(Schoolmail({"-c", config, "import", "roster", extra}) == 0);
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-24 09:00", "assign",
                      "--class", "7А", "--subject", "Геометрия", "--teacher",
                      "t-petrova", "--title", "Задачи 3-7", "--due",
                      "2026-11-25", "--code", "ДЗ-2"}) == 0);
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-24 09:00", "distance",
                      "start", "--classes", "7А", "--from", "2026-11-25",
                      "--order", "Приказ № 45"}) == 0);
  stack.Append("petrova", "INBOX",
               Work("ivanov.petya@pupils.test", "ДЗ-2", "w1@pupils.test"),
               "25-Nov-2026 17:00:00 +0300");
  stack.Append("petrova", "INBOX",
               Work("alena2010@pupils.test", "ДЗ-2", "w2@pupils.test"),
               "25-Nov-2026 18:10:00 +0300");

  // Before 18:30: the work is read, no list.
  std::string cycle = run("2026-11-25 18:29", {"once"});
  INFO(cycle);
  CHECK(!Has(cycle, "class lists:"));
  cycle = run("2026-11-25 18:30", {"once"});
  CHECK(Has(cycle,
            "class lists: 1 queued for 1 class(es) in distance mode, 0 "
            "without a class teacher, 0 sent before, 0 failed"));
  auto lists = MailOfKind(stack, "petrova", "p-secret", "class_list");
  REQUIRE(lists.size() == 1);
  const json list = lists[0];
  CHECK(list["subject"] ==
        "Класс 7А, 25.11.2026: вовремя 1, с опозданием 1, не сдано 0, "
        "болеют 0, без активности 0");
  CHECK(list["to_addresses"] == json::array({"petrova@school.test"}));
  CHECK(Has(testing::TextOf(list["reply-to"]), "robot@school.test"));
  CHECK(list["auto-submitted"] == "auto-generated");
  CHECK(Has(testing::TextOf(list["content-type"]), "multipart/alternative"));
  CHECK(list["defects"].empty());
  const std::string text = testing::TextOf(list["text"]);
  INFO(text);
  CHECK(Has(text,
            "Класс 7А, 25.11.2026.\n"
            "Учеников: 2. Работ к сдаче сегодня: 2.\n"
            "Вовремя: 1. С опозданием: 1. Не сдано: 0.\n"
            "Болеют: 0. Без активности сегодня: 0.\n"
            "\n"
            "Задания со сроком сегодня:\n"
            "- ДЗ-2 Геометрия: Задачи 3-7 (срок 18:00)\n"
            "\n"
            "Иванов Пётр\n"
            "  ДЗ-2 Геометрия: вовремя (25.11.2026 17:00:00)\n"
            "Смирнова Алёна\n"
            "  ДЗ-2 Геометрия: С ОПОЗДАНИЕМ (25.11.2026 18:10:00)\n"
            "\n"));
  const std::string html = testing::TextOf(list["html"]);
  CHECK(Has(html,
            "<strong>Смирнова Алёна</strong>\n<br><span "
            "style=\"font-size:14px;\">ДЗ-2 Геометрия: <span "
            "style=\"color:#b54708;font-weight:bold;\">с опозданием"
            "</span>"));

  // A second cycle the same day sends no second list.
  cycle = run("2026-11-25 19:00", {"once"});
  CHECK(!Has(cycle, "class lists:"));
  CHECK(MailOfKind(stack, "petrova", "p-secret", "class_list").size() == 1);

  // The teacher replies to the list; the reply reaches the school mailbox.
  const std::string list_id = testing::TextOf(list["message-id"]);
  REQUIRE(!list_id.empty());
  stack.Append(
      "school", "INBOX",
      Reply("Анна Петрова <petrova@school.test>", "r1@school.test", list_id,
            "Болеет: Смирнова Алёна до 27.11\r\n\r\n"
            "25.11.2026 18:30, robot@school.test пишет:\r\n"
            "> Болеет: Фамилия Имя до ДД.ММ\r\n"),
      "25-Nov-2026 19:05:00 +0300");
  cycle = run("2026-11-25 19:10", {"once"});
  CHECK(Has(cycle,
            "  illness: 1 recorded from 1 mail(s), 0 line(s) not "
            "understood, 0 refused\n"));
  std::string listing = run("2026-11-25 19:15", {"ill", "--list"});
  CHECK(Has(listing,
            "p-002 Смирнова Алёна (7А)  ill 2026-11-25..2026-11-27  "
            "reply by t-petrova at 2026-11-25 19:10"));
  CHECK(Has(listing, "1 illness record(s) from 2026-11-25 to 2026-11-25"));
  auto confirmations =
      MailOfKind(stack, "petrova", "p-secret", "illness_reply");
  REQUIRE(confirmations.size() == 1);
  CHECK(confirmations[0]["subject"] == "Болеющие, 7А: записано 1");
  CHECK(Has(testing::TextOf(confirmations[0]["in-reply-to"]),
            "<r1@school.test>"));
  CHECK(confirmations[0]["auto-submitted"] == "auto-replied");
  CHECK(Has(testing::TextOf(confirmations[0]["text"]),
            "- Смирнова Алёна, 7А: болеет с 25.11.2026 по 27.11.2026\n"));

  // The same lines from a teacher who is not a class teacher: nothing
  // recorded, nobody answered. From 7Б's class teacher: 7А's pupil is not
  // found in his class, and he is told so.
  stack.Append("school", "INBOX",
               Reply("orlova@school.test", "o1@school.test", "",
                     "Болеет: Иванов Пётр до 27.11\r\n"),
               "25-Nov-2026 19:20:00 +0300");
  stack.Append("school", "INBOX",
               Reply("sidorov@school.test", "s1@school.test", "",
                     "Болеет: Иванов Пётр до 27.11\r\n"),
               "25-Nov-2026 19:21:00 +0300");
  cycle = run("2026-11-25 19:30", {"once"});
  CHECK(Has(cycle,
            "  illness: 0 recorded from 1 mail(s), 1 line(s) not "
            "understood, 1 refused\n"));
  listing = run("2026-11-25 19:35", {"ill", "--list", "--from", "2026-11-25",
                                     "--to", "2026-12-31"});
  CHECK(Has(listing, "1 illness record(s)"));
  CHECK(!Has(listing, "p-001"));
  CHECK(MailOfKind(stack, "orlova", "secret", "illness_reply").empty());
  CHECK(MailOfKind(stack, "orlova", "secret", "hotline_receipt").empty());
  auto told = MailOfKind(stack, "sidorov", "secret", "illness_reply");
  REQUIRE(told.size() == 1);
  CHECK(told[0]["subject"] == "Болеющие, 7Б: записано 0, не записано 1");
  CHECK(Has(testing::TextOf(told[0]["text"]),
            "- строка 1 «Болеет: Иванов Пётр до 27.11»: в классе 7Б нет "
            "ученика с таким именем\n"));

  // Thursday: ДЗ-1 is due; Alena is shown ill, Petya's work is missing
  // and he has written nothing today.
  cycle = run("2026-11-26 18:30", {"once"});
  CHECK(Has(cycle, "class lists: 1 queued"));
  lists = MailOfKind(stack, "petrova", "p-secret", "class_list");
  REQUIRE(lists.size() == 2);
  const json& tuesday =
      lists[0]["subject"] == list["subject"] ? lists[1] : lists[0];
  CHECK(tuesday["subject"] ==
        "Класс 7А, 26.11.2026: вовремя 0, с опозданием 0, не сдано 1, "
        "болеют 1, без активности 1");
  CHECK(Has(testing::TextOf(tuesday["text"]),
            "Иванов Пётр\n"
            "  ДЗ-1 Алгебра: НЕ СДАНО\n"
            "  сегодня без активности (возможно, отсутствует)\n"
            "Смирнова Алёна — болеет до 27.11.2026\n"
            "  ДЗ-1 Алгебра: болеет до 27.11.2026\n"));
}

}  // namespace
}  // namespace schoolmail
