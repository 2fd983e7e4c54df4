#include "parsers/mutf7.h"

#include <cstdint>
#include <vector>

namespace schoolmail {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

constexpr char32_t kReplacement = 0xFFFD;

int AlphabetValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool IsPrintableAscii(char32_t c) { return c >= 0x20 && c <= 0x7E; }

// Decodes one code point at text[*at], advancing *at; U+FFFD for an
// ill-formed sequence, consuming its maximal subpart.
char32_t NextCodePoint(std::string_view text, size_t* at) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(*at);
  ++*at;
  if (lead < 0x80) return lead;
  size_t length;
  char32_t code;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 1;
    code = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 2;
    code = lead & 0x0F;
    if (lead == 0xE0) low = 0xA0;   // no overlongs
    if (lead == 0xED) high = 0x9F;  // no surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 3;
    code = lead & 0x07;
    if (lead == 0xF0) low = 0x90;   // no overlongs
    if (lead == 0xF4) high = 0x8F;  // nothing above U+10FFFF
  } else {
    return kReplacement;
  }
  for (size_t k = 0; k < length; ++k) {
    if (*at >= text.size()) return kReplacement;
    unsigned char c = byte(*at);
    if (c < low || c > high) return kReplacement;
    low = 0x80;
    high = 0xBF;
    code = (code << 6) | (c & 0x3F);
    ++*at;
  }
  return code;
}

void AppendUtf8(char32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// "&" + UTF-16 big-endian in modified base64, unpadded + "-".
void FlushShifted(std::vector<std::uint16_t>* units, std::string* out) {
  if (units->empty()) return;
  out->push_back('&');
  std::uint32_t bits = 0;
  int count = 0;
  for (std::uint16_t unit : *units) {
    bits = (bits << 16) | unit;
    count += 16;
    while (count >= 6) {
      count -= 6;
      out->push_back(kAlphabet[(bits >> count) & 0x3F]);
    }
    bits &= (1u << count) - 1;
  }
  if (count > 0) out->push_back(kAlphabet[(bits << (6 - count)) & 0x3F]);
  out->push_back('-');
  units->clear();
}

}  // namespace

std::string EncodeMailboxName(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() + utf8.size() / 2);
  std::vector<std::uint16_t> units;
  size_t at = 0;
  while (at < utf8.size()) {
    char32_t c = NextCodePoint(utf8, &at);
    if (IsPrintableAscii(c)) {
      FlushShifted(&units, &out);
      out += c == '&' ? "&-" : std::string(1, static_cast<char>(c));
    } else if (c >= 0x10000) {
      c -= 0x10000;
      units.push_back(static_cast<std::uint16_t>(0xD800 | (c >> 10)));
      units.push_back(static_cast<std::uint16_t>(0xDC00 | (c & 0x3FF)));
    } else {
      units.push_back(static_cast<std::uint16_t>(c));
    }
  }
  FlushShifted(&units, &out);
  return out;
}

std::optional<std::string> DecodeMailboxName(std::string_view mutf7) {
  std::string out;
  out.reserve(mutf7.size());
  size_t at = 0;
  while (at < mutf7.size()) {
    char c = mutf7[at];
    if (!IsPrintableAscii(static_cast<unsigned char>(c))) return std::nullopt;
    if (c != '&') {
      out.push_back(c);
      ++at;
      continue;
    }
    ++at;
    if (at < mutf7.size() && mutf7[at] == '-') {
      out.push_back('&');
      ++at;
      continue;
    }
    std::uint32_t bits = 0;
    int count = 0;
    char32_t high_surrogate = 0;
    for (;;) {
      if (at >= mutf7.size()) return std::nullopt;  // no closing '-'
      char d = mutf7[at++];
      if (d == '-') break;
      int value = AlphabetValue(d);
      if (value < 0) return std::nullopt;
      bits = (bits << 6) | static_cast<std::uint32_t>(value);
      count += 6;
      if (count < 16) continue;
      count -= 16;
      char32_t unit = (bits >> count) & 0xFFFF;
      bits &= (1u << count) - 1;
      if (high_surrogate != 0) {
        if (unit < 0xDC00 || unit > 0xDFFF) return std::nullopt;
        AppendUtf8(
            0x10000 + ((high_surrogate - 0xD800) << 10) + (unit - 0xDC00),
            &out);
        high_surrogate = 0;
      } else if (unit >= 0xD800 && unit <= 0xDBFF) {
        high_surrogate = unit;
      } else if ((unit >= 0xDC00 && unit <= 0xDFFF) || IsPrintableAscii(unit)) {
        return std::nullopt;
      } else {
        AppendUtf8(unit, &out);
      }
    }
    // What is left must be padding: fewer than 6 bits, all zero; and a
    // surrogate pair must not be cut in half.
    if (count >= 6 || bits != 0 || high_surrogate != 0) return std::nullopt;
  }
  return out;
}

}  // namespace schoolmail
