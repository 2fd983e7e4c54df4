// The parents' evening digest end to end with the real mail stack: the
// sample school with 7А and 7Б in distance mode, the pupils' work placed in
// the teacher's INBOX with chosen arrival times and read by the schoolmail
// binary, a grade with a comment on the command line, and at 19:30 school
// time exactly one digest in each parent's real mailbox (read back by
// Python's email package) with the right statuses, the next day's task and
// lesson, and the school's notices. A second `once`, a restarted daemon and
// two `once` processes started at the same moment send nothing more; a
// parent with nothing to say gets nothing.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <fstream>
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
using testing::Spawn;
using testing::Wait;
using testing::WriteSchoolConfig;

const std::vector<testing::MailUser> kUsers = {
    {"petrova", "p-secret"},    {"sidorov", "secret"},
    {"ivanov.petya", "secret"}, {"alena.smirnova", "secret"},
    {"alena2010", "secret"},    {"kuznetsov.d", "secret"},
    {"popova.masha", "secret"}, {"ivanova.elena", "e-secret"},
    {"smirnov.a", "a-secret"},  {"kuznetsova.o", "o-secret"}};

std::string Work(const std::string& from, const std::string& subject,
                 const std::string& id) {
  return "From: " + from +
         "\r\nTo: petrova@school.test\r\nSubject: " + subject +
         "\r\nMessage-ID: <" + id +
         ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
         "charset=utf-8\r\n\r\nВот работа.\r\n";
}

// A decoded body with CRLF line ends as LF.
std::string Text(const json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : "";
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

TEST_CASE(
    "parents' evening digest: once per parent per day in their real "
    "mailbox, across a second run, a restart and two concurrent runs") {
  // Thursday 26.11.2026 and Friday 27.11 (arrival times must lie in the
  // past: Dovecot does not keep an INTERNALDATE in the future).
  testing::TempDir dir;
  MailStack stack({.users = kUsers});
  const std::string notices = dir.path() + "/notices.txt";
  std::ofstream(notices) << "Родительское собрание в четверг в 19:00.\n";
  const std::string config = WriteSchoolConfig(
      dir, stack, 3600, "[digest]\nnotices_file = " + notices + "\n");
  const std::string scratch = dir.path() + "/out.txt";
  ImportSampleSchool(config);  // ДЗ-1 Алгебра 7А, title "x", due 26.11 18:00
  auto run = [&](const std::vector<std::string>& args) {
    std::vector<std::string> all = {"-c", config};
    all.insert(all.end(), args.begin(), args.end());
    return Output(all, scratch);
  };
  run({"--now=2026-11-26 08:00", "distance", "start", "--classes", "7А,7Б",
       "--from", "2026-11-26", "--order", "Приказ №1"});
  for (const auto& [code, subject, due] :
       std::vector<std::array<std::string, 3>>{
           {"ДЗ-3", "Алгебра", "2026-11-26"},
           {"ДЗ-4", "Геометрия", "2026-11-27"}}) {
    run({"--now=2026-11-26 08:00", "assign", "--class", "7Б", "--subject",
         subject, "--teacher", "t-petrova", "--title", "Задание " + code,
         "--due", due, "--code", code});
  }
  const std::string timetable = dir.path() + "/timetable.csv";
  std::ofstream(timetable)
      << "day;class;start;end;subject;link\n"
         "2026-11-27;7Б;09:00;09:40;Геометрия;https://meet.school.test/7b\n";
  run({"import", "timetable", timetable});

  // Дмитрий on time, Мария one second late, Пётр and Алёна nothing.
  stack.Append("petrova", "INBOX",
               Work("kuznetsov.d@pupils.test", "ДЗ-3", "d3@pupils.test"),
               "26-Nov-2026 17:59:59 +0300");
  stack.Append("petrova", "INBOX",
               Work("popova.masha@pupils.test", "ДЗ-3", "m3@pupils.test"),
               "26-Nov-2026 18:00:01 +0300");
  std::string cycle = run({"--now=2026-11-26 19:00", "once"});
  CHECK(cycle.find("digests:") == std::string::npos);  // before 19:30
  run({"--now=2026-11-26 19:10", "grade", "<d3@pupils.test>", "5", "--teacher",
       "t-petrova", "--comment", "Молодец, всё верно"});

  cycle = run({"--now=2026-11-26 19:30", "once"});
  INFO(cycle);
  CHECK(cycle.find("digests: 3 queued for 3 parent(s), 0 with nothing to "
                   "say, 0 sent before, 0 failed") != std::string::npos);

  auto digests = [&](const char* user, const char* password) {
    return testing::MailOfKind(stack, user, password, "parent_digest");
  };
  auto family = digests("kuznetsova.o", "o-secret");
  REQUIRE(family.size() == 1);
  const json& mail = family[0];
  CHECK(mail["subject"] ==
        "Итоги дня 26.11.2026: Дмитрий Кузнецов, Мария Попова");
  CHECK(mail["to_addresses"] == json::array({"kuznetsova.o@parents.test"}));
  CHECK(mail["auto-submitted"] == "auto-generated");
  CHECK(Text(mail["content-type"]).find("multipart/alternative") !=
        std::string::npos);
  CHECK(mail["defects"].empty());
  const std::string text = Text(mail["text"]);
  INFO(text);
  CHECK(text.find("Здравствуйте, Ольга Кузнецова!\n") != std::string::npos);
  CHECK(text.find("== Дмитрий Кузнецов, 7Б ==\n\n"
                  "Работы на сегодня:\n"
                  "- ДЗ-3 Алгебра: Задание ДЗ-3 — сдано вовремя\n\n"
                  "Оценки и комментарии учителей с 19.11.2026 19:30:\n"
                  "- ДЗ-3 Алгебра: Задание ДЗ-3 — оценка 5 (Петрова Анна "
                  "Сергеевна, 26.11.2026 19:10)\n"
                  "  Комментарий: Молодец, всё верно\n\n"
                  "Задания на следующий учебный день (пятница, "
                  "27.11.2026):\n"
                  "- ДЗ-4 Геометрия: Задание ДЗ-4 — сдать до 27.11.2026 "
                  "18:00\n\n"
                  "Онлайн-уроки в следующий учебный день (пятница, "
                  "27.11.2026):\n"
                  "- 09:00–09:40 Геометрия\n"
                  "  Ссылка: https://meet.school.test/7b\n") !=
        std::string::npos);
  CHECK(text.find("== Мария Попова, 7Б ==\n\n"
                  "Работы на сегодня:\n"
                  "- ДЗ-3 Алгебра: Задание ДЗ-3 — сдано после срока "
                  "(26.11.2026 18:00:01)\n\n"
                  "Оценки и комментарии учителей с 19.11.2026 19:30:\n"
                  "Новых оценок нет.\n") != std::string::npos);
  CHECK(text.find("== Объявления школы ==\n\n"
                  "Родительское собрание в четверг в 19:00.\n") !=
        std::string::npos);
  CHECK(text.find("Горячая линия: ") != std::string::npos);
  CHECK(Text(mail["html"]).find("сдано после срока") != std::string::npos);

  auto ivanova = digests("ivanova.elena", "e-secret");
  REQUIRE(ivanova.size() == 1);
  CHECK(Text(ivanova[0]["text"]).find("- ДЗ-1 Алгебра: x — не сдано\n") !=
        std::string::npos);
  CHECK(digests("smirnov.a", "a-secret").size() == 1);

  // A second `once` the same day: nothing more.
  cycle = run({"--now=2026-11-26 19:45", "once"});
  CHECK(cycle.find("digests:") == std::string::npos);

  // A restart: the daemon runs a whole cycle (the mailbox's poll comes
  // before the mail) and is stopped; nothing more either.
  pid_t daemon = Spawn({"-c", config, "--now=2026-11-26 20:00", "run"}, {});
  bool cycled = false;
  for (int i = 0; i < 200 && !cycled; ++i) {
    cycled =
        run({"status"}).find("last poll 2026-11-26 20:00") != std::string::npos;
    if (!cycled) ::usleep(100 * 1000);
  }
  ::usleep(2000 * 1000);  // the cycle's mail goes after the polls
  REQUIRE(::kill(daemon, SIGTERM) == 0);
  CHECK(Wait(daemon) == 0);
  CHECK(cycled);
  CHECK(digests("kuznetsova.o", "o-secret").size() == 1);
  CHECK(digests("ivanova.elena", "e-secret").size() == 1);

  // Friday: no notices any more (the file is read again). Two `once`
  // started at the same moment: one digest for the family (ДЗ-4 not handed
  // in by either child); Пётр's and Алёна's parents have nothing to say.
  std::ofstream(notices, std::ios::trunc) << "\n";
  pid_t first = Spawn({"-c", config, "--now=2026-11-27 19:30", "once"}, {});
  pid_t second = Spawn({"-c", config, "--now=2026-11-27 19:30", "once"}, {});
  const int first_status = Wait(first), second_status = Wait(second);
  CHECK((first_status == 0 || second_status == 0));
  cycle = run({"--now=2026-11-27 19:50", "once"});
  CHECK(cycle.find("digests:") == std::string::npos);  // the day is done
  family = digests("kuznetsova.o", "o-secret");
  REQUIRE(family.size() == 2);
  const std::string friday_subject =
      "Итоги дня 27.11.2026: Дмитрий Кузнецов, Мария Попова";
  const json& friday =
      family[0]["subject"] == friday_subject ? family[0] : family[1];
  CHECK(friday["subject"] == friday_subject);
  const std::string friday_text = Text(friday["text"]);
  INFO(friday_text);
  CHECK(friday_text.find("- ДЗ-4 Геометрия: Задание ДЗ-4 — не сдано\n") !=
        std::string::npos);
  CHECK(friday_text.find("с 26.11.2026 19:30:\nНовых оценок нет.\n") !=
        std::string::npos);
  CHECK(friday_text.find("Объявления") == std::string::npos);
  CHECK(digests("ivanova.elena", "e-secret").size() == 1);
  CHECK(digests("smirnov.a", "a-secret").size() == 1);
}

}  // namespace
}  // namespace schoolmail
