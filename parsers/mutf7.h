// Modified UTF-7 (RFC 3501 5.1.3): how IMAP4rev1 spells mailbox names that
// are not printable ASCII. "Архив/2024 & co" <-> "&BBAEQARFBDgEMg-/2024 &- co".
//
// Pure; never throws. Hierarchy delimiters need no special care: they are
// printable ASCII and pass through both ways.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace schoolmail {

// UTF-8 -> modified UTF-7. Printable ASCII stays itself ("&" becomes
// "&-"); everything else is UTF-16 in modified base64 between "&" and "-",
// with surrogate pairs above U+FFFF. Each ill-formed UTF-8 sequence (a
// maximal subpart, as Unicode recommends) becomes U+FFFD.
std::string EncodeMailboxName(std::string_view utf8);

// Modified UTF-7 -> UTF-8; nullopt when malformed: a byte outside printable
// ASCII, "&" without its "-", a character outside the modified base64
// alphabet, leftover bits that are not zero or a whole sixth, a lone
// surrogate, or printable ASCII written in base64 (RFC 3501 forbids it).
// A server with UTF8=ACCEPT may send raw UTF-8 names: those are malformed
// here, and the caller may take them as UTF-8 instead.
std::optional<std::string> DecodeMailboxName(std::string_view mutf7);

}  // namespace schoolmail
