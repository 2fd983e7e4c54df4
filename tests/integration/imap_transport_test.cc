// The IMAP byte pipe against the real Dovecot: libcurl connects and logs
// in, then our bytes go through unchanged (RELIABILITY cases 14 and 15).
#include <doctest/doctest.h>

#include <chrono>

#include "daemon/imap/imap_transport.h"
#include "tests/support/fault_proxy.h"
#include "tests/support/mail_stack.h"

namespace schoolmail {
namespace {

using namespace std::chrono_literals;
using testing::MailStack;

// Sends `command` and reads until the tagged reply line arrives.
std::string Ask(ImapTransport& imap, const std::string& tag,
                const std::string& command) {
  REQUIRE(imap.Send(tag + " " + command + "\r\n", 5s).ok());
  std::string reply;
  auto start = std::chrono::steady_clock::now();
  while (reply.find("\r\n" + tag + " ") == std::string::npos &&
         reply.rfind(tag + " ", 0) != 0) {
    char buffer[4096];
    auto got = imap.Receive(buffer, 1s);
    REQUIRE(got.ok());
    reply.append(buffer, *got);
    REQUIRE(std::chrono::steady_clock::now() - start < 10s);
  }
  return reply;
}

TEST_CASE("IMAPS and IMAP with STARTTLS log in and carry our commands") {
  MailStack stack({.users = {{"teacher", "t-secret"}}});
  for (const std::string& url :
       {"imaps://127.0.0.1:" + std::to_string(stack.imaps_port()),
        "imap://127.0.0.1:" + std::to_string(stack.imap_port())}) {
    INFO(url);
    auto imap = ImapTransport::Connect(
        {url, "teacher", "t-secret", stack.ca_file(), 10s});
    INFO(imap.status().message());
    REQUIRE(imap.ok());
    std::string reply = Ask(**imap, "s1", "CAPABILITY");
    CHECK(reply.find("IDLE") != std::string::npos);
    CHECK(reply.find("MOVE") != std::string::npos);
    CHECK(reply.find("s1 OK") != std::string::npos);
    std::string examine = Ask(**imap, "s2", "EXAMINE INBOX");
    CHECK(examine.find("[UIDVALIDITY ") != std::string::npos);
    CHECK(examine.find("s2 OK [READ-ONLY]") != std::string::npos);
  }
}

TEST_CASE("a wrong password is an account problem, not retried") {
  MailStack stack({.users = {{"teacher", "t-secret"}}});
  auto imap = ImapTransport::Connect(
      {"imaps://127.0.0.1:" + std::to_string(stack.imaps_port()), "teacher",
       "wrong", stack.ca_file(), 10s});
  REQUIRE_FALSE(imap.ok());
  CHECK(imap.status().scope() == Scope::kAccount);
  CHECK(imap.status().retry() == Retry::kNever);
  CHECK(imap.status().message().find("login refused") != std::string::npos);
}

TEST_CASE("an unknown certificate is refused") {
  MailStack stack({.users = {{"teacher", "t-secret"}}});
  auto imap = ImapTransport::Connect(
      {"imaps://127.0.0.1:" + std::to_string(stack.imaps_port()), "teacher",
       "t-secret", "", 10s});
  REQUIRE_FALSE(imap.ok());
  CHECK(imap.status().scope() == Scope::kAccount);
  CHECK(imap.status().message().find("TLS failed") != std::string::npos);
}

TEST_CASE("case 14: a server that offers no STARTTLS is refused, no login "
          "in the clear") {
  MailStack stack({.users = {{"teacher", "t-secret"}}});
  testing::FaultProxy proxy(stack.dir(), "nostarttls", stack.host(),
                            stack.imap_port());
  proxy.SetRules(R"({"hide_server_word": "STARTTLS"})");
  auto imap = ImapTransport::Connect(
      {"imap://127.0.0.1:" + std::to_string(proxy.port()), "teacher",
       "t-secret", stack.ca_file(), 10s});
  REQUIRE_FALSE(imap.ok());
  CHECK(imap.status().scope() == Scope::kAccount);
  INFO(imap.status().message());
  CHECK(imap.status().message().find("offers no TLS") != std::string::npos);
  CHECK(proxy.FaultsFired() >= 1);
}

TEST_CASE("a server that is gone is retried later") {
  auto imap = ImapTransport::Connect(
      {"imaps://127.0.0.1:1", "teacher", "t-secret", "", 5s});
  REQUIRE_FALSE(imap.ok());
  CHECK(imap.status().scope() == Scope::kMailbox);
  CHECK(imap.status().retry() == Retry::kLater);
}

}  // namespace
}  // namespace schoolmail
