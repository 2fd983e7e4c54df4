// IMAP server responses (RFC 3501, with LITERAL+, UIDPLUS, ESEARCH,
// CONDSTORE/QRESYNC, BINARY and SPECIAL-USE extras): bytes in, values out.
//
// Pure: no I/O, clock or logging; never throws; hostile input gives an error
// Status, never a crash, and memory stays bounded by ImapReaderLimits. The
// daemon feeds ImapResponseReader whatever the socket delivered and takes
// complete responses out; the typed extractors below read those responses.
// Parenthesis nesting is parsed with an explicit stack and capped, so the
// value tree (and its destructor's recursion) is never deeper than the cap.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/status.h"

namespace schoolmail {

// One value of a response, as the server wrote it.
struct ImapValue {
  enum class Kind {
    kAtom,     // FLAGS, \Seen, 1:3,7, BODY[HEADER.FIELDS (MESSAGE-ID)]
    kNumber,   // digits only, fits in 64 bits
    kQuoted,   // "..."
    kLiteral,  // {n}, {n+} or ~{n}: n bytes, byte-exact
    kNil,      // NIL, any case
    kList,     // ( ... )
  };
  Kind kind = Kind::kNil;
  // Atom, number and NIL: as written. Quoted: with escapes removed. Literal:
  // its bytes. List: empty. A "[...]" inside an atom (BODY[...]) stays in
  // its atom, spaces and parentheses included.
  std::string text;
  std::uint64_t number = 0;      // kNumber only
  std::vector<ImapValue> items;  // kList only

  // True for an atom equal to `word`, ignoring ASCII case.
  bool IsAtom(std::string_view word) const;
  // An astring (mailbox names): atom, number, quoted, literal, and a bare NIL
  // (which in an astring position is the name "NIL"). nullopt for a list.
  std::optional<std::string_view> AsAString() const;
  // An nstring: quoted or literal; nullopt for NIL and anything else.
  std::optional<std::string_view> AsNString() const;

  bool operator==(const ImapValue&) const = default;
};

enum class ImapResponseKind {
  kTagged,        // "A7 OK ...": always a status response
  kUntagged,      // "* ..."
  kContinuation,  // "+ ...": the server waits for a literal or IDLE's DONE
};

struct ImapResponse {
  ImapResponseKind kind = ImapResponseKind::kUntagged;
  std::string tag;                      // kTagged only
  std::optional<std::uint32_t> number;  // "* 3 FETCH": 3
  // Upper-cased: "OK", "NO", "BAD", "PREAUTH", "BYE", "FETCH", "LIST", ...
  // Empty for a continuation.
  std::string name;
  // Status responses and continuations: the "[...]" response code as values
  // (code name first), empty without one; then the human text after it.
  // A code that does not parse as values is split on spaces into atoms.
  std::vector<ImapValue> code;
  std::string text;
  // Other untagged responses: the values after the name.
  std::vector<ImapValue> data;
  // The response for logs: its lines joined, without CRLF, each literal
  // shown as "{n bytes}" instead of its content.
  std::string raw;

  // OK, NO, BAD, PREAUTH or BYE (tagged or untagged).
  bool IsStatus() const;

  bool operator==(const ImapResponse&) const = default;
};

// What ImapResponseReader accepts before it gives up on the connection.
struct ImapReaderLimits {
  // Bytes of one response outside its literals, line ends included. One
  // "* SEARCH" answer for a 100,000-message mailbox is about 700 KB. The
  // parsed values take at most about 36 bytes of memory per byte of this
  // (a value such as "1 " or "()" needs 2 bytes of input).
  std::size_t line_bytes = 1 << 20;
  // One literal: a whole message in "BODY[] {n}".
  std::size_t literal_bytes = std::size_t{64} << 20;
  // One response, literals included.
  std::size_t response_bytes = std::size_t{128} << 20;
  // Nested parentheses in one response (BODYSTRUCTURE of deep MIME trees).
  int depth = 100;
};

// Splits the byte stream from a server into responses; literal-aware.
//
// After "{n}\r\n" (also "{n+}\r\n", "~{n}\r\n") exactly n bytes belong to the
// response, whatever they hold. Only untagged non-status responses can carry
// literals (RFC 3501 grammar), so a status text ending in "{5}" is text.
// Lines end in CRLF; a bare LF is accepted too.
//
// Errors: a limit broken or an impossible literal size leaves the stream
// unsynchronised, so the reader fails for good (failed() is true, every
// later Next() repeats the error: drop the connection). A complete response
// that does not parse (garbage, bad quoting, unbalanced or too deep
// parentheses) is consumed and reported once; Next() then goes on with the
// following response.
//
// Cost: each byte is scanned once. Room for an announced literal is
// reserved at once, so its bytes are written into the buffer once and copied
// once out of it (ParseFetch(ImapResponse&&) then moves them on). The buffer
// is compacted only when its consumed part is at least half of it, so
// feeding 1 byte or 64 KB at a time stays linear.
class ImapResponseReader {
 public:
  explicit ImapResponseReader(ImapReaderLimits limits = {});

  // Appends bytes received from the server. Ignored once failed().
  void Feed(std::string_view bytes);

  // The same without a copy, for a caller that receives straight into the
  // reader: Reserve(n) gives room for up to n bytes at the end of the
  // buffer, valid until the next call on the reader; Written(k) then
  // appends the first k of them (k <= n; ignored once failed()).
  std::span<char> Reserve(std::size_t n);
  void Written(std::size_t k);

  // Inside an announced literal: how many of its bytes have not arrived
  // yet (at least that many more will come); 0 elsewhere.
  std::size_t literal_bytes_owed() const;

  // The next complete response, nullopt when more bytes are needed, or an
  // error (Scope::kMailbox, Retry::kLater).
  Result<std::optional<ImapResponse>> Next();

  bool failed() const { return failure_.has_value(); }
  // Bytes fed and not yet returned as responses (a partial response).
  std::size_t pending_bytes() const { return end_ - start_; }

  // Gives back a buffer grown for big literals when nothing is pending
  // (the session calls it after each command), so that an idle connection
  // holds little memory.
  void ReleaseSpare();

 private:
  Status Fail(std::string message);

  ImapReaderLimits limits_;
  void Compact();
  void Grow(std::size_t size, bool exact = false);

  // Bytes [start_, end_) of buffer_ are received and not yet returned;
  // buffer_'s size beyond end_ is room (never shrunk by receiving).
  std::string buffer_;
  std::size_t end_ = 0;
  std::size_t start_ = 0;  // first byte of the current response
  // The rest are relative to start_, so compaction does not touch them.
  std::size_t scan_ = 0;           // where the search for LF goes on
  std::size_t line_start_ = 0;     // first byte of the current line
  std::size_t line_bytes_ = 0;     // bytes of finished lines of this response
  std::size_t literal_total_ = 0;  // literal bytes of this response
  std::size_t literal_end_ = 0;    // while inside a literal: where it ends
  bool in_literal_ = false;
  bool may_have_literals_ = false;  // decided by the response's first line
  struct Piece {  // one line of the response and the literal after it
    std::size_t line_begin, line_end;  // without the line end
    std::size_t literal_begin, literal_size;
  };
  std::vector<Piece> pieces_;
  std::optional<Status> failure_;
};

// The limit for expanding uid-sets ("1:4294967295" is 4 billion UIDs).
inline constexpr std::size_t kMaxExpandedUids = 1'000'000;

// "1:3,7" <-> {1, 2, 3, 7}.
// FormatUidSet sorts, drops duplicates and zeros (0 is never a UID) and
// joins runs; "" for an empty input.
std::string FormatUidSet(std::vector<std::uint32_t> uids);
// Expands each number or range in the order written (a range ascending,
// "5:3" == "3:5"), duplicates kept. nullopt for "*", 0, numbers above
// 4294967295, anything malformed, or more than `max_uids` UIDs in all.
std::optional<std::vector<std::uint32_t>> ParseUidSet(
    std::string_view set, std::size_t max_uids = kMaxExpandedUids);

// IMAP date-time "dd-Mon-yyyy hh:mm:ss +zzzz" (day may be " 8" or "8",
// month in any case, surrounding quotes allowed) -> Unix seconds, UTC.
// nullopt for anything else or an impossible date; a leap second ":60"
// counts as the next minute.
std::optional<std::int64_t> ParseInternalDate(std::string_view text);
// The reverse, for APPEND, without quotes: "28-Nov-2026 17:59:59 +0300"
// (day zero-padded) for the instant `unix_seconds` seen at UTC offset
// `offset_minutes`. REQUIRES: |offset_minutes| < 24 * 60. Local times
// outside the years 0001..9999 are clamped to them.
std::string FormatInternalDate(std::int64_t unix_seconds, int offset_minutes);

inline constexpr std::size_t kMaxQuotedBytes = 1024;

// A string argument for a command.
struct ImapStringArg {
  // Quoted: the complete "..." form. Literal: the announcement "{n}" (or
  // "{n+}"); the command line must end right after it with CRLF, and the
  // bytes follow once the server answered "+" (at once for "{n+}").
  std::string head;
  bool literal = false;
  std::string literal_bytes;  // the string itself when `literal`
};
// Strings with CR, LF, NUL, other control bytes, 8-bit bytes or more than
// kMaxQuotedBytes bytes become literals (RFC 3501 forbids them in quoted
// strings; NUL is not allowed in a literal either, so the server will
// refuse such a string, cleanly); others are quoted with \" and \\ escaped.
// CR and LF therefore never reach a command line outside a counted literal.
// `non_synchronizing`: announce "{n+}" (server has LITERAL+).
ImapStringArg QuoteImapString(std::string_view text,
                              bool non_synchronizing = false);

// ---- Typed extractors. Keywords match in any case; unknown items, extra
// ---- items and any item order are tolerated. Errors: Scope::kItem.

enum class ImapStatus { kOk, kNo, kBad, kPreauth, kBye };

// [COPYUID v source-set dest-set] of UID COPY / UID MOVE (RFC 4315).
struct CopyUid {
  std::uint32_t uid_validity = 0;          // of the destination mailbox
  std::vector<std::uint32_t> source_uids;  // pairwise with dest_uids
  std::vector<std::uint32_t> dest_uids;
};

// [APPENDUID v uid-set] of APPEND.
struct AppendUid {
  std::uint32_t uid_validity = 0;
  std::vector<std::uint32_t> uids;  // one per appended message
};

struct StatusResponse {
  std::string tag;  // "" when untagged
  ImapStatus status = ImapStatus::kOk;
  // Upper-cased code name ("UIDVALIDITY", "READ-ONLY", "TRYCREATE",
  // "ALREADYEXISTS", "OVERQUOTA", "NONEXISTENT", ...); "" without a code.
  std::string code;
  std::optional<std::uint32_t> uid_validity;                // [UIDVALIDITY n]
  std::optional<std::uint32_t> uid_next;                    // [UIDNEXT n]
  std::optional<std::uint32_t> unseen;                      // [UNSEEN n]
  std::optional<std::uint64_t> highest_modseq;              // [HIGHESTMODSEQ n]
  std::optional<std::vector<std::string>> permanent_flags;  // as written
  std::optional<std::set<std::string>> capabilities;        // upper-cased
  std::optional<CopyUid> copy_uid;
  std::optional<AppendUid> append_uid;
  // Why the arguments of a known code were not understood ("" when they
  // were); the status itself still counts.
  std::string code_defect;
  std::string text;
};
// Any OK/NO/BAD/PREAUTH/BYE response. Never fails on its code: a bad code
// fills code_defect. Error only for a response that is not a status.
Result<StatusResponse> ParseStatusResponse(
    const ImapResponse& response, std::size_t max_uids = kMaxExpandedUids);

// "* CAPABILITY ..." or a status response with [CAPABILITY ...]: the
// capabilities upper-cased ("IMAP4REV1", "AUTH=PLAIN", "LITERAL+").
Result<std::set<std::string>> ParseCapabilities(const ImapResponse& response);

// "* n EXISTS", "* n EXPUNGE", "* n RECENT": n; nullopt for anything else.
std::optional<std::uint32_t> ParseExists(const ImapResponse& response);
std::optional<std::uint32_t> ParseExpunge(const ImapResponse& response);
std::optional<std::uint32_t> ParseRecent(const ImapResponse& response);

struct Vanished {  // "* VANISHED (EARLIER) 41,43:116" (QRESYNC)
  bool earlier = false;
  std::vector<std::uint32_t> uids;
};
Result<Vanished> ParseVanished(const ImapResponse& response,
                               std::size_t max_uids = kMaxExpandedUids);

struct FetchItem {
  std::uint32_t seq = 0;
  std::optional<std::uint32_t> uid;
  std::optional<std::vector<std::string>> flags;  // as written: \Seen, $Late
  std::optional<std::string> internal_date;       // as the server wrote it
  std::optional<std::int64_t> internal_time;  // Unix seconds, when it parsed
  std::optional<std::uint64_t> size;          // RFC822.SIZE
  std::optional<std::uint64_t> modseq;        // MODSEQ (n)
  // BODY[] (the answer to BODY[] and BODY.PEEK[]) or BINARY[]: the message,
  // byte-exact. A partial BODY[]<n> is not a whole message and is ignored.
  std::optional<std::string> body;
  // BODY[HEADER.FIELDS (...)], whichever fields were asked for.
  std::optional<std::string> header_fields;
};
// "* n FETCH (...)". The rvalue overload moves the body out of the
// response instead of copying it.
Result<FetchItem> ParseFetch(const ImapResponse& response);
Result<FetchItem> ParseFetch(ImapResponse&& response);

// True when `flags` holds `flag`, ignoring ASCII case (flags, keywords and
// LIST attributes all compare that way).
bool HasFlag(const std::vector<std::string>& flags, std::string_view flag);

struct ListEntry {  // "* LIST (\HasNoChildren \Sent) "/" Sent", also LSUB
  std::vector<std::string> attributes;  // as written
  std::optional<char> delimiter;        // nullopt for NIL
  // As sent: modified UTF-7 (parsers/mutf7.h) unless UTF8=ACCEPT is on.
  std::string name;
};
Result<ListEntry> ParseList(const ImapResponse& response);

// "* SEARCH 1 2 3" (a trailing "(MODSEQ n)" is skipped).
Result<std::vector<std::uint32_t>> ParseSearch(const ImapResponse& response);

// "* ESEARCH (TAG "A5") UID MIN 1 MAX 7 ALL 1:3,7 COUNT 4" (RFC 4731).
struct ESearch {
  std::string tag;  // the correlator, "" without one
  bool uid = false;
  std::optional<std::vector<std::uint32_t>> all;  // expanded
  std::optional<std::uint32_t> min;
  std::optional<std::uint32_t> max;
  std::optional<std::uint32_t> count;
  std::optional<std::uint64_t> modseq;
};
Result<ESearch> ParseESearch(const ImapResponse& response,
                             std::size_t max_uids = kMaxExpandedUids);

struct MailboxStatus {  // "* STATUS INBOX (MESSAGES 3 UIDNEXT 9 ...)"
  std::string mailbox;  // as sent (modified UTF-7)
  std::optional<std::uint32_t> messages;
  std::optional<std::uint32_t> recent;
  std::optional<std::uint32_t> uid_next;
  std::optional<std::uint32_t> uid_validity;
  std::optional<std::uint32_t> unseen;
  std::optional<std::uint64_t> highest_modseq;
  std::optional<std::uint64_t> size;  // STATUS=SIZE
};
Result<MailboxStatus> ParseMailboxStatus(const ImapResponse& response);

}  // namespace schoolmail
