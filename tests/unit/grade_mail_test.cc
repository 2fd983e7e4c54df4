// Grading by mail to the school mailbox: finding the quoted work.
#include "daemon/grade_mail.h"

#include <doctest/doctest.h>

namespace schoolmail {
namespace {

TEST_CASE("the header block of an inline forward names the work") {
  auto q = QuotedOriginalIn(
      "Оценка: 4\n\n---------- Forwarded message ---------\n"
      "От: Пётр Иванов <Ivanov.Petya@pupils.test>\n"
      "Date: Thu, 26 Nov 2026 12:00:00 +0300\nТема: ДЗ-1 решение\n"
      "To: petrova@school.test\n\nВот работа.");
  REQUIRE(q);
  CHECK(q->sender == "ivanov.petya@pupils.test");
  CHECK(q->subject == "ДЗ-1 решение");
}

TEST_CASE("a quoted Outlook-style block with '>' and English names") {
  auto q = QuotedOriginalIn(
      "Grade: 5\n\n> From: petya@pupils.test\n> Sent: Thursday\n"
      "> Subject: Homework 3\n> \n> here it is");
  REQUIRE(q);
  CHECK(q->sender == "petya@pupils.test");
  CHECK(q->subject == "Homework 3");
}

TEST_CASE("no header block, or a From without a subject nearby: nothing") {
  CHECK(!QuotedOriginalIn("Оценка: 5\nМолодец"));
  CHECK(!QuotedOriginalIn("From: a@b.test\n1\n2\n3\n4\n5\n6\n7\nSubject: x"));
  CHECK(!QuotedOriginalIn("From: nobody\nSubject: x"));
}

TEST_CASE("the ids that may name the work: replies first, then attached "
          "messages") {
  const std::string bytes =
      "From: t@school.test\r\nSubject: Fwd\r\nMessage-ID: <m@school.test>\r\n"
      "In-Reply-To: <a@x.test>\r\nReferences: <r@x.test>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"
      "--b\r\nContent-Type: text/plain\r\n\r\nОценка: 5\r\n--b\r\n"
      "Content-Type: message/rfc822\r\n\r\nFrom: p@pupils.test\r\n"
      "Message-ID: <work@pupils.test>\r\nSubject: ДЗ-1\r\n\r\nwork\r\n--b--\r\n";
  Limits limits;
  MimeParse parse = ParseMessage(bytes, limits, AttachmentData::kKeep);
  REQUIRE(parse.message);
  CHECK(QuotedMessageIds(*parse.message, limits) ==
        std::vector<std::string>{"a@x.test", "r@x.test", "work@pupils.test"});
}

}  // namespace
}  // namespace schoolmail
