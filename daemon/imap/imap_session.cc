#include "daemon/imap/imap_session.h"

#include <algorithm>

#include "config/text.h"
#include "parsers/mutf7.h"

namespace schoolmail {
namespace {

Status Refused(const std::string& what, const ImapReply& reply) {
  return Status::Error(what + " refused: " + reply.status.text +
                           (reply.status.code.empty()
                                ? ""
                                : " [" + reply.status.code + "]"),
                       Scope::kItem, Retry::kNever);
}

}  // namespace

std::string MailboxArgument(const std::string& folder, char delimiter) {
  std::string path;
  for (const std::string& part : SplitList(folder, "/")) {
    // Folder names come from class and subject names: keep each part short
    // (cut at a character boundary) so the name stays a quoted string.
    std::string clean = part.substr(0, 120);
    while (!clean.empty() && !IsValidUtf8(clean)) clean.pop_back();
    std::replace(clean.begin(), clean.end(), delimiter, '_');
    if (!path.empty()) path.push_back(delimiter);
    path += EncodeMailboxName(clean);
  }
  if (folder == "INBOX") path = "INBOX";
  return QuoteImapString(path).head;
}

Result<std::unique_ptr<ImapSession>> ImapSession::Open(
    const ImapEndpoint& endpoint) {
  auto transport = ImapTransport::Connect(endpoint);
  if (!transport) return transport.status();
  std::unique_ptr<ImapSession> session(new ImapSession());
  session->transport_ = std::move(transport).value();
  auto reply = session->Command("CAPABILITY");
  if (!reply) return reply.status();
  for (const ImapResponse& r : reply->untagged) {
    if (r.name != "CAPABILITY") continue;
    auto capabilities = ParseCapabilities(r);
    if (capabilities) session->capabilities_ = *capabilities;
  }
  return session;
}

Result<std::optional<ImapResponse>> ImapSession::ReadResponseUntil(
    std::chrono::steady_clock::time_point deadline) {
  while (true) {
    auto next = reader_.Next();
    if (!next) return next.status();
    if (*next) return std::move(*next);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::optional<ImapResponse>();
    // Straight into the reader's buffer: room for the rest of a literal
    // (within the room the reader set aside for it), 64 KB to 1 MB.
    const size_t owed = reader_.literal_bytes_owed();
    transport_->ExpectAtLeast(owed);
    std::span<char> room = reader_.Reserve(
        std::clamp<size_t>(owed, size_t{64} << 10, size_t{1} << 20));
    auto got = transport_->Receive(
        room, std::min(left, std::chrono::milliseconds(1000)));
    reader_.Written(got ? *got : 0);
    if (!got) return got.status();
  }
}

Result<ImapResponse> ImapSession::ReadResponse() {
  auto response = ReadResponseUntil(std::chrono::steady_clock::now() + timeout_);
  if (!response) return response.status();
  if (!*response) {
    return Status::Error("the IMAP server did not answer in time",
                         Scope::kMailbox, Retry::kNow);
  }
  return std::move(**response);
}

Status ImapSession::StartIdle() {
  idle_tag_ = "s" + std::to_string(next_tag_++);
  Status sent = transport_->Send(idle_tag_ + " IDLE\r\n", timeout_);
  if (!sent.ok()) return sent;
  while (true) {
    auto response = ReadResponse();
    if (!response) return response.status();
    if (response->kind == ImapResponseKind::kContinuation) return Status::Ok();
    if (response->kind == ImapResponseKind::kTagged && response->tag == idle_tag_) {
      return Status::Error("IDLE refused: " + response->text, Scope::kMailbox,
                           Retry::kLater);
    }
  }
}

Result<bool> ImapSession::WaitIdle(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool news = false;
  while (true) {
    auto response = ReadResponseUntil(deadline);
    if (!response) return response.status();
    if (!*response) return news;
    const ImapResponse& r = **response;
    if (r.name == "BYE") {
      return Status::Error("the IMAP server ended IDLE: " + r.text,
                           Scope::kMailbox, Retry::kNow);
    }
    if (r.name == "EXISTS" || r.name == "RECENT") news = true;
    // Return as soon as the burst is over.
    deadline = std::min(deadline, std::chrono::steady_clock::now() +
                                      std::chrono::milliseconds(200));
  }
}

Status ImapSession::StopIdle() {
  Status sent = transport_->Send("DONE\r\n", timeout_);
  if (!sent.ok()) return sent;
  while (true) {
    auto response = ReadResponse();
    if (!response) return response.status();
    if (response->kind == ImapResponseKind::kTagged && response->tag == idle_tag_) {
      return Status::Ok();
    }
  }
}

Result<ImapReply> ImapSession::Command(const std::string& command,
                                       const std::vector<std::string>& literals) {
  std::string tag = "s" + std::to_string(next_tag_++);
  Status sent = transport_->Send(tag + " " + command + "\r\n", timeout_);
  if (!sent.ok()) return sent;
  size_t literal = 0;
  ImapReply reply;
  while (true) {
    auto response = ReadResponse();
    if (!response) return response.status();
    if (response->kind == ImapResponseKind::kContinuation) {
      if (literal >= literals.size()) {
        return Status::Error("unexpected continuation from the server",
                             Scope::kMailbox, Retry::kNow);
      }
      Status more = transport_->Send(literals[literal++] + "\r\n", timeout_);
      if (!more.ok()) return more;
      continue;
    }
    if (response->kind == ImapResponseKind::kTagged) {
      if (response->tag != tag) continue;  // a stale reply
      auto status = ParseStatusResponse(*response);
      if (!status) return status.status();
      reply.status = std::move(status).value();
      reader_.ReleaseSpare();
      return reply;
    }
    if (response->name == "BYE") {
      return Status::Error("the IMAP server said BYE: " + response->text,
                           Scope::kMailbox, Retry::kNow);
    }
    reply.untagged.push_back(std::move(response).value());
  }
}

Result<FolderInfo> ImapSession::Open(const std::string& verb,
                                     const std::string& folder) {
  auto delimiter = Delimiter();
  if (!delimiter) return delimiter.status();
  auto reply = Command(verb + " " + MailboxArgument(folder, *delimiter));
  if (!reply) return reply.status();
  if (reply->status.status != ImapStatus::kOk) {
    return Refused(verb + " " + folder, *reply);
  }
  FolderInfo info;
  for (const ImapResponse& r : reply->untagged) {
    if (auto exists = ParseExists(r)) info.exists = *exists;
    if (r.IsStatus()) {
      auto status = ParseStatusResponse(r);
      if (status && status->uid_validity) info.uid_validity = *status->uid_validity;
      if (status && status->uid_next) info.uid_next = *status->uid_next;
    }
  }
  if (info.uid_validity == 0) {
    return Status::Error(verb + " " + folder + " gave no UIDVALIDITY",
                         Scope::kMailbox, Retry::kLater);
  }
  return info;
}

Result<FolderInfo> ImapSession::Examine(const std::string& folder) {
  return Open("EXAMINE", folder);
}

Result<FolderInfo> ImapSession::Select(const std::string& folder) {
  return Open("SELECT", folder);
}

Result<std::vector<std::uint32_t>> ImapSession::UidsAfter(std::uint32_t after) {
  auto reply = Command("UID SEARCH UID " + std::to_string(after + 1) + ":*");
  if (!reply) return reply.status();
  if (reply->status.status != ImapStatus::kOk) {
    return Refused("UID SEARCH", *reply);
  }
  std::vector<std::uint32_t> uids;
  for (const ImapResponse& r : reply->untagged) {
    if (r.name != "SEARCH") continue;
    auto found = ParseSearch(r);
    if (!found) return found.status();
    for (std::uint32_t uid : *found) {
      if (uid > after) uids.push_back(uid);
    }
  }
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  return uids;
}

Result<std::vector<FetchItem>> ImapSession::UidFetch(
    const std::vector<std::uint32_t>& uids, const std::string& items) {
  if (uids.empty()) return std::vector<FetchItem>{};
  auto reply = Command("UID FETCH " + FormatUidSet(uids) + " " + items);
  if (!reply) return reply.status();
  if (reply->status.status != ImapStatus::kOk) {
    return Refused("UID FETCH", *reply);
  }
  std::vector<FetchItem> fetched;
  for (ImapResponse& r : reply->untagged) {
    if (r.name != "FETCH") continue;
    auto item = ParseFetch(std::move(r));
    if (!item) return item.status();
    if (item->uid) fetched.push_back(std::move(item).value());
  }
  return fetched;
}

Result<char> ImapSession::Delimiter() {
  if (delimiter_) return *delimiter_;
  auto reply = Command("LIST \"\" \"\"");
  if (!reply) return reply.status();
  for (const ImapResponse& r : reply->untagged) {
    if (r.name != "LIST") continue;
    auto entry = ParseList(r);
    if (entry && entry->delimiter) {
      delimiter_ = *entry->delimiter;
      return *delimiter_;
    }
  }
  delimiter_ = '/';
  return *delimiter_;
}

Result<bool> ImapSession::FolderExists(const std::string& folder) {
  auto delimiter = Delimiter();
  if (!delimiter) return delimiter.status();
  auto reply = Command("LIST \"\" " + MailboxArgument(folder, *delimiter));
  if (!reply) return reply.status();
  for (const ImapResponse& r : reply->untagged) {
    if (r.name == "LIST") return true;
  }
  return false;
}

Status ImapSession::EnsureFolder(const std::string& folder) {
  if (known_folders_.count(folder) != 0) return Status::Ok();
  auto exists = FolderExists(folder);
  if (!exists) return exists.status();
  if (*exists) {
    known_folders_.insert(folder);
    return Status::Ok();
  }
  auto delimiter = Delimiter();
  if (!delimiter) return delimiter.status();
  auto reply = Command("CREATE " + MailboxArgument(folder, *delimiter));
  if (!reply) return reply.status();
  if (reply->status.status != ImapStatus::kOk &&
      reply->status.code != "ALREADYEXISTS") {
    return Refused("CREATE " + folder, *reply);
  }
  known_folders_.insert(folder);
  return Status::Ok();
}

Result<std::optional<std::string>> ImapSession::FindSpecialUse(
    const std::string& attribute) {
  auto delimiter = Delimiter();
  if (!delimiter) return delimiter.status();
  auto reply = Command(HasCapability("SPECIAL-USE")
                           ? "LIST \"\" \"*\" RETURN (SPECIAL-USE)"
                           : "LIST \"\" \"*\"");
  if (!reply) return reply.status();
  for (const ImapResponse& r : reply->untagged) {
    if (r.name != "LIST") continue;
    auto entry = ParseList(r);
    if (!entry || !HasFlag(entry->attributes, attribute)) continue;
    auto name = DecodeMailboxName(entry->name);
    if (!name) continue;
    std::replace(name->begin(), name->end(), *delimiter, '/');
    return std::optional<std::string>(*name);
  }
  return std::optional<std::string>();
}

// UID sets of at most kUidsPerCommand UIDs each, so that no command line
// grows past a few KB whatever the backlog (Dovecot refuses lines over
// 64 KB; RFC 7162 recommends 8 KB).
static std::vector<std::string> UidSetChunks(
    const std::vector<std::uint32_t>& uids) {
  constexpr size_t kUidsPerCommand = 500;  // at most ~5.5 KB of UIDs
  std::vector<std::string> sets;
  for (size_t start = 0; start < uids.size(); start += kUidsPerCommand) {
    std::vector<std::uint32_t> chunk(
        uids.begin() + static_cast<std::ptrdiff_t>(start),
        uids.begin() + static_cast<std::ptrdiff_t>(
                           std::min(uids.size(), start + kUidsPerCommand)));
    sets.push_back(FormatUidSet(chunk));
  }
  return sets;
}

Status ImapSession::AddFlags(const std::vector<std::uint32_t>& uids,
                             const std::string& flags) {
  for (const std::string& set : UidSetChunks(uids)) {
    auto reply =
        Command("UID STORE " + set + " +FLAGS.SILENT (" + flags + ")");
    if (!reply) return reply.status();
    if (reply->status.status != ImapStatus::kOk) {
      return Refused("UID STORE", *reply);
    }
  }
  return Status::Ok();
}

Status ImapSession::Move(const std::vector<std::uint32_t>& uids,
                         const std::string& folder) {
  if (uids.empty()) return Status::Ok();
  auto delimiter = Delimiter();
  if (!delimiter) return delimiter.status();
  std::string target = MailboxArgument(folder, *delimiter);
  if (!HasCapability("MOVE") && !HasCapability("UIDPLUS")) {
    return Status::Error("the server offers neither MOVE nor UIDPLUS",
                         Scope::kMailbox, Retry::kNever);
  }
  for (const std::string& id : UidSetChunks(uids)) {
    if (HasCapability("MOVE")) {
      auto reply = Command("UID MOVE " + id + " " + target);
      if (!reply) return reply.status();
      if (reply->status.status != ImapStatus::kOk) {
        return Refused("UID MOVE", *reply);
      }
      continue;
    }
    auto copy = Command("UID COPY " + id + " " + target);
    if (!copy) return copy.status();
    if (copy->status.status != ImapStatus::kOk) return Refused("UID COPY", *copy);
    auto flagged = Command("UID STORE " + id + " +FLAGS.SILENT (\\Deleted)");
    if (!flagged) return flagged.status();
    if (flagged->status.status != ImapStatus::kOk) {
      return Refused("UID STORE", *flagged);
    }
    auto expunge = Command("UID EXPUNGE " + id);  // those UIDs only
    if (!expunge) return expunge.status();
    if (expunge->status.status != ImapStatus::kOk) {
      return Refused("UID EXPUNGE", *expunge);
    }
  }
  return Status::Ok();
}

void ImapSession::Logout() { (void)Command("LOGOUT"); }

}  // namespace schoolmail
