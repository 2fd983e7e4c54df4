#include "templates/render.h"

#include <kainjow/mustache.hpp>
#include <optional>
#include <set>
#include <string_view>

namespace schoolmail {
namespace {

using Data = kainjow::mustache::data;

// Marks a blank template line so kainjow keeps it (see PrepareTemplate);
// removed from the output.
constexpr char kBlankLineMark = '\x01';

// Template text as kainjow should see it: LF line ends, and the mustache
// spec's standalone lines. kainjow drops the line of a section tag only when
// the section is rendered, so a false {{#late}} on its own line leaves a
// blank line. Here a line holding nothing but one {{#..}}, {{^..}}, {{/..}},
// {{!..}} or {{>..}} tag loses its indentation and its line end; and blank
// lines are marked, since kainjow would drop a blank line that now follows
// a section tag. With custom delimiters ({{=..=}}) lines are left as they
// are.
std::string PrepareTemplate(const std::string& raw) {
  std::string text;
  text.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n') continue;
    text += raw[i];
  }
  if (text.find("{{=") != std::string::npos) return text;
  std::string out;
  out.reserve(text.size() + 64);
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    const bool has_newline = eol != std::string::npos;
    if (!has_newline) eol = text.size();
    const std::size_t first = text.find_first_not_of(" \t", pos);
    if (first >= eol) {  // blank line
      out.append(text, pos, eol - pos);
      if (has_newline) {
        out += kBlankLineMark;
        out += '\n';
      }
      pos = eol + 1;
      continue;
    }
    if (text.compare(first, 2, "{{") == 0 && first + 2 < text.size() &&
        std::string_view("#^/!>").find(text[first + 2]) !=
            std::string_view::npos) {
      const std::size_t close = text.find("}}", first + 3);
      // Only a comment may span lines.
      if (close != std::string::npos &&
          (close < eol || text[first + 2] == '!')) {
        const std::size_t after = close + 2;
        const std::size_t rest = text.find_first_not_of(" \t", after);
        if (rest == std::string::npos || text[rest] == '\n') {
          out.append(text, first, after - first);
          pos = rest == std::string::npos ? text.size() : rest + 1;
          continue;
        }
      }
    }
    out.append(text, pos, eol - pos);
    if (has_newline) out += '\n';
    pos = eol + 1;
  }
  return out;
}

Data ToData(const TemplateValues& record);

Data ToData(const TemplateValue& value) {
  if (const std::string* text = value.text()) {
    // kainjow treats every text as true in a section; an empty one is false
    // here, and false prints as nothing, just like an empty text.
    return text->empty() ? Data(false) : Data(*text);
  }
  if (const bool* flag = value.flag()) return Data(*flag);
  Data list(Data::type::list);
  for (const TemplateValues& record : *value.list()) {
    list.push_back(ToData(record));
  }
  return list;
}

Data ToData(const TemplateValues& record) {
  Data object(Data::type::object);
  for (const auto& [name, value] : record) object.set(name, ToData(value));
  return object;
}

// Values come from the data stack as usual; partials only from the
// template set, so no value is ever parsed as a template.
class RenderContext : public kainjow::mustache::basic_context<std::string> {
 public:
  RenderContext(const Data* values, const TemplatePartials& partials)
      : partials_(partials) {
    values_.push(values);
    for (const auto& [name, partial] : partials) {
      partial_texts_.emplace(name, Data(PrepareTemplate(partial.text)));
    }
  }

  void push(const Data* data) override { values_.push(data); }
  void pop() override { values_.pop(); }
  const Data* get(const std::string& name) const override {
    return values_.get(name);
  }

  const Data* get_partial(const std::string& name) const override {
    if (error_) return nullptr;
    auto found = partials_.find(name);
    if (found == partials_.end()) {
      error_ = "no partial \"" + name + "\" for {{> " + name + "}}";
      return nullptr;
    }
    if (++inclusions_ > kMaxPartialInclusions) {
      error_ = "more than " + std::to_string(kMaxPartialInclusions) +
               " partial inclusions (does \"" + name + "\" include itself?)";
      return nullptr;
    }
    // kainjow reports a partial's syntax error as the includer's; check it
    // first so the error names the partial's own file.
    if (checked_.insert(name).second) {
      kainjow::mustache::mustache parsed(PrepareTemplate(found->second.text));
      if (!parsed.is_valid()) {
        error_ = "template " + found->second.file_name + ": " +
                 parsed.error_message();
        partial_error_ = true;
        return nullptr;
      }
    }
    return &partial_texts_.at(name);
  }

  // Set when a {{> name}} could not be included.
  const std::optional<std::string>& error() const { return error_; }
  // True when error() already names the partial's file.
  bool partial_error() const { return partial_error_; }

 private:
  kainjow::mustache::context<std::string> values_;
  const TemplatePartials& partials_;
  std::map<std::string, Data> partial_texts_;
  mutable std::set<std::string> checked_;
  mutable std::size_t inclusions_ = 0;
  mutable std::optional<std::string> error_;
  mutable bool partial_error_ = false;
};

}  // namespace

Result<std::string> RenderTemplate(const std::string& template_name,
                                   const std::string& text,
                                   const TemplateValues& values, Escape escape,
                                   const TemplatePartials& partials) {
  kainjow::mustache::mustache view(PrepareTemplate(text));
  if (!view.is_valid()) {
    return Status::Error("template " + template_name + ": " +
                         view.error_message());
  }
  if (escape == Escape::kNone) {
    view.set_custom_escape([](const std::string& s) { return s; });
  }
  const Data data = ToData(values);
  RenderContext context(&data, partials);
  std::string out = view.render(context);
  if (context.error()) {
    if (context.partial_error()) return Status::Error(*context.error());
    return Status::Error("template " + template_name + ": " + *context.error());
  }
  if (!view.is_valid()) {
    return Status::Error("template " + template_name + ": " +
                         view.error_message());
  }
  std::erase(out, kBlankLineMark);
  return out;
}

}  // namespace schoolmail
