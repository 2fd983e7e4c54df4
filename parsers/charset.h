// Charset conversion to UTF-8 with glibc iconv. Pure; never throws.
#pragma once

#include <string>
#include <string_view>

namespace schoolmail {

// The iconv name for a charset label as mail writes it ("x-mac-cyrillic" ->
// "MACCYRILLIC", "cp1251" -> "WINDOWS-1251"), or "" for labels that promise
// nothing (unknown-8bit, x-user-defined, empty).
std::string CanonicalCharset(std::string_view label);

// `bytes` in `charset` as UTF-8. Labels iconv does not know, labels that
// promise nothing, and ASCII labels on 8-bit text fall back to
// DecodeUndeclared. Invalid or truncated sequences become U+FFFD.
std::string ToUtf8(std::string_view bytes, std::string_view charset);

// Text of unknown charset: valid UTF-8 stays as it is (a UTF-8 byte order
// mark is dropped); anything else is read as windows-1251, the most likely
// 8-bit charset in Russian mail and Excel files.
std::string DecodeUndeclared(std::string_view bytes);

}  // namespace schoolmail
