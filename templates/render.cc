#include "templates/render.h"

#include <kainjow/mustache.hpp>

namespace schoolmail {

Result<std::string> RenderTemplate(const std::string& template_name,
                                   const std::string& text,
                                   const TemplateValues& values,
                                   Escape escape) {
  kainjow::mustache::mustache view(text);
  if (!view.is_valid()) {
    return Status::Error("template " + template_name + ": " +
                         view.error_message());
  }
  if (escape == Escape::kNone) {
    view.set_custom_escape([](const std::string& s) { return s; });
  }
  kainjow::mustache::data data;
  for (const auto& [key, value] : values) data.set(key, value);
  std::string out = view.render(data);
  if (!view.is_valid()) {
    return Status::Error("template " + template_name + ": " +
                         view.error_message());
  }
  return out;
}

}  // namespace schoolmail
