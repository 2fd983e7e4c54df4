#include "daemon/imap/imap_transport.h"

#include <curl/curl.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

namespace schoolmail {

struct ImapTransport::Handle {
  CURL* curl = nullptr;
  curl_socket_t socket = CURL_SOCKET_BAD;
  int low_water = 1;              // the socket's SO_RCVLOWAT
  bool low_water_usable = true;   // false after a wait for it timed out
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

namespace {

Status ConnectError(CURLcode rc, const char* detail) {
  std::string message = std::string(curl_easy_strerror(rc));
  if (detail != nullptr && *detail != '\0') message += ": " + std::string(detail);
  switch (rc) {
    case CURLE_LOGIN_DENIED:
      return Status::Error("IMAP login refused (" + message + ")",
                           Scope::kAccount, Retry::kNever);
    case CURLE_USE_SSL_FAILED:
      return Status::Error("server offers no TLS (" + message + ")",
                           Scope::kAccount, Retry::kNever);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return Status::Error("TLS failed (" + message + ")", Scope::kAccount,
                           Retry::kNever);
    default:
      return Status::Error("cannot connect (" + message + ")", Scope::kMailbox,
                           Retry::kLater);
  }
}

// Waits until the socket is readable (or writable); false on timeout.
Result<bool> Wait(curl_socket_t socket, bool for_write,
                  std::chrono::milliseconds timeout) {
  pollfd fd{socket, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
  int rc;
  do {
    rc = ::poll(&fd, 1, static_cast<int>(timeout.count()));
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    return Status::Error("poll failed", Scope::kMailbox, Retry::kNow);
  }
  return rc > 0;
}

}  // namespace

Result<std::unique_ptr<ImapTransport>> ImapTransport::Connect(
    const ImapEndpoint& endpoint) {
  std::unique_ptr<ImapTransport> transport(new ImapTransport());
  transport->handle_ = std::make_unique<Handle>();
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    return Status::Error("libcurl could not be initialised", Scope::kProcess);
  }
  transport->handle_->curl = curl;
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_URL, endpoint.url.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, endpoint.user.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, endpoint.password.c_str());
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!endpoint.ca_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, endpoint.ca_file.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT,
                   static_cast<long>(endpoint.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (rc != CURLE_OK) return ConnectError(rc, error);
  curl_socket_t socket = CURL_SOCKET_BAD;
  if (curl_easy_getinfo(curl, CURLINFO_ACTIVESOCKET, &socket) != CURLE_OK ||
      socket == CURL_SOCKET_BAD) {
    return Status::Error("libcurl gave no socket", Scope::kMailbox,
                         Retry::kLater);
  }
  transport->handle_->socket = socket;
  return transport;
}

ImapTransport::~ImapTransport() = default;

Status ImapTransport::Send(std::string_view bytes,
                           std::chrono::milliseconds timeout) {
  size_t sent_total = 0;
  while (sent_total < bytes.size()) {
    size_t sent = 0;
    CURLcode rc = curl_easy_send(handle_->curl, bytes.data() + sent_total,
                                 bytes.size() - sent_total, &sent);
    if (rc == CURLE_AGAIN) {
      auto ready = Wait(handle_->socket, true, timeout);
      if (!ready) return ready.status();
      if (!*ready) {
        return Status::Error("timed out sending to the IMAP server",
                             Scope::kMailbox, Retry::kNow);
      }
      continue;
    }
    if (rc != CURLE_OK) {
      return Status::Error(std::string("connection lost while sending: ") +
                               curl_easy_strerror(rc),
                           Scope::kMailbox, Retry::kNow);
    }
    sent_total += sent;
  }
  return Status::Ok();
}

void ImapTransport::ExpectAtLeast(size_t bytes) {
  // Wait for 256 KB while well over that is owed. The margin covers the
  // part of a TLS record that OpenSSL may already hold (at most one record,
  // about 16 KB): those bytes are owed but will not come through the
  // socket again.
  constexpr size_t kWake = 256 << 10;
  constexpr size_t kMargin = 64 << 10;
  int wanted = handle_->low_water_usable && bytes >= kWake + kMargin
                   ? static_cast<int>(kWake)
                   : 1;
  if (wanted == handle_->low_water) return;
  if (::setsockopt(handle_->socket, SOL_SOCKET, SO_RCVLOWAT, &wanted,
                   sizeof wanted) == 0) {
    handle_->low_water = wanted;
  }
}

Result<size_t> ImapTransport::Receive(std::span<char> into,
                                      std::chrono::milliseconds timeout) {
  size_t total = 0;
  bool waited = false;
  while (total < into.size()) {
    size_t received = 0;
    CURLcode rc = curl_easy_recv(handle_->curl, into.data() + total,
                                 into.size() - total, &received);
    if (rc == CURLE_OK) {
      if (received == 0) {
        if (total > 0) return total;
        return Status::Error("the IMAP server closed the connection",
                             Scope::kMailbox, Retry::kNow);
      }
      total += received;
      continue;  // drain what TLS has buffered
    }
    if (rc != CURLE_AGAIN) {
      if (total > 0) return total;
      return Status::Error(std::string("connection lost: ") +
                               curl_easy_strerror(rc),
                           Scope::kMailbox, Retry::kNow);
    }
    if (total > 0 || waited) return total;
    auto ready = Wait(handle_->socket, false, timeout);
    if (!ready) return ready.status();
    if (!*ready) {
      if (handle_->low_water > 1) {
        // The promised bytes did not come (a server that stalls in a
        // literal): never wait for a batch on this connection again.
        handle_->low_water_usable = false;
        ExpectAtLeast(0);
      }
      return size_t{0};
    }
    waited = true;
  }
  return total;
}

}  // namespace schoolmail
