// The outgoing message writer. Every written message is checked line by line
// here (CRLF only, every line under 998 octets) and read back twice: by
// Python's email package (message_writer_check.py, an independent reader)
// and by our own ParseMessage.
#include "templates/message_writer.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "config/text.h"
#include "parsers/base64.h"
#include "parsers/mime_message.h"
#include "parsers/sha256.h"
#include "tests/support/python_script.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

using Json = nlohmann::json;

OutgoingMail SimpleMail() {
  OutgoingMail mail;
  mail.from = {"School", "school@example.ru"};
  mail.to = {{"Pupil", "pupil@example.ru"}};
  mail.subject = "Receipt";
  mail.message_id = "r1@example.ru";
  mail.date = 1772550000;  // 2026-03-03 15:00:00 UTC
  mail.text = "Hello\n";
  return mail;
}

std::vector<std::string_view> Lines(std::string_view raw) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < raw.size()) {
    size_t end = raw.find("\r\n", start);
    if (end == std::string_view::npos) end = raw.size();
    lines.push_back(raw.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

// The header block's lines (up to the first empty line).
std::vector<std::string_view> HeaderLines(std::string_view raw) {
  return Lines(raw.substr(0, raw.find("\r\n\r\n") + 2));
}

// Every line of `raw` ends in CRLF (no bare CR or LF anywhere) and is under
// 998 octets; the message ends with a line end.
void CheckLines(const std::string& raw) {
  CHECK(raw.ends_with("\r\n"));
  size_t bare = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '\r' && (i + 1 == raw.size() || raw[i + 1] != '\n')) ++bare;
    if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) ++bare;
  }
  CHECK_MESSAGE(bare == 0, "bare CR or LF");
  size_t longest = 0;
  for (std::string_view line : Lines(raw)) {
    longest = std::max(longest, line.size());
  }
  CHECK(longest < 998);
}

// The field `name` of the top-level header, with its folded lines.
std::string FieldText(std::string_view raw, std::string_view name) {
  std::string field;
  bool inside = false;
  for (std::string_view line : HeaderLines(raw)) {
    if (line.starts_with(std::string(name) + ":")) {
      inside = true;
    } else if (!line.starts_with(" ")) {
      inside = false;
    }
    if (!inside) continue;
    if (!field.empty()) field += "\r\n";
    field += line;
  }
  return field;
}

// RFC 5322 2.2.3: unfolding removes the CRLF before a blank.
std::string Unfolded(std::string text) {
  for (size_t at; (at = text.find("\r\n ")) != std::string::npos;) {
    text.erase(at, 2);
  }
  return text;
}

std::string MustWrite(const OutgoingMail& mail) {
  Result<std::string> written = WriteMail(mail);
  REQUIRE_MESSAGE(written.ok(), written.status().message());
  CheckLines(*written);
  return *written;
}

// What Python's email package (policy=default) reads from `raw`.
Json ReadWithPython(const std::string& raw) {
  testing::TempDir dir;
  std::string path = dir.Write("message.eml", raw);
  std::string script = testing::FindScript(SCHOOLMAIL_WRITER_CHECK_SCRIPT,
                                           "SCHOOLMAIL_WRITER_CHECK_SCRIPT");
  testing::ScriptRun run =
      testing::RunPythonScript(script, {path}, std::chrono::seconds(30));
  REQUIRE_MESSAGE(run.exit_code == 0, run.err);
  Json result = Json::parse(run.out);
  // The RFC 2047 name= fallback is an encoded-word inside a quoted string:
  // not RFC 2047, but what old clients read, and what the issue asks for.
  // Any other defect is a failure.
  for (const Json& defect : result["defects"]) {
    std::string text = defect.get<std::string>();
    bool fallback =
        text.starts_with("part ") &&
        text.find(" Content-Type: ") != std::string::npos &&
        (text.ends_with("encoded word inside quoted string") ||
         text.ends_with("missing trailing whitespace after encoded-word"));
    CHECK_MESSAGE(fallback, text);
  }
  return result;
}

std::vector<std::string> HeaderNames(const Json& python) {
  std::vector<std::string> names;
  for (const Json& field : python["headers"]) names.push_back(field[0]);
  return names;
}

// The decoded value of the first top-level header `name`, or "(absent)".
std::string PythonHeader(const Json& python, std::string_view name) {
  for (const Json& field : python["headers"]) {
    if (field[0] == name) return field[1];
  }
  return "(absent)";
}

ParsedMessage ParseOurs(const std::string& raw) {
  MimeParse parse = ParseMessage(raw, Limits{});
  if (parse.rejection) FAIL("rejected: " << parse.rejection->detail);
  REQUIRE(parse.message);
  return *parse.message;
}

// The encoded-words of a header block, in order.
std::vector<std::string> EncodedWords(std::string_view header) {
  std::vector<std::string> words;
  size_t start = 0;
  while ((start = header.find("=?", start)) != std::string_view::npos) {
    size_t end = header.find("?=", start + 10);
    REQUIRE(end != std::string_view::npos);
    words.emplace_back(header.substr(start, end + 2 - start));
    start = end + 2;
  }
  return words;
}

std::string DecodeBWord(std::string_view word) {
  REQUIRE(word.starts_with("=?UTF-8?B?"));
  std::string out;
  Base64Decoder decoder;
  decoder.Decode(word.substr(10, word.size() - 12), &out);
  decoder.Finish(&out);
  CHECK_FALSE(decoder.damaged());
  return out;
}

std::string Repeat(std::string_view text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

TEST_CASE("IsSafeMailAddress: a plain addr-spec, nothing that can inject") {
  CHECK(IsSafeMailAddress("pupil@example.ru"));
  CHECK(IsSafeMailAddress("ivan.petrov+7a@mail.ru"));
  CHECK(IsSafeMailAddress("o'neil@school.org"));
  CHECK(IsSafeMailAddress("петя@почта.рф"));  // valid UTF-8: needs SMTPUTF8
  CHECK_FALSE(IsSafeMailAddress(""));
  CHECK_FALSE(IsSafeMailAddress("pupil"));
  CHECK_FALSE(IsSafeMailAddress("@example.ru"));
  CHECK_FALSE(IsSafeMailAddress("pupil@"));
  CHECK_FALSE(IsSafeMailAddress("a@b@example.ru"));
  CHECK_FALSE(IsSafeMailAddress("pupil@example.ru\r\nBcc: x@y"));
  CHECK_FALSE(IsSafeMailAddress("pupil@example.ru\n"));
  CHECK_FALSE(IsSafeMailAddress(std::string("pupil@exa\0mple.ru", 17)));
  CHECK_FALSE(IsSafeMailAddress("pu pil@example.ru"));
  CHECK_FALSE(IsSafeMailAddress("pupil@example.ru>"));
  CHECK_FALSE(IsSafeMailAddress("<pupil@example.ru"));
  CHECK_FALSE(IsSafeMailAddress("\"pupil\"@example.ru"));
  CHECK_FALSE(IsSafeMailAddress("a@example.ru,b@example.ru"));
  CHECK_FALSE(IsSafeMailAddress("pupil@example.ru\tx"));
  CHECK_FALSE(IsSafeMailAddress("p\xff@example.ru"));  // not UTF-8
  CHECK_FALSE(IsSafeMailAddress(std::string(250, 'a') + "@example.ru"));
}

TEST_CASE("MakeMessageId and IsSafeMessageId") {
  CHECK(MakeMessageId("r-17.a_b+c=d$e", "school.example.ru") ==
        "r-17.a_b+c=d$e@school.example.ru");
  // Unsafe bytes become %XX: distinct inputs stay distinct, none can break
  // the brackets or the line.
  CHECK(MakeMessageId("a>b\r\n@c%", "ex ample.ru>") ==
        "a%3Eb%0D%0A%40c%25@ex%20ample.ru%3E");
  CHECK(MakeMessageId("№", "x.ru") == "%E2%84%96@x.ru");
  CHECK(IsSafeMessageId(MakeMessageId("a>b\r\n@c%", "ex ample.ru>")));
  CHECK(IsSafeMessageId("CA+x=y@mail.gmail.com"));
  CHECK(IsSafeMessageId("1.2$3@[127.0.0.1]"));
  CHECK_FALSE(IsSafeMessageId(""));
  CHECK_FALSE(IsSafeMessageId("no-at-sign"));
  CHECK_FALSE(IsSafeMessageId("a@b>\r\nBcc: x@y"));
  CHECK_FALSE(IsSafeMessageId("a b@c"));
  CHECK_FALSE(IsSafeMessageId("<a@b>"));
  CHECK_FALSE(IsSafeMessageId(std::string(251, 'a') + "@b"));
}

TEST_CASE("EncodeQuotedPrintable: '=', trailing blanks, dots, long lines") {
  CHECK(EncodeQuotedPrintable("a=b") == "a=3Db\r\n");
  // Line ends of every kind become CRLF; a final one is added.
  CHECK(EncodeQuotedPrintable("a\nb\rc\r\nd") == "a\r\nb\r\nc\r\nd\r\n");
  CHECK(EncodeQuotedPrintable("a\n\n") == "a\r\n\r\n");
  // Blanks are encoded only at the end of a line.
  CHECK(EncodeQuotedPrintable("a b \nc\t\n") == "a b=20\r\nc=09\r\n");
  // A '.' that would start a line is encoded; one inside a line is not.
  CHECK(EncodeQuotedPrintable(".\n.x\na.b\n") == "=2E\r\n=2Ex\r\na.b\r\n");
  CHECK(EncodeQuotedPrintable("Привет") ==
        "=D0=9F=D1=80=D0=B8=D0=B2=D0=B5=D1=82\r\n");
  // Soft breaks keep lines at 76 characters with the '='.
  std::string encoded = EncodeQuotedPrintable(std::string(200, 'a'));
  CHECK(encoded == std::string(75, 'a') + "=\r\n" + std::string(75, 'a') +
                       "=\r\n" + std::string(50, 'a') + "\r\n");
  // A '.' pushed to the start of a line by a soft break is encoded too.
  CHECK(EncodeQuotedPrintable(std::string(75, 'a') + ".b") ==
        std::string(75, 'a') + "=\r\n=2Eb\r\n");
  // A soft break never splits a character's escapes: "Я" (=D0=AF) stays
  // whole on the next line.
  CHECK(EncodeQuotedPrintable(std::string(70, 'a') + "Я") ==
        std::string(70, 'a') + "=D0=AF\r\n");  // 76 with nothing after
  CHECK(EncodeQuotedPrintable(std::string(71, 'a') + "Я") ==
        std::string(71, 'a') + "=\r\n=D0=AF\r\n");
}

TEST_CASE("ASCII subject, Date with +03:00, threading and other headers") {
  OutgoingMail mail = SimpleMail();
  mail.subject = "Receipt: algebra, attempt 2";
  mail.reply_to = OutgoingAddress{"Teacher", "teacher@example.ru"};
  mail.in_reply_to = {"CA+abc@mail.gmail.com"};
  mail.references = {"root@example.ru", "bad id@x\r\nBcc: y@z",
                     "CA+abc@mail.gmail.com"};
  mail.utc_offset_minutes = 180;
  mail.auto_submitted = "auto-replied";
  mail.extra_headers = {{"X-Schoolmail-Kind", "receipt"}};
  std::string raw = MustWrite(mail);

  // 1772550000 is 15:00 UTC, a Tuesday: 18:00 at +03:00.
  CHECK(raw.starts_with("Date: Tue, 03 Mar 2026 18:00:00 +0300\r\n"));
  CHECK(raw.find("\r\nSubject: Receipt: algebra, attempt 2\r\n") !=
        std::string::npos);
  CHECK(raw.find("\r\nMessage-ID: <r1@example.ru>\r\n") != std::string::npos);
  CHECK(raw.find("\r\nIn-Reply-To: <CA+abc@mail.gmail.com>\r\n") !=
        std::string::npos);
  // The unsafe reference is left out, the others kept in order.
  CHECK(raw.find("\r\nReferences: <root@example.ru> "
                 "<CA+abc@mail.gmail.com>\r\n") != std::string::npos);

  Json python = ReadWithPython(raw);
  CHECK(HeaderNames(python) ==
        std::vector<std::string>{
            "Date", "From", "To", "Reply-To", "Subject", "Message-ID",
            "In-Reply-To", "References", "Auto-Submitted", "X-Schoolmail-Kind",
            "MIME-Version", "Content-Type", "Content-Transfer-Encoding"});
  CHECK(PythonHeader(python, "Subject") == "Receipt: algebra, attempt 2");
  CHECK(PythonHeader(python, "Auto-Submitted") == "auto-replied");
  CHECK(PythonHeader(python, "X-Schoolmail-Kind") == "receipt");
  CHECK(PythonHeader(python, "MIME-Version") == "1.0");
  CHECK(python["addresses"]["Reply-To"] ==
        Json::parse(R"([["Teacher", "teacher@example.ru"]])"));
  CHECK(python["parts"][0]["charset"] == "utf-8");

  ParsedMessage ours = ParseOurs(raw);
  CHECK(ours.subject == "Receipt: algebra, attempt 2");
  CHECK(ours.message_id == "r1@example.ru");
  CHECK(ours.in_reply_to == std::vector<std::string>{"CA+abc@mail.gmail.com"});
  CHECK(ours.references ==
        std::vector<std::string>{"root@example.ru", "CA+abc@mail.gmail.com"});
  CHECK(ours.auto_submitted == "auto-replied");
  CHECK(ours.date == "Tue, 03 Mar 2026 18:00:00 +0300");
}

TEST_CASE("Date: offsets either side of UTC, day and year boundaries") {
  auto date_line = [](std::int64_t when, int offset) {
    OutgoingMail mail = SimpleMail();
    mail.date = when;
    mail.utc_offset_minutes = offset;
    std::string raw = MustWrite(mail);
    return raw.substr(0, raw.find("\r\n"));
  };
  CHECK(date_line(0, 0) == "Date: Thu, 01 Jan 1970 00:00:00 +0000");
  CHECK(date_line(0, -330) == "Date: Wed, 31 Dec 1969 18:30:00 -0530");
  CHECK(date_line(951782400, 0) == "Date: Tue, 29 Feb 2000 00:00:00 +0000");
  CHECK(date_line(1767225599, 180) == "Date: Thu, 01 Jan 2026 02:59:59 +0300");
  OutgoingMail mail = SimpleMail();
  mail.utc_offset_minutes = 24 * 60;
  CHECK(WriteMail(mail).status().message().starts_with("Date:"));
}

TEST_CASE("Cyrillic subjects, a very long one folded, decode back equal") {
  const std::string short_subject = "Квитанция: алгебра, 7А";
  // 110 Cyrillic letters and spaces, plus a 4-byte character at a place
  // where a careless split would cut it.
  const std::string long_subject =
      "Квитанция о приёме работы по алгебре: " +
      Repeat("домашнее задание принято вовремя ", 4) + "😀 конец";
  for (const std::string& subject : {short_subject, long_subject}) {
    CAPTURE(subject);
    OutgoingMail mail = SimpleMail();
    mail.subject = subject;
    std::string raw = MustWrite(mail);

    std::string field = FieldText(raw, "Subject");
    // RFC 2047 2: a line holding an encoded-word is at most 76 long.
    for (std::string_view line : Lines(field)) CHECK(line.size() <= 76);
    std::vector<std::string> words = EncodedWords(field);
    REQUIRE_FALSE(words.empty());
    std::string joined;
    for (const std::string& word : words) {
      CHECK(word.size() <= 75);
      std::string decoded = DecodeBWord(word);
      CHECK(IsValidUtf8(decoded));  // no character split across words
      joined += decoded;
    }
    CHECK(joined == subject);
    if (subject == long_subject) CHECK(words.size() >= 4);

    Json python = ReadWithPython(raw);
    CHECK(PythonHeader(python, "Subject") == subject);
    CHECK(ParseOurs(raw).subject == subject);
  }
}

TEST_CASE("ASCII text that is not safe raw goes as encoded-words") {
  OutgoingMail mail = SimpleMail();
  const std::string lookalike = "price =?utf-8?Q?x?= today";
  const std::string unbroken = std::string(300, 'x');
  for (const std::string& subject : {lookalike, unbroken}) {
    mail.subject = subject;
    std::string raw = MustWrite(mail);
    for (std::string_view line : HeaderLines(raw)) CHECK(line.size() <= 78);
    CHECK(PythonHeader(ReadWithPython(raw), "Subject") == subject);
    CHECK(ParseOurs(raw).subject == subject);
  }
}

TEST_CASE("Display names with quotes, commas, dots and Cyrillic") {
  OutgoingMail mail = SimpleMail();
  mail.from = {"Школа №5", "school@example.ru"};
  mail.to = {{"Иванов, Петя", "petya@mail.ru"},
             {"Smith, John \"JJ\" \\o/", "john@example.org"},
             {"J. R. Tolkien", "jrr@example.org"},
             {"Anna Petrova", "anna@example.org"},
             {"", "noname@example.org"},
             {Repeat("Очень длинное имя ", 8), "long@example.org"}};
  std::string raw = MustWrite(mail);
  std::string to = Unfolded(FieldText(raw, "To"));
  CHECK(to.find("\"Smith, John \\\"JJ\\\" \\\\o/\" <john@example.org>,") !=
        std::string::npos);
  CHECK(to.find(" \"J. R. Tolkien\" <jrr@example.org>,") != std::string::npos);
  CHECK(to.find(" Anna Petrova <anna@example.org>,") != std::string::npos);
  CHECK(to.find(" <noname@example.org>,") != std::string::npos);
  for (std::string_view line : HeaderLines(raw)) CHECK(line.size() <= 78);
  // The long name needs several encoded-words; the short ones take one.
  CHECK(EncodedWords(to).size() >= 4);

  Json python = ReadWithPython(raw);
  const Json& python_to = python["addresses"]["To"];
  REQUIRE(python_to.size() == mail.to.size());
  for (size_t i = 0; i + 1 < mail.to.size(); ++i) {
    CHECK(python_to[i] == Json({mail.to[i].display_name, mail.to[i].address}));
  }
  // Python 3.11 puts a space between the adjacent encoded-words of a
  // display name (CPython gh-128110; it reads its own output so), so only
  // the letters are compared; ParseMessage below reads the name exactly.
  std::string long_name = python_to.back()[0];
  std::erase(long_name, ' ');
  std::string expected_long = mail.to.back().display_name;
  std::erase(expected_long, ' ');
  CHECK(long_name == expected_long);
  CHECK(python["addresses"]["From"] ==
        Json::parse(R"([["Школа №5", "school@example.ru"]])"));

  ParsedMessage ours = ParseOurs(raw);
  REQUIRE(ours.to.size() == mail.to.size());
  for (size_t i = 0; i < mail.to.size(); ++i) {
    CHECK(ours.to[i].name == Trim(mail.to[i].display_name));
    CHECK(ours.to[i].address == mail.to[i].address);
  }
  CHECK(ours.from.at(0).name == "Школа №5");
}

TEST_CASE("Header injection: CR, LF and NUL in input never start a header") {
  const std::string attack = "Subject\r\nBcc: x@y";
  const std::string nul_attack = std::string("A\0\nBcc: x@y\rTo: z@w", 20);
  OutgoingMail mail = SimpleMail();
  mail.subject = attack;
  mail.from.display_name = nul_attack;
  mail.to[0].display_name = "Петя\r\nBcc: x@y";
  mail.reply_to = OutgoingAddress{attack, "teacher@example.ru"};
  mail.extra_headers = {{"X-Schoolmail-Kind", attack},
                        {"X-Schoolmail-Pupil", "Петя\nBcc: x@y"}};
  mail.attachments = {
      {attack + ".pdf", "application/pdf", "%PDF"},
      {"Работа\r\nBcc: x@y.jpg", "image/jpeg\r\nBcc: x@y", "x"}};
  std::string raw = MustWrite(mail);
  for (std::string_view line : Lines(raw)) {
    CHECK_FALSE(line.starts_with("Bcc"));
    CHECK_FALSE(line.starts_with("To: z@w"));
  }

  Json python = ReadWithPython(raw);
  CHECK(HeaderNames(python) ==
        std::vector<std::string>{"Date", "From", "To", "Reply-To", "Subject",
                                 "Message-ID", "X-Schoolmail-Kind",
                                 "X-Schoolmail-Pupil", "MIME-Version",
                                 "Content-Type"});
  const std::vector<std::string> part_fields = {
      "Content-Type", "Content-Disposition", "Content-Transfer-Encoding"};
  REQUIRE(python["parts"].size() == 4);
  CHECK(python["parts"][1]["headers"] ==
        Json({"Content-Type", "Content-Transfer-Encoding"}));
  CHECK(python["parts"][2]["headers"] == Json(part_fields));
  CHECK(python["parts"][3]["headers"] == Json(part_fields));
  // The values survive as text, their line breaks turned into spaces.
  CHECK(PythonHeader(python, "Subject") == "Subject Bcc: x@y");
  CHECK(PythonHeader(python, "X-Schoolmail-Kind") == "Subject Bcc: x@y");
  CHECK(PythonHeader(python, "X-Schoolmail-Pupil") == "Петя Bcc: x@y");
  CHECK(python["addresses"]["From"][0][0] == "A Bcc: x@y To: z@w");
  CHECK(python["addresses"]["To"][0][0] == "Петя Bcc: x@y");
  CHECK(python["addresses"]["Reply-To"][0][0] == "Subject Bcc: x@y");
  CHECK(python["parts"][2]["filename"] == "Subject Bcc: x@y.pdf");
  CHECK(python["parts"][3]["filename"] == "Работа Bcc: x@y.jpg");
  CHECK(python["parts"][3]["content_type"] == "application/octet-stream");

  ParsedMessage ours = ParseOurs(raw);
  CHECK(ours.subject == "Subject Bcc: x@y");
  REQUIRE(ours.attachments.size() == 2);
  CHECK(ours.attachments[0].name == "Subject Bcc: x@y.pdf");
  CHECK(ours.attachments[1].name == "Работа Bcc: x@y.jpg");
}

TEST_CASE("Refused: unsafe addresses (naming the field) and missing parts") {
  auto error = [](const OutgoingMail& mail) {
    Result<std::string> written = WriteMail(mail);
    REQUIRE_FALSE(written.ok());
    return written.status().message();
  };
  OutgoingMail mail = SimpleMail();
  mail.from.address = "school@example.ru\r\nBcc: x@y";
  CHECK(error(mail).starts_with("From: "));

  mail = SimpleMail();
  mail.to.push_back({"Second", "second@example.ru>, evil@x.ru"});
  CHECK(error(mail).starts_with("To (recipient 2): "));

  mail = SimpleMail();
  mail.reply_to = OutgoingAddress{"T", "teacher"};
  CHECK(error(mail).starts_with("Reply-To: "));

  mail = SimpleMail();
  mail.to.clear();
  CHECK(error(mail).starts_with("To: "));

  mail = SimpleMail();
  mail.message_id = "";
  CHECK(error(mail).starts_with("Message-ID: "));
  mail.message_id = "a@b>\r\nBcc: x@y";
  CHECK(error(mail).starts_with("Message-ID: "));

  mail = SimpleMail();
  mail.text = "";
  CHECK(error(mail).starts_with("text: "));

  mail = SimpleMail();
  mail.auto_submitted = "auto-replied\r\nBcc: x@y";
  CHECK(error(mail).starts_with("Auto-Submitted: "));

  mail = SimpleMail();
  mail.extra_headers = {{"Bcc", "x@y"}};
  CHECK(error(mail).starts_with("extra header \"Bcc\""));
  mail.extra_headers = {{"Content-Type", "text/html"}};
  CHECK(error(mail).starts_with("extra header \"Content-Type\""));
  mail.extra_headers = {{"X-Kind: a\r\nBcc", "x@y"}};
  CHECK(error(mail).starts_with("extra header "));
}

TEST_CASE("Text body: bare LF, lone CR, leading dots, a 5000-octet line") {
  const std::string long_line = Repeat("0123456789", 500);
  OutgoingMail mail = SimpleMail();
  mail.text = "first\nsecond\rthird\r\n.\n..two dots\n. space\nend = 1  \n" +
              long_line + "\nFrom here\n\nlast without line end";
  std::string raw = MustWrite(mail);
  // No line of the message is a lone "." or starts with one.
  for (std::string_view line : Lines(raw)) CHECK_FALSE(line.starts_with("."));

  const std::string crlf =
      "first\r\nsecond\r\nthird\r\n.\r\n..two dots\r\n"
      ". space\r\nend = 1  \r\n" +
      long_line + "\r\nFrom here\r\n\r\nlast without line end\r\n";
  Json python = ReadWithPython(raw);
  CHECK(python["parts"][0]["cte"] == "quoted-printable");
  CHECK(python["plain"] == crlf);
  CHECK(python["parts"][0]["sha256"] == Sha256Hex(crlf));

  std::string lf = crlf;
  std::erase(lf, '\r');
  CHECK(ParseOurs(raw).text == lf);
}

TEST_CASE("Body encoding rule: mostly ASCII as QP, Cyrillic as base64") {
  OutgoingMail mail = SimpleMail();
  mail.text =
      "Оценка: 5\nThe rest of this receipt is in English, with a "
      "checksum: 3d1f57c984978ef98a18378c8166c1cb.\n";
  std::string raw = MustWrite(mail);
  Json python = ReadWithPython(raw);
  CHECK(python["parts"][0]["cte"] == "quoted-printable");
  CHECK(python["plain"] ==
        "Оценка: 5\r\nThe rest of this receipt is in "
        "English, with a checksum: "
        "3d1f57c984978ef98a18378c8166c1cb.\r\n");

  mail.text = Repeat("Работа принята вовремя. ", 20) + "\n";
  raw = MustWrite(mail);
  python = ReadWithPython(raw);
  CHECK(python["parts"][0]["cte"] == "base64");
  CHECK(python["plain"] == Repeat("Работа принята вовремя. ", 20) + "\r\n");
  CHECK(ParseOurs(raw).text == mail.text);
}

TEST_CASE("Invalid UTF-8 in text, subject and names becomes U+FFFD") {
  OutgoingMail mail = SimpleMail();
  mail.subject = "Оценка \xff\xfe 5";
  mail.to[0].display_name = "Петя \xC0\xAF";  // an overlong '/'
  mail.text = "Текст \xD0 конец\n";           // a cut character
  std::string raw = MustWrite(mail);
  Json python = ReadWithPython(raw);
  CHECK(PythonHeader(python, "Subject") == "Оценка \uFFFD\uFFFD 5");
  CHECK(python["addresses"]["To"][0][0] == "Петя \uFFFD\uFFFD");
  CHECK(python["plain"] == "Текст \uFFFD конец\r\n");
  CHECK(ParseOurs(raw).text == "Текст \uFFFD конец\n");
}

TEST_CASE("Text and HTML as multipart/alternative, read back equal") {
  OutgoingMail mail = SimpleMail();
  mail.subject = "Дайджест за 3 марта";
  mail.text = "Сегодня:\n- алгебра: сдано вовремя\n";
  mail.html = "<p>Сегодня:</p>\n<ul><li>алгебра: сдано вовремя</li></ul>";
  std::string raw = MustWrite(mail);
  Json python = ReadWithPython(raw);
  REQUIRE(python["parts"].size() == 3);
  CHECK(python["parts"][0]["content_type"] == "multipart/alternative");
  CHECK(python["parts"][1]["content_type"] == "text/plain");
  CHECK(python["parts"][2]["content_type"] == "text/html");
  CHECK(python["parts"][2]["charset"] == "utf-8");
  CHECK(python["plain"] == "Сегодня:\r\n- алгебра: сдано вовремя\r\n");
  CHECK(python["html"] ==
        "<p>Сегодня:</p>\r\n<ul><li>алгебра: сдано вовремя</li></ul>\r\n");

  ParsedMessage ours = ParseOurs(raw);
  CHECK(ours.text == mail.text);
  CHECK_FALSE(ours.text_from_html);
  CHECK(ours.subject == mail.subject);
}

TEST_CASE("Attachments: Cyrillic and long names, binary data, boundaries") {
  std::string binary;
  for (int i = 0; i < 5000; ++i) binary += static_cast<char>((i * 7) % 256);
  const std::string cyrillic_name = "Домашнее задание №3.pdf";
  const std::string long_name =
      Repeat("Очень длинное имя файла ", 10) + "(копия) 😀.jpg";
  // Text that holds the boundaries themselves must not split the message.
  const std::string tricky =
      "--=_schoolmail_mixed\n--=_schoolmail_alternative--\n";
  OutgoingMail mail = SimpleMail();
  mail.text = tricky;
  mail.html = "<p>" + tricky + "</p>";
  mail.attachments = {{cyrillic_name, "application/pdf", "%PDF-1.4 " + tricky},
                      {long_name, "IMAGE/JPEG", binary},
                      {"plain name.txt", "text/plain", ""},
                      {"", "application/x-unknown; x=1", "no name"}};
  std::string raw = MustWrite(mail);

  Json python = ReadWithPython(raw);
  REQUIRE(python["parts"].size() == 8);
  CHECK(python["parts"][0]["content_type"] == "multipart/mixed");
  CHECK(python["parts"][1]["content_type"] == "multipart/alternative");
  CHECK(python["plain"] ==
        "--=_schoolmail_mixed\r\n--=_schoolmail_alternative--\r\n");
  const Json& pdf = python["parts"][4];
  CHECK(pdf["disposition"] == "attachment");
  CHECK(pdf["filename"] == cyrillic_name);
  CHECK(pdf["name"] == cyrillic_name);  // the RFC 2047 fallback
  CHECK(pdf["cte"] == "base64");
  CHECK(pdf["sha256"] == Sha256Hex("%PDF-1.4 " + tricky));
  const Json& jpeg = python["parts"][5];
  CHECK(jpeg["content_type"] == "image/jpeg");
  CHECK(jpeg["filename"] == long_name);
  CHECK(jpeg["name"] == long_name);
  CHECK(jpeg["size"] == binary.size());
  CHECK(jpeg["sha256"] == Sha256Hex(binary));
  CHECK(python["parts"][6]["filename"] == "plain name.txt");
  CHECK(python["parts"][6]["size"] == 0);
  CHECK(python["parts"][7]["content_type"] == "application/octet-stream");
  CHECK(python["parts"][7]["disposition"] == "attachment");
  CHECK(python["parts"][7]["filename"].is_null());
  // The long name needs RFC 2231 continuations to keep lines short.
  CHECK(raw.find("filename*1*=") != std::string::npos);
  // Part headers fold too (a line with an encoded-word at 76); base64 and
  // quoted-printable lines are at most 76.
  for (std::string_view line : Lines(raw)) {
    CHECK(line.size() <= (line.find("=?") != std::string_view::npos ? 76 : 78));
  }

  ParsedMessage ours = ParseOurs(raw);
  CHECK(ours.text == tricky);
  REQUIRE(ours.attachments.size() == 4);
  CHECK(ours.attachments[0].name == cyrillic_name);
  CHECK(ours.attachments[0].sha256 == Sha256Hex("%PDF-1.4 " + tricky));
  CHECK(ours.attachments[1].name == long_name);
  CHECK(ours.attachments[1].content_type == "image/jpeg");
  CHECK(ours.attachments[1].size == binary.size());
  CHECK(ours.attachments[1].sha256 == Sha256Hex(binary));
  CHECK(ours.attachments[2].name == "plain name.txt");
  CHECK(ours.attachments[3].content_type == "application/octet-stream");
}

}  // namespace
}  // namespace schoolmail
