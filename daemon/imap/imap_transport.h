// The byte pipe to an IMAP server. libcurl opens it (TCP, TLS or STARTTLS
// with certificate verification, greeting, LOGIN) with CURLOPT_CONNECT_ONLY
// and then hands the connection over: schoolmail speaks IMAP itself, because
// Debian's libcurl caps and cuts replies to custom commands and its URL
// fetch marks mail read (../shared/TECH-NOTES.md).
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "config/status.h"

namespace schoolmail {

struct ImapEndpoint {
  std::string url;  // imap://host:port (STARTTLS required) or imaps://...
  std::string user;
  std::string password;
  std::string ca_file;  // empty: the system CA store
  std::chrono::seconds connect_timeout{30};
};

class ImapTransport {
 public:
  // Connects and logs in. Errors: Scope::kAccount for a refused login or a
  // TLS/certificate problem (Retry::kNever: the operator must act),
  // Scope::kMailbox with Retry::kLater for an unreachable server.
  static Result<std::unique_ptr<ImapTransport>> Connect(
      const ImapEndpoint& endpoint);

  ~ImapTransport();
  ImapTransport(const ImapTransport&) = delete;
  ImapTransport& operator=(const ImapTransport&) = delete;

  // Sends all of `bytes`, waiting for the socket as needed (up to
  // `timeout` without progress).
  Status Send(std::string_view bytes, std::chrono::milliseconds timeout);

  // Waits up to `timeout` for data and reads what has arrived into `into`
  // (until it is full or nothing more is there). Returns the number of
  // bytes read: 0 on timeout. A closed or broken connection is an error
  // with Retry::kNow.
  Result<size_t> Receive(std::span<char> into, std::chrono::milliseconds timeout);

  // A hint that at least `bytes` more bytes are on their way (the rest of
  // a literal): Receive then waits for a good part of them at once instead
  // of waking for every packet (SO_RCVLOWAT). 0: wake for any data.
  void ExpectAtLeast(size_t bytes);

 private:
  ImapTransport() = default;
  struct Handle;
  std::unique_ptr<Handle> handle_;
};

}  // namespace schoolmail
