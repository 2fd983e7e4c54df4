// RFC 5322 address lists as mail really writes them: display names in
// quotes, encoded-words or raw 8-bit; comments; groups
// ("undisclosed-recipients:;"); old "addr (Name)" forms. mimetic's own
// address parser is not used: it glues group names into addresses and
// keeps the quotes of display names. Pure; never throws.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace schoolmail {

struct MailAddress {
  std::string name;     // decoded display name, UTF-8; may be empty
  std::string address;  // normalised (config/address.h) when valid, else
                        // the text as found (for the operator to see)
  bool valid = false;   // address is a well-formed, normalised addr-spec
  bool operator==(const MailAddress&) const = default;
};

// Every mailbox in an unfolded header value; group names are dropped and
// their members kept.
std::vector<MailAddress> ParseAddressList(std::string_view value);

// The message ids in a Message-ID, In-Reply-To or References value, without
// angle brackets, in order. A value without any <...> gives its trimmed text
// as one id (when it has no spaces).
std::vector<std::string> ParseMessageIds(std::string_view value);

}  // namespace schoolmail
