// Mustache rendering (kainjow). Pure: a template text and values in, text
// out. Values are data only: a value that looks like a tag ("{{grade}}")
// is printed as it is, never expanded, and is never looked up as a partial.
#pragma once

#include <concepts>
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "config/status.h"

namespace schoolmail {

enum class Escape {
  kHtml,  // {{name}} is HTML-escaped; {{{name}}} is not
  kNone,  // plain-text mail: nothing is escaped
};

class TemplateValue;
// One record: names to values. The top-level values of a template are one.
using TemplateValues = std::map<std::string, TemplateValue>;
// Records for a {{#items}}...{{/items}} section, rendered once each.
using TemplateList = std::vector<TemplateValues>;

// Text, a flag or a list of records. In a section ({{#name}}, {{^name}})
// false, an empty list and an empty text are false, as in mustache.js; a
// text prints as {{name}}, a flag or a list prints nothing.
class TemplateValue {
 public:
  TemplateValue() = default;                                      // empty text
  TemplateValue(const char* text) : value_(std::string(text)) {}  // NOLINT
  TemplateValue(std::string text) : value_(std::move(text)) {}    // NOLINT
  TemplateValue(std::same_as<bool> auto flag) : value_(flag) {}   // NOLINT
  TemplateValue(TemplateList list) : value_(std::move(list)) {}   // NOLINT

  const std::string* text() const { return std::get_if<std::string>(&value_); }
  const bool* flag() const { return std::get_if<bool>(&value_); }
  const TemplateList* list() const {
    return std::get_if<TemplateList>(&value_);
  }

 private:
  std::variant<std::string, bool, TemplateList> value_;
};

// A template included with {{> name}}, rendered with the includer's values.
struct TemplatePartial {
  std::string file_name;  // named in errors
  std::string text;
};
using TemplatePartials = std::map<std::string, TemplatePartial>;

// At most this many {{> name}} inclusions per RenderTemplate call, so a
// partial that includes itself is an error rather than a stack overflow.
inline constexpr std::size_t kMaxPartialInclusions = 64;

// Renders `text` with `values`. A syntax error in the template (unclosed
// section, bad delimiter) is returned as an error naming `template_name`
// ("template receipt.txt.mustache: ..."); an error in a partial names the
// partial's file. A {{> name}} not in `partials` is an error too.
// Whitespace as in the mustache spec: CRLF in a template reads as LF, and a
// line holding only a section, comment or partial tag leaves no blank line
// whether or not the section renders (not with {{=..=}} delimiters).
// Byte 0x01 never appears in the output.
Result<std::string> RenderTemplate(const std::string& template_name,
                                   const std::string& text,
                                   const TemplateValues& values, Escape escape,
                                   const TemplatePartials& partials = {});

}  // namespace schoolmail
