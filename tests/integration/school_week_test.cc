// One school week end to end with the real mail stack and the schoolmail
// binary, the clock set with --now at every step: Monday 23.11.2026 to
// Friday 27.11.2026, 7А and 7Б in distance mode from Monday, one
// assignment per class due each day. Each day the pupils' work lands in the
// teacher's INBOX with chosen arrival times (on time, one second late,
// missing), the teacher grades by replying (her Sent folder) or on the
// command line, and `once` runs at 07:45 (morning mail), 18:45 (class
// teachers' lists), 19:45 (parents' digests), 20:15 (control report) and
// 21:00 (nothing left to send). On Tuesday the class teacher of 7А replies
// to Monday's list "Болеет: Смирнова Алёна до 25.11". On Thursday evening
// the digests are sent by `schoolmail run`, stopped with SIGTERM. Saturday
// sends nothing.
//
// Asserted exactly (whole text bodies): 7А's class list on Monday and on
// Wednesday (Алёна ill), the digest of r-003 (two children in 7Б) on
// Tuesday and of r-002 (Алёна's parent) on Wednesday. Counted: exactly one
// digest per parent, one list per class and one control report per school
// day, one morning mail per pupil per school day, none on Saturday.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

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
using testing::Spawn;
using testing::TextOf;
using testing::Wait;

const std::vector<testing::MailUser> kUsers = {
    {"petrova", "p-secret"},      {"school", "p-secret"},
    {"sidorov", "secret"},        {"zavuch", "secret"},
    {"ivanov.petya", "secret"},   {"alena.smirnova", "secret"},
    {"alena2010", "secret"},      {"kuznetsov.d", "secret"},
    {"popova.masha", "secret"},   {"ivanova.elena", "secret"},
    {"smirnov.a", "secret"},      {"kuznetsova.o", "secret"}};

const std::vector<std::string> kDays = {"23.11.2026", "24.11.2026",
                                        "25.11.2026", "26.11.2026",
                                        "27.11.2026"};

// A pupil's work as it reaches the teacher's INBOX.
std::string Work(const std::string& from, const std::string& code,
                 const std::string& id) {
  return "From: " + from + "\r\nTo: petrova@school.test\r\nSubject: " + code +
         "\r\nMessage-ID: <" + id +
         ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
         "charset=utf-8\r\n\r\nВот работа.\r\n";
}

// The teacher's reply to a pupil's work as her mail client leaves it in
// Sent.
std::string GradeReply(const std::string& to, const std::string& work_id,
                       const std::string& id, const std::string& body) {
  return "From: Анна Петрова <petrova@school.test>\r\nTo: " + to +
         "\r\nSubject: Re: work\r\nMessage-ID: <" + id +
         ">\r\nIn-Reply-To: <" + work_id + ">\r\nReferences: <" + work_id +
         ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
         "charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body +
         "\r\n\r\n> Вот работа.\r\n";
}

// The class teacher's answer to her list, sent to the school mailbox.
std::string IllnessReply(const std::string& list_id, const std::string& body) {
  return "From: Анна Петрова <petrova@school.test>\r\nTo: "
         "robot@school.test\r\nSubject: Re: Класс 7А\r\nMessage-ID: "
         "<ill1@school.test>\r\nIn-Reply-To: " +
         list_id + "\r\nReferences: " + list_id +
         "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; "
         "charset=utf-8\r\n\r\n" + body;
}

// The signature every mail ends with (the config of WriteSchoolConfig).
const std::string kFooter =
    "-- \nШкола\nГорячая линия: 1\nСайт школы: https://school.test\n";

bool Has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// The mail among `mails` whose subject holds `needle`; null when none.
json WithSubject(const std::vector<json>& mails, const std::string& needle) {
  for (const json& m : mails) {
    if (Has(TextOf(m["subject"]), needle)) return m;
  }
  return nullptr;
}

// How many of `mails` name each day of the week (and Saturday) in their
// subject.
std::map<std::string, int> PerDay(const std::vector<json>& mails) {
  std::map<std::string, int> out;
  std::vector<std::string> days = kDays;
  days.push_back("28.11.2026");
  for (const std::string& day : days) out[day] = 0;
  for (const json& m : mails) {
    for (const std::string& day : days) {
      if (Has(TextOf(m["subject"]), day)) ++out[day];
    }
  }
  return out;
}

std::map<std::string, int> OncePerSchoolDay() {
  std::map<std::string, int> out;
  for (const std::string& day : kDays) out[day] = 1;
  out["28.11.2026"] = 0;
  return out;
}

TEST_CASE(
    "a school week: exact lists and digests, each once per day across "
    "extra runs and a daemon restart, nothing on Saturday") {
  testing::TempDir dir;
  MailStack stack({.users = kUsers});
  const std::string config = testing::WriteSchoolConfig(
      dir, stack, 3600, "", "admin_address = zavuch@school.test\n", "school");
  const std::string scratch = dir.path() + "/out.txt";
  auto run = [&](const std::string& now, std::vector<std::string> args) {
    args.insert(args.begin(), {"-c", config, "--now=" + now});
    return Output(args, scratch);
  };
  const std::string sample =
      std::string(SCHOOLMAIL_SOURCE_DIR) + "/scripts/sample-school/";

  // Sunday 22.11: the sample school, distance mode from Monday, one
  // assignment per class due each day of the week.
  run("2026-11-22 12:00", {"import", "roster", sample + "roster.csv"});
  run("2026-11-22 12:00", {"import", "timetable", sample + "timetable.csv"});
  run("2026-11-22 12:00", {"distance", "start", "--classes", "7А,7Б", "--from",
                           "2026-11-23", "--order", "Приказ № 45"});
  const std::vector<std::string> due = {"2026-11-23", "2026-11-24",
                                        "2026-11-25", "2026-11-26",
                                        "2026-11-27"};
  for (int i = 0; i < 5; ++i) {
    const std::string subject = i % 2 == 0 ? "Алгебра" : "Геометрия";
    run("2026-11-22 12:00",
        {"assign", "--class", "7А", "--subject", subject, "--teacher",
         "t-petrova", "--title", "§" + std::to_string(i + 1) + " №1-5",
         "--due", due[i], "--code", "ДЗ-" + std::to_string(i + 1)});
    run("2026-11-22 12:00",
        {"assign", "--class", "7Б", "--subject", subject, "--teacher",
         "t-petrova", "--title", "§" + std::to_string(i + 11) + " №1-5",
         "--due", due[i], "--code", "ДЗ-" + std::to_string(i + 6)});
  }
  std::string cycle = run("2026-11-22 12:05", {"once"});
  INFO(cycle);

  // One school day: the work arrives, then the evening's cycles.
  auto hand_in = [&](const std::string& pupil, const std::string& code,
                     const std::string& id, const std::string& at) {
    stack.Append("petrova", "INBOX", Work(pupil, code, id), at);
  };
  auto evening = [&](const std::string& day) {
    // 18:45: the class teachers' lists; 19:45: the digests; 20:15: the
    // control report; 21:00: nothing more.
    std::string lists = run(day + " 18:45", {"once"});
    CHECK(Has(lists, "class lists: 2 queued for 2 class(es)"));
    return lists;
  };
  auto late_evening = [&](const std::string& day) {
    std::string report = run(day + " 20:15", {"once"});
    CHECK(Has(report, "control report " + day + ".." + day + ": queued;"));
    std::string extra = run(day + " 21:00", {"once"});
    CHECK(!Has(extra, "class lists:"));
    CHECK(!Has(extra, "digests:"));
    CHECK(!Has(extra, "control report"));
    CHECK(!Has(extra, "morning:"));
  };
  auto digests = [&](const std::string& day) {
    std::string out = run(day + " 19:45", {"once"});
    CHECK(Has(out, "digests: 3 queued for 3 parent(s), 0 with nothing to say"));
  };

  // Monday 23.11: ДЗ-1 (7А): Пётр on time, Алёна one second late;
  // ДЗ-6 (7Б): Дмитрий on time, Мария nothing.
  cycle = run("2026-11-23 07:45", {"once"});
  CHECK(Has(cycle, "morning: 4 queued for 2 class(es)"));
  hand_in("ivanov.petya@pupils.test", "ДЗ-1", "mon-petya@pupils.test",
          "23-Nov-2026 16:00:00 +0300");
  hand_in("alena2010@pupils.test", "ДЗ-1", "mon-alena@pupils.test",
          "23-Nov-2026 18:00:01 +0300");
  hand_in("kuznetsov.d@pupils.test", "ДЗ-6", "mon-dima@pupils.test",
          "23-Nov-2026 17:59:59 +0300");
  evening("2026-11-23");
  // Пётр's work graded by the teacher's reply.
  stack.Append("petrova", "Sent",
               GradeReply("ivanov.petya@pupils.test", "mon-petya@pupils.test",
                          "g1@school.test", "Оценка: 5\r\nМолодец!"),
               "23-Nov-2026 19:00:00 +0300", "\\Seen");
  digests("2026-11-23");
  late_evening("2026-11-23");

  // Tuesday 24.11: the class teacher answers Monday's list: Алёна is ill
  // until Wednesday.
  auto petrova_lists = MailOfKind(stack, "petrova", "p-secret", "class_list");
  const json monday_list = WithSubject(petrova_lists, "23.11.2026");
  REQUIRE(monday_list.is_object());
  stack.Append("school", "INBOX",
               IllnessReply(TextOf(monday_list["message-id"]),
                            "Болеет: Смирнова Алёна до 25.11\r\n\r\n"
                            "23.11.2026 18:45, robot@school.test пишет:\r\n"
                            "> Класс 7А\r\n"),
               "24-Nov-2026 07:30:00 +0300");
  cycle = run("2026-11-24 07:45", {"once"});
  CHECK(Has(cycle, "morning: 4 queued for 2 class(es)"));
  CHECK(Has(cycle, "  illness: 1 recorded from 1 mail(s), 0 line(s) not "
                   "understood, 0 refused\n"));
  // ДЗ-2 (7А): Пётр on time; ДЗ-7 (7Б): Дмитрий late, Мария on time.
  hand_in("ivanov.petya@pupils.test", "ДЗ-2", "tue-petya@pupils.test",
          "24-Nov-2026 12:00:00 +0300");
  hand_in("kuznetsov.d@pupils.test", "ДЗ-7", "tue-dima@pupils.test",
          "24-Nov-2026 18:00:01 +0300");
  hand_in("popova.masha@pupils.test", "ДЗ-7", "tue-masha@pupils.test",
          "24-Nov-2026 15:00:00 +0300");
  evening("2026-11-24");
  // Grades on the command line: Мария's work today, Дмитрий's of Monday.
  run("2026-11-24 19:10", {"grade", "<tue-masha@pupils.test>", "4",
                           "--teacher", "t-petrova", "--comment",
                           "Хорошо, проверь №3"});
  run("2026-11-24 19:11", {"grade", "<mon-dima@pupils.test>", "5",
                           "--teacher", "t-petrova"});
  digests("2026-11-24");
  late_evening("2026-11-24");

  // Wednesday 25.11: ДЗ-3 (7А): Пётр sends nothing at all, Алёна is ill;
  // ДЗ-8 (7Б): both on time.
  cycle = run("2026-11-25 07:45", {"once"});
  CHECK(Has(cycle, "morning: 4 queued for 2 class(es)"));
  hand_in("kuznetsov.d@pupils.test", "ДЗ-8", "wed-dima@pupils.test",
          "25-Nov-2026 10:00:00 +0300");
  hand_in("popova.masha@pupils.test", "ДЗ-8", "wed-masha@pupils.test",
          "25-Nov-2026 11:00:00 +0300");
  evening("2026-11-25");
  digests("2026-11-25");
  late_evening("2026-11-25");

  // Thursday 26.11: ДЗ-4 (7А): both on time (Алёна is back);
  // ДЗ-9 (7Б): Мария late, Дмитрий nothing.
  cycle = run("2026-11-26 07:45", {"once"});
  CHECK(Has(cycle, "morning: 4 queued for 2 class(es)"));
  hand_in("ivanov.petya@pupils.test", "ДЗ-4", "thu-petya@pupils.test",
          "26-Nov-2026 09:30:00 +0300");
  hand_in("alena.smirnova@pupils.test", "ДЗ-4", "thu-alena@pupils.test",
          "26-Nov-2026 17:00:00 +0300");
  hand_in("popova.masha@pupils.test", "ДЗ-9", "thu-masha@pupils.test",
          "26-Nov-2026 18:00:01 +0300");
  evening("2026-11-26");
  // The digests come from the daemon, stopped with SIGTERM once they are
  // in every parent's mailbox.
  const std::vector<std::string> parents = {"ivanova.elena", "smirnov.a",
                                            "kuznetsova.o"};
  pid_t daemon = Spawn({"-c", config, "--now=2026-11-26 19:45", "run"}, {});
  bool delivered = false;
  for (int i = 0; i < 100 && !delivered; ++i) {
    delivered = true;
    for (const std::string& parent : parents) {
      auto mail = MailOfKind(stack, parent, "secret", "parent_digest");
      delivered = delivered && WithSubject(mail, "26.11.2026").is_object();
    }
    if (!delivered) ::usleep(200 * 1000);
  }
  CHECK(delivered);
  REQUIRE(::kill(daemon, SIGTERM) == 0);
  CHECK(Wait(daemon) == 0);
  cycle = run("2026-11-26 19:50", {"once"});
  CHECK(!Has(cycle, "digests:"));
  late_evening("2026-11-26");

  // Friday 27.11: everything on time.
  cycle = run("2026-11-27 07:45", {"once"});
  CHECK(Has(cycle, "morning: 4 queued for 2 class(es)"));
  hand_in("ivanov.petya@pupils.test", "ДЗ-5", "fri-petya@pupils.test",
          "27-Nov-2026 09:00:00 +0300");
  hand_in("alena.smirnova@pupils.test", "ДЗ-5", "fri-alena@pupils.test",
          "27-Nov-2026 09:10:00 +0300");
  hand_in("kuznetsov.d@pupils.test", "ДЗ-10", "fri-dima@pupils.test",
          "27-Nov-2026 09:20:00 +0300");
  hand_in("popova.masha@pupils.test", "ДЗ-10", "fri-masha@pupils.test",
          "27-Nov-2026 09:30:00 +0300");
  evening("2026-11-27");
  digests("2026-11-27");
  late_evening("2026-11-27");

  // Saturday 28.11: no school, nothing is sent.
  for (const char* at : {"07:45", "18:45", "19:45", "20:15"}) {
    cycle = run(std::string("2026-11-28 ") + at, {"once"});
    CHECK(!Has(cycle, "morning:"));
    CHECK(!Has(cycle, "class lists:"));
    CHECK(!Has(cycle, "digests:"));
    CHECK(!Has(cycle, "control report"));
  }

  // Exactly once per school day, none on Saturday.
  std::map<std::string, std::vector<json>> digest_mail;
  for (const std::string& parent : parents) {
    digest_mail[parent] = MailOfKind(stack, parent, "secret", "parent_digest");
    INFO(parent);
    CHECK(digest_mail[parent].size() == 5);
    CHECK(PerDay(digest_mail[parent]) == OncePerSchoolDay());
  }
  petrova_lists = MailOfKind(stack, "petrova", "p-secret", "class_list");
  CHECK(petrova_lists.size() == 5);
  CHECK(PerDay(petrova_lists) == OncePerSchoolDay());
  auto sidorov_lists = MailOfKind(stack, "sidorov", "secret", "class_list");
  CHECK(sidorov_lists.size() == 5);
  CHECK(PerDay(sidorov_lists) == OncePerSchoolDay());
  auto reports = MailOfKind(stack, "zavuch", "secret", "admin_report");
  CHECK(reports.size() == 5);
  CHECK(PerDay(reports) == OncePerSchoolDay());
  CHECK(MailOfKind(stack, "ivanov.petya", "secret", "morning").size() == 5);

  // The teacher's reply in Sent graded Пётр's Monday work; his mother read
  // it that evening.
  const json ivanova = WithSubject(digest_mail["ivanova.elena"], "23.11.2026");
  REQUIRE(ivanova.is_object());
  INFO(TextOf(ivanova["text"]));
  CHECK(Has(TextOf(ivanova["text"]),
            "Работы на сегодня:\n"
            "- ДЗ-1 Алгебра: §1 №1-5 — сдано вовремя\n\n"
            "Оценки и комментарии учителей с 16.11.2026 19:45:\n"
            "- ДЗ-1 Алгебра: §1 №1-5 — оценка 5 (Петрова Анна Сергеевна, "
            "23.11.2026 19:00)\n"
            "  Комментарий: Молодец!\n"));

  // 7А on Monday.
  CHECK(TextOf(monday_list["subject"]) ==
        "Класс 7А, 23.11.2026: вовремя 1, с опозданием 1, не сдано 0, "
        "болеют 0, без активности 0");
  CHECK(TextOf(monday_list["text"]) ==
        std::string(R"(Здравствуйте, Анна Сергеевна!

Класс 7А, 23.11.2026.
Учеников: 2. Работ к сдаче сегодня: 2.
Вовремя: 1. С опозданием: 1. Не сдано: 0.
Болеют: 0. Без активности сегодня: 0.

Задания со сроком сегодня:
- ДЗ-1 Алгебра: §1 №1-5 (срок 18:00)

Иванов Пётр
  ДЗ-1 Алгебра: вовремя (23.11.2026 16:00:00)
Смирнова Алёна
  ДЗ-1 Алгебра: С ОПОЗДАНИЕМ (23.11.2026 18:00:01)

Чтобы отметить заболевшего ученика, ответьте на это письмо (ответ придёт в ящик школы robot@school.test) строкой:
Болеет: Фамилия Имя до ДД.ММ
Например: Болеет: Иванов Пётр до 24.11
Без «до» — только на сегодня. Можно написать несколько строк, по ученику в строке.

)") +
            kFooter);

  // 7А on Wednesday: Алёна ill, Пётр missing and silent all day.
  const json wednesday_list = WithSubject(petrova_lists, "25.11.2026");
  REQUIRE(wednesday_list.is_object());
  CHECK(TextOf(wednesday_list["subject"]) ==
        "Класс 7А, 25.11.2026: вовремя 0, с опозданием 0, не сдано 1, "
        "болеют 1, без активности 1");
  CHECK(TextOf(wednesday_list["text"]) ==
        std::string(R"(Здравствуйте, Анна Сергеевна!

Класс 7А, 25.11.2026.
Учеников: 2. Работ к сдаче сегодня: 2.
Вовремя: 0. С опозданием: 0. Не сдано: 1.
Болеют: 1. Без активности сегодня: 1.

Задания со сроком сегодня:
- ДЗ-3 Алгебра: §3 №1-5 (срок 18:00)

Иванов Пётр
  ДЗ-3 Алгебра: НЕ СДАНО
  сегодня без активности (возможно, отсутствует)
Смирнова Алёна — болеет до 25.11.2026
  ДЗ-3 Алгебра: болеет до 25.11.2026

Чтобы отметить заболевшего ученика, ответьте на это письмо (ответ придёт в ящик школы robot@school.test) строкой:
Болеет: Фамилия Имя до ДД.ММ
Например: Болеет: Иванов Пётр до 26.11
Без «до» — только на сегодня. Можно написать несколько строк, по ученику в строке.

)") +
            kFooter);

  // r-003 on Tuesday: two children in 7Б.
  const json kuznetsova =
      WithSubject(digest_mail["kuznetsova.o"], "24.11.2026");
  REQUIRE(kuznetsova.is_object());
  CHECK(TextOf(kuznetsova["subject"]) ==
        "Итоги дня 24.11.2026: Дмитрий Кузнецов, Мария Попова");
  CHECK(TextOf(kuznetsova["text"]) ==
        std::string(R"(Здравствуйте, Ольга Кузнецова!

Итоги учебного дня 24.11.2026.

== Дмитрий Кузнецов, 7Б ==

Работы на сегодня:
- ДЗ-7 Геометрия: §12 №1-5 — сдано после срока (24.11.2026 18:00:01)

Оценки и комментарии учителей с 23.11.2026 19:45:
- ДЗ-6 Алгебра: §11 №1-5 — оценка 5 (Петрова Анна Сергеевна, 24.11.2026 19:11)

Задания на следующий учебный день (среда, 25.11.2026):
- ДЗ-8 Алгебра: §13 №1-5 — сдать до 25.11.2026 18:00

Онлайн-уроки в следующий учебный день (среда, 25.11.2026):
- 09:00–09:40 Русский язык
  Ссылка: https://meet.school.test/7b-russian

== Мария Попова, 7Б ==

Работы на сегодня:
- ДЗ-7 Геометрия: §12 №1-5 — сдано вовремя

Оценки и комментарии учителей с 23.11.2026 19:45:
- ДЗ-7 Геометрия: §12 №1-5 — оценка 4 (Петрова Анна Сергеевна, 24.11.2026 19:10)
  Комментарий: Хорошо, проверь №3

Задания на следующий учебный день (среда, 25.11.2026):
- ДЗ-8 Алгебра: §13 №1-5 — сдать до 25.11.2026 18:00

Онлайн-уроки в следующий учебный день (среда, 25.11.2026):
- 09:00–09:40 Русский язык
  Ссылка: https://meet.school.test/7b-russian

Это письмо отправлено автоматически, отвечать на него не нужно. Вопросы задайте классному руководителю или по горячей линии школы.

)") +
            kFooter);

  // r-002 on Wednesday: Алёна excused as ill.
  const json smirnov = WithSubject(digest_mail["smirnov.a"], "25.11.2026");
  REQUIRE(smirnov.is_object());
  CHECK(TextOf(smirnov["subject"]) == "Итоги дня 25.11.2026: Алёна Смирнова");
  CHECK(TextOf(smirnov["text"]) ==
        std::string(R"(Здравствуйте, Андрей Смирнов!

Итоги учебного дня 25.11.2026.

== Алёна Смирнова, 7А ==

Работы на сегодня:
- ДЗ-3 Алгебра: §3 №1-5 — уважительная причина: болеет

Оценки и комментарии учителей с 24.11.2026 19:45:
Новых оценок нет.

Задания на следующий учебный день (четверг, 26.11.2026):
- ДЗ-4 Геометрия: §4 №1-5 — сдать до 26.11.2026 18:00

Онлайн-уроки в следующий учебный день (четверг, 26.11.2026):
- 09:00–09:40 Русский язык
  Ссылка: https://meet.school.test/7a-russian

Это письмо отправлено автоматически, отвечать на него не нужно. Вопросы задайте классному руководителю или по горячей линии школы.

)") +
            kFooter);
}

}  // namespace
}  // namespace schoolmail
