// Grades end to end with the real mail stack: a teacher's reply in her own
// Sent folder grades the pupil's work, the pupil gets a notice (read back by
// Python's email package), a second reply replaces the grade with history
// kept, a grade mail forged as from the teacher into her INBOX changes
// nothing (RELIABILITY 28), another teacher is refused on the command line,
// and the journal export of the class holds the grade.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "parsers/charset.h"
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

const std::vector<testing::MailUser> kUsers = {{"petrova", "p-secret"},
                                               {"ivanov.petya", "secret"},
                                               {"alena.smirnova", "secret"},
                                               {"alena2010", "secret"}};

std::vector<json> Notices(const MailStack& stack) {
  return testing::MailOfKind(stack, "ivanov.petya", "secret", "grade_notice");
}

// The teacher's reply as her mail client leaves it in Sent.
std::string Reply(const std::string& id, const std::string& body) {
  return "From: =?utf-8?B?0JDQvdC90LAg0J/QtdGC0YDQvtCy0LA=?= "
         "<petrova@school.test>\r\nTo: ivanov.petya@pupils.test\r\n"
         "Subject: Re: ДЗ-1\r\nMessage-ID: <" +
         id +
         "@school.test>\r\n"
         "In-Reply-To: <work1@pupils.test>\r\nReferences: "
         "<work1@pupils.test>\r\n"
         "Date: Thu, 26 Nov 2026 20:10:00 +0300\r\nMIME-Version: 1.0\r\n"
         "Content-Type: text/plain; charset=utf-8\r\n"
         "Content-Transfer-Encoding: 8bit\r\n\r\n" +
         body +
         "\r\n\r\n26.11.2026 12:00, Пётр Иванов пишет:\r\n> Вот работа.\r\n";
}

int CountOf(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t at = 0; (at = text.find(needle, at)) != std::string::npos; ++at) {
    ++n;
  }
  return n;
}

TEST_CASE("grading by reply from Sent, notices, a forged grade, the journal") {
  testing::TempDir dir;
  MailStack stack({.users = kUsers});
  const std::string config = WriteSchoolConfig(dir, stack, 60);
  const std::string scratch = dir.path() + "/out.txt";
  ImportSampleSchool(config);
  stack.Append(
      "petrova", "INBOX",
      "From: ivanov.petya@pupils.test\r\nTo: petrova@school.test\r\n"
      "Subject: ДЗ-1\r\nMessage-ID: <work1@pupils.test>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
      "\r\nВот работа.\r\n",
      "26-Nov-2026 12:00:00 +0300");
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-26 20:00", "once"}) == 0);
  CHECK(Output({"-c", config, "grades"}, scratch).find("0 grade(s)") !=
        std::string::npos);

  // 1. The teacher replies "Оценка: 5" from her mail client: the copy in
  // her Sent folder is the grade.
  stack.Append("petrova", "Sent", Reply("r1", "Оценка: 5\r\nМолодец!"),
               "26-Nov-2026 20:10:00 +0300", "\\Seen");
  std::string cycle =
      Output({"-c", config, "--now=2026-11-26 20:30", "once"}, scratch);
  INFO(cycle);
  CHECK(cycle.find("grade 5 for submission") != std::string::npos);
  std::string grades =
      Output({"-c", config, "grades", "--class", "7А"}, scratch);
  CHECK(grades.find("Иванов Пётр (p-001, 7А), ДЗ-1 Алгебра") !=
        std::string::npos);
  CHECK(grades.find(": 5  by t-petrova (reply)  \"Молодец!\"") !=
        std::string::npos);
  CHECK(grades.find("1 grade(s)") != std::string::npos);

  auto notices = Notices(stack);
  REQUIRE(notices.size() == 1);
  const json& n = notices[0];
  CHECK(Contains(n["subject"], "Оценка: 5"));
  CHECK(Contains(n["subject"], "ДЗ-1 Алгебра"));
  CHECK(n["in-reply-to"] == "<work1@pupils.test>");
  CHECK(Contains(n["reply-to"], "petrova@school.test"));
  CHECK(n["to_addresses"] == json::array({"ivanov.petya@pupils.test"}));
  CHECK(n["auto-submitted"] == "auto-generated");
  CHECK(Contains(n["text"], "Оценка: 5"));
  CHECK_FALSE(Contains(n["text"], "вместо"));  // a first grade
  CHECK(Contains(n["text"], "Молодец!"));
  CHECK_FALSE(Contains(n["text"], "Вот работа"));  // the quote is not a comment
  CHECK(Contains(n["text"], "Анна Сергеевна Петрова"));
  CHECK(n["defects"].empty());

  // 2. A second reply changes the grade: history kept, a second notice.
  stack.Append("petrova", "Sent",
               Reply("r2", "Оценка: 4\r\nПосмотрела ещё раз: в №3 ошибка."),
               "26-Nov-2026 20:40:00 +0300", "\\Seen");
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-26 21:00", "once"}) == 0);
  grades = Output({"-c", config, "grades"}, scratch);
  CHECK(grades.find(": 4  by t-petrova") != std::string::npos);
  CHECK(grades.find("1 grade(s)") != std::string::npos);
  std::string history = Output({"-c", config, "grades", "--history"}, scratch);
  CHECK(history.find("2 grade(s)") != std::string::npos);
  CHECK(history.find("[replaced by #") != std::string::npos);
  notices = Notices(stack);
  REQUIRE(notices.size() == 2);
  CHECK(Contains(notices[1]["subject"], "Оценка изменена: 4"));
  CHECK(Contains(notices[1]["text"], "Оценка: 4 (вместо 5)"));
  CHECK(Contains(notices[1]["text"], "в №3 ошибка"));

  // 3. Case 28: a grade mail "from" the teacher arriving in her INBOX (and
  // so in the school mailbox, which the test config shares) is no grade.
  stack.Append("petrova", "INBOX",
               "From: petrova@school.test\r\nTo: petrova@school.test\r\n"
               "Subject: Re: ДЗ-1\r\nMessage-ID: <forged@evil.test>\r\n"
               "In-Reply-To: <work1@pupils.test>\r\nMIME-Version: 1.0\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n\r\nОценка: 2\r\n",
               "26-Nov-2026 21:10:00 +0300");
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-26 21:30", "once"}) == 0);
  grades = Output({"-c", config, "grades", "--history"}, scratch);
  CHECK(grades.find("2 grade(s)") != std::string::npos);
  CHECK(grades.find(": 2  by") == std::string::npos);
  CHECK(Notices(stack).size() == 2);

  // 4. Another teacher cannot grade Petrova's assignment; she can.
  CHECK(Schoolmail({"-c", config, "grade", "<work1@pupils.test>", "3",
                    "--teacher", "t-sidorov"}) == 1);
  CHECK(Schoolmail({"-c", config, "grade", "<work1@pupils.test>", "7",
                    "--teacher", "t-petrova"}) == 1);  // off the 1-5 scale
  CHECK(Output({"-c", config, "grades"}, scratch).find(": 4  by t-petrova") !=
        std::string::npos);

  // 5. The journal export of the class holds the current grade.
  const std::string journal = dir.path() + "/journal.csv";
  Output({"-c", config, "export", "journal", "--class", "7А", "--from",
          "2026-11-01", "--to", "2026-11-30", "--output", journal},
         scratch);
  const std::string csv = testing::ReadFile(journal);
  CHECK(csv.rfind("\xEF\xBB\xBF", 0) == 0);
  CHECK(csv.find("Ученик;ID;26.11.2026 Алгебра\r\n") != std::string::npos);
  CHECK(csv.find("Иванов Пётр Андреевич;p-001;4\r\n") != std::string::npos);
  CHECK(csv.find("Смирнова Алёна;p-002;\r\n") != std::string::npos);
  Output({"-c", config, "export", "journal", "--class", "7А", "--from",
          "2026-11-01", "--to", "2026-11-30", "--encoding", "windows-1251",
          "--output", journal},
         scratch);
  CHECK(ToUtf8(testing::ReadFile(journal), "windows-1251") == csv.substr(3));
  // Outside the period: no columns, every pupil still listed.
  std::string empty =
      Output({"-c", config, "export", "journal", "--class", "7А", "--from",
              "2026-12-01", "--to", "2026-12-31"},
             scratch);
  CHECK(empty.find("Ученик;ID\r\n") != std::string::npos);
  CHECK(CountOf(empty, "\r\n") == 3);
}

// A teacher's mail to the school mailbox.
std::string ToSchool(const std::string& from, const std::string& id,
                     const std::string& auth, const std::string& body,
                     const std::string& attached = "") {
  std::string head = (auth.empty() ? "" : "Authentication-Results: mx.school.test; " + auth + "\r\n") +
                     "From: " + from + "\r\nTo: robot@school.test\r\n"
                     "Subject: Fwd: ДЗ-1\r\nMessage-ID: <" + id +
                     ">\r\nMIME-Version: 1.0\r\n";
  if (attached.empty()) {
    return head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n";
  }
  return head + "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
         "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body +
         "\r\n--b\r\nContent-Type: message/rfc822\r\n"
         "Content-Disposition: attachment\r\n\r\n" + attached + "\r\n--b--\r\n";
}

TEST_CASE("grading by an authenticated mail to the school mailbox quoting "
          "the work; a forged or foreign one records nothing") {
  const std::vector<testing::MailUser> users = {
      {"petrova", "p-secret"}, {"sidorov", "secret"}, {"school", "p-secret"},
      {"ivanov.petya", "secret"}, {"alena.smirnova", "secret"},
      {"alena2010", "secret"}};
  testing::TempDir dir;
  MailStack stack({.users = users});
  const std::string config = WriteSchoolConfig(
      dir, stack, 60, "authserv_id = mx.school.test\n", "", "school");
  const std::string scratch = dir.path() + "/out.txt";
  ImportSampleSchool(config);
  const std::string work =
      "From: =?utf-8?B?0J/RkdGC0YAg0JjQstCw0L3QvtCy?= <ivanov.petya@pupils.test>\r\n"
      "To: petrova@school.test\r\nSubject: ДЗ-1\r\n"
      "Message-ID: <work1@pupils.test>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n\r\nВот работа.\r\n";
  stack.Append("petrova", "INBOX", work, "26-Nov-2026 12:00:00 +0300");
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-26 20:00", "once"}) == 0);

  const std::string forwarded =
      "\r\n\r\n---------- Forwarded message ---------\r\n"
      "От: Пётр Иванов <ivanov.petya@pupils.test>\r\n"
      "Date: Thu, 26 Nov 2026 12:00:00 +0300\r\nТема: ДЗ-1\r\n"
      "To: petrova@school.test\r\n\r\nВот работа.";
  // Forged: no pass from the school's server.
  stack.Append("school", "INBOX",
               ToSchool("petrova@school.test", "f1@school.test", "",
                        "Оценка: 2" + forwarded),
               "26-Nov-2026 20:05:00 +0300");
  // Another teacher, authenticated, the work attached: not theirs to grade.
  stack.Append("school", "INBOX",
               ToSchool("sidorov@school.test", "s1@school.test", "dmarc=pass",
                        "Оценка: 3", work),
               "26-Nov-2026 20:06:00 +0300");
  // The teacher herself, authenticated, forwarding inline.
  stack.Append("school", "INBOX",
               ToSchool("petrova@school.test", "p1@school.test", "dmarc=pass",
                        "Оценка: 4\r\nХорошо, но без проверки." + forwarded),
               "26-Nov-2026 20:07:00 +0300");
  std::string cycle =
      Output({"-c", config, "--now=2026-11-26 20:10", "once"}, scratch);
  INFO(cycle);
  CHECK(cycle.find("1 grades") != std::string::npos);

  std::string grades = Output({"-c", config, "grades", "--history"}, scratch);
  CHECK(grades.find(": 4  by t-petrova (mail)  \"Хорошо, но без проверки.\"") !=
        std::string::npos);
  CHECK(grades.find("1 grade(s)") != std::string::npos);

  auto answers = testing::MailOfKind(stack, "petrova", "p-secret", "grade_by_mail");
  REQUIRE(answers.size() == 2);
  const json& ok = Contains(answers[0]["subject"], "записана:") &&
                           !Contains(answers[0]["subject"], "не записана")
                       ? answers[0] : answers[1];
  const json& forged = &ok == &answers[0] ? answers[1] : answers[0];
  CHECK(testing::TextOf(ok["subject"]) ==
        "Оценка записана: Иванов Пётр, ДЗ-1 Алгебра — 4");
  CHECK(ok["in-reply-to"] == "<p1@school.test>");
  CHECK(Contains(forged["text"], "почтовый сервер школы не подтвердил"));
  auto foreign = testing::MailOfKind(stack, "sidorov", "secret", "grade_by_mail");
  REQUIRE(foreign.size() == 1);
  CHECK(Contains(testing::TextOf(foreign[0]["text"]),
                 "оценивает учитель,\nкоторый выдал задание"));

  // The pupil's notice follows on the next cycle's send.
  REQUIRE(Schoolmail({"-c", config, "--now=2026-11-26 20:15", "once"}) == 0);
  auto notices = Notices(stack);
  REQUIRE(notices.size() == 1);
  CHECK(Contains(notices[0]["subject"], "Оценка: 4"));
}

}  // namespace
}  // namespace schoolmail
