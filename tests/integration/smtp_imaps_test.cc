// The mail stack itself: a message with a Cyrillic subject and a
// Cyrillic-named attachment goes out over SMTP (STARTTLS, AUTH) through
// libcurl, and comes back byte for byte over IMAPS through libcurl with the
// certificate verified against the test CA.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

#include "daemon/smtp/smtp_transport.h"
#include "tests/support/mail_stack.h"

namespace schoolmail {
namespace {

using testing::MailStack;

// A message as a pupil's phone would write it: CRLF, RFC 2047 subject,
// RFC 2231 file name, base64 body with every byte value.
std::string CyrillicMessage() {
  std::string attachment_base64;
  {
    static const char* kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string bytes;
    for (int i = 0; i < 3 * 256; ++i) bytes.push_back(static_cast<char>(i));
    for (size_t i = 0; i < bytes.size(); i += 3) {
      unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                   (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                   static_cast<unsigned char>(bytes[i + 2]);
      for (int k = 3; k >= 0; --k) {
        attachment_base64.push_back(kAlphabet[(n >> (6 * k)) & 63]);
      }
      if (attachment_base64.size() % 78 == 76) attachment_base64 += "\r\n";
    }
  }
  return "From: =?UTF-8?B?0J/QtdGC0Y8g0JjQstCw0L3QvtCy?= "
         "<pupil@pupils.test>\r\n"
         "To: teacher@school.test\r\n"
         "Subject: =?UTF-8?B?0JTQvtC80LDRiNC90Y/RjyDRgNCw0LHQvtGC0LAg4oSWNw==?="
         "\r\n"
         "Date: Sat, 28 Nov 2026 17:59:00 +0300\r\n"
         "Message-ID: <stack-test-1@pupils.test>\r\n"
         "MIME-Version: 1.0\r\n"
         "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
         "\r\n"
         "--b1\r\n"
         "Content-Type: text/plain; charset=utf-8\r\n"
         "Content-Transfer-Encoding: 8bit\r\n"
         "\r\n"
         "Здравствуйте! Решение во вложении.\r\n"
         ".a line starting with a dot\r\n"
         "A004 OK a line that looks like IMAP\r\n"
         "--b1\r\n"
         "Content-Type: image/jpeg\r\n"
         "Content-Transfer-Encoding: base64\r\n"
         "Content-Disposition: attachment;\r\n"
         " filename*=UTF-8''%D0%A1%D1%82%D1%80%D0%B0%D0%BD%D0%B8%D1%86%D0%B0"
         "%201.jpg\r\n"
         "\r\n" +
         attachment_base64 +
         "\r\n"
         "--b1--\r\n";
}

size_t Collect(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// Fetches one message over IMAPS with libcurl; returns curl's code.
CURLcode FetchOverImaps(const MailStack& stack, const std::string& user,
                        const std::string& password, unsigned uid,
                        const std::string& ca_file, std::string* body) {
  CURL* curl = curl_easy_init();
  std::string url = "imaps://127.0.0.1:" + std::to_string(stack.imaps_port()) +
                    "/INBOX/;UID=" + std::to_string(uid);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, user.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, password.c_str());
  if (!ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  return rc;
}

// Dovecot prepends Return-Path, Delivered-To and Received on delivery; the
// rest must be exactly what was sent.
void CheckDelivered(const std::string& fetched, const std::string& sent) {
  REQUIRE(fetched.size() > sent.size());
  CHECK(fetched.substr(fetched.size() - sent.size()) == sent);
  std::string added = fetched.substr(0, fetched.size() - sent.size());
  CHECK(added.rfind("Return-Path: <robot@school.test>\r\n", 0) == 0);
  CHECK(added.find("Delivered-To: teacher") != std::string::npos);
}

TEST_CASE("SMTP with STARTTLS and AUTH delivers; IMAPS reads back exactly") {
  MailStack stack({.users = {{"teacher", "t-secret"}, {"robot", "r-secret"}},
                   .smtp_require_auth = true});
  SmtpTransport smtp({"smtp://127.0.0.1:" + std::to_string(stack.smtp_port()),
                      "robot", "r-secret", stack.ca_file()});
  std::string message = CyrillicMessage();
  auto report = smtp.Send("robot@school.test", {"teacher@school.test"}, message);
  INFO(report.status().message());
  REQUIRE(report.ok());
  REQUIRE(report->recipients.size() == 1);
  CHECK(report->recipients[0].code == 250);
  CHECK(report->final_code == 250);

  std::string fetched;
  REQUIRE(FetchOverImaps(stack, "teacher", "t-secret", 1, stack.ca_file(),
                         &fetched) == CURLE_OK);
  CheckDelivered(fetched, message);

  SUBCASE("the same transport sends again on its open connection") {
    auto again = smtp.Send("robot@school.test", {"teacher@school.test"},
                           message);
    REQUIRE(again.ok());
    std::string second;
    REQUIRE(FetchOverImaps(stack, "teacher", "t-secret", 2, stack.ca_file(),
                           &second) == CURLE_OK);
    CheckDelivered(second, message);
  }
}

TEST_CASE("implicit TLS (smtps) works too") {
  MailStack stack({.users = {{"teacher", "t-secret"}}});
  SmtpTransport smtp({"smtps://127.0.0.1:" +
                          std::to_string(stack.smtps_port()),
                      "", "", stack.ca_file()});
  auto report = smtp.Send("robot@school.test", {"teacher@school.test"},
                          CyrillicMessage());
  INFO(report.status().message());
  REQUIRE(report.ok());
  std::string fetched;
  REQUIRE(FetchOverImaps(stack, "teacher", "t-secret", 1, stack.ca_file(),
                         &fetched) == CURLE_OK);
  CheckDelivered(fetched, CyrillicMessage());
}

TEST_CASE("certificates are verified: the system store does not know ours") {
  MailStack stack({.users = {{"teacher", "t-secret"}}});
  std::string body;
  CHECK(FetchOverImaps(stack, "teacher", "t-secret", 1, "", &body) ==
        CURLE_PEER_FAILED_VERIFICATION);
  SmtpTransport smtp({"smtp://127.0.0.1:" + std::to_string(stack.smtp_port()),
                      "", "", ""});
  auto report = smtp.Send("robot@school.test", {"teacher@school.test"}, "x");
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().scope() == Scope::kAccount);
  CHECK(report.status().message().find("TLS") != std::string::npos);
}

TEST_CASE("one refused recipient does not stop the others") {
  MailStack stack({.users = {{"teacher", "t-secret"}, {"other", "o-secret"}}});
  stack.SetSmtpRules(R"({"rcpt": {"other@school.test": [550, "5.1.1 gone"]}})");
  SmtpTransport smtp({"smtp://127.0.0.1:" + std::to_string(stack.smtp_port()),
                      "", "", stack.ca_file()});
  auto report = smtp.Send("robot@school.test",
                          {"other@school.test", "teacher@school.test"},
                          CyrillicMessage());
  INFO(report.status().message());
  REQUIRE(report.ok());
  REQUIRE(report->recipients.size() == 2);
  CHECK(report->recipients[0].address == "other@school.test");
  CHECK(report->recipients[0].code == 550);
  CHECK(report->recipients[0].reply.find("5.1.1 gone") != std::string::npos);
  CHECK(report->recipients[1].code == 250);
  std::string fetched;
  REQUIRE(FetchOverImaps(stack, "teacher", "t-secret", 1, stack.ca_file(),
                         &fetched) == CURLE_OK);
  CheckDelivered(fetched, CyrillicMessage());
}

TEST_CASE("a temporary refusal is retryable; a permanent one is not") {
  MailStack stack({.users = {{"teacher", "t-secret"}}});
  SmtpTransport smtp({"smtp://127.0.0.1:" + std::to_string(stack.smtp_port()),
                      "", "", stack.ca_file()});
  stack.SetSmtpRules(R"({"rcpt": {"*": [451, "4.3.0 try later"]}})");
  auto deferred = smtp.Send("robot@school.test", {"teacher@school.test"}, "x");
  REQUIRE_FALSE(deferred.ok());
  CHECK(deferred.status().retry() == Retry::kLater);
  stack.SetSmtpRules(R"({"rcpt": {"*": [550, "5.1.1 no such user"]}})");
  auto refused = smtp.Send("robot@school.test", {"teacher@school.test"}, "x");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().retry() == Retry::kNever);
  INFO(refused.status().message());
  CHECK(refused.status().message().find("5.1.1 no such user") !=
        std::string::npos);
}

TEST_CASE("addresses with CR or LF never reach the SMTP server") {
  SmtpTransport smtp({"smtp://127.0.0.1:1", "", "", ""});
  auto injected = smtp.Send("robot@school.test",
                            {"a@school.test>\r\nRCPT TO:<evil@x.test"}, "x");
  REQUIRE_FALSE(injected.ok());
  CHECK(injected.status().message().find("bad recipient address") == 0);
}

}  // namespace
}  // namespace schoolmail
