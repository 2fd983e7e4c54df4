#include "parsers/charset.h"

#include <iconv.h>

#include <cerrno>
#include <utility>

#include "config/text.h"

namespace schoolmail {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool IsAscii(std::string_view bytes) {
  for (char c : bytes) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Converts with iconv, replacing each invalid byte with U+FFFD.
// Returns false when iconv does not know `from`.
bool Convert(std::string_view bytes, const std::string& from,
             std::string* out) {
  iconv_t cd = iconv_open("UTF-8", from.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return false;
  out->clear();
  out->reserve(bytes.size() * 2);
  char* in = const_cast<char*>(bytes.data());
  size_t in_left = bytes.size();
  char buffer[4096];
  while (in_left > 0) {
    char* dst = buffer;
    size_t dst_left = sizeof buffer;
    size_t rc = iconv(cd, &in, &in_left, &dst, &dst_left);
    out->append(buffer, dst - buffer);
    if (rc != static_cast<size_t>(-1)) continue;
    if (errno == E2BIG) continue;
    // EILSEQ (invalid) or EINVAL (truncated at the end): replace one byte.
    out->append(kReplacement);
    ++in;
    --in_left;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);  // reset shift state
  }
  char* dst = buffer;
  size_t dst_left = sizeof buffer;
  iconv(cd, nullptr, nullptr, &dst, &dst_left);
  out->append(buffer, dst - buffer);
  iconv_close(cd);
  return true;
}

}  // namespace

std::string CanonicalCharset(std::string_view label) {
  std::string name = LowerAscii(Trim(label));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
    name = name.substr(1, name.size() - 2);
  }
  static const std::pair<std::string_view, std::string_view> kAliases[] = {
      {"utf-8", "UTF-8"},          {"utf8", "UTF-8"},
      {"windows-1251", "WINDOWS-1251"}, {"cp1251", "WINDOWS-1251"},
      {"win-1251", "WINDOWS-1251"},     {"x-cp1251", "WINDOWS-1251"},
      {"cp-1251", "WINDOWS-1251"},      {"windows1251", "WINDOWS-1251"},
      {"koi8-r", "KOI8-R"},        {"koi8r", "KOI8-R"},
      {"koi8-u", "KOI8-U"},        {"cp866", "CP866"},
      {"ibm866", "CP866"},         {"866", "CP866"},
      {"iso-8859-5", "ISO-8859-5"},     {"iso8859-5", "ISO-8859-5"},
      {"maccyrillic", "MACCYRILLIC"},   {"x-mac-cyrillic", "MACCYRILLIC"},
      {"mac-cyrillic", "MACCYRILLIC"},  {"x-mac-ukrainian", "MACCYRILLIC"},
      {"us-ascii", "US-ASCII"},    {"ascii", "US-ASCII"},
      {"ansi_x3.4-1968", "US-ASCII"},
  };
  for (const auto& [alias, canonical] : kAliases) {
    if (name == alias) return std::string(canonical);
  }
  if (name.empty() || name == "unknown-8bit" || name == "x-user-defined" ||
      name == "x-unknown" || name == "unknown") {
    return "";
  }
  return name;  // iconv matches names case-insensitively
}

std::string ToUtf8(std::string_view bytes, std::string_view charset) {
  std::string name = CanonicalCharset(charset);
  if (name.empty()) return DecodeUndeclared(bytes);
  if (name == "US-ASCII") {
    return IsAscii(bytes) ? std::string(bytes) : DecodeUndeclared(bytes);
  }
  // glibc's UTF-8 decoder lets through sequences above U+10FFFF (found by
  // the fuzzer), so UTF-8 is checked here, not by iconv.
  if (name == "UTF-8") return ToValidUtf8(bytes);
  std::string out;
  if (!Convert(bytes, name, &out)) return DecodeUndeclared(bytes);
  // iconv's decoders for exotic charsets (UTF-7, UTF-16) can emit lone
  // surrogates; what leaves here is always valid UTF-8.
  if (!IsValidUtf8(out)) return ToValidUtf8(out);
  return out;
}

// Counts well-formed multi-byte UTF-8 sequences and bytes that fit none.
void CountUtf8(std::string_view bytes, size_t* valid, size_t* invalid) {
  *valid = 0;
  *invalid = 0;
  size_t i = 0;
  while (i < bytes.size()) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t length = (c & 0xE0) == 0xC0   ? 2
                    : (c & 0xF0) == 0xE0 ? 3
                    : (c & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (length != 0 && i + length <= bytes.size() &&
        IsValidUtf8(bytes.substr(i, length))) {
      ++*valid;
      i += length;
    } else {
      ++*invalid;
      ++i;
    }
  }
}

std::string DecodeUndeclared(std::string_view bytes) {
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (IsValidUtf8(bytes)) return std::string(bytes);
  // UTF-8 with a little damage (a name cut in the middle of a character)
  // stays UTF-8: windows-1251 text almost never forms valid sequences.
  size_t valid = 0;
  size_t invalid = 0;
  CountUtf8(bytes, &valid, &invalid);
  std::string out;
  if (valid > 0 && invalid * 4 <= valid) return ToValidUtf8(bytes);
  Convert(bytes, "WINDOWS-1251", &out);
  return out;
}

}  // namespace schoolmail
