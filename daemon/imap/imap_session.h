// IMAP commands over an ImapTransport, spoken by schoolmail itself: tags,
// literals, untagged data, and the few commands the intake needs.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/status.h"
#include "daemon/imap/imap_transport.h"
#include "parsers/imap_response.h"

namespace schoolmail {

struct FolderInfo {
  std::uint32_t uid_validity = 0;
  std::uint32_t uid_next = 0;
  std::uint32_t exists = 0;
};

struct ImapReply {
  StatusResponse status;                 // the tagged reply
  std::vector<ImapResponse> untagged;    // everything before it
};

class ImapSession {
 public:
  // Connects, logs in and asks for CAPABILITY.
  static Result<std::unique_ptr<ImapSession>> Open(const ImapEndpoint& endpoint);

  bool HasCapability(const std::string& name) const {
    return capabilities_.count(name) != 0;
  }

  // Sends `command` (with its arguments already quoted; `literals` are sent
  // after each "+" continuation) and reads to the tagged reply. A NO or BAD
  // reply is returned as a reply, not an error; a broken connection or an
  // unreadable reply is an error (Retry::kNow).
  Result<ImapReply> Command(const std::string& command,
                            const std::vector<std::string>& literals = {});

  // EXAMINE (read-only) or SELECT a folder given in UTF-8.
  Result<FolderInfo> Examine(const std::string& folder);
  Result<FolderInfo> Select(const std::string& folder);

  // UIDs above `after`, ascending (the server's echo of the last UID for
  // "n:*" is dropped: RELIABILITY case 7).
  Result<std::vector<std::uint32_t>> UidsAfter(std::uint32_t after);

  // UID FETCH of `uids` with `items`, e.g. "(UID FLAGS INTERNALDATE
  // RFC822.SIZE)" or "(UID BODY.PEEK[])". Messages expunged meanwhile are
  // simply absent from the result.
  Result<std::vector<FetchItem>> UidFetch(const std::vector<std::uint32_t>& uids,
                                          const std::string& items);

  // The hierarchy delimiter ('/' when the server gives none).
  Result<char> Delimiter();
  // True when the folder (UTF-8 path) exists.
  Result<bool> FolderExists(const std::string& folder);
  // LIST before CREATE: creates the folder unless it exists.
  Status EnsureFolder(const std::string& folder);
  // The folder (UTF-8 path, '/'-separated) carrying a SPECIAL-USE
  // attribute such as "\\Sent", or nullopt.
  Result<std::optional<std::string>> FindSpecialUse(const std::string& attribute);
  // Adds flags to messages of the selected folder, silently.
  Status AddFlags(const std::vector<std::uint32_t>& uids,
                  const std::string& flags);
  // Moves messages of the selected folder: UID MOVE, or COPY + \Deleted +
  // UID EXPUNGE of exactly those UIDs where only UIDPLUS is offered.
  Status Move(const std::vector<std::uint32_t>& uids, const std::string& folder);

  // IDLE (RFC 2177) on the examined or selected folder. REQUIRES: the IDLE
  // capability. StartIdle waits for the server's "+".
  Status StartIdle();
  // While idling: waits up to `timeout` for the server; true when it
  // reported new messages (EXISTS or RECENT).
  Result<bool> WaitIdle(std::chrono::milliseconds timeout);
  // Sends DONE and reads the end of the IDLE command.
  Status StopIdle();

  void Logout();

 private:
  ImapSession() = default;
  Result<FolderInfo> Open(const std::string& verb, const std::string& folder);
  Result<ImapResponse> ReadResponse();
  // nullopt when nothing complete arrived before `deadline`.
  Result<std::optional<ImapResponse>> ReadResponseUntil(
      std::chrono::steady_clock::time_point deadline);

  std::unique_ptr<ImapTransport> transport_;
  ImapResponseReader reader_;
  std::set<std::string> capabilities_;
  int next_tag_ = 1;
  std::optional<char> delimiter_;
  std::string idle_tag_;
  std::set<std::string> known_folders_;  // seen by LIST or made by CREATE
  std::chrono::seconds timeout_{120};
};

// A folder path (UTF-8, '/'-separated parts) as a quoted IMAP argument in
// modified UTF-7 with the server's delimiter.
std::string MailboxArgument(const std::string& folder, char delimiter);

}  // namespace schoolmail
