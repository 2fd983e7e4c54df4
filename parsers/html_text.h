// Plain text of HTML mail, as a reader would see it. Pure; never throws.
#pragma once

#include <string>
#include <string_view>

namespace schoolmail {

// Readable plain text of an HTML document or fragment (UTF-8 in, UTF-8 out)
// for people and for the rules that look for attachments-or-links. Links are
// kept: "text (https://...)", or just the URL when the text is the URL.
//
// Needs: nothing but the bytes; invalid UTF-8 and NUL bytes are allowed.
// Returns: LF-separated lines with no trailing spaces, no leading or trailing
// blank lines and never two blank lines in a row; always valid UTF-8
// (invalid input bytes become U+FFFD, control characters other than tab
// and LF are dropped).
// - head, script, style, template, noscript, title, iframe and comments
//   are dropped; the text of svg, math and select is kept as if they were
//   span. Text is whitespace-collapsed as a browser does, except in pre,
//   textarea, listing and xmp; &nbsp; becomes a plain space that is not
//   collapsed, so "<div>&nbsp;</div>" is an empty line, and a cell holding
//   only &nbsp; is empty.
// - Blocks (div, ul, table, tr, blockquote, ...) start and end a line;
//   p and h1-h6 are separated by one blank line, except Outlook's "Mso*"
//   paragraphs, which are lines as Outlook shows them. <br> ends a line.
// - <li> starts a line with "- ", or "1. ", "2. " ... in <ol> (start= and
//   value= are honoured); nested lists are indented two spaces a level
//   (at most 8 levels). Cells of one row are joined by " | " (empty cells
//   are skipped; a cell holding blocks breaks the row into lines). <hr> is
//   a line "---". Lines inside <blockquote> start with "> ", "> > " when
//   nested (at most 16 levels are shown); a blank line inside a quote is
//   ">"; a blank line at a quote's edge has the outer prefix.
// - <a href=URL>text</a> is "text (URL)"; "URL" when the text is empty or
//   is the URL (ignoring case, one trailing "/" and a leading "http://" or
//   "https://"); mailto: shows the address alone ("text (a@b.ru)"), without
//   "?subject=..."; javascript:, vbscript:, data: and "#..." links show the
//   text only. <img alt="x"> is "[x]"; image sources are never shown.
// Never does: I/O, logging, throwing, recursion on the document's depth.
// Limits, for hostile mail (none is near for real mail):
// - only the first 4 MiB of `html` are read (cut at a UTF-8 boundary);
// - start tags that would nest deeper than 256 elements are left out
//   (their text is kept), as browsers flatten such trees;
// - when parsing would take more than 128 MiB or 4 s of CPU time, the text
//   of a prefix of the input (a quarter, then a sixteenth...) is returned
//   instead; so on such input, and only there, the result may depend on
//   the speed of the machine.
std::string HtmlToText(std::string_view html);

}  // namespace schoolmail
