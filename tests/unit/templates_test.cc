#include <doctest/doctest.h>

#include "templates/render.h"

namespace schoolmail {
namespace {

TEST_CASE("values are data: never evaluated, HTML-escaped in HTML") {
  TemplateValues values{{"name", "<script>alert(1)</script> {{grade}}"},
                        {"grade", "5"}};
  auto html = RenderTemplate("t", "<p>{{name}}</p>", values, Escape::kHtml);
  REQUIRE(html.ok());
  CHECK(*html ==
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; {{grade}}</p>");
  auto text = RenderTemplate("t", "{{name}}", values, Escape::kNone);
  REQUIRE(text.ok());
  CHECK(*text == "<script>alert(1)</script> {{grade}}");
}

TEST_CASE("a broken template is an error naming it") {
  auto result = RenderTemplate("receipt.txt", "{{#open}} never closed", {},
                               Escape::kNone);
  REQUIRE_FALSE(result.ok());
  CHECK(result.status().message().find("template receipt.txt:") == 0);
}

}  // namespace
}  // namespace schoolmail
