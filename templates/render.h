// Mustache rendering (kainjow). Pure: a template text and values in, text
// out. Values are data only: a value that looks like a tag ("{{grade}}")
// is printed as it is, never expanded.
#pragma once

#include <map>
#include <string>

#include "config/status.h"

namespace schoolmail {

enum class Escape {
  kHtml,  // {{name}} is HTML-escaped; {{{name}}} is not
  kNone,  // plain-text mail: nothing is escaped
};

using TemplateValues = std::map<std::string, std::string>;

// Renders `text` with `values`. A syntax error in the template (unclosed
// section, bad delimiter) is returned as an error naming `template_name`.
Result<std::string> RenderTemplate(const std::string& template_name,
                                   const std::string& text,
                                   const TemplateValues& values,
                                   Escape escape);

}  // namespace schoolmail
