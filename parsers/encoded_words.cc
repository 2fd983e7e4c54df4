#include "parsers/encoded_words.h"

#include <map>
#include <optional>

#include "config/text.h"
#include "parsers/base64.h"
#include "parsers/charset.h"

namespace schoolmail {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "=?charset?B?text?=" starting at `at`; on success fills charset and the
// decoded bytes and returns the length of the whole word.
size_t MatchEncodedWord(std::string_view text, size_t at, std::string* charset,
                        std::string* bytes) {
  if (text.compare(at, 2, "=?") != 0) return 0;
  size_t q1 = text.find('?', at + 2);
  if (q1 == std::string_view::npos || q1 + 2 >= text.size()) return 0;
  char encoding = text[q1 + 1];
  if (text[q1 + 2] != '?') return 0;
  size_t start = q1 + 3;
  size_t end = text.find("?=", start);
  if (end == std::string_view::npos) return 0;
  std::string_view payload = text.substr(start, end - start);
  if (payload.find_first_of(" \t\r\n") != std::string_view::npos) return 0;
  std::string_view name = text.substr(at + 2, q1 - at - 2);
  if (name.empty() || name.find_first_of(" \t\"") != std::string_view::npos) {
    return 0;
  }
  size_t star = name.find('*');  // RFC 2231 language suffix
  *charset = std::string(name.substr(0, star));
  bytes->clear();
  if (encoding == 'B' || encoding == 'b') {
    Base64Decoder decoder;
    decoder.Decode(payload, bytes);
    decoder.Finish(bytes);  // Apple Mail leaves out the '=' padding
  } else if (encoding == 'Q' || encoding == 'q') {
    for (size_t i = 0; i < payload.size(); ++i) {
      char c = payload[i];
      if (c == '_') {
        bytes->push_back(' ');
      } else if (c == '=' && i + 2 < payload.size() &&
                 HexValue(payload[i + 1]) >= 0 &&
                 HexValue(payload[i + 2]) >= 0) {
        bytes->push_back(static_cast<char>(HexValue(payload[i + 1]) * 16 +
                                           HexValue(payload[i + 2])));
        i += 2;
      } else {
        bytes->push_back(c);
      }
    }
  } else {
    return 0;
  }
  return end + 2 - at;
}

void AppendClean(std::string_view utf8, std::string* out) {
  for (char c : utf8) {
    unsigned char u = static_cast<unsigned char>(c);
    out->push_back(u < 0x20 || u == 0x7F ? ' ' : c);
  }
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out.push_back(
          static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

std::string DecodeHeaderText(std::string_view raw) {
  std::string out;
  std::string pending_charset;  // a run of encoded-words in one charset
  std::string pending_bytes;
  std::string gap;  // plain text seen since the last encoded-word
  bool after_word = false;
  auto flush_pending = [&] {
    if (pending_bytes.empty() && pending_charset.empty()) return;
    AppendClean(ToUtf8(pending_bytes, pending_charset), &out);
    pending_bytes.clear();
    pending_charset.clear();
  };
  size_t i = 0;
  size_t plain_start = 0;
  auto flush_plain = [&](size_t end) {
    std::string_view plain = raw.substr(plain_start, end - plain_start);
    bool only_space = plain.find_first_not_of(" \t\r\n") == std::string_view::npos;
    if (after_word && only_space) return;  // space between two words: dropped
    flush_pending();
    AppendClean(DecodeUndeclared(plain), &out);
  };
  while (i < raw.size()) {
    size_t at = raw.find("=?", i);
    if (at == std::string_view::npos) break;
    std::string charset, bytes;
    size_t length = MatchEncodedWord(raw, at, &charset, &bytes);
    if (length == 0) {
      i = at + 2;
      continue;
    }
    if (at > plain_start) flush_plain(at);
    if (LowerAscii(charset) != LowerAscii(pending_charset)) flush_pending();
    pending_charset = charset;
    pending_bytes += bytes;
    after_word = true;
    i = at + length;
    plain_start = i;
  }
  if (plain_start < raw.size()) {
    after_word = false;
    flush_plain(raw.size());
  }
  flush_pending();
  return std::string(Trim(out));
}

ContentField ParseContentField(std::string_view value) {
  ContentField field;
  size_t i = 0;
  auto skip_comment = [&] {
    int depth = 0;
    while (i < value.size()) {
      char c = value[i++];
      if (c == '\\') {
        ++i;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        return;
      }
    }
  };
  std::string main;
  while (i < value.size() && value[i] != ';') {
    if (value[i] == '(') {
      skip_comment();
      continue;
    }
    main.push_back(value[i++]);
  }
  field.value = LowerAscii(Trim(main));
  while (i < value.size()) {
    ++i;  // the ';'
    std::string name;
    while (i < value.size() && value[i] != '=' && value[i] != ';') {
      name.push_back(value[i++]);
    }
    if (i >= value.size() || value[i] == ';') continue;  // no '=': skip
    ++i;  // the '='
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    std::string text;
    if (i < value.size() && value[i] == '"') {
      ++i;
      while (i < value.size() && value[i] != '"') {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        text.push_back(value[i++]);
      }
      ++i;  // closing quote
      while (i < value.size() && value[i] != ';') ++i;  // junk after it
    } else {
      while (i < value.size() && value[i] != ';') {
        if (value[i] == '(') {
          skip_comment();
          continue;
        }
        text.push_back(value[i++]);
      }
      text = std::string(Trim(text));
    }
    std::string key(Trim(name));
    if (!key.empty()) field.parameters.emplace_back(key, text);
  }
  return field;
}

std::string DecodeParameter(const std::vector<MimeParameter>& parameters,
                            std::string_view name) {
  std::string wanted = LowerAscii(name);
  std::optional<std::string> plain;
  std::optional<std::string> extended;             // name*=
  std::map<int, std::pair<bool, std::string>> sections;  // N -> (encoded, value)
  for (const auto& [raw_name, value] : parameters) {
    std::string key = LowerAscii(Trim(raw_name));
    if (key == wanted) {
      if (!plain) plain = value;
      continue;
    }
    if (key.rfind(wanted + "*", 0) != 0) continue;
    std::string rest = key.substr(wanted.size() + 1);
    if (rest.empty()) {
      if (!extended) extended = value;
      continue;
    }
    bool encoded = rest.back() == '*';
    if (encoded) rest.pop_back();
    if (rest.empty() || rest.size() > 3 ||
        rest.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    sections.emplace(std::stoi(rest), std::make_pair(encoded, value));
  }
  auto decode_extended = [](std::string_view value, std::string* charset) {
    // charset'language'percent-encoded
    size_t first = value.find('\'');
    size_t second = first == std::string_view::npos
                        ? std::string_view::npos
                        : value.find('\'', first + 1);
    if (second == std::string_view::npos) return PercentDecode(value);
    *charset = std::string(value.substr(0, first));
    return PercentDecode(value.substr(second + 1));
  };
  if (extended) {
    std::string charset;
    std::string bytes = decode_extended(*extended, &charset);
    return std::string(Trim(DecodeHeaderText(ToUtf8(bytes, charset))));
  }
  if (!sections.empty()) {
    std::string charset;
    std::string bytes;
    bool first = true;
    for (const auto& [index, section] : sections) {
      const auto& [encoded, value] = section;
      if (encoded && first) {
        bytes += decode_extended(value, &charset);
      } else if (encoded) {
        bytes += PercentDecode(value);
      } else {
        bytes += value;
      }
      first = false;
    }
    return DecodeHeaderText(ToUtf8(bytes, charset));
  }
  if (plain) return DecodeHeaderText(*plain);
  return "";
}

}  // namespace schoolmail
