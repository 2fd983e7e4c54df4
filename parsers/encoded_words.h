// Decoding of non-ASCII header text: RFC 2047 encoded-words and RFC 2231
// parameter values, with the charset fallbacks of charset.h. mimetic
// decodes neither. Pure; never throws.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace schoolmail {

// Unstructured header text (Subject, a display name, a quoted file name) as
// UTF-8: encoded-words are decoded wherever they appear (also inside quotes
// and glued to other text, as Outlook and webmail write them); white space
// between two encoded-words is dropped; adjacent words in one charset are
// joined before conversion, so a character split across two words survives;
// raw 8-bit text is read by DecodeUndeclared. CR, LF, TAB and other control
// characters become spaces.
std::string DecodeHeaderText(std::string_view raw);

// One MIME parameter as the field parser returns it: name without quotes
// (may end in "*" or "*N" / "*N*"), value with quotes removed.
using MimeParameter = std::pair<std::string, std::string>;

// A structured MIME field value: "text/plain; charset=utf-8" or
// "attachment; filename=\"a;b.jpg\"".
struct ContentField {
  std::string value;  // before the first ';', trimmed, lower case
  std::vector<MimeParameter> parameters;
};

// Splits a Content-Type or Content-Disposition value. Quoted strings may
// hold ';' and '\"' (mimetic 0.9.8 splits "a;b" at the ';' and keeps the
// backslashes, which is why this is ours); unquoted values run to the next
// ';' and may hold blanks, as Outlook writes them; comments are dropped.
ContentField ParseContentField(std::string_view value);

// The decoded value of parameter `name` (case-insensitive), or "" when
// absent: RFC 2231 forms (`name*=utf-8''%D0%90`, continuations `name*0*`,
// `name*1`, in any order) win over the plain form; the plain form is read
// with DecodeHeaderText.
std::string DecodeParameter(const std::vector<MimeParameter>& parameters,
                            std::string_view name);

}  // namespace schoolmail
