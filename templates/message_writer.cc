#include "templates/message_writer.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

#include "config/text.h"

namespace schoolmail {
namespace {

// RFC 5322 2.1.1: fold header lines at 78 where possible.
constexpr size_t kFoldColumn = 78;
// RFC 2047 2: an encoded-word is at most 75 characters, a line holding
// one at most 76.
constexpr size_t kMaxEncodedWord = 75;
constexpr size_t kEncodedLineLimit = 76;
constexpr std::string_view kWordOpen = "=?UTF-8?B?";
constexpr std::string_view kWordClose = "?=";
// The smallest word worth starting on a partly used line: one 4-byte
// character.
constexpr size_t kMinEncodedWord = 20;
// RFC 2045 6.7 and 6.8: encoded lines of at most 76 characters.
constexpr size_t kQpLineLimit = 76;
constexpr size_t kBase64LineLength = 76;
// Longest RFC 2231 value segment on one folded line.
constexpr size_t kParameterSegment = 60;
// Longest file name written as a plain quoted parameter.
constexpr size_t kPlainFileName = 60;
// RFC 5321 4.5.3.1.3: a path holds at most 256 octets with its brackets.
constexpr size_t kMaxAddress = 254;
constexpr size_t kMaxMessageId = 250;

// Quoted-printable produces '=' only before two hex digits or at a line's
// end, base64 only at the end of its data: no encoded line can start with
// "--=_". Neither boundary is a prefix of the other.
constexpr std::string_view kMixedBoundary = "=_schoolmail_mixed";
constexpr std::string_view kAlternativeBoundary = "=_schoolmail_alternative";

constexpr char kHex[] = "0123456789ABCDEF";
constexpr char kBase64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool IsPrintableAscii(unsigned char c) { return c >= 0x20 && c < 0x7F; }

bool IsAsciiAlnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

bool IsOneOf(unsigned char c, std::string_view set) {
  return set.find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsPlainAscii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](unsigned char c) { return IsPrintableAscii(c); });
}

// RFC 5322 3.2.3 atext.
bool IsAtext(unsigned char c) {
  return IsAsciiAlnum(c) || IsOneOf(c, "!#$%&'*+-/=?^_`{|}~");
}

// Bytes of the character starting at `i`: a lead byte and the continuation
// bytes after it (one byte for anything that is not UTF-8).
size_t CharLength(std::string_view text, size_t i) {
  unsigned char lead = static_cast<unsigned char>(text[i]);
  size_t expected = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
  size_t n = 1;
  while (n < expected && i + n < text.size() &&
         (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) {
    ++n;
  }
  return n;
}

void AppendHex(unsigned char c, char mark, std::string* out) {
  *out += mark;
  *out += kHex[c >> 4];
  *out += kHex[c & 0x0F];
}

std::string Base64(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16 |
                 static_cast<unsigned char>(data[i + 1]) << 8 |
                 static_cast<unsigned char>(data[i + 2]);
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
    out += rest == 2 ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Base64 in lines of 76 characters, each ending in CRLF.
std::string Base64Lines(std::string_view data) {
  std::string encoded = Base64(data);
  std::string out;
  out.reserve(encoded.size() + encoded.size() / kBase64LineLength * 2 + 2);
  for (size_t i = 0; i < encoded.size(); i += kBase64LineLength) {
    out.append(encoded, i, kBase64LineLength);
    out += "\r\n";
  }
  return out;
}

// The lines of `text`, split at CRLF, LF or a lone CR; a line end at the
// very end starts no further line.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '\r' && text[i] != '\n') {
      ++i;
      continue;
    }
    lines.push_back(text.substr(start, i - start));
    i += text.compare(i, 2, "\r\n") == 0 ? 2 : 1;
    start = i;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

void AppendQuotedPrintableLine(std::string_view line, std::string* out) {
  size_t column = 0;
  size_t i = 0;
  while (i < line.size()) {
    size_t n = CharLength(line, i);
    bool last = i + n == line.size();
    std::string piece;
    for (size_t k = i; k < i + n; ++k) {
      unsigned char c = static_cast<unsigned char>(line[k]);
      bool blank = c == ' ' || c == '\t';
      if ((c > ' ' && c < 0x7F && c != '=') || (blank && !last)) {
        piece += static_cast<char>(c);
      } else {
        AppendHex(c, '=', &piece);  // also a blank ending the line
      }
    }
    // A line that goes on needs one column for its soft break.
    size_t limit = last ? kQpLineLimit : kQpLineLimit - 1;
    if (column > 0 && column + piece.size() > limit) {
      *out += "=\r\n";
      column = 0;
    }
    // SMTP servers that do not dot-stuff would read "." as the end.
    if (column == 0 && piece == ".") piece = "=2E";
    *out += piece;
    column += piece.size();
    i += n;
  }
  *out += "\r\n";
}

// `text` with CRLF line ends and a final line end.
std::string CrlfText(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32 + 2);
  for (std::string_view line : SplitLines(text)) {
    out += line;
    out += "\r\n";
  }
  return out;
}

// Header text from input: valid UTF-8, no control characters, single
// spaces, trimmed.
std::string CleanHeaderText(std::string_view raw) {
  std::string valid = ToValidUtf8(raw);
  std::string out;
  out.reserve(valid.size());
  bool space = false;
  for (char ch : valid) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c <= ' ' || c == 0x7F) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += ch;
  }
  return out;
}

// Printable for an error message: control characters shown as '?'.
std::string Shown(std::string_view text) {
  std::string out;
  for (char ch : text.substr(0, 100)) {
    unsigned char c = static_cast<unsigned char>(ch);
    out += c < ' ' || c == 0x7F ? '?' : ch;
  }
  return "\"" + out + (text.size() > 100 ? "...\"" : "\"");
}

// One header field, folded at the spaces between its words.
class FieldWriter {
 public:
  explicit FieldWriter(std::string_view name) : text_(name) {
    text_ += ':';
    column_ = text_.size();
  }

  // Columns an encoded-word can take after a space on the current line.
  size_t room() const {
    return column_ + 1 < kEncodedLineLimit ? kEncodedLineLimit - column_ - 1
                                           : 0;
  }

  // Appends " word", first folding the line when the word would pass the
  // line's limit and the line already holds a word.
  void AddWord(std::string_view word, bool encoded = false) {
    line_encoded_ = line_encoded_ || encoded;
    size_t limit = line_encoded_ ? kEncodedLineLimit : kFoldColumn;
    if (has_word_ && column_ + 1 + word.size() > limit) {
      text_ += "\r\n";
      column_ = 0;
      line_encoded_ = encoded;
    }
    text_ += ' ';
    text_ += word;
    column_ += 1 + word.size();
    has_word_ = true;
  }

  bool empty() const { return !has_word_; }
  std::string Finish() && { return std::move(text_) + "\r\n"; }

 private:
  std::string text_;
  size_t column_ = 0;
  bool has_word_ = false;
  bool line_encoded_ = false;  // the current line holds an encoded-word
};

// `text` as UTF-8 B encoded-words: the first at most `first_room`
// characters long when that holds a character, the others at most
// `longest` (at most 75); characters are never split.
std::vector<std::string> EncodeWords(std::string_view text, size_t first_room,
                                     size_t longest = kMaxEncodedWord) {
  std::vector<std::string> words;
  size_t limit =
      first_room >= kMinEncodedWord ? std::min(first_room, longest) : longest;
  std::string chunk;
  auto flush = [&] {
    words.push_back(std::string(kWordOpen) + Base64(chunk) +
                    std::string(kWordClose));
    chunk.clear();
    limit = longest;
  };
  size_t i = 0;
  while (i < text.size()) {
    size_t n = CharLength(text, i);
    size_t bytes = (limit - kWordOpen.size() - kWordClose.size()) / 4 * 3;
    if (!chunk.empty() && chunk.size() + n > bytes) flush();
    chunk.append(text.substr(i, n));
    i += n;
  }
  if (!chunk.empty()) flush();
  return words;
}

void AddWords(const std::vector<std::string>& words, bool encoded,
              FieldWriter* field) {
  for (const std::string& word : words) field->AddWord(word, encoded);
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    words.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

bool FitsOnALine(const std::vector<std::string>& words) {
  return std::all_of(words.begin(), words.end(), [](const std::string& w) {
    return w.size() + 2 <= kFoldColumn;
  });
}

// Unstructured text (RFC 5322 3.2.5): as it is when it is printable ASCII
// that folds, else encoded-words.
void AddText(std::string_view raw, FieldWriter* field) {
  std::string text = CleanHeaderText(raw);
  if (IsPlainAscii(text) && text.find("=?") == std::string::npos) {
    std::vector<std::string> words = SplitWords(text);
    if (FitsOnALine(words)) return AddWords(words, false, field);
  }
  AddWords(EncodeWords(text, field->room()), true, field);
}

// A display name (RFC 5322 3.2.5 phrase): atoms, one quoted string, or
// encoded-words.
void AddDisplayName(std::string_view raw, FieldWriter* field) {
  std::string name = CleanHeaderText(raw);
  if (name.empty()) return;
  if (IsPlainAscii(name) && name.find("=?") == std::string::npos) {
    std::vector<std::string> words = SplitWords(name);
    bool atoms = std::all_of(name.begin(), name.end(), [](unsigned char c) {
      return c == ' ' || IsAtext(c);
    });
    if (atoms && FitsOnALine(words)) return AddWords(words, false, field);
    std::string quoted = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    quoted += '"';
    if (quoted.size() + 2 <= kFoldColumn) return field->AddWord(quoted);
  }
  // A name that fits one encoded-word gets one, on a new line if need be:
  // Python's email (gh-128110) and others put a space between the words of
  // a split name.
  size_t one_word =
      kWordOpen.size() + (name.size() + 2) / 3 * 4 + kWordClose.size();
  AddWords(EncodeWords(name, one_word <= kMaxEncodedWord ? kMaxEncodedWord
                                                         : field->room()),
           true, field);
}

Status CheckAddress(std::string_view field, const OutgoingAddress& a) {
  if (IsSafeMailAddress(a.address)) return Status::Ok();
  return Status::Error(std::string(field) + ": " + Shown(a.address) +
                       " is not a plain, safe mail address");
}

std::string AddressField(std::string_view name,
                         const std::vector<OutgoingAddress>& list) {
  FieldWriter field(name);
  for (size_t i = 0; i < list.size(); ++i) {
    AddDisplayName(list[i].display_name, &field);
    field.AddWord("<" + list[i].address + (i + 1 < list.size() ? ">," : ">"));
  }
  return std::move(field).Finish();
}

// Writes the safe ids of `ids`; "" when none is safe.
std::string IdField(std::string_view name,
                    const std::vector<std::string>& ids) {
  FieldWriter field(name);
  for (const std::string& id : ids) {
    if (IsSafeMessageId(id)) field.AddWord("<" + id + ">");
  }
  return field.empty() ? "" : std::move(field).Finish();
}

// Days since 1970-01-01 to a civil date (H. Hinnant's days_from_civil,
// inverted).
void CivilFromDays(std::int64_t z, std::int64_t* year, int* month, int* day) {
  z += 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2 ? 1 : 0);
}

// RFC 5322 3.3: "Tue, 03 Mar 2026 18:00:00 +0300".
Result<std::string> DateField(std::int64_t unix_seconds, int offset_minutes) {
  // 1900-01-02 and 9999-12-31 00:00 UTC: the local year stays 4 digits.
  constexpr std::int64_t kEarliest = -2208902400;
  constexpr std::int64_t kLatest = 253402214400;
  if (unix_seconds < kEarliest || unix_seconds > kLatest) {
    return Status::Error("Date: " + std::to_string(unix_seconds) +
                         " is outside the years 1900 to 9999");
  }
  if (std::abs(offset_minutes) >= 24 * 60) {
    return Status::Error("Date: UTC offset of " +
                         std::to_string(offset_minutes) +
                         " minutes is not under 24 hours");
  }
  std::int64_t local = unix_seconds + std::int64_t{offset_minutes} * 60;
  std::int64_t days = local / 86400 - (local % 86400 < 0 ? 1 : 0);
  std::int64_t seconds = local - days * 86400;
  std::int64_t year = 0;
  int month = 0;
  int day = 0;
  CivilFromDays(days, &year, &month, &day);
  static constexpr std::array<const char*, 7> kWeekdays = {
      "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // from 1970-01-01
  static constexpr std::array<const char*, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun",
      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int offset = std::abs(offset_minutes);
  char text[64];
  std::snprintf(text, sizeof text,
                "Date: %s, %02d %s %04lld %02d:%02d:%02d %c%02d%02d\r\n",
                kWeekdays[((days % 7) + 7) % 7], day, kMonths[month - 1],
                static_cast<long long>(year), static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60),
                static_cast<int>(seconds % 60), offset_minutes < 0 ? '-' : '+',
                offset / 60, offset % 60);
  return std::string(text);
}

// Fields the writer owns; an extra header must not repeat or contradict
// them.
bool IsWriterField(std::string_view name) {
  std::string lower = LowerAscii(name);
  static constexpr std::array<std::string_view, 14> kOwned = {
      "date",         "from",        "sender",     "to",
      "cc",           "bcc",         "reply-to",   "subject",
      "message-id",   "in-reply-to", "references", "auto-submitted",
      "mime-version", "return-path"};
  return std::find(kOwned.begin(), kOwned.end(), lower) != kOwned.end() ||
         lower.starts_with("content-");
}

Status CheckExtraHeaderName(std::string_view name) {
  bool plain = !name.empty() && name.size() <= 70 &&
               std::all_of(name.begin(), name.end(), [](unsigned char c) {
                 return IsAsciiAlnum(c) || c == '-';
               });
  if (!plain) {
    return Status::Error("extra header " + Shown(name) +
                         ": a name is letters, digits and '-'");
  }
  if (IsWriterField(name)) {
    return Status::Error("extra header " + Shown(name) +
                         ": the writer writes this field itself");
  }
  return Status::Ok();
}

bool IsToken(std::string_view text, std::string_view extra) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [extra](unsigned char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  IsOneOf(c, extra);
         });
}

// A bare "type/subtype" (RFC 6838 4.2 characters), lower case; anything else
// is application/octet-stream.
std::string AttachmentType(std::string_view raw) {
  std::string type = LowerAscii(Trim(raw));
  size_t slash = type.find('/');
  constexpr std::string_view kNameChars = "!#$&-^_.+";
  if (slash == std::string::npos || type.size() > 127 ||
      !IsToken(std::string_view(type).substr(0, slash), kNameChars) ||
      !IsToken(std::string_view(type).substr(slash + 1), kNameChars)) {
    return "application/octet-stream";
  }
  return type;
}

// RFC 2231 value segments of `name` (UTF-8), percent-encoded, each at most
// kParameterSegment characters, never splitting a character.
std::vector<std::string> ParameterSegments(std::string_view name) {
  std::vector<std::string> segments(1);
  size_t i = 0;
  while (i < name.size()) {
    size_t n = CharLength(name, i);
    std::string piece;
    for (size_t k = i; k < i + n; ++k) {
      unsigned char c = static_cast<unsigned char>(name[k]);
      // RFC 2231 attribute-char.
      if (IsAsciiAlnum(c) || IsOneOf(c, "!#$&+-.^_`|~")) {
        piece += static_cast<char>(c);
      } else {
        AppendHex(c, '%', &piece);
      }
    }
    if (segments.back().size() + piece.size() > kParameterSegment) {
      segments.emplace_back();
    }
    segments.back() += piece;
    i += n;
  }
  return segments;
}

bool IsPlainFileName(std::string_view name) {
  return name.size() <= kPlainFileName && IsPlainAscii(name) &&
         name.find_first_of("\"\\") == std::string_view::npos &&
         name.find("=?") == std::string_view::npos;
}

std::string AttachmentPart(const MailAttachment& attachment) {
  std::string type = AttachmentType(attachment.content_type);
  std::string name = CleanHeaderText(attachment.file_name);
  FieldWriter content_type("Content-Type");
  FieldWriter disposition("Content-Disposition");
  if (name.empty()) {
    content_type.AddWord(type);
    disposition.AddWord("attachment");
  } else if (IsPlainFileName(name)) {
    content_type.AddWord(type + ";");
    content_type.AddWord("name=\"" + name + "\"");
    disposition.AddWord("attachment;");
    disposition.AddWord("filename=\"" + name + "\"");
  } else {
    // RFC 2231 for readers that know it, RFC 2047 in name= for the others.
    content_type.AddWord(type + ";");
    // Each word leaves room for the quotes around them all.
    constexpr std::string_view kOpen = "name=\"";
    size_t room = content_type.room();
    std::vector<std::string> words =
        EncodeWords(name, room > kOpen.size() + 1 ? room - kOpen.size() - 1 : 0,
                    kMaxEncodedWord - 1);
    words.front().insert(0, kOpen);
    words.back() += '"';
    AddWords(words, true, &content_type);
    disposition.AddWord("attachment;");
    std::vector<std::string> segments = ParameterSegments(name);
    if (segments.size() == 1) {
      disposition.AddWord("filename*=utf-8''" + segments[0]);
    } else {
      for (size_t j = 0; j < segments.size(); ++j) {
        disposition.AddWord("filename*" + std::to_string(j) +
                            "*=" + (j == 0 ? "utf-8''" : "") + segments[j] +
                            (j + 1 < segments.size() ? ";" : ""));
      }
    }
  }
  return std::move(content_type).Finish() + std::move(disposition).Finish() +
         "Content-Transfer-Encoding: base64\r\n\r\n" +
         Base64Lines(attachment.data);
}

// A text/<subtype> entity: its header fields, a blank line, the body.
std::string TextPart(std::string_view subtype, std::string_view raw) {
  std::string text = CrlfText(ToValidUtf8(raw));
  std::string quoted = EncodeQuotedPrintable(text);
  std::string base64 = Base64Lines(text);
  bool use_qp = quoted.size() <= base64.size();
  return "Content-Type: text/" + std::string(subtype) +
         "; charset=utf-8\r\nContent-Transfer-Encoding: " +
         (use_qp ? "quoted-printable" : "base64") + "\r\n\r\n" +
         (use_qp ? quoted : base64);
}

// A multipart entity around `parts` (each an entity ending in CRLF). The
// CRLF before a delimiter belongs to it, so a part's own last line end is
// kept.
std::string MultipartEntity(std::string_view subtype, std::string_view boundary,
                            const std::vector<std::string>& parts) {
  std::string out = "Content-Type: multipart/" + std::string(subtype) +
                    "; boundary=\"" + std::string(boundary) + "\"\r\n\r\n";
  for (const std::string& part : parts) {
    out += "--";
    out += boundary;
    out += "\r\n";
    out += part;
    out += "\r\n";
  }
  out += "--";
  out += boundary;
  out += "--\r\n";
  return out;
}

}  // namespace

bool IsSafeMailAddress(std::string_view address) {
  if (address.empty() || address.size() > kMaxAddress ||
      !IsValidUtf8(address)) {
    return false;
  }
  size_t at = address.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size() ||
      address.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  return std::none_of(address.begin(), address.end(), [](unsigned char c) {
    return c <= ' ' || c == 0x7F || IsOneOf(c, "<>\"(),:;[]\\");
  });
}

bool IsSafeMessageId(std::string_view id) {
  if (id.empty() || id.size() > kMaxMessageId) return false;
  size_t at = id.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == id.size()) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return c > ' ' && c < 0x7F && !IsOneOf(c, "<>()\",\\");
  });
}

std::string MakeMessageId(std::string_view token, std::string_view domain) {
  auto escape = [](std::string_view text, std::string_view safe) {
    std::string out;
    for (char ch : text) {
      unsigned char c = static_cast<unsigned char>(ch);
      if (IsAsciiAlnum(c) || IsOneOf(c, safe)) {
        out += ch;
      } else {
        AppendHex(c, '%', &out);
      }
    }
    return out;
  };
  return escape(token, ".-_+=$") + "@" + escape(domain, ".-");
}

std::string EncodeQuotedPrintable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8 + 2);
  for (std::string_view line : SplitLines(text)) {
    AppendQuotedPrintableLine(line, &out);
  }
  return out;
}

Result<std::string> WriteMail(const OutgoingMail& mail) {
  if (Status s = CheckAddress("From", mail.from); !s.ok()) return s;
  if (mail.to.empty()) return Status::Error("To: no recipient");
  for (size_t i = 0; i < mail.to.size(); ++i) {
    Status s = CheckAddress("To (recipient " + std::to_string(i + 1) + ")",
                            mail.to[i]);
    if (!s.ok()) return s;
  }
  if (mail.reply_to) {
    if (Status s = CheckAddress("Reply-To", *mail.reply_to); !s.ok()) return s;
  }
  if (!IsSafeMessageId(mail.message_id)) {
    return Status::Error("Message-ID: " + Shown(mail.message_id) +
                         " is not a safe id (token@domain)");
  }
  if (!mail.auto_submitted.empty() && !IsToken(mail.auto_submitted, "-")) {
    return Status::Error("Auto-Submitted: " + Shown(mail.auto_submitted) +
                         " is not a keyword");
  }
  for (const auto& [name, value] : mail.extra_headers) {
    if (Status s = CheckExtraHeaderName(name); !s.ok()) return s;
  }
  if (mail.text.empty()) return Status::Error("text: the body is empty");
  Result<std::string> date = DateField(mail.date, mail.utc_offset_minutes);
  if (!date.ok()) return date.status();

  std::string out = *date;
  out += AddressField("From", {mail.from});
  out += AddressField("To", mail.to);
  if (mail.reply_to) out += AddressField("Reply-To", {*mail.reply_to});
  if (!CleanHeaderText(mail.subject).empty()) {
    FieldWriter subject("Subject");
    AddText(mail.subject, &subject);
    out += std::move(subject).Finish();
  }
  out += "Message-ID: <" + mail.message_id + ">\r\n";
  out += IdField("In-Reply-To", mail.in_reply_to);
  out += IdField("References", mail.references);
  if (!mail.auto_submitted.empty()) {
    out += "Auto-Submitted: " + mail.auto_submitted + "\r\n";
  }
  for (const auto& [name, value] : mail.extra_headers) {
    FieldWriter field(name);
    AddText(value, &field);
    out += std::move(field).Finish();
  }
  out += "MIME-Version: 1.0\r\n";

  std::string body = TextPart("plain", mail.text);
  if (!mail.html.empty()) {
    body = MultipartEntity("alternative", kAlternativeBoundary,
                           {body, TextPart("html", mail.html)});
  }
  if (!mail.attachments.empty()) {
    std::vector<std::string> parts = {std::move(body)};
    for (const MailAttachment& a : mail.attachments) {
      parts.push_back(AttachmentPart(a));
    }
    body = MultipartEntity("mixed", kMixedBoundary, parts);
  }
  out += body;
  return out;
}

}  // namespace schoolmail
