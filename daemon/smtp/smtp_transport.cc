#include "daemon/smtp/smtp_transport.h"

#include <curl/curl.h>

#include <cstring>
#include <string_view>

#include "config/address.h"
#include "config/text.h"

namespace schoolmail {
namespace {

// libcurl 7.88 spells the option with three L's; later versions fixed it.
#ifdef CURLOPT_MAIL_RCPT_ALLOWFAILS
constexpr CURLoption kRcptAllowFails = CURLOPT_MAIL_RCPT_ALLOWFAILS;
#else
constexpr CURLoption kRcptAllowFails = CURLOPT_MAIL_RCPT_ALLLOWFAILS;
#endif

struct Upload {
  const std::string* message;
  size_t offset = 0;
};

size_t ReadMessage(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t left = upload->message->size() - upload->offset;
  size_t n = std::min(left, size * count);
  std::memcpy(buffer, upload->message->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

// Pairs each RCPT TO that curl sends with the server's next complete reply.
struct Conversation {
  std::vector<RecipientResult> recipients;
  bool awaiting_rcpt_reply = false;
  std::string pending_reply;  // multi-line replies accumulate here
  int last_code = 0;
  std::string last_reply;

  void Sent(std::string_view line) {
    if (line.size() >= 8 && LowerAscii(line.substr(0, 8)) == "rcpt to:") {
      std::string_view address = Trim(line.substr(8));
      if (!address.empty() && address.front() == '<') address.remove_prefix(1);
      size_t close = address.find('>');
      if (close != std::string_view::npos) address = address.substr(0, close);
      recipients.push_back(RecipientResult{std::string(address), 0, {}});
      awaiting_rcpt_reply = true;
    }
  }

  void Received(std::string_view line) {
    line = Trim(line);
    if (line.size() < 3) return;
    pending_reply += std::string(line.substr(line.size() > 4 ? 4 : 3));
    if (line.size() > 3 && line[3] == '-') {  // continuation of a reply
      pending_reply += " ";
      return;
    }
    int code = std::atoi(std::string(line.substr(0, 3)).c_str());
    last_code = code;
    last_reply = std::string(line.substr(0, 3)) + " " + pending_reply;
    pending_reply.clear();
    if (awaiting_rcpt_reply && !recipients.empty()) {
      recipients.back().code = code;
      recipients.back().reply = last_reply;
      awaiting_rcpt_reply = false;
    }
  }
};

int Debug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  auto* conversation = static_cast<Conversation*>(user);
  std::string_view text(data, size);
  if (type != CURLINFO_HEADER_OUT && type != CURLINFO_HEADER_IN) return 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!Trim(line).empty()) {
      if (type == CURLINFO_HEADER_OUT) conversation->Sent(line);
      if (type == CURLINFO_HEADER_IN) conversation->Received(line);
    }
    start = end + 1;
  }
  return 0;
}

Status Classify(CURLcode rc, long response, const std::string& detail) {
  std::string message = std::string(curl_easy_strerror(rc));
  if (!detail.empty()) message += " (" + detail + ")";
  switch (rc) {
    case CURLE_LOGIN_DENIED:
      return Status::Error("SMTP login refused: " + message, Scope::kAccount);
    case CURLE_USE_SSL_FAILED:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
      return Status::Error("SMTP TLS failed: " + message, Scope::kAccount);
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_OPERATION_TIMEDOUT:
      return Status::Error("SMTP server unreachable: " + message,
                           Scope::kMailbox, Retry::kLater);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
      if (response / 100 == 5) break;
      if (response / 100 == 4) {
        return Status::Error("SMTP temporary failure: " + message,
                             Scope::kItem, Retry::kLater);
      }
      return Status::Error("SMTP connection lost: " + message,
                           Scope::kMailbox, Retry::kNow);
    default:
      break;
  }
  if (response / 100 == 4) {
    return Status::Error("SMTP temporary failure: " + message, Scope::kItem,
                         Retry::kLater);
  }
  if (response / 100 == 5) {
    return Status::Error("SMTP refused: " + message, Scope::kItem,
                         Retry::kNever);
  }
  return Status::Error("SMTP failed: " + message, Scope::kMailbox,
                       Retry::kLater);
}

}  // namespace

struct SmtpTransport::Impl {
  SmtpEndpoint endpoint;
  CURL* curl = nullptr;
};

SmtpTransport::SmtpTransport(SmtpEndpoint endpoint)
    : impl_(std::make_unique<Impl>()) {
  impl_->endpoint = std::move(endpoint);
  impl_->curl = curl_easy_init();
}

SmtpTransport::~SmtpTransport() { curl_easy_cleanup(impl_->curl); }

Result<SendReport> SmtpTransport::Send(
    const std::string& envelope_from,
    const std::vector<std::string>& recipients, const std::string& message) {
  // Nothing from input may become an SMTP command: addresses must be plain.
  if (!envelope_from.empty() && !NormalizeAddress(envelope_from)) {
    return Status::Error("bad envelope sender \"" + envelope_from + "\"");
  }
  if (recipients.empty()) return Status::Error("no recipients");
  for (const std::string& r : recipients) {
    if (!NormalizeAddress(r)) {
      return Status::Error("bad recipient address \"" + r + "\"");
    }
  }
  CURL* curl = impl_->curl;
  if (curl == nullptr) {
    return Status::Error("libcurl could not be initialised", Scope::kProcess);
  }
  const SmtpEndpoint& endpoint = impl_->endpoint;
  curl_easy_reset(curl);  // keeps the open connection for reuse

  std::string from = "<" + envelope_from + ">";
  curl_slist* rcpt = nullptr;
  for (const std::string& r : recipients) {
    rcpt = curl_slist_append(rcpt, ("<" + r + ">").c_str());
  }
  Upload upload{&message, 0};
  Conversation conversation;
  char error_buffer[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(curl, CURLOPT_URL, endpoint.url.c_str());
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!endpoint.ca_file.empty()) {
    curl_easy_setopt(curl, CURLOPT_CAINFO, endpoint.ca_file.c_str());
  }
  if (!endpoint.user.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, endpoint.user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, endpoint.password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, kRcptAllowFails, 1L);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, &ReadMessage);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
                   static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, &Debug);
  curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &conversation);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 600L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);

  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpt);
  long response = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response);

  SendReport report;
  report.recipients = std::move(conversation.recipients);
  report.final_code = conversation.last_code;
  report.final_reply = conversation.last_reply;
  if (rc != CURLE_OK) {
    std::string detail = error_buffer[0] ? error_buffer : "";
    std::vector<std::string> refusals;
    for (const RecipientResult& r : report.recipients) {
      if (!r.accepted()) refusals.push_back(r.address + ": " + r.reply);
    }
    if (!refusals.empty()) {
      detail += (detail.empty() ? "" : "; ") + Join(refusals, "; ");
    }
    return Classify(rc, response ? response : conversation.last_code, detail);
  }
  // DATA was accepted: recipients not refused at RCPT got the message.
  return report;
}

}  // namespace schoolmail
