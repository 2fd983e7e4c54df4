#include "parsers/imap_response.h"

#include <date/date.h>

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>

namespace schoolmail {
namespace {

// ---------------------------------------------------------------------------
// Small text helpers

char UpperChar(char c) {
  return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = UpperChar(c);
  return out;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (UpperChar(a[i]) != UpperChar(b[i])) return false;
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Digits only, without overflow; nullopt otherwise.
std::optional<std::uint64_t> ParseUint64(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return std::nullopt;
    std::uint64_t digit = static_cast<std::uint64_t>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
      return std::nullopt;
    }
    value = value * 10 + digit;
  }
  return value;
}

std::optional<std::uint32_t> ParseUint32(std::string_view text) {
  std::optional<std::uint64_t> value = ParseUint64(text);
  if (!value || *value > std::numeric_limits<std::uint32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(*value);
}

bool IsStatusWord(std::string_view word) {
  return EqualsIgnoringCase(word, "OK") || EqualsIgnoringCase(word, "NO") ||
         EqualsIgnoringCase(word, "BAD") ||
         EqualsIgnoringCase(word, "PREAUTH") || EqualsIgnoringCase(word, "BYE");
}

// A short, printable excerpt of a response for error messages.
std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 80;
  std::string out;
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    out.push_back(c < 0x20 || c == 0x7F ? '?' : static_cast<char>(c));
  }
  if (text.size() > kMax) out += "...";
  return out;
}

Status ReaderError(std::string message) {
  return Status::Error("IMAP response: " + message, Scope::kMailbox,
                       Retry::kLater);
}

Status ItemError(std::string message) {
  return Status::Error("IMAP response: " + message, Scope::kItem,
                       Retry::kNever);
}

// ---------------------------------------------------------------------------
// Framing

// Only "* <word>" lines whose word is not a status word may announce
// literals: tagged, status and continuation lines are resp-text.
bool MayCarryLiterals(std::string_view first_line) {
  if (first_line.size() < 2 || first_line[0] != '*' || first_line[1] != ' ') {
    return false;
  }
  std::string_view rest = first_line.substr(2);
  return !IsStatusWord(rest.substr(0, rest.find(' ')));
}

enum class Marker { kNone, kLiteral, kTooLarge };

// Looks for "{digits}" or "{digits+}" at the end of `line`; the size goes
// to `size` unless it exceeds `max`.
Marker FindLiteralMarker(std::string_view line, size_t max, size_t* size) {
  if (line.empty() || line.back() != '}') return Marker::kNone;
  size_t end = line.size() - 1;  // at '}'
  if (end > 0 && line[end - 1] == '+') --end;
  size_t begin = end;
  while (begin > 0 && IsDigit(line[begin - 1])) --begin;
  if (begin == end || begin == 0 || line[begin - 1] != '{') {
    return Marker::kNone;
  }
  size_t value = 0;
  for (size_t i = begin; i < end; ++i) {
    size_t digit = static_cast<size_t>(line[i] - '0');
    if (value > max / 10) return Marker::kTooLarge;
    value *= 10;
    if (digit > max - value) return Marker::kTooLarge;
    value += digit;
  }
  *size = value;
  return Marker::kLiteral;
}

// ---------------------------------------------------------------------------
// Values

// A complete response: lines without their line ends; literals[i] follows
// lines[i].
struct Source {
  std::vector<std::string_view> lines;
  std::vector<std::string_view> literals;
};

struct Cursor {
  size_t line = 0;
  size_t at = 0;
};

enum class Mode {
  kData,  // up to the end of the response
  kCode,  // up to the ']' closing a response code
};

ImapValue ClassifyAtom(std::string_view text) {
  ImapValue value;
  value.text = std::string(text);
  if (std::optional<std::uint64_t> number = ParseUint64(text)) {
    value.kind = ImapValue::Kind::kNumber;
    value.number = *number;
  } else if (EqualsIgnoringCase(text, "NIL")) {
    value.kind = ImapValue::Kind::kNil;
  } else {
    value.kind = ImapValue::Kind::kAtom;
  }
  return value;
}

bool EndsAtom(char c, Mode mode) {
  return c == ' ' || c == '(' || c == ')' || c == '"' || c == '{' ||
         (mode == Mode::kCode && c == ']');
}

// Parses values from `cursor` on, with an explicit stack for parentheses
// (never deeper than `max_depth`), into `out`. Returns what is wrong, or
// "" when the values parsed.
std::string ParseValues(const Source& source, Cursor* cursor, Mode mode,
                        int max_depth, std::vector<ImapValue>* out) {
  std::vector<std::vector<ImapValue>> stack(1);
  for (;;) {
    std::string_view line = source.lines[cursor->line];
    size_t& at = cursor->at;
    if (at >= line.size()) {
      if (cursor->line + 1 < source.lines.size()) {
        return std::string("line ends without its literal");
      }
      if (mode == Mode::kCode) return std::string("response code without ']'");
      if (stack.size() > 1) return std::string("unclosed '('");
      *out = std::move(stack[0]);
      return "";
    }
    char c = line[at];
    if (c == ' ') {
      ++at;
      continue;
    }
    if (c == '(') {
      if (stack.size() > static_cast<size_t>(std::max(max_depth, 0))) {
        return "parentheses nested deeper than " + std::to_string(max_depth);
      }
      stack.emplace_back();
      ++at;
      continue;
    }
    if (c == ')') {
      if (stack.size() == 1) return std::string("unbalanced ')'");
      ImapValue list;
      list.kind = ImapValue::Kind::kList;
      list.items = std::move(stack.back());
      stack.pop_back();
      stack.back().push_back(std::move(list));
      ++at;
      continue;
    }
    if (c == ']' && mode == Mode::kCode) {
      if (stack.size() > 1) return std::string("']' inside parentheses");
      ++at;
      *out = std::move(stack[0]);
      return "";
    }
    if (c == '"') {
      ImapValue value;
      value.kind = ImapValue::Kind::kQuoted;
      size_t i = at + 1;
      for (;;) {
        if (i >= line.size()) return std::string("unterminated quoted string");
        char q = line[i];
        if (q == '"') break;
        if (q == '\\') {
          if (i + 1 >= line.size()) {
            return std::string("unterminated quoted string");
          }
          char next = line[i + 1];
          if (next != '"' && next != '\\') value.text.push_back('\\');
          value.text.push_back(next);
          i += 2;
          continue;
        }
        value.text.push_back(q);
        ++i;
      }
      at = i + 1;
      stack.back().push_back(std::move(value));
      continue;
    }
    if (c == '{' || (c == '~' && at + 1 < line.size() && line[at + 1] == '{')) {
      // The framer found "{digits}" or "{digits+}" ending this line; the
      // brace here must be that one.
      size_t open = c == '~' ? at + 1 : at;
      size_t digits_end = line.size() >= 2 && line[line.size() - 2] == '+'
                              ? line.size() - 2
                              : line.size() - 1;
      bool digits = digits_end > open + 1;
      for (size_t i = open + 1; i < digits_end && digits; ++i) {
        digits = IsDigit(line[i]);
      }
      if (!digits || line.back() != '}' ||
          cursor->line + 1 >= source.lines.size()) {
        return std::string("'{' that is not a literal at the end of a line");
      }
      ImapValue value;
      value.kind = ImapValue::Kind::kLiteral;
      value.text = std::string(source.literals[cursor->line]);
      stack.back().push_back(std::move(value));
      ++cursor->line;
      cursor->at = 0;
      continue;
    }
    // An atom; "[...]" inside it (BODY[HEADER.FIELDS (A B)]) is kept whole.
    size_t i = at;
    while (i < line.size() && !EndsAtom(line[i], mode)) {
      if (line[i] == '[' && mode == Mode::kData) {
        size_t close = line.find(']', i + 1);
        if (close != std::string_view::npos) {
          i = close + 1;
          continue;
        }
      }
      ++i;
    }
    if (i == at) return "unexpected '" + std::string(1, c) + "'";
    stack.back().push_back(ClassifyAtom(line.substr(at, i - at)));
    at = i;
  }
}

// Code and text after a status word (or "+"), from `at` in `line`.
void ParseRespText(std::string_view line, size_t at, int max_depth,
                   ImapResponse* response) {
  while (at < line.size() && line[at] == ' ') ++at;
  if (at < line.size() && line[at] == '[') {
    Source source;
    source.lines.push_back(line);
    Cursor cursor{0, at + 1};
    std::vector<ImapValue> code;
    if (ParseValues(source, &cursor, Mode::kCode, max_depth, &code).empty()) {
      response->code = std::move(code);
      at = cursor.at;
    } else if (size_t close = line.find(']', at);
               close != std::string_view::npos) {
      // Not values (an unterminated quote, say): atoms split on spaces.
      std::string_view inside = line.substr(at + 1, close - at - 1);
      size_t start = 0;
      while (start < inside.size()) {
        size_t end = std::min(inside.find(' ', start), inside.size());
        if (end > start) {
          ImapValue atom;
          atom.kind = ImapValue::Kind::kAtom;
          atom.text = std::string(inside.substr(start, end - start));
          response->code.push_back(std::move(atom));
        }
        start = end + 1;
      }
      at = close + 1;
    }
    while (at < line.size() && line[at] == ' ') ++at;
  }
  response->text = std::string(line.substr(at));
}

std::string RawForLog(const Source& source) {
  std::string raw;
  for (size_t i = 0; i < source.lines.size(); ++i) {
    std::string_view line = source.lines[i];
    if (i + 1 < source.lines.size()) {
      raw.append(line.substr(0, line.rfind('{')));
      raw += "{" + std::to_string(source.literals[i].size()) + " bytes}";
    } else {
      raw.append(line);
    }
  }
  return raw;
}

Result<ImapResponse> ParseResponse(const Source& source, int max_depth) {
  ImapResponse response;
  response.raw = RawForLog(source);
  std::string_view line = source.lines[0];
  auto fail = [&](std::string what) {
    return ReaderError(what + " in \"" + Excerpt(response.raw) + "\"");
  };
  if (line.empty()) return fail("empty line");

  if (line[0] == '+') {
    response.kind = ImapResponseKind::kContinuation;
    ParseRespText(line, 1, max_depth, &response);
    return response;
  }

  if (line[0] != '*') {
    size_t space = line.find(' ');
    if (space == 0 || space == std::string_view::npos) {
      return fail("no tag");
    }
    for (size_t i = 0; i < space; ++i) {
      unsigned char c = static_cast<unsigned char>(line[i]);
      if (c < 0x21 || c >= 0x7F || c == '(' || c == ')' || c == '{' ||
          c == '"' || c == '%') {
        return fail("bad tag");
      }
    }
    size_t word_end = std::min(line.find(' ', space + 1), line.size());
    std::string_view word = line.substr(space + 1, word_end - space - 1);
    if (!IsStatusWord(word)) return fail("tagged response without a status");
    response.kind = ImapResponseKind::kTagged;
    response.tag = std::string(line.substr(0, space));
    response.name = Upper(word);
    ParseRespText(line, word_end, max_depth, &response);
    return response;
  }

  response.kind = ImapResponseKind::kUntagged;
  if (line.size() < 3 || line[1] != ' ') return fail("bad untagged response");
  size_t at = 2;
  if (IsDigit(line[at])) {
    size_t end = at;
    while (end < line.size() && IsDigit(line[end])) ++end;
    std::optional<std::uint32_t> number =
        ParseUint32(line.substr(at, end - at));
    if (!number) return fail("number out of range");
    if (end >= line.size() || line[end] != ' ') return fail("number alone");
    response.number = number;
    at = end + 1;
  }
  size_t name_end = at;
  while (name_end < line.size() && line[name_end] != ' ' &&
         line[name_end] != '(' && line[name_end] != '"' &&
         line[name_end] != '{') {
    ++name_end;
  }
  if (name_end == at) return fail("no response name");
  std::string_view name = line.substr(at, name_end - at);
  response.name = Upper(name);
  if (IsStatusWord(name)) {
    if (response.number) return fail("numbered status response");
    if (source.lines.size() > 1) return fail("status response with literal");
    ParseRespText(line, name_end, max_depth, &response);
    return response;
  }
  Cursor cursor{0, name_end};
  std::string error =
      ParseValues(source, &cursor, Mode::kData, max_depth, &response.data);
  if (!error.empty()) return fail(error);
  return response;
}

// ---------------------------------------------------------------------------
// Extractor helpers

std::optional<std::uint32_t> AsUint32(const ImapValue& value) {
  if (value.kind != ImapValue::Kind::kNumber ||
      value.number > std::numeric_limits<std::uint32_t>::max()) {
    return std::nullopt;
  }
  return static_cast<std::uint32_t>(value.number);
}

std::optional<std::uint32_t> AsNonZeroUint32(const ImapValue& value) {
  std::optional<std::uint32_t> number = AsUint32(value);
  if (number && *number == 0) return std::nullopt;
  return number;
}

std::optional<std::uint64_t> AsUint64(const ImapValue& value) {
  if (value.kind != ImapValue::Kind::kNumber) return std::nullopt;
  return value.number;
}

// A sequence set is an atom ("1:3,7") or, for one number, a number.
std::optional<std::vector<std::uint32_t>> AsUidSet(const ImapValue& value,
                                                   size_t max_uids) {
  if (value.kind != ImapValue::Kind::kAtom &&
      value.kind != ImapValue::Kind::kNumber) {
    return std::nullopt;
  }
  return ParseUidSet(value.text, max_uids);
}

// Atoms (and numbers) of a list, as written; nullopt if anything else.
std::optional<std::vector<std::string>> AsAtomList(const ImapValue& value) {
  if (value.kind != ImapValue::Kind::kList) return std::nullopt;
  std::vector<std::string> out;
  for (const ImapValue& item : value.items) {
    if (item.kind != ImapValue::Kind::kAtom &&
        item.kind != ImapValue::Kind::kNumber) {
      return std::nullopt;
    }
    out.push_back(item.text);
  }
  return out;
}

std::set<std::string> CapabilitySet(const ImapValue* begin,
                                    const ImapValue* end) {
  std::set<std::string> out;
  for (const ImapValue* item = begin; item != end; ++item) {
    if (item->kind == ImapValue::Kind::kAtom ||
        item->kind == ImapValue::Kind::kNumber) {
      out.insert(Upper(item->text));
    }
  }
  return out;
}

bool IsUntagged(const ImapResponse& response, std::string_view name) {
  return response.kind == ImapResponseKind::kUntagged && response.name == name;
}

std::optional<std::uint32_t> Counter(const ImapResponse& response,
                                     std::string_view name) {
  if (!IsUntagged(response, name)) return std::nullopt;
  return response.number;
}

void ReadCode(const ImapResponse& response, size_t max_uids,
              StatusResponse* out) {
  if (response.code.empty()) return;
  const ImapValue& head = response.code[0];
  if (head.kind == ImapValue::Kind::kList) {
    out->code_defect = "response code starts with a list";
    return;
  }
  out->code = Upper(head.text);
  const std::vector<ImapValue>& code = response.code;
  auto arg = [&](size_t i) -> const ImapValue* {
    return i < code.size() ? &code[i] : nullptr;
  };
  auto defect = [&] { out->code_defect = "bad arguments to " + out->code; };
  const std::string& name = out->code;
  if (name == "UIDVALIDITY" || name == "UIDNEXT" || name == "UNSEEN") {
    std::optional<std::uint32_t> number;
    if (arg(1)) number = AsUint32(*arg(1));
    if (!number) return defect();
    if (name == "UIDVALIDITY") out->uid_validity = number;
    if (name == "UIDNEXT") out->uid_next = number;
    if (name == "UNSEEN") out->unseen = number;
  } else if (name == "HIGHESTMODSEQ") {
    std::optional<std::uint64_t> number;
    if (arg(1)) number = AsUint64(*arg(1));
    if (!number) return defect();
    out->highest_modseq = number;
  } else if (name == "PERMANENTFLAGS") {
    std::optional<std::vector<std::string>> flags;
    if (arg(1)) flags = AsAtomList(*arg(1));
    if (!flags) return defect();
    out->permanent_flags = std::move(flags);
  } else if (name == "CAPABILITY") {
    out->capabilities =
        CapabilitySet(code.data() + 1, code.data() + code.size());
  } else if (name == "COPYUID") {
    if (!arg(3)) return defect();
    std::optional<std::uint32_t> validity = AsNonZeroUint32(*arg(1));
    auto source = AsUidSet(*arg(2), max_uids);
    auto dest = AsUidSet(*arg(3), max_uids);
    if (!validity || !source || !dest || source->size() != dest->size()) {
      return defect();
    }
    out->copy_uid = CopyUid{*validity, std::move(*source), std::move(*dest)};
  } else if (name == "APPENDUID") {
    if (!arg(2)) return defect();
    std::optional<std::uint32_t> validity = AsNonZeroUint32(*arg(1));
    auto uids = AsUidSet(*arg(2), max_uids);
    if (!validity || !uids) return defect();
    out->append_uid = AppendUid{*validity, std::move(*uids)};
  }
}

// Days since 1970-01-01 of a local date and time, as Unix seconds.
std::int64_t CivilSeconds(const date::year_month_day& ymd, int hour, int minute,
                          int second) {
  std::int64_t days = date::sys_days(ymd).time_since_epoch().count();
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

// ---------------------------------------------------------------------------
// ImapValue, ImapResponse

bool ImapValue::IsAtom(std::string_view word) const {
  return kind == Kind::kAtom && EqualsIgnoringCase(text, word);
}

std::optional<std::string_view> ImapValue::AsAString() const {
  if (kind == Kind::kList) return std::nullopt;
  return std::string_view(text);
}

std::optional<std::string_view> ImapValue::AsNString() const {
  if (kind != Kind::kQuoted && kind != Kind::kLiteral) return std::nullopt;
  return std::string_view(text);
}

bool ImapResponse::IsStatus() const {
  return kind == ImapResponseKind::kTagged ||
         (kind == ImapResponseKind::kUntagged && !number && IsStatusWord(name));
}

// ---------------------------------------------------------------------------
// ImapResponseReader

ImapResponseReader::ImapResponseReader(ImapReaderLimits limits)
    : limits_(limits) {}

Status ImapResponseReader::Fail(std::string message) {
  failure_ = ReaderError(std::move(message));
  return *failure_;
}

void ImapResponseReader::Compact() {
  // Drop returned responses once they are at least half of the buffer:
  // each byte is moved at most once per byte consumed, so linear overall.
  if (start_ > 0 && start_ * 2 >= end_) {
    std::memmove(buffer_.data(), buffer_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
}

void ImapResponseReader::Grow(std::size_t size, bool exact) {
  // Geometric for the small steps of receiving, so that the zero-filling of
  // std::string's resize is paid once per growth, not once per byte
  // received; exact for an announced literal (memory: at most the largest
  // literal and its slack).
  if (buffer_.size() < size) {
    buffer_.resize(exact ? size : std::max(size, buffer_.size() * 2));
  }
}

void ImapResponseReader::Feed(std::string_view bytes) {
  if (failure_ || bytes.empty()) return;
  std::span<char> room = Reserve(bytes.size());
  std::memcpy(room.data(), bytes.data(), bytes.size());
  Written(bytes.size());
}

std::span<char> ImapResponseReader::Reserve(std::size_t n) {
  Compact();
  Grow(end_ + n);
  return {buffer_.data() + end_, n};
}

void ImapResponseReader::Written(std::size_t k) {
  if (!failure_) end_ += k;
}

void ImapResponseReader::ReleaseSpare() {
  constexpr size_t kKeep = size_t{1} << 20;
  if (start_ == end_ && buffer_.size() > kKeep) {
    std::string().swap(buffer_);  // after big literals, give it back
    start_ = end_ = 0;
  }
}

std::size_t ImapResponseReader::literal_bytes_owed() const {
  const size_t available = end_ - start_;
  return in_literal_ && literal_end_ > available ? literal_end_ - available : 0;
}

Result<std::optional<ImapResponse>> ImapResponseReader::Next() {
  if (failure_) return *failure_;
  for (;;) {
    const size_t available = end_ - start_;
    if (in_literal_) {
      if (available < literal_end_) return std::optional<ImapResponse>();
      in_literal_ = false;
      line_start_ = scan_ = literal_end_;
    }
    const char* base = buffer_.data() + start_;
    const void* found = std::memchr(base + scan_, '\n', available - scan_);
    if (found == nullptr) {
      scan_ = available;
      if (line_bytes_ + (available - line_start_) > limits_.line_bytes) {
        return Fail("line longer than " + std::to_string(limits_.line_bytes) +
                    " bytes");
      }
      return std::optional<ImapResponse>();
    }
    const size_t lf =
        static_cast<size_t>(static_cast<const char*>(found) - base);
    line_bytes_ += lf + 1 - line_start_;
    if (line_bytes_ > limits_.line_bytes) {
      return Fail("line longer than " + std::to_string(limits_.line_bytes) +
                  " bytes");
    }
    size_t line_end = lf;
    if (line_end > line_start_ && base[line_end - 1] == '\r') --line_end;
    std::string_view line(base + line_start_, line_end - line_start_);
    if (pieces_.empty()) may_have_literals_ = MayCarryLiterals(line);
    size_t literal_size = 0;
    Marker marker =
        may_have_literals_
            ? FindLiteralMarker(line, limits_.literal_bytes, &literal_size)
            : Marker::kNone;
    if (marker == Marker::kTooLarge) {
      return Fail("literal larger than " +
                  std::to_string(limits_.literal_bytes) + " bytes");
    }
    if (marker == Marker::kLiteral) {
      if (literal_size > limits_.response_bytes ||
          literal_total_ + line_bytes_ >
              limits_.response_bytes - literal_size) {
        return Fail("response larger than " +
                    std::to_string(limits_.response_bytes) + " bytes");
      }
      pieces_.push_back(Piece{line_start_, line_end, lf + 1, literal_size});
      literal_total_ += literal_size;
      literal_end_ = lf + 1 + literal_size;
      in_literal_ = true;
      scan_ = lf + 1;
      // Room for the whole literal now, plus slack for what follows it, so
      // that growing the buffer does not copy the literal again.
      Grow(start_ + literal_end_ + literal_size / 8 + (64 << 10), true);
      continue;
    }
    pieces_.push_back(Piece{line_start_, line_end, 0, 0});
    Source source;
    for (const Piece& piece : pieces_) {
      source.lines.emplace_back(base + piece.line_begin,
                                piece.line_end - piece.line_begin);
      if (&piece != &pieces_.back()) {
        source.literals.emplace_back(base + piece.literal_begin,
                                     piece.literal_size);
      }
    }
    Result<ImapResponse> parsed = ParseResponse(source, limits_.depth);
    start_ += lf + 1;
    scan_ = line_start_ = line_bytes_ = literal_total_ = literal_end_ = 0;
    pieces_.clear();
    if (!parsed.ok()) return parsed.status();
    return std::optional<ImapResponse>(std::move(parsed).value());
  }
}

// ---------------------------------------------------------------------------
// Sets, dates, strings

std::string FormatUidSet(std::vector<std::uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  std::string out;
  size_t i = 0;
  if (!uids.empty() && uids[0] == 0) i = 1;
  while (i < uids.size()) {
    size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    if (!out.empty()) out.push_back(',');
    out += std::to_string(uids[i]);
    if (j > i) out += ":" + std::to_string(uids[j]);
    i = j + 1;
  }
  return out;
}

std::optional<std::vector<std::uint32_t>> ParseUidSet(std::string_view set,
                                                      size_t max_uids) {
  if (set.empty()) return std::nullopt;
  // Count first, so that a hostile range is refused before any allocation.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;
  size_t total = 0;
  size_t start = 0;
  while (start <= set.size()) {
    size_t end = std::min(set.find(',', start), set.size());
    std::string_view piece = set.substr(start, end - start);
    size_t colon = piece.find(':');
    std::optional<std::uint32_t> low = ParseUint32(piece.substr(0, colon));
    std::optional<std::uint32_t> high =
        colon == std::string_view::npos ? low
                                        : ParseUint32(piece.substr(colon + 1));
    if (!low || !high || *low == 0 || *high == 0) return std::nullopt;
    if (*low > *high) std::swap(low, high);
    size_t count = static_cast<size_t>(*high - *low) + 1;
    if (count > max_uids || total > max_uids - count) return std::nullopt;
    total += count;
    ranges.emplace_back(*low, *high);
    start = end + 1;
  }
  std::vector<std::uint32_t> uids;
  uids.reserve(total);
  for (const auto& [low, high] : ranges) {
    for (std::uint32_t uid = low;; ++uid) {
      uids.push_back(uid);
      if (uid == high) break;
    }
  }
  return uids;
}

std::optional<std::int64_t> ParseInternalDate(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  if (!text.empty() && text[0] == ' ') text.remove_prefix(1);
  // "d-" or "dd-": normalise the day to two characters.
  size_t dash = text.find('-');
  if (dash != 1 && dash != 2) return std::nullopt;
  std::string_view day_text = text.substr(0, dash);
  std::string_view rest = text.substr(dash + 1);
  // rest: "Mon-yyyy hh:mm:ss +zzzz"
  if (rest.size() != 23 || rest[3] != '-' || rest[8] != ' ' ||
      rest[11] != ':' || rest[14] != ':' || rest[17] != ' ' ||
      (rest[18] != '+' && rest[18] != '-')) {
    return std::nullopt;
  }
  auto number = [](std::string_view digits) -> std::optional<int> {
    std::optional<std::uint64_t> value = ParseUint64(digits);
    if (!value) return std::nullopt;
    return static_cast<int>(*value);
  };
  std::optional<int> day = number(day_text);
  std::optional<int> year = number(rest.substr(4, 4));
  std::optional<int> hour = number(rest.substr(9, 2));
  std::optional<int> minute = number(rest.substr(12, 2));
  std::optional<int> second = number(rest.substr(15, 2));
  std::optional<int> zone_hours = number(rest.substr(19, 2));
  std::optional<int> zone_minutes = number(rest.substr(21, 2));
  if (!day || !year || !hour || !minute || !second || !zone_hours ||
      !zone_minutes || *hour > 23 || *minute > 59 || *second > 60 ||
      *zone_hours > 23 || *zone_minutes > 59) {
    return std::nullopt;
  }
  unsigned month = 0;
  for (unsigned m = 0; m < 12; ++m) {
    if (EqualsIgnoringCase(rest.substr(0, 3), kMonths[m])) month = m + 1;
  }
  if (month == 0) return std::nullopt;
  date::year_month_day ymd{date::year{*year}, date::month{month},
                           date::day{static_cast<unsigned>(*day)}};
  if (!ymd.ok()) return std::nullopt;
  int offset = (*zone_hours * 60 + *zone_minutes) * (rest[18] == '-' ? -1 : 1);
  return CivilSeconds(ymd, *hour, *minute, *second) -
         static_cast<std::int64_t>(offset) * 60;
}

std::string FormatInternalDate(std::int64_t unix_seconds, int offset_minutes) {
  assert(offset_minutes > -24 * 60 && offset_minutes < 24 * 60);
  offset_minutes = std::clamp(offset_minutes, -24 * 60 + 1, 24 * 60 - 1);
  constexpr std::int64_t kFirst = -62135596800;  // 0001-01-01 00:00:00
  constexpr std::int64_t kLast = 253402300799;   // 9999-12-31 23:59:59
  std::int64_t local = unix_seconds;
  // Clamp before adding the offset, so that nothing can overflow.
  local = std::clamp(local, kFirst - 86400, kLast + 86400);
  local = std::clamp(local + offset_minutes * 60, kFirst, kLast);
  std::int64_t days = local / 86400;
  std::int64_t second_of_day = local % 86400;
  if (second_of_day < 0) {
    second_of_day += 86400;
    --days;
  }
  date::year_month_day ymd{date::sys_days{date::days{days}}};
  int offset = offset_minutes < 0 ? -offset_minutes : offset_minutes;
  char out[64];
  std::snprintf(out, sizeof(out), "%02u-%s-%04d %02d:%02d:%02d %c%02d%02d",
                static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()),
                static_cast<int>(second_of_day / 3600),
                static_cast<int>(second_of_day / 60 % 60),
                static_cast<int>(second_of_day % 60),
                offset_minutes < 0 ? '-' : '+', offset / 60, offset % 60);
  return out;
}

ImapStringArg QuoteImapString(std::string_view text, bool non_synchronizing) {
  ImapStringArg arg;
  bool needs_literal = text.size() > kMaxQuotedBytes;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) needs_literal = true;
  }
  if (needs_literal) {
    arg.literal = true;
    arg.head =
        "{" + std::to_string(text.size()) + (non_synchronizing ? "+}" : "}");
    arg.literal_bytes = std::string(text);
    return arg;
  }
  arg.head.reserve(text.size() + 2);
  arg.head.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') arg.head.push_back('\\');
    arg.head.push_back(c);
  }
  arg.head.push_back('"');
  return arg;
}

// ---------------------------------------------------------------------------
// Extractors

Result<StatusResponse> ParseStatusResponse(const ImapResponse& response,
                                           size_t max_uids) {
  if (!response.IsStatus()) {
    return ItemError("not a status response: " + response.name);
  }
  StatusResponse out;
  out.tag = response.tag;
  const std::string& name = response.name;
  out.status = name == "OK"        ? ImapStatus::kOk
               : name == "NO"      ? ImapStatus::kNo
               : name == "BAD"     ? ImapStatus::kBad
               : name == "PREAUTH" ? ImapStatus::kPreauth
                                   : ImapStatus::kBye;
  out.text = response.text;
  ReadCode(response, max_uids, &out);
  return out;
}

Result<std::set<std::string>> ParseCapabilities(const ImapResponse& response) {
  if (IsUntagged(response, "CAPABILITY")) {
    return CapabilitySet(response.data.data(),
                         response.data.data() + response.data.size());
  }
  if (response.IsStatus() && !response.code.empty() &&
      response.code[0].IsAtom("CAPABILITY")) {
    return CapabilitySet(response.code.data() + 1,
                         response.code.data() + response.code.size());
  }
  return ItemError("no capabilities in " + response.name);
}

std::optional<std::uint32_t> ParseExists(const ImapResponse& response) {
  return Counter(response, "EXISTS");
}

std::optional<std::uint32_t> ParseExpunge(const ImapResponse& response) {
  return Counter(response, "EXPUNGE");
}

std::optional<std::uint32_t> ParseRecent(const ImapResponse& response) {
  return Counter(response, "RECENT");
}

Result<Vanished> ParseVanished(const ImapResponse& response, size_t max_uids) {
  if (!IsUntagged(response, "VANISHED")) {
    return ItemError("not a VANISHED response");
  }
  Vanished out;
  size_t i = 0;
  const std::vector<ImapValue>& data = response.data;
  if (i < data.size() && data[i].kind == ImapValue::Kind::kList) {
    for (const ImapValue& tag : data[i].items) {
      if (tag.IsAtom("EARLIER")) out.earlier = true;
    }
    ++i;
  }
  std::optional<std::vector<std::uint32_t>> uids;
  if (i < data.size()) uids = AsUidSet(data[i], max_uids);
  if (!uids) return ItemError("VANISHED without a valid uid-set");
  out.uids = std::move(*uids);
  return out;
}

Result<FetchItem> ParseFetch(const ImapResponse& response) {
  ImapResponse copy = response;
  return ParseFetch(std::move(copy));
}

Result<FetchItem> ParseFetch(ImapResponse&& response) {
  if (!IsUntagged(response, "FETCH")) return ItemError("not a FETCH response");
  if (!response.number || *response.number == 0) {
    return ItemError("FETCH without a sequence number");
  }
  FetchItem out;
  out.seq = *response.number;
  ImapValue* list = nullptr;
  for (ImapValue& value : response.data) {
    if (value.kind == ImapValue::Kind::kList) {
      list = &value;
      break;
    }
  }
  if (list == nullptr) return ItemError("FETCH without its list");
  std::vector<ImapValue>& items = list->items;
  for (size_t i = 0; i < items.size(); i += 2) {
    const ImapValue& key = items[i];
    if (key.kind != ImapValue::Kind::kAtom) {
      return ItemError("FETCH item name expected, got \"" + Excerpt(key.text) +
                       "\"");
    }
    if (i + 1 >= items.size()) {
      return ItemError("FETCH item " + Excerpt(key.text) + " without a value");
    }
    ImapValue& value = items[i + 1];
    std::string name = Upper(key.text);
    auto bad = [&] { return ItemError("bad FETCH " + Excerpt(name)); };
    if (name == "UID") {
      out.uid = AsNonZeroUint32(value);
      if (!out.uid) return bad();
    } else if (name == "FLAGS") {
      out.flags = AsAtomList(value);
      if (!out.flags) return bad();
    } else if (name == "INTERNALDATE") {
      std::optional<std::string_view> date = value.AsNString();
      if (!date) return bad();
      out.internal_date = std::string(*date);
      out.internal_time = ParseInternalDate(*date);
    } else if (name == "RFC822.SIZE") {
      out.size = AsUint64(value);
      if (!out.size) return bad();
    } else if (name == "MODSEQ") {
      if (value.kind != ImapValue::Kind::kList || value.items.empty()) {
        return bad();
      }
      out.modseq = AsUint64(value.items[0]);
      if (!out.modseq) return bad();
    } else if (name == "BODY[]" || name == "BINARY[]" ||
               name.rfind("BODY[HEADER.FIELDS ", 0) == 0 ||
               name.rfind("BODY[HEADER.FIELDS(", 0) == 0) {
      bool header = name.rfind("BODY[HEADER", 0) == 0;
      std::optional<std::string>& target =
          header ? out.header_fields : out.body;
      if (value.kind == ImapValue::Kind::kNil) {
        target.reset();
      } else if (value.kind == ImapValue::Kind::kQuoted ||
                 value.kind == ImapValue::Kind::kLiteral) {
        target = std::move(value.text);
      } else {
        return bad();
      }
    }
  }
  return out;
}

bool HasFlag(const std::vector<std::string>& flags, std::string_view flag) {
  return std::any_of(flags.begin(), flags.end(), [&](const std::string& f) {
    return EqualsIgnoringCase(f, flag);
  });
}

Result<ListEntry> ParseList(const ImapResponse& response) {
  if (!IsUntagged(response, "LIST") && !IsUntagged(response, "LSUB")) {
    return ItemError("not a LIST response");
  }
  const std::vector<ImapValue>& data = response.data;
  if (data.size() < 3) return ItemError("LIST with fewer than 3 values");
  ListEntry out;
  std::optional<std::vector<std::string>> attributes = AsAtomList(data[0]);
  if (!attributes) return ItemError("LIST without attributes");
  out.attributes = std::move(*attributes);
  if (data[1].kind == ImapValue::Kind::kQuoted && data[1].text.size() == 1) {
    out.delimiter = data[1].text[0];
  } else if (data[1].kind != ImapValue::Kind::kNil) {
    return ItemError("LIST with a bad delimiter");
  }
  std::optional<std::string_view> name = data[2].AsAString();
  if (!name) return ItemError("LIST without a mailbox name");
  out.name = std::string(*name);
  return out;
}

Result<std::vector<std::uint32_t>> ParseSearch(const ImapResponse& response) {
  if (!IsUntagged(response, "SEARCH")) {
    return ItemError("not a SEARCH response");
  }
  std::vector<std::uint32_t> out;
  out.reserve(response.data.size());
  for (const ImapValue& value : response.data) {
    if (value.kind == ImapValue::Kind::kList) continue;  // (MODSEQ n)
    std::optional<std::uint32_t> number = AsNonZeroUint32(value);
    if (!number) {
      return ItemError("SEARCH result \"" + Excerpt(value.text) + "\"");
    }
    out.push_back(*number);
  }
  return out;
}

Result<ESearch> ParseESearch(const ImapResponse& response, size_t max_uids) {
  if (!IsUntagged(response, "ESEARCH")) {
    return ItemError("not an ESEARCH response");
  }
  const std::vector<ImapValue>& data = response.data;
  ESearch out;
  size_t i = 0;
  if (i < data.size() && data[i].kind == ImapValue::Kind::kList) {
    const std::vector<ImapValue>& correlator = data[i].items;
    if (correlator.size() >= 2 && correlator[0].IsAtom("TAG")) {
      std::optional<std::string_view> tag = correlator[1].AsAString();
      if (tag) out.tag = std::string(*tag);
    }
    ++i;
  }
  if (i < data.size() && data[i].IsAtom("UID")) {
    out.uid = true;
    ++i;
  }
  for (; i < data.size(); i += 2) {
    if (data[i].kind != ImapValue::Kind::kAtom || i + 1 >= data.size()) {
      return ItemError("bad ESEARCH item \"" + Excerpt(data[i].text) + "\"");
    }
    std::string name = Upper(data[i].text);
    const ImapValue& value = data[i + 1];
    auto bad = [&] { return ItemError("bad ESEARCH " + name); };
    if (name == "ALL") {
      out.all = AsUidSet(value, max_uids);
      if (!out.all) return bad();
    } else if (name == "MIN" || name == "MAX" || name == "COUNT") {
      std::optional<std::uint32_t> number = AsUint32(value);
      if (!number) return bad();
      (name == "MIN" ? out.min : name == "MAX" ? out.max : out.count) = number;
    } else if (name == "MODSEQ") {
      out.modseq = AsUint64(value);
      if (!out.modseq) return bad();
    }
  }
  return out;
}

Result<MailboxStatus> ParseMailboxStatus(const ImapResponse& response) {
  if (!IsUntagged(response, "STATUS")) {
    return ItemError("not a STATUS response");
  }
  const std::vector<ImapValue>& data = response.data;
  if (data.size() < 2 || data[1].kind != ImapValue::Kind::kList) {
    return ItemError("STATUS without its list");
  }
  std::optional<std::string_view> mailbox = data[0].AsAString();
  if (!mailbox) return ItemError("STATUS without a mailbox name");
  MailboxStatus out;
  out.mailbox = std::string(*mailbox);
  const std::vector<ImapValue>& items = data[1].items;
  for (size_t i = 0; i + 1 < items.size(); i += 2) {
    if (items[i].kind != ImapValue::Kind::kAtom) {
      return ItemError("bad STATUS item");
    }
    std::string name = Upper(items[i].text);
    const ImapValue& value = items[i + 1];
    std::optional<std::uint32_t>* small = name == "MESSAGES"  ? &out.messages
                                          : name == "RECENT"  ? &out.recent
                                          : name == "UIDNEXT" ? &out.uid_next
                                          : name == "UIDVALIDITY"
                                              ? &out.uid_validity
                                          : name == "UNSEEN" ? &out.unseen
                                                             : nullptr;
    std::optional<std::uint64_t>* large = name == "HIGHESTMODSEQ"
                                              ? &out.highest_modseq
                                          : name == "SIZE" ? &out.size
                                                           : nullptr;
    if (small != nullptr) {
      *small = AsUint32(value);
      if (!*small) return ItemError("bad STATUS " + name);
    } else if (large != nullptr) {
      *large = AsUint64(value);
      if (!*large) return ItemError("bad STATUS " + name);
    }
  }
  if (items.size() % 2 != 0) return ItemError("STATUS item without a value");
  return out;
}

}  // namespace schoolmail
