#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "parsers/html_text.h"

namespace schoolmail {
namespace {

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code
// points past U+10FFFF).
bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    unsigned min = 0;
    unsigned cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, min = 0x10000, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// The output contract every result must meet, whatever the input.
void CheckWellFormed(const std::string& text) {
  CHECK(IsValidUtf8(text));
  CHECK(text.find('\r') == std::string::npos);
  CHECK(text.find('\0') == std::string::npos);
  CHECK(text.find(" \n") == std::string::npos);
  CHECK(text.find("\n\n\n") == std::string::npos);
  if (!text.empty()) {
    CHECK(text.front() != '\n');
    CHECK(text.back() != '\n');
    CHECK(text.back() != ' ');
  }
}

std::string Repeat(std::string_view unit, std::size_t n) {
  std::string s;
  s.reserve(unit.size() * n);
  for (std::size_t i = 0; i < n; ++i) s.append(unit);
  return s;
}

TEST_CASE("IsValidUtf8, the test's own check, knows bad UTF-8") {
  CHECK(IsValidUtf8("Привет, мир €𝄞"));
  CHECK_FALSE(IsValidUtf8("\xD0"));          // truncated
  CHECK_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  CHECK_FALSE(IsValidUtf8("\xFF"));
  CHECK_FALSE(IsValidUtf8("a\x80" "b"));
}

// ---------------------------------------------------------------------------
// Text, whitespace and entities.

TEST_CASE("HtmlToText of empty and text-only input") {
  CHECK(HtmlToText("") == "");
  CHECK(HtmlToText("   \n\t ") == "");
  CHECK(HtmlToText("Just text") == "Just text");
  CHECK(HtmlToText("<html><body></body></html>") == "");
}

TEST_CASE("HtmlToText collapses whitespace runs to one space") {
  CHECK(HtmlToText("<div>  Сдаю \n\n  работу\t  по  <b>физике</b> .  </div>") ==
        "Сдаю работу по физике .");
  CHECK(HtmlToText("a<b> b </b>c") == "a b c");
  CHECK(HtmlToText("<span>a</span> <span>b</span>") == "a b");
  CHECK(HtmlToText("<span>a</span><span>b</span>") == "ab");
}

TEST_CASE("HtmlToText keeps Russian text and decodes entities") {
  CHECK(HtmlToText("<p>&laquo;Домашнее задание&raquo; &#1055;&#1088;&#1080;"
                   "&#1074;&#1077;&#1090; &#x41F;&mdash;&amp;&lt;&gt;</p>") ==
        "«Домашнее задание» Привет П—&<>");
}

TEST_CASE("HtmlToText turns &nbsp; into a space that is not collapsed") {
  CHECK(HtmlToText("<p>5&nbsp;класс</p>") == "5 класс");
  CHECK(HtmlToText("<p>a&nbsp;&nbsp;&nbsp;b</p>") == "a   b");
  // A block holding only &nbsp; is an empty line, as on screen.
  CHECK(HtmlToText("<div>Привет!</div><div>&nbsp;</div><div>Пока</div>") ==
        "Привет!\n\nПока");
  // U+00A0 written as UTF-8 behaves the same.
  CHECK(HtmlToText("<p>5\xC2\xA0класс</p>") == "5 класс");
}

TEST_CASE("HtmlToText drops head, script, style, template, noscript, title "
          "and comments") {
  CHECK(HtmlToText("<html><head><title>Тема</title>"
                   "<style>p { color: red }</style>"
                   "<meta charset=utf-8><script>alert(1)</script></head>"
                   "<body><!-- comment -->Текст<script>var x = '<b>';</script>"
                   "<style>.a{}</style><template><p>hidden</p></template>"
                   "<noscript>Включите JS</noscript> письма</body></html>") ==
        "Текст письма");
  CHECK(HtmlToText("a<title>t</title>b") == "ab");
  CHECK(HtmlToText("a<iframe src=x>fallback</iframe>b") == "ab");
}

TEST_CASE("HtmlToText reads svg, math and select as plain elements") {
  // Their own parsing rules make Debian's gumbo abort on some tag soup.
  CHECK(HtmlToText("a<svg viewBox=\"0 0 1 1\"><path d=\"M0\"/><text>b</text>"
                   "<title>t</title></svg>c") == "abc");
  CHECK(HtmlToText("<svg/>после") == "после");
  CHECK(HtmlToText("x<math><mi>y</mi></math>z") == "xyz");
  CHECK(HtmlToText("<select><option>5А<option>5Б</select>") == "5А\n5Б");
  CheckWellFormed(HtmlToText("<table><svg><select><title\n><select><tr>"));
  CheckWellFormed(HtmlToText("<table><math><mi><![CDATA[x]]>\x14"));
}

TEST_CASE("HtmlToText keeps <pre> and <textarea> text as is") {
  CHECK(HtmlToText("<p>Код:</p><pre>  int x = 1;\n    return  x;\n</pre>"
                   "<p>конец</p>") ==
        "Код:\n\n  int x = 1;\n    return  x;\n\nконец");
  CHECK(HtmlToText("<textarea>a  b\nc</textarea>") == "a  b\nc");
  // The line break right after <pre> is not content (HTML drops it).
  CHECK(HtmlToText("<pre>\nx</pre>") == "x");
  // Trailing spaces go even in <pre>; blank lines still do not pile up.
  CHECK(HtmlToText("<pre>a   \n\n\n\nb</pre>") == "a\n\nb");
}

// ---------------------------------------------------------------------------
// Blocks, paragraphs and line breaks.

TEST_CASE("HtmlToText puts blocks on their own lines") {
  CHECK(HtmlToText("до<div>блок</div>после") == "до\nблок\nпосле");
  CHECK(HtmlToText("<div><div><div>a</div></div></div><div>b</div>") ==
        "a\nb");
  for (const char* tag :
       {"div", "ul", "ol", "table", "tr", "blockquote", "section", "article",
        "header", "footer", "form", "address", "center", "dl", "dt", "dd",
        "fieldset", "figure", "main", "nav"}) {
    std::string name = tag;
    CAPTURE(name);
    std::string inner = "y";
    // Parsers keep rows and text in tables only inside cells.
    if (name == "table") inner = "<tr><td>y</td></tr>";
    if (name == "tr") name = "table", inner = "<tr><td>y</td></tr>";
    // Gumbo 0.10.1 moves text that is directly in a <form> out of it.
    if (name == "form") inner = "<span>y</span>";
    std::string html = "x<" + name + ">" + inner + "</" + name + ">z";
    std::string expected = name == "blockquote" ? "x\n> y\nz" : "x\ny\nz";
    CHECK(HtmlToText(html) == expected);
  }
}

TEST_CASE("HtmlToText separates paragraphs and headings by one blank line") {
  CHECK(HtmlToText("<p>Первый</p><p>Второй</p>") == "Первый\n\nВторой");
  CHECK(HtmlToText("<h1>Задание</h1><p>Решить №5</p><h2>Срок</h2>завтра") ==
        "Задание\n\nРешить №5\n\nСрок\n\nзавтра");
  CHECK(HtmlToText("<p>a</p><p></p><p>&nbsp;</p><p>b</p>") == "a\n\nb");
  CHECK(HtmlToText("<p>a</p><div>b</div>") == "a\n\nb");
  CHECK(HtmlToText("<p>a</p>") == "a");
}

TEST_CASE("HtmlToText makes <br> a line break") {
  CHECK(HtmlToText("a<br>b<br/>c") == "a\nb\nc");
  CHECK(HtmlToText("a<br><br>b") == "a\n\nb");
  CHECK(HtmlToText("a<br><br><br><br><br>b") == "a\n\nb");
  // A <br> closing a block adds no line; Gmail's empty line is one.
  CHECK(HtmlToText("<div>a<br></div><div>b</div>") == "a\nb");
  CHECK(HtmlToText("<div>a</div><div><br></div><div>b</div>") == "a\n\nb");
  CHECK(HtmlToText("<br><br>a<br><br>") == "a");
}

TEST_CASE("HtmlToText writes <hr> as a line of ---") {
  CHECK(HtmlToText("выше<hr>ниже") == "выше\n---\nниже");
  CHECK(HtmlToText("<p>a</p><hr><p>b</p>") == "a\n\n---\n\nb");
}

TEST_CASE("HtmlToText starts list items with - or numbers") {
  CHECK(HtmlToText("<ul><li>ручка</li><li>тетрадь</li></ul>") ==
        "- ручка\n- тетрадь");
  CHECK(HtmlToText("Нужно:<ol><li>прочитать<li>решить<li>сдать</ol>Всё") ==
        "Нужно:\n1. прочитать\n2. решить\n3. сдать\nВсё");
  CHECK(HtmlToText("<ol start=\"4\"><li>d</li><li value=\"10\">j</li>"
                   "<li>k</li></ol>") ==
        "4. d\n10. j\n11. k");
  CHECK(HtmlToText("<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li>"
                   "<li>d</li></ul>") ==
        "- a\n  - b\n    1. c\n- d");
  // A paragraph in an item stays on the marker's line.
  CHECK(HtmlToText("<ol><li><p>раз</p></li><li><div>два</div></li></ol>") ==
        "1. раз\n\n2. два");
  CHECK(HtmlToText("<li>без списка</li>") == "- без списка");
}

TEST_CASE("HtmlToText joins table cells with | and puts rows on lines") {
  CHECK(HtmlToText("<table><tr><th>Ученик</th><th>Оценка</th></tr>"
                   "<tr><td>Иванов</td><td>5</td></tr>"
                   "<tr><td>Петрова</td><td>4</td></tr></table>") ==
        "Ученик | Оценка\nИванов | 5\nПетрова | 4");
  // Empty cells are skipped, cells with blocks break into lines.
  CHECK(HtmlToText("<table><tr><td>a</td><td></td><td>&nbsp;</td>"
                   "<td>b</td></tr></table>") ==
        "a | b");
  CHECK(HtmlToText("<table><tr><td><p>левая</p></td><td><p>правая</p></td>"
                   "</tr></table>") ==
        "левая\n\nправая");
  CHECK(HtmlToText("до<table><tr><td>x</td></tr></table>после") ==
        "до\nx\nпосле");
}

TEST_CASE("HtmlToText prefixes quoted lines with > per level") {
  CHECK(HtmlToText("Ответ<blockquote>Вопрос<br>вторая строка</blockquote>"
                   "Спасибо") ==
        "Ответ\n> Вопрос\n> вторая строка\nСпасибо");
  CHECK(HtmlToText("a<blockquote>b<blockquote>c</blockquote>d</blockquote>") ==
        "a\n> b\n> > c\n> d");
  // Blank lines inside a quote stay quoted; at its edges they are plain.
  CHECK(HtmlToText("<p>Новое</p><blockquote><p>один</p><p>два</p>"
                   "</blockquote><p>ещё</p>") ==
        "Новое\n\n> один\n>\n> два\n\nещё");
  CHECK(HtmlToText("<blockquote><pre>x\n  y</pre></blockquote>") ==
        "> x\n>   y");
}

// ---------------------------------------------------------------------------
// Links and images.

TEST_CASE("HtmlToText shows links as text (URL)") {
  CHECK(HtmlToText("Задание <a href=\"https://disk.yandex.ru/d/abc\">тут</a>.") ==
        "Задание тут (https://disk.yandex.ru/d/abc).");
  CHECK(HtmlToText("<a href=\"https://x.ru/a?b=1&amp;c=2\">ссылка</a>") ==
        "ссылка (https://x.ru/a?b=1&c=2)");
  CHECK(HtmlToText("<a href=\" https://x.ru/\n\" >a <b>b</b> </a>c") ==
        "a b (https://x.ru/) c");
}

TEST_CASE("HtmlToText shows only the URL when the text is empty or the URL") {
  CHECK(HtmlToText("<a href=\"https://x.ru/f\"></a>") == "https://x.ru/f");
  CHECK(HtmlToText("<a href=\"https://x.ru/f\"><img src=\"cid:1\"></a>") ==
        "https://x.ru/f");
  CHECK(HtmlToText("<a href=\"https://x.ru/f\">https://x.ru/f</a>") ==
        "https://x.ru/f");
  CHECK(HtmlToText("<a href=\"https://x.ru/\">https://x.ru</a>") ==
        "https://x.ru/");
  CHECK(HtmlToText("<a href=\"http://school.ru\">school.ru/</a>") ==
        "http://school.ru");
  CHECK(HtmlToText("<a href=\"https://School.ru/HW\">school.ru/hw</a>") ==
        "https://School.ru/HW");
  CHECK(HtmlToText("см. <a href=\"https://x.ru\"> x.ru </a>!") ==
        "см. https://x.ru !");
  CHECK(HtmlToText("<a href=\"https://x.ru/a\">x.ru/b</a>") ==
        "x.ru/b (https://x.ru/a)");
}

TEST_CASE("HtmlToText shows mailto: links as the address") {
  CHECK(HtmlToText("<a href=\"mailto:teacher@school.ru\">Учитель</a>") ==
        "Учитель (teacher@school.ru)");
  CHECK(HtmlToText("<a href=\"mailto:teacher@school.ru?subject=ДЗ\">"
                   "teacher@school.ru</a>") ==
        "teacher@school.ru");
  CHECK(HtmlToText("<a href=\"MAILTO:t@s.ru\"></a>") == "t@s.ru");
}

TEST_CASE("HtmlToText shows only the text of javascript: and # links") {
  CHECK(HtmlToText("<a href=\"javascript:void(0)\">Открыть</a>") == "Открыть");
  CHECK(HtmlToText("<a href=\" JavaScript:alert(1)\">x</a>") == "x");
  CHECK(HtmlToText("<a href=\"#top\">Наверх</a>") == "Наверх");
  CHECK(HtmlToText("<a href=\"data:text/html,hi\">d</a>") == "d");
  CHECK(HtmlToText("<a name=\"anchor\">якорь</a>") == "якорь");
  CHECK(HtmlToText("<a href=\"\">пусто</a>") == "пусто");
  CHECK(HtmlToText("<a href=\"#\"></a>") == "");
}

TEST_CASE("HtmlToText shows images as [alt] and never their source") {
  CHECK(HtmlToText("Фото: <img src=\"cid:image001.jpg@01D\" alt=\"Тетрадь\">") ==
        "Фото: [Тетрадь]");
  CHECK(HtmlToText("<img src=\"data:image/png;base64,iVBORw0KGgo=\">x") == "x");
  CHECK(HtmlToText("<img src=\"https://t.mail.ru/pixel.gif\" alt=\"\">") == "");
  CHECK(HtmlToText("<img alt=\"  two \n words \">") == "[two words]");
  CHECK(HtmlToText("<a href=\"https://x.ru\"><img alt=\"Лого\" "
                   "src=\"data:image/gif;base64,R0lG\"></a>") ==
        "[Лого] (https://x.ru)");
}

// ---------------------------------------------------------------------------
// Mail as webmail sends it.

TEST_CASE("HtmlToText reads Gmail's dir=ltr divs and gmail_quote") {
  const char* html =
      "<div dir=\"ltr\">Здравствуйте, Мария Ивановна!<div><br></div>"
      "<div>Отправляю домашнее задание: "
      "<a href=\"https://drive.google.com/file/d/1AbC/view?usp=sharing\">"
      "https://drive.google.com/file/d/1AbC/view?usp=sharing</a></div>"
      "<div><br></div><div>Петя</div></div><br>"
      "<div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">"
      "пн, 1 сент. 2025&nbsp;г. в 10:00, Мария Ивановна &lt;<a "
      "href=\"mailto:maria@school.ru\">maria@school.ru</a>&gt;:<br></div>"
      "<blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex;"
      "border-left:1px solid rgb(204,204,204);padding-left:1ex\">"
      "<div dir=\"ltr\">Ребята, задание на завтра: №&nbsp;12, 13.<div><br>"
      "</div><div>М.И.</div></div></blockquote></div>";
  CHECK(HtmlToText(html) ==
        "Здравствуйте, Мария Ивановна!\n"
        "\n"
        "Отправляю домашнее задание: "
        "https://drive.google.com/file/d/1AbC/view?usp=sharing\n"
        "\n"
        "Петя\n"
        "\n"
        "пн, 1 сент. 2025 г. в 10:00, Мария Ивановна <maria@school.ru>:\n"
        "> Ребята, задание на завтра: № 12, 13.\n"
        ">\n"
        "> М.И.");
}

TEST_CASE("HtmlToText reads Outlook's MsoNormal paragraphs and <o:p>") {
  const char* html =
      "<html xmlns:v=\"urn:schemas-microsoft-com:vml\" "
      "xmlns:o=\"urn:schemas-microsoft-com:office:office\">"
      "<head><meta http-equiv=Content-Type content=\"text/html; "
      "charset=utf-8\"><style><!--\n"
      "p.MsoNormal, li.MsoNormal {margin:0cm; font-size:11.0pt;}\n"
      "--></style><!--[if gte mso 9]><xml><o:shapedefaults v:ext=\"edit\" "
      "spidmax=\"1026\" /></xml><![endif]--></head>"
      "<body lang=RU link=\"#0563C1\"><div class=WordSection1>"
      "<p class=MsoNormal>Добрый день!<o:p></o:p></p>"
      "<p class=MsoNormal><o:p>&nbsp;</o:p></p>"
      "<p class=MsoNormal>Высылаю реферат по истории во "
      "<span lang=EN-US>вложении</span>.<o:p></o:p></p>"
      "<p class=MsoListParagraph style='text-indent:-18.0pt;mso-list:l0 "
      "level1 lfo1'><![if !supportLists]><span>·<span style='font:7.0pt "
      "\"Times New Roman\"'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span>"
      "</span><![endif]>Титульный лист<o:p></o:p></p>"
      "<p class=MsoNormal><o:p>&nbsp;</o:p></p>"
      "<p class=MsoNormal>С уважением,<o:p></o:p></p>"
      "<p class=MsoNormal>Анна Смирнова<o:p></o:p></p>"
      "<div><div style='border:none;border-top:solid #E1E1E1 1.0pt;"
      "padding:3.0pt 0cm 0cm 0cm'><p class=MsoNormal><b>From:</b> Учитель "
      "&lt;t@school.ru&gt; <br><b>Sent:</b> Monday, September 1, 2025 "
      "10:00 AM<o:p></o:p></p></div></div>"
      "<p class=MsoNormal>Сдайте реферат до пятницы.<o:p></o:p></p>"
      "</div></body></html>";
  CHECK(HtmlToText(html) ==
        "Добрый день!\n"
        "\n"
        "Высылаю реферат по истории во вложении.\n"
        "·       Титульный лист\n"
        "\n"
        "С уважением,\n"
        "Анна Смирнова\n"
        "From: Учитель <t@school.ru>\n"
        "Sent: Monday, September 1, 2025 10:00 AM\n"
        "Сдайте реферат до пятницы.");
}

TEST_CASE("HtmlToText reads mail.ru's divs and quote") {
  const char* html =
      "<HTML><BODY><div>Добрый вечер!</div><div>&nbsp;</div>"
      "<div>Решение задачи №3 во вложении, а видео "
      "<a href=\"https://cloud.mail.ru/public/AbCd/efGh\" target=\"_blank\">"
      "по ссылке</a>.</div><div>&nbsp;</div><div>--<br>Иван Петров, 7Б</div>"
      "<div>&nbsp;</div><div class=\"mail-quote-collapse\">"
      "Среда, 3 сентября 2025, 18:05 +03:00 от Учитель "
      "&lt;<a href=\"mailto:t@school.ru\">t@school.ru</a>"
      "&gt;:<br>&nbsp;<blockquote style=\"border-left:1px solid #0857A6; "
      "margin:10px; padding:0 0 0 10px;\"><div id=\"\"><div "
      "class=\"js-helper js-readmsg-msg\"><div><div id=\"style_1\">"
      "<div>Задание: №1–3 на стр. 45.</div></div></div></div></div>"
      "</blockquote></div></BODY></HTML>";
  CHECK(HtmlToText(html) ==
        "Добрый вечер!\n"
        "\n"
        "Решение задачи №3 во вложении, а видео по ссылке "
        "(https://cloud.mail.ru/public/AbCd/efGh).\n"
        "\n"
        "--\n"
        "Иван Петров, 7Б\n"
        "\n"
        "Среда, 3 сентября 2025, 18:05 +03:00 от Учитель "
        "<t@school.ru>:\n"
        "\n"
        "> Задание: №1–3 на стр. 45.");
}

TEST_CASE("HtmlToText reads Yandex's divs and quote") {
  const char* html =
      // Yandex writes U+00A0 itself, not &nbsp;.
      "<div>Здравствуйте!</div><div>\u00a0</div><div>Отправляю сочинение."
      "</div><div>\u00a0</div><div>-- </div><div>С уважением,</div>"
      "<div>Ольга</div><div>\u00a0</div><div>\u00a0</div><div>12.09.2025, "
      "10:15, \"Учитель\" &lt;t@school.ru&gt;:</div><blockquote><div>"
      "Напишите сочинение «Как я провёл лето».</div><div>\u00a0</div>"
      "<div>-- </div><div>Учитель</div></blockquote>";
  CHECK(HtmlToText(html) ==
        "Здравствуйте!\n"
        "\n"
        "Отправляю сочинение.\n"
        "\n"
        "--\n"
        "С уважением,\n"
        "Ольга\n"
        "\n"
        "12.09.2025, 10:15, \"Учитель\" <t@school.ru>:\n"
        "> Напишите сочинение «Как я провёл лето».\n"
        ">\n"
        "> --\n"
        "> Учитель");
}

// ---------------------------------------------------------------------------
// Hostile input: no crash, a result, and the output contract holds.

TEST_CASE("HtmlToText survives 200,000 nested <div>s") {
  std::string html = Repeat("<div>", 200000) + "глубоко" +
                     Repeat("</div>", 200000) + "после";
  std::string text = HtmlToText(html);
  CheckWellFormed(text);
  CHECK(text == "глубоко\nпосле");
}

TEST_CASE("HtmlToText survives 200,000 unclosed <b>") {
  std::string text = HtmlToText(Repeat("<b>", 200000) + "жирный");
  CheckWellFormed(text);
  CHECK(text == "жирный");
  text = HtmlToText(Repeat("<b>x", 200000));
  CheckWellFormed(text);
  CHECK(text == std::string(200000, 'x'));
}

TEST_CASE("HtmlToText survives 10 MB of <") {
  std::string text = HtmlToText(std::string(10u << 20, '<'));
  CheckWellFormed(text);
  // Only the first 4 MiB are read; a lone '<' is text.
  CHECK(text == std::string(4u << 20, '<'));
}

TEST_CASE("HtmlToText drops NUL bytes") {
  const char raw[] = "<p>a\0b</p><p\0>c</p>\0<a href=\"x\0y\">d\0</a>";
  std::string html(raw, sizeof raw - 1);
  std::string text = HtmlToText(html);
  CheckWellFormed(text);
  CHECK(text.find('\0') == std::string::npos);
  CHECK(text.rfind("ab", 0) == 0);
}

TEST_CASE("HtmlToText replaces invalid UTF-8 with U+FFFD") {
  std::string text =
      HtmlToText("<p>\xD0\x9F\xD1\x80\xD0 ok \xFF\xFE \xC0\xAF \xED\xA0\x80 "
                 "\xF4\x90\x80\x80 end\xE2\x82</p>");
  CheckWellFormed(text);
  CHECK(text.rfind("Пр\xEF\xBF\xBD ok ", 0) == 0);
  CHECK(text.find("end") != std::string::npos);
  CHECK(text.find("\xEF\xBF\xBD", text.find("end")) != std::string::npos);
}

TEST_CASE("HtmlToText cuts input at 4 MiB on a UTF-8 boundary") {
  // 'Ж' is two bytes; an odd prefix length would split one.
  std::string html = "x" + Repeat("Ж", 3u << 20);
  std::string text = HtmlToText(html);
  CheckWellFormed(text);
  CHECK(text.size() == (4u << 20) - 1);
}

TEST_CASE("HtmlToText survives other tag soups that make parsers slow") {
  std::string recon;  // quadratic numbers of reopened formatting elements
  for (int i = 0; i < 20000; ++i) {
    recon += "<p><b id=" + std::to_string(i) + ">x</p>";
  }
  std::string cases[] = {
      recon,
      Repeat("<b><div></b>", 100000),
      Repeat("<li><ul></li>", 100000) + "x",
      Repeat("<table><tr><td>", 100000) + "x",
      Repeat("<blockquote>", 100000) + Repeat("x<br>", 1000),
      Repeat("<a href=\"https://x.ru/\">", 100000) + "x",
      Repeat("<svg><p>", 50000) + Repeat("<x/>", 50000),
      Repeat("<select><option>", 50000) + Repeat("<div>", 50000),
      Repeat("<div>", 600) + Repeat("<p></p>", 500000),
  };
  for (const std::string& html : cases) {
    CAPTURE(html.substr(0, 40));
    CheckWellFormed(HtmlToText(html));
  }
  // Quotes deeper than 16 show 16 levels.
  std::string text = HtmlToText(Repeat("<blockquote>", 100) + "x");
  CHECK(text == Repeat("> ", 16) + "x");
}

}  // namespace
}  // namespace schoolmail
