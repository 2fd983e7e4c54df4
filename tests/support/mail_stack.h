// Real mail servers for integration tests: a private Dovecot (IMAP, IMAPS,
// LMTP) and an aiosmtpd SMTP server that delivers into it over LMTP, all on
// 127.0.0.1 inside a fresh temporary folder. Driven by
// tests/mailstack/mailstack.py (run with /usr/bin/python3).
//
// The script's path comes from the compile definition
// SCHOOLMAIL_MAILSTACK_SCRIPT (a string literal, e.g. in CMake:
//   target_compile_definitions(t PRIVATE
//       SCHOOLMAIL_MAILSTACK_SCRIPT="${CMAKE_SOURCE_DIR}/tests/mailstack/mailstack.py")
// ); without it, from the environment variable of the same name.
//
// Typical use in a doctest case:
//   schoolmail::testing::MailStack stack(
//       {.users = {{"teacher", "secret"}, {"pupil", "secret"}}});
//   // connect to stack.host():stack.imaps_port(), trust stack.ca_file() ...
#pragma once

#include <string>
#include <vector>

namespace schoolmail::testing {

struct MailUser {
  std::string name;  // letters, digits, '.', '_', '-'; lower-cased by the stack
  std::string password;  // no ':' or newlines
};

struct MailStackOptions {
  std::vector<MailUser> users;
  // When true, SMTP requires AUTH (PLAIN/LOGIN) before MAIL, and AUTH is only
  // accepted after STARTTLS (or on the implicit-TLS port). When false, AUTH is
  // offered but optional, even without TLS.
  bool smtp_require_auth = false;
};

class MailStack {
 public:
  // Creates a fresh temp dir (mkdtemp under $TMPDIR or /tmp) and runs
  // `mailstack.py start`. Throws std::runtime_error (with the script's stderr,
  // which includes the Dovecot and SMTP logs) on failure, leaving nothing
  // running and no folder behind.
  explicit MailStack(MailStackOptions options);
  // Runs `mailstack.py stop`, then removes the temp dir recursively. Never throws.
  ~MailStack();

  MailStack(const MailStack&) = delete;
  MailStack& operator=(const MailStack&) = delete;

  const std::string& dir() const { return dir_; }
  std::string host() const { return "127.0.0.1"; }
  int imap_port() const { return imap_port_; }    // plain IMAP, offers STARTTLS
  int imaps_port() const { return imaps_port_; }  // implicit TLS
  int lmtp_port() const { return lmtp_port_; }
  int smtp_port() const { return smtp_port_; }    // plain SMTP, offers STARTTLS
  int smtps_port() const { return smtps_port_; }  // implicit TLS
  // PEM of the test CA that signed the servers' certificate (for "localhost"
  // and IP 127.0.0.1).
  const std::string& ca_file() const { return ca_file_; }

  // Fault injection for the SMTP server, re-read before every MAIL, RCPT and
  // end of DATA. Written atomically (tmp file + rename). Example:
  //   {"rcpt": {"teacher@school.test": [451, "4.3.0 try later"]},
  //    "data": [554, "5.0.0 no"]}
  // Also understood: "mail": [code, "text"], and "*" as a catch-all key in
  // "rcpt". An empty string removes the rules.
  void SetSmtpRules(const std::string& json);

  // Stops / restarts only the SMTP server, on the same ports.
  void StopSmtp();
  void StartSmtp();

  // IMAP APPEND of raw_message's exact bytes into user's mailbox (created if
  // missing; '/' is the hierarchy separator). internal_date like
  // "28-Nov-2026 17:59:59 +0300" (empty: now); flags like "\\Seen \\Flagged".
  // Returns the new UID.
  unsigned Append(const std::string& user, const std::string& mailbox,
                  const std::string& raw_message,
                  const std::string& internal_date = "",
                  const std::string& flags = "");

  // Delivers raw_message to user's INBOX over LMTP (as Dovecot would from an
  // MTA: Dovecot prepends Return-Path, Delivered-To and Received headers).
  void Deliver(const std::string& user, const std::string& raw_message);

 private:
  struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
  };
  RunResult Run(const std::vector<std::string>& args) const;
  RunResult RunChecked(const std::vector<std::string>& args) const;
  std::string WriteTempFile(const std::string& contents) const;
  void Cleanup() noexcept;

  MailStackOptions options_;
  std::string script_;  // path of mailstack.py
  std::string dir_;
  std::string ca_file_;
  int imap_port_ = 0;
  int imaps_port_ = 0;
  int lmtp_port_ = 0;
  int smtp_port_ = 0;
  int smtps_port_ = 0;
};

}  // namespace schoolmail::testing
