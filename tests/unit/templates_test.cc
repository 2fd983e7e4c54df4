#include <doctest/doctest.h>

#include "templates/render.h"

namespace schoolmail {
namespace {

TEST_CASE("values are data: never evaluated, HTML-escaped in HTML") {
  TemplateValues values{{"name", "<script>alert(1)</script> {{grade}}"},
                        {"grade", "5"}};
  auto html = RenderTemplate("t", "<p>{{name}}</p>", values, Escape::kHtml);
  REQUIRE(html.ok());
  CHECK(*html == "<p>&lt;script&gt;alert(1)&lt;/script&gt; {{grade}}</p>");
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

TEST_CASE("a list of records renders its section once per record") {
  TemplateValues values{
      {"items", TemplateList{{{"name", "a.jpg"}, {"size", "1 KB"}},
                             {{"name", "<b>.png"}, {"size", "2 KB"}}}},
      {"title", "Files"}};
  auto text =
      RenderTemplate("t", "{{#items}}{{title}}: {{name}} {{size}};{{/items}}",
                     values, Escape::kNone);
  REQUIRE(text.ok());
  CHECK(*text == "Files: a.jpg 1 KB;Files: <b>.png 2 KB;");
  auto html = RenderTemplate("t", "{{#items}}<li>{{name}}</li>{{/items}}",
                             values, Escape::kHtml);
  REQUIRE(html.ok());
  CHECK(*html == "<li>a.jpg</li><li>&lt;b&gt;.png</li>");
}

TEST_CASE("flags, empty lists and empty texts drive sections") {
  TemplateValues values{{"late", true},
                        {"matched", false},
                        {"none", TemplateList{}},
                        {"empty", ""},
                        {"full", "x"}};
  auto text =
      RenderTemplate("t",
                     "{{#late}}L{{/late}}{{^late}}-{{/late}}"
                     "{{#matched}}M{{/matched}}{{^matched}}U{{/matched}}"
                     "{{#none}}N{{/none}}{{^none}}0{{/none}}"
                     "{{#empty}}E{{/empty}}{{^empty}}e{{/empty}}"
                     "{{#full}}[{{full}}]{{/full}}"
                     "{{late}}{{none}}{{missing}}",
                     values, Escape::kNone);
  REQUIRE(text.ok());
  CHECK(*text == "LU0e[x]");
}

TEST_CASE("a section tag alone on its line leaves no blank line") {
  const std::string tmpl =
      "a\n"
      "{{#late}}\n"
      "late\n"
      "{{/late}}\n"
      "  {{^late}}\n"
      "on time\n"
      "{{/late}}\n"
      "\n"
      "b\n";
  auto on_time = RenderTemplate("t", tmpl, {{"late", false}}, Escape::kNone);
  REQUIRE(on_time.ok());
  CHECK(*on_time == "a\non time\n\nb\n");
  auto late = RenderTemplate("t", tmpl, {{"late", true}}, Escape::kNone);
  REQUIRE(late.ok());
  CHECK(*late == "a\nlate\n\nb\n");
}

TEST_CASE("a blank line right after a section tag is kept") {
  auto text = RenderTemplate("t", "a\n{{#x}}\n\nb\n{{/x}}\nc\n", {{"x", true}},
                             Escape::kNone);
  REQUIRE(text.ok());
  CHECK(*text == "a\n\nb\nc\n");
}

TEST_CASE("a template saved with CRLF line ends renders with LF") {
  auto text = RenderTemplate("t", "a\r\n{{#x}}\r\nb\r\n{{/x}}\r\nc\r\n",
                             {{"x", true}}, Escape::kNone);
  REQUIRE(text.ok());
  CHECK(*text == "a\nb\nc\n");
}

TEST_CASE("a partial renders with the includer's values") {
  TemplatePartials partials{
      {"footer", {"footer.txt.mustache", "-- \nHotline: {{hotline}}\n"}}};
  auto text = RenderTemplate("mail.txt", "Hello\n{{> footer}}\n",
                             {{"hotline", "+7 495"}}, Escape::kNone, partials);
  REQUIRE(text.ok());
  CHECK(*text == "Hello\n-- \nHotline: +7 495\n");
}

TEST_CASE("a value is never used as a partial") {
  auto text = RenderTemplate("mail.txt", "{{> name}}", {{"name", "{{secret}}"}},
                             Escape::kNone);
  REQUIRE_FALSE(text.ok());
  CHECK(text.status().message().find("mail.txt") != std::string::npos);
  CHECK(text.status().message().find("name") != std::string::npos);
}

TEST_CASE("a broken partial is an error naming the partial's file") {
  TemplatePartials partials{
      {"footer", {"footer.html.mustache", "{{#hotline}} unclosed"}}};
  auto text = RenderTemplate("morning.html", "<p>x</p>{{> footer}}", {},
                             Escape::kHtml, partials);
  REQUIRE_FALSE(text.ok());
  CHECK(text.status().message().find("template footer.html.mustache:") == 0);
}

TEST_CASE("a partial that includes itself is an error, not a crash") {
  TemplatePartials partials{{"loop", {"loop.mustache", "x{{> loop}}"}}};
  auto text = RenderTemplate("t", "{{> loop}}", {}, Escape::kNone, partials);
  REQUIRE_FALSE(text.ok());
  CHECK(text.status().message().find("partial") != std::string::npos);
}

}  // namespace
}  // namespace schoolmail
