// One message, as schoolmail decides on it: the raw bytes of a mail in, a
// ParsedMessage (or a rejection naming the limit it broke) out.
//
// Pure: no disk, network, clock or logging; never throws; the input is
// only read. Limits are checked by a linear, non-recursive scan before any
// part is decoded, so hostile nesting cannot overflow the stack and memory
// stays bounded by the message itself. Structure (headers, boundaries) is
// found by that scan over the original bytes; mimetic parses each
// structured field value (Content-Type, Content-Disposition) and decodes
// quoted-printable; encoded-words, RFC 2231, charsets and base64 are ours
// (parsers/encoded_words.h, charset.h, base64.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/settings.h"
#include "parsers/address_list.h"

namespace schoolmail {

enum class MessageKind {
  kOrdinary,
  kAutoReply,       // RFC 3834 Auto-Submitted, vendor vacation headers
  kDeliveryReport,  // multipart/report, null sender, mailer-daemon
  kBulk,            // mailing lists, Precedence: bulk/list/junk
};
const char* MessageKindName(MessageKind kind);  // "ordinary", "auto_reply", ...

struct Attachment {
  std::string name;          // decoded file name, UTF-8; data, never a path
  std::string content_type;  // "image/jpeg", lower case
  std::uint64_t size = 0;    // decoded bytes
  std::string sha256;        // hex of the decoded bytes
  bool inline_part = false;  // Content-Disposition: inline (e.g. an image in
                             // the text), or no disposition
  std::string data;          // the decoded bytes, only with
                             // AttachmentData::kKeep
};

// Whether ParseMessage keeps attachments' decoded bytes (a teacher's
// worksheets to pass on) or only measures and hashes them (submissions).
enum class AttachmentData { kHashOnly, kKeep };

struct ParsedMessage {
  std::vector<MailAddress> from;
  std::vector<MailAddress> sender;
  std::vector<MailAddress> reply_to;
  std::vector<MailAddress> to;
  std::vector<MailAddress> cc;
  std::optional<std::string> return_path;  // "" for the null sender <>
  std::optional<std::string> subject;      // decoded; absent stays absent
  std::optional<std::string> date;         // as written
  std::optional<std::string> message_id;   // without <>; never invented
  std::vector<std::string> in_reply_to;    // ids without <>
  std::vector<std::string> references;
  std::optional<std::string> auto_submitted;
  std::optional<std::string> precedence;
  std::vector<std::pair<std::string, std::string>> list_headers;  // List-*
  std::vector<std::string> authentication_results;  // top first, unfolded

  std::string text;             // best text body, UTF-8, LF line ends
  bool text_from_html = false;  // converted from an HTML-only body
  std::vector<Attachment> attachments;
  MessageKind kind = MessageKind::kOrdinary;
  std::string kind_reason;            // the header or part that decided kind
  std::vector<std::string> defects;   // damage found and worked around
};

// Why a message was not parsed: the limit and what was found.
struct MimeRejection {
  std::string limit;   // config key in [limits], e.g. "mime_depth"
  std::string detail;  // e.g. "MIME nesting deeper than 20"
};

struct MimeParse {
  std::optional<ParsedMessage> message;    // set unless rejected
  std::optional<MimeRejection> rejection;  // set when a limit was hit
};

// Parses `bytes` (one RFC 5322 message, CRLF or LF) within `limits`.
MimeParse ParseMessage(std::string_view bytes, const Limits& limits,
                       AttachmentData data = AttachmentData::kHashOnly);

}  // namespace schoolmail
