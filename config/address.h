// E-mail addresses: the one place that says what a well-formed address is
// and how it is normalised for matching.
//
// Normalisation rule: the whole address is lower-cased (ASCII letters in the
// local part and the domain; Cyrillic letters in an internationalised
// domain). Nothing else changes: dots and "+tag" suffixes stay, so
// "ivan+7a@mail.ru" and "ivan@mail.ru" are different people. Lower-casing the
// local part is deliberate: every provider pupils use (mail.ru, Yandex,
// Gmail, Outlook) treats it case-insensitively, and people type it both ways.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace schoolmail {

// The normalised form of `text` (surrounding blanks ignored), or nullopt when
// it is not a plain addr-spec `local@domain.tld`: dot-atom local part of at
// most 64 octets, a domain of two or more labels. Quoted local parts, CR, LF,
// spaces, angle brackets and control characters are refused.
std::optional<std::string> NormalizeAddress(std::string_view text);

}  // namespace schoolmail
