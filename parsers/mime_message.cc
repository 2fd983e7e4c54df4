#include "parsers/mime_message.h"

#include <mimetic/mimetic.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "config/text.h"
#include "parsers/base64.h"
#include "parsers/charset.h"
#include "parsers/encoded_words.h"
#include "parsers/html_text.h"
#include "parsers/sha256.h"

namespace schoolmail {
namespace {

constexpr size_t kChunk = 64 * 1024;  // encoded bytes decoded per step

struct Field {
  std::string name;   // lower case
  std::string value;  // unfolded, raw bytes
};

struct HeaderBlock {
  std::vector<Field> fields;
  size_t body_begin = 0;

  const std::string* Get(std::string_view name) const {
    for (const Field& f : fields) {
      if (f.name == name) return &f.value;
    }
    return nullptr;
  }
};

// What one entity's Content-* fields say.
struct ContentInfo {
  std::string type = "text";
  std::string subtype = "plain";
  std::vector<MimeParameter> type_parameters;
  std::string disposition;  // lower case; "" when absent
  std::vector<MimeParameter> disposition_parameters;
  std::string transfer_encoding;  // lower case

  std::string MediaType() const { return type + "/" + subtype; }
  std::string FileName() const {
    std::string name = DecodeParameter(disposition_parameters, "filename");
    if (name.empty()) name = DecodeParameter(type_parameters, "name");
    return name;
  }
};

struct Rejected {
  MimeRejection rejection;
};

// Lines end at LF; a CR before it is part of the line break.
size_t LineEnd(std::string_view bytes, size_t at, size_t end) {
  const void* lf = std::memchr(bytes.data() + at, '\n', end - at);
  return lf == nullptr ? end
                       : static_cast<size_t>(static_cast<const char*>(lf) -
                                             bytes.data());
}

std::string_view StripCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Reads the header block of the entity starting at `begin`; the body starts
// after the first empty line (or at the first line that is neither a field
// nor a continuation, which is noted as a defect).
HeaderBlock ReadHeader(std::string_view bytes, size_t begin, size_t end,
                       const Limits& limits, std::vector<std::string>* defects) {
  HeaderBlock block;
  size_t at = begin;
  while (at < end) {
    size_t line_end = LineEnd(bytes, at, end);
    std::string_view line = StripCr(bytes.substr(at, line_end - at));
    size_t next = line_end < end ? line_end + 1 : end;
    if (line.empty()) {
      block.body_begin = next;
      break;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (!block.fields.empty()) {
        block.fields.back().value += line;  // unfold: CRLF removed, WSP kept
      }
      at = next;
      if (at - begin > limits.header_bytes) break;
      continue;
    }
    size_t colon = line.find(':');
    std::string_view name = colon == std::string_view::npos
                                ? std::string_view()
                                : Trim(line.substr(0, colon));
    bool valid_name = !name.empty() &&
                      name.find_first_of(" \t") == std::string_view::npos;
    if (!valid_name) {
      if (block.fields.empty() && line.rfind("From ", 0) == 0) {
        at = next;  // an mbox "From " separator line before the header
        continue;
      }
      defects->push_back("header ends at a line that is not a field: \"" +
                         std::string(line.substr(0, 40)) + "\"");
      block.body_begin = at;
      break;
    }
    block.fields.push_back(
        Field{LowerAscii(name), std::string(line.substr(colon + 1))});
    at = next;
    block.body_begin = at;
    if (at - begin > limits.header_bytes) break;
  }
  if (at >= end && block.body_begin < at) block.body_begin = end;
  if (at - begin > limits.header_bytes ||
      block.body_begin - begin > limits.header_bytes) {
    throw Rejected{{"header_bytes", "a header block is larger than " +
                                        std::to_string(limits.header_bytes) +
                                        " bytes"}};
  }
  return block;
}

ContentInfo ReadContentInfo(const HeaderBlock& header, bool in_digest,
                            std::vector<std::string>* defects) {
  ContentInfo info;
  if (in_digest) {
    info.type = "message";
    info.subtype = "rfc822";
  }
  if (const std::string* value = header.Get("content-type")) {
    ContentField field = ParseContentField(*value);
    size_t slash = field.value.find('/');
    std::string t = field.value.substr(0, slash);
    std::string s = slash == std::string::npos ? "" : field.value.substr(slash + 1);
    if (!t.empty() && !s.empty() &&
        (t + s).find_first_of(" /\"\t") == std::string::npos) {
      info.type = t;
      info.subtype = s;
    } else {
      defects->push_back("unreadable Content-Type \"" +
                         std::string(Trim(DecodeUndeclared(value->substr(0, 60)))) +
                         "\": read as text/plain");
      info.type = "text";
      info.subtype = "plain";
    }
    info.type_parameters = std::move(field.parameters);
  }
  if (const std::string* value = header.Get("content-disposition")) {
    ContentField field = ParseContentField(*value);
    info.disposition = field.value;
    info.disposition_parameters = std::move(field.parameters);
  }
  if (const std::string* value = header.Get("content-transfer-encoding")) {
    info.transfer_encoding = LowerAscii(Trim(*value));
  }
  return info;
}

// Decodes a part's body; `sink` gets decoded chunks in order.
template <typename Sink>
void DecodeBody(std::string_view body, const std::string& encoding,
                std::vector<std::string>* defects, Sink&& sink) {
  if (encoding == "base64") {
    Base64Decoder decoder;
    std::string chunk;
    for (size_t at = 0; at < body.size(); at += kChunk) {
      chunk.clear();
      decoder.Decode(body.substr(at, kChunk), &chunk);
      sink(std::string_view(chunk));
    }
    chunk.clear();
    decoder.Finish(&chunk);
    sink(std::string_view(chunk));
    if (decoder.damaged()) defects->push_back("damaged base64 in a part");
    return;
  }
  if (encoding == "quoted-printable") {
    // A '=' that ends the body is a soft line break whose line break went to
    // the boundary; mimetic would keep it as a character.
    std::string_view trimmed = body;
    while (!trimmed.empty() &&
           (trimmed.back() == ' ' || trimmed.back() == '\t')) {
      trimmed.remove_suffix(1);
    }
    if (!trimmed.empty() && trimmed.back() == '=') {
      trimmed.remove_suffix(1);
      body = trimmed;
    }
    std::string out;
    out.reserve(body.size());
    try {
      mimetic::QP::Decoder qp;
      mimetic::decode(body.begin(), body.end(), qp, std::back_inserter(out));
    } catch (const std::exception&) {
      defects->push_back("damaged quoted-printable in a part");
    }
    sink(std::string_view(out));
    return;
  }
  sink(body);
}

std::string NormalizeLineEnds(std::string text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') continue;
      out.push_back('\n');
      continue;
    }
    out.push_back(text[i]);
  }
  return out;
}

// Finds the delimiter lines "--boundary" of a multipart body within
// [begin, end); returns the parts between them. Missing close delimiter:
// the last part runs to `end` (a defect).
std::vector<std::pair<size_t, size_t>> SplitMultipart(
    std::string_view bytes, size_t begin, size_t end,
    const std::string& boundary, size_t max_parts,
    std::vector<std::string>* defects) {
  std::vector<std::pair<size_t, size_t>> parts;
  std::string delimiter = "--" + boundary;
  size_t at = begin;
  size_t part_begin = std::string_view::npos;
  bool closed = false;
  while (at < end) {
    const void* hit = memmem(bytes.data() + at, end - at, delimiter.data(),
                             delimiter.size());
    if (hit == nullptr) break;
    size_t pos = static_cast<size_t>(static_cast<const char*>(hit) -
                                     bytes.data());
    at = pos + delimiter.size();
    if (pos != begin && bytes[pos - 1] != '\n') continue;  // not line start
    size_t line_end = LineEnd(bytes, at, end);
    std::string_view rest = StripCr(bytes.substr(at, line_end - at));
    bool close = rest.substr(0, 2) == "--";
    if (close) rest.remove_prefix(2);
    if (!Trim(rest).empty()) continue;  // "--boundaryXYZ": a longer boundary
    // The line break before the delimiter belongs to the delimiter.
    size_t content_end = pos;
    if (content_end > begin && bytes[content_end - 1] == '\n') --content_end;
    if (content_end > begin && bytes[content_end - 1] == '\r') --content_end;
    if (part_begin != std::string_view::npos) {
      parts.emplace_back(part_begin, std::max(part_begin, content_end));
      if (parts.size() > max_parts) return parts;  // the caller rejects
    }
    part_begin = line_end < end ? line_end + 1 : end;
    at = part_begin;
    if (close) {
      closed = true;
      break;
    }
  }
  if (!closed) {
    if (part_begin != std::string_view::npos) {
      parts.emplace_back(part_begin, end);
      defects->push_back("multipart without its closing boundary --" +
                         boundary + "--");
    } else {
      defects->push_back("multipart body without any boundary --" + boundary +
                         ": read as text");
    }
  }
  return parts;
}

struct Work {
  size_t begin;
  size_t end;
  int depth;
  bool in_digest;
  bool in_alternative;
};

struct Leaf {
  ContentInfo info;
  size_t body_begin;
  size_t body_end;
  bool in_alternative;
};

void Classify(const HeaderBlock& top, const ContentInfo& top_info,
              ParsedMessage* message) {
  auto set = [&](MessageKind kind, std::string reason) {
    message->kind = kind;
    message->kind_reason = std::move(reason);
  };
  std::string from_local;
  if (!message->from.empty()) {
    from_local = LowerAscii(message->from[0].address.substr(
        0, message->from[0].address.find('@')));
  }
  if (top_info.type == "multipart" && top_info.subtype == "report") {
    return set(MessageKind::kDeliveryReport, "Content-Type: multipart/report");
  }
  if (top_info.type == "message" && top_info.subtype == "delivery-status") {
    return set(MessageKind::kDeliveryReport,
               "Content-Type: message/delivery-status");
  }
  if (from_local == "mailer-daemon" || from_local == "postmaster") {
    return set(MessageKind::kDeliveryReport, "From: " + from_local);
  }
  if (message->auto_submitted) {
    std::string value = LowerAscii(Trim(*message->auto_submitted));
    if (!value.empty() && value.rfind("no", 0) != 0) {
      return set(MessageKind::kAutoReply, "Auto-Submitted: " + value);
    }
  }
  for (const char* name : {"x-autoreply", "x-autorespond", "x-autoreply-from",
                           "x-mail-autoreply"}) {
    if (top.Get(name) != nullptr) {
      return set(MessageKind::kAutoReply, std::string(name) + " header");
    }
  }
  std::string precedence =
      message->precedence ? LowerAscii(Trim(*message->precedence)) : "";
  if (precedence == "auto_reply") {
    return set(MessageKind::kAutoReply, "Precedence: auto_reply");
  }
  if (const std::string* suppress = top.Get("x-auto-response-suppress")) {
    // Exchange sets it on its own automatic replies together with this.
    if (top.Get("x-ms-exchange-inbox-rules-loop") != nullptr ||
        LowerAscii(*suppress).find("all") != std::string::npos) {
      if (top.Get("in-reply-to") != nullptr) {
        return set(MessageKind::kAutoReply,
                   "X-Auto-Response-Suppress on a reply");
      }
    }
  }
  if (message->subject) {
    std::string subject = LowerUtf8Cyrillic(*message->subject);
    for (const char* prefix :
         {"auto:", "automatic reply:", "auto reply:", "autoreply:",
          "autorespons", "auto-reply:", "out of office",
          "автоответ", "автоматический ответ", "отсутствую"}) {
      if (subject.rfind(prefix, 0) == 0) {
        return set(MessageKind::kAutoReply,
                   std::string("Subject starts with \"") + prefix + "\"");
      }
    }
  }
  if (message->return_path && message->return_path->empty()) {
    return set(MessageKind::kDeliveryReport, "null sender (Return-Path: <>)");
  }
  if (precedence == "bulk" || precedence == "list" || precedence == "junk") {
    return set(MessageKind::kBulk, "Precedence: " + precedence);
  }
  for (const auto& [name, value] : message->list_headers) {
    if (name == "list-id" || name == "list-unsubscribe" || name == "list-post") {
      return set(MessageKind::kBulk, name + " header");
    }
  }
}

void ReadTopHeader(const HeaderBlock& top, ParsedMessage* message) {
  for (const Field& f : top.fields) {
    const std::string& v = f.value;
    const std::string& n = f.name;
    if (n == "from") {
      auto list = ParseAddressList(v);
      message->from.insert(message->from.end(), list.begin(), list.end());
    } else if (n == "sender" && message->sender.empty()) {
      message->sender = ParseAddressList(v);
    } else if (n == "reply-to" && message->reply_to.empty()) {
      message->reply_to = ParseAddressList(v);
    } else if (n == "to") {
      auto list = ParseAddressList(v);
      message->to.insert(message->to.end(), list.begin(), list.end());
    } else if (n == "cc") {
      auto list = ParseAddressList(v);
      message->cc.insert(message->cc.end(), list.begin(), list.end());
    } else if (n == "return-path" && !message->return_path) {
      auto ids = ParseMessageIds(v);  // <addr> has the same shape
      std::string_view bare = Trim(v);
      message->return_path = ids.empty() ? (bare == "<>" ? "" : std::string(bare))
                                         : LowerAscii(ids.front());
    } else if (n == "subject" && !message->subject) {
      message->subject = DecodeHeaderText(v);
    } else if (n == "date" && !message->date) {
      message->date = std::string(Trim(DecodeUndeclared(v)));
    } else if (n == "message-id" && !message->message_id) {
      auto ids = ParseMessageIds(v);
      if (!ids.empty()) message->message_id = DecodeUndeclared(ids.front());
    } else if (n == "in-reply-to" && message->in_reply_to.empty()) {
      message->in_reply_to = ParseMessageIds(v);
    } else if (n == "references" && message->references.empty()) {
      message->references = ParseMessageIds(v);
    } else if (n == "auto-submitted" && !message->auto_submitted) {
      message->auto_submitted = std::string(Trim(v));
    } else if (n == "precedence" && !message->precedence) {
      message->precedence = std::string(Trim(v));
    } else if (n.rfind("list-", 0) == 0) {
      message->list_headers.emplace_back(n, std::string(Trim(DecodeUndeclared(v))));
    } else if (n == "authentication-results") {
      message->authentication_results.push_back(
          std::string(Trim(DecodeUndeclared(v))));
    }
  }
}

ParsedMessage Parse(std::string_view bytes, const Limits& limits,
                    AttachmentData data) {
  if (bytes.size() > limits.message_bytes) {
    throw Rejected{{"message_bytes", "message of " +
                                         std::to_string(bytes.size()) +
                                         " bytes is larger than " +
                                         std::to_string(limits.message_bytes)}};
  }
  for (size_t at = 0; at < bytes.size();) {
    size_t line_end = LineEnd(bytes, at, bytes.size());
    if (line_end - at > limits.line_bytes) {
      throw Rejected{{"line_bytes", "a line is longer than " +
                                        std::to_string(limits.line_bytes) +
                                        " bytes"}};
    }
    at = line_end + 1;
  }

  ParsedMessage message;
  std::vector<Leaf> leaves;
  HeaderBlock top;
  ContentInfo top_info;
  // Depth-first over the entities in document order, with an explicit
  // stack: nesting never recurses.
  std::vector<Work> stack{{0, bytes.size(), 0, false, false}};
  int parts = 0;
  bool first = true;
  while (!stack.empty()) {
    Work work = stack.back();
    stack.pop_back();
    if (++parts > limits.mime_parts) {
      throw Rejected{{"mime_parts", "more than " +
                                        std::to_string(limits.mime_parts) +
                                        " MIME parts"}};
    }
    HeaderBlock header =
        ReadHeader(bytes, work.begin, work.end, limits, &message.defects);
    ContentInfo info = ReadContentInfo(header, work.in_digest, &message.defects);
    if (first) {
      top = header;
      top_info = info;
      first = false;
    }
    if (info.type == "multipart") {
      std::string boundary = DecodeParameter(info.type_parameters, "boundary");
      // The boundary is compared as raw bytes: take it undecoded.
      for (const auto& [name, value] : info.type_parameters) {
        if (LowerAscii(name) == "boundary") boundary = value;
      }
      if (boundary.empty()) {
        message.defects.push_back("multipart/" + info.subtype +
                                  " without a boundary: read as text");
        info.type = "text";
        info.subtype = "plain";
      } else {
        if (work.depth + 1 > limits.mime_depth) {
          throw Rejected{{"mime_depth", "MIME nesting deeper than " +
                                            std::to_string(limits.mime_depth)}};
        }
        auto children = SplitMultipart(bytes, header.body_begin, work.end,
                                       boundary,
                                       static_cast<size_t>(limits.mime_parts),
                                       &message.defects);
        if (static_cast<size_t>(parts) + stack.size() + children.size() >
            static_cast<size_t>(limits.mime_parts)) {
          throw Rejected{{"mime_parts", "more than " +
                                            std::to_string(limits.mime_parts) +
                                            " MIME parts"}};
        }
        if (children.empty()) {  // no delimiter at all: keep the text
          info.type = "text";
          info.subtype = "plain";
          leaves.push_back(Leaf{std::move(info), header.body_begin, work.end,
                                work.in_alternative});
          continue;
        }
        bool digest = info.subtype == "digest";
        bool alternative = info.subtype == "alternative" || work.in_alternative;
        for (auto it = children.rbegin(); it != children.rend(); ++it) {
          stack.push_back(
              Work{it->first, it->second, work.depth + 1, digest, alternative});
        }
        continue;
      }
    }
    leaves.push_back(
        Leaf{std::move(info), header.body_begin, work.end, work.in_alternative});
  }

  ReadTopHeader(top, &message);

  // Text: the first inline text/plain part; the first inline HTML part,
  // made readable, only when there is no plain one. Other inline text parts
  // (a phone's "Sent from" after the photos) are not attachments either.
  bool has_plain = false;
  bool chosen_text = false;
  auto is_text_body = [](const Leaf& leaf, const char* subtype) {
    return leaf.info.type == "text" && leaf.info.subtype == subtype &&
           leaf.info.disposition != "attachment" && leaf.info.FileName().empty();
  };
  for (const Leaf& leaf : leaves) has_plain = has_plain || is_text_body(leaf, "plain");
  std::string text;
  for (const Leaf& leaf : leaves) {
    std::string_view body =
        bytes.substr(leaf.body_begin, leaf.body_end - leaf.body_begin);
    bool plain = is_text_body(leaf, "plain");
    bool html = is_text_body(leaf, "html");
    if (plain || html) {
      if (plain != has_plain) continue;  // HTML alternative of a plain body
      if (chosen_text) continue;  // later text parts (signatures) are dropped
      chosen_text = true;
      std::string decoded;
      DecodeBody(body, leaf.info.transfer_encoding, &message.defects,
                 [&](std::string_view chunk) { decoded.append(chunk); });
      std::string charset = DecodeParameter(leaf.info.type_parameters, "charset");
      std::string utf8 = NormalizeLineEnds(ToUtf8(decoded, charset));
      if (html) {
        utf8 = HtmlToText(utf8);
        message.text_from_html = true;
      }
      text = std::move(utf8);
      continue;
    }
    if (leaf.info.type == "text" && leaf.info.disposition != "attachment" &&
        leaf.info.FileName().empty()) {
      continue;  // other inline text (delivery status, calendar): not a file
    }
    Attachment attachment;
    attachment.name = leaf.info.FileName();
    attachment.content_type = leaf.info.MediaType();
    attachment.inline_part = leaf.info.disposition != "attachment";
    Sha256 hash;
    DecodeBody(body, leaf.info.transfer_encoding, &message.defects,
               [&](std::string_view chunk) {
                 hash.Update(chunk);
                 attachment.size += chunk.size();
                 if (data == AttachmentData::kKeep &&
                     attachment.size <= limits.attachment_bytes) {
                   attachment.data.append(chunk);
                 }
               });
    if (attachment.size > limits.attachment_bytes) {
      throw Rejected{{"attachment_bytes",
                      "an attachment of " + std::to_string(attachment.size) +
                          " bytes is larger than " +
                          std::to_string(limits.attachment_bytes)}};
    }
    attachment.sha256 = hash.HexDigest();
    message.attachments.push_back(std::move(attachment));
  }
  message.text = std::move(text);
  Classify(top, top_info, &message);
  return message;
}

}  // namespace

const char* MessageKindName(MessageKind kind) {
  switch (kind) {
    case MessageKind::kOrdinary: return "ordinary";
    case MessageKind::kAutoReply: return "auto_reply";
    case MessageKind::kDeliveryReport: return "delivery_report";
    case MessageKind::kBulk: return "bulk";
  }
  return "ordinary";
}

MimeParse ParseMessage(std::string_view bytes, const Limits& limits,
                       AttachmentData data) {
  MimeParse result;
  try {
    // Old Mac mail ends lines with a bare CR: read it as LF (a copy, only
    // for messages without any LF).
    if (bytes.size() <= limits.message_bytes &&
        std::memchr(bytes.data(), '\n', bytes.size()) == nullptr &&
        std::memchr(bytes.data(), '\r', bytes.size()) != nullptr) {
      std::string copy(bytes);
      std::replace(copy.begin(), copy.end(), '\r', '\n');
      result.message = Parse(copy, limits, data);
      result.message->defects.push_back("lines end in bare CR");
      return result;
    }
    result.message = Parse(bytes, limits, data);
  } catch (const Rejected& rejected) {
    result.rejection = rejected.rejection;
  } catch (const std::exception& e) {
    // Nothing may escape: a bug in a library is a rejection, not a crash.
    result.rejection = MimeRejection{"parser", e.what()};
  }
  return result;
}

}  // namespace schoolmail
