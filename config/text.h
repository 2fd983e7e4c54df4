// Small text operations on UTF-8 strings that every module needs.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace schoolmail {

// Without leading and trailing ASCII whitespace.
std::string_view Trim(std::string_view text);

// Splits on any of `separators`, trims each piece, drops empty pieces.
std::vector<std::string> SplitList(std::string_view text,
                                   std::string_view separators);

// ASCII letters lower-cased; other bytes unchanged.
std::string LowerAscii(std::string_view text);

// ASCII and Cyrillic letters (А-Я, Ё) lower-cased; other text unchanged.
// Invalid UTF-8 passes through byte for byte.
std::string LowerUtf8Cyrillic(std::string_view text);

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool IsValidUtf8(std::string_view text);

// `text` with every byte that does not start a well-formed UTF-8 sequence
// replaced by U+FFFD (the same rules as IsValidUtf8: no overlongs, no
// surrogates, nothing above U+10FFFF).
std::string ToValidUtf8(std::string_view text);

// Joins `parts` with `separator`.
std::string Join(const std::vector<std::string>& parts,
                 std::string_view separator);

}  // namespace schoolmail
