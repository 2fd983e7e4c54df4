// The outgoing message writer: an OutgoingMail in, a complete RFC 5322
// message out (CRLF line ends, every line under 998 octets), ready for the
// SMTP adapter. Ours rather than mimetic's writer, which emits bare LF and
// mangles UTF-8 in quoted-printable (TECH-NOTES "mimetic").
//
// Pure: no clock, disk, network or randomness (the caller passes the date
// and the Message-ID); never throws.
//
// Nothing taken from input can start a header line: header text (subject,
// display names, file names, extra header values) is made valid UTF-8,
// every control character (CR, LF, NUL, TAB, ...) becomes a space, runs of
// white space become one space and the ends are trimmed. Text that is not
// plain printable ASCII, or that holds "=?" or a word too long to fold, is
// written as RFC 2047 encoded-words (UTF-8, B), each at most 75 characters,
// never splitting a character. Addresses are refused, not repaired.
//
// Body encoding rule: text parts (plain and HTML) are utf-8 with every line
// end (CRLF, LF or a lone CR) made CRLF and a final line end added when
// missing; they go as quoted-printable when that is no longer than base64
// (mostly-ASCII text stays readable), otherwise as base64 (Cyrillic text:
// quoted-printable would triple it). Attachments are always base64.
// Boundaries start with "=_", which neither encoding can produce at the
// start of a line, so they cannot collide with content.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/status.h"

namespace schoolmail {

// Named apart from parsers/address_list.h's MailAddress (an address as read,
// with a validity flag): both live in namespace schoolmail and are linked
// into one program.
struct OutgoingAddress {
  std::string display_name;  // UTF-8; may be empty
  std::string address;       // "local@domain"; must pass IsSafeMailAddress
};

struct MailAttachment {
  std::string file_name;     // UTF-8; may be empty (no name is written)
  std::string content_type;  // "image/jpeg"; anything but a bare
                             // type/subtype becomes application/octet-stream
  std::string data;          // the bytes, any content
};

struct OutgoingMail {
  OutgoingAddress from;
  std::vector<OutgoingAddress> to;  // at least one
  std::optional<OutgoingAddress> reply_to;
  std::string subject;     // UTF-8; no Subject header when empty
  std::string message_id;  // "token@domain" (MakeMessageId), no brackets
  // Ids of the mail answered, without brackets. Ids that could not be
  // written safely (IsSafeMessageId) are left out: threading is best effort
  // and must not stop a receipt.
  std::vector<std::string> in_reply_to;
  std::vector<std::string> references;
  std::int64_t date = 0;       // unix seconds
  int utc_offset_minutes = 0;  // of the school's zone at `date`; |x| < 24 h
  std::string auto_submitted;  // "auto-replied", "auto-generated" or "" (none)
  // Names fixed by code (letters, digits, '-'; not a header the writer
  // writes itself); values may come from input.
  std::vector<std::pair<std::string, std::string>> extra_headers;
  std::string text;  // UTF-8 plain text; required (non-empty)
  std::string html;  // optional: multipart/alternative (text, then html)
  std::vector<MailAttachment> attachments;  // optional: multipart/mixed
};

// The complete message. An error (naming the field) for an unsafe address,
// a missing or unsafe Message-ID, no recipient, an empty text, a date or
// offset out of range, or a bad extra header name; never for header text.
Result<std::string> WriteMail(const OutgoingMail& mail);

// "<token>@<domain>" with every byte outside the safe set (ASCII letters,
// digits and ".-_+=$", plus nothing else) written as %XX, so distinct
// inputs stay distinct. REQUIRES: token and domain non-empty.
std::string MakeMessageId(std::string_view token, std::string_view domain);

// True when `address` is a plain addr-spec safe to put in a header and an
// SMTP command: at most 254 octets, exactly one '@' with a non-empty local
// part and domain, no control characters, spaces or any of <>"(),:;[]\ and
// valid UTF-8 (internationalised addresses pass; they need SMTPUTF8).
bool IsSafeMailAddress(std::string_view address);

// True when `id` (without brackets) can be written inside <...>: 1 to 250
// printable ASCII characters, none of <>()",\ and at least one '@' with
// text on both sides.
bool IsSafeMessageId(std::string_view id);

// `text` as quoted-printable lines: line ends (CRLF, LF, lone CR) made
// CRLF and a final one added when missing; lines at most 76 characters;
// '=', blanks ending a line and a '.' that would start one encoded; a UTF-8
// character's escapes never split by a soft line break. Exposed for tests.
std::string EncodeQuotedPrintable(std::string_view text);

}  // namespace schoolmail
