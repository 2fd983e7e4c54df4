// SMTP over libcurl: smtp:// with STARTTLS required, or smtps://; the
// server certificate is always verified. One transport keeps its
// connection open between messages (libcurl reuses it while draining).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/status.h"

namespace schoolmail {

struct SmtpEndpoint {
  std::string url;  // smtp://host:port or smtps://host:port
  std::string user;      // empty: no AUTH
  std::string password;
  std::string ca_file;   // empty: the system CA store
};

struct RecipientResult {
  std::string address;
  int code = 0;       // the server's reply to RCPT TO (or to DATA)
  std::string reply;  // its text
  bool accepted() const { return code / 100 == 2; }
};

struct SendReport {
  // Every recipient, accepted or not. Empty when the message was refused
  // before any RCPT (connection, TLS, AUTH, MAIL FROM).
  std::vector<RecipientResult> recipients;
  int final_code = 0;  // reply to the end of DATA (or the failing step)
  std::string final_reply;
};

class SmtpTransport {
 public:
  explicit SmtpTransport(SmtpEndpoint endpoint);
  ~SmtpTransport();
  SmtpTransport(const SmtpTransport&) = delete;
  SmtpTransport& operator=(const SmtpTransport&) = delete;

  // Sends `message` (complete RFC 5322 text with CRLF line ends) from
  // `envelope_from` to `recipients`. A recipient refused with 5xx does not
  // stop the others. Returns an error (Retry::kLater for 4xx and network
  // trouble, kNever for 5xx and TLS/AUTH failures) when nobody got it.
  Result<SendReport> Send(const std::string& envelope_from,
                          const std::vector<std::string>& recipients,
                          const std::string& message);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace schoolmail
