// IMAP responses (parsers/imap_response.h) and modified UTF-7
// (parsers/mutf7.h). The Dovecot lines below were captured from Dovecot
// 2.3.19 (tests/mailstack) answering the commands the daemon sends.
#include "parsers/imap_response.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <span>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "parsers/mutf7.h"

namespace schoolmail {
namespace {

using Kind = ImapValue::Kind;

// Everything a reader made of `bytes` fed in `chunk`-byte pieces.
struct Outcome {
  std::vector<ImapResponse> responses;
  std::vector<std::string> errors;  // one per failed Next(), in order
  bool failed = false;
  size_t pending = 0;
};

Outcome Read(std::string_view bytes, size_t chunk,
             ImapReaderLimits limits = {}) {
  ImapResponseReader reader(limits);
  Outcome out;
  auto drain = [&] {
    for (;;) {
      Result<std::optional<ImapResponse>> next = reader.Next();
      if (!next.ok()) {
        out.errors.push_back(next.status().message());
        if (reader.failed()) return;
        continue;
      }
      if (!next.value()) return;
      out.responses.push_back(std::move(*next.value()));
    }
  };
  for (size_t at = 0; at < bytes.size() && !reader.failed(); at += chunk) {
    reader.Feed(bytes.substr(at, chunk));
    drain();
  }
  out.failed = reader.failed();
  out.pending = reader.pending_bytes();
  return out;
}

// The single response in `bytes`, which must be exactly one.
ImapResponse One(std::string_view bytes) {
  Outcome out = Read(bytes, bytes.size());
  REQUIRE(out.errors.empty());
  REQUIRE(out.responses.size() == 1);
  CHECK(out.pending == 0);
  return out.responses[0];
}

// The error a single malformed response gives.
std::string ErrorOf(std::string_view bytes, ImapReaderLimits limits = {}) {
  Outcome out = Read(bytes, bytes.size(), limits);
  REQUIRE(out.errors.size() == 1);
  CHECK(out.responses.empty());
  return out.errors[0];
}

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

const std::string kDovecotCapabilities =
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY "
    "THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND "
    "URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED "
    "I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH ESORT SEARCHRES WITHIN "
    "CONTEXT=SEARCH LIST-STATUS BINARY MOVE SNIPPET=FUZZY PREVIEW=FUZZY "
    "PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY SPECIAL-USE";

// A message whose lines look like IMAP: a tagged OK, an untagged FETCH, a
// literal announcement, and a lone CR.
const std::string kTrickyMessage =
    "From: a@b.test\r\nTo: petrova@school.test\r\nSubject: test\r\n"
    "Message-ID: <m1@b.test>\r\n\r\n"
    "line one\r\nA004 OK fake\r\n* 3 FETCH (UID 99)\r\n{50}\r\n"
    "lone\rCR here\r\n";

// What Dovecot 2.3.19 sent in one session (LOGIN, CAPABILITY, CREATE,
// APPEND, LIST, EXAMINE, UID FETCH, UID SEARCH, STATUS, SELECT, UID COPY,
// UID MOVE, ENABLE QRESYNC, UID EXPUNGE, BINARY, IDLE, LOGOUT).
std::string DovecotSession() {
  return "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
         "LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.\r\n"
         "A1 OK [CAPABILITY " +
         kDovecotCapabilities +
         "] Logged in\r\n"
         "* CAPABILITY " +
         kDovecotCapabilities +
         "\r\n"
         "A2 OK Capability completed (0.001 + 0.000 secs).\r\n"
         "A3 NO [ALREADYEXISTS] Mailbox already exists (0.001 + 0.000 "
         "secs).\r\n"
         "+ OK\r\n"
         "A4 OK [APPENDUID 1795882361 1] Append completed (0.003 + 0.001 + "
         "0.002 secs).\r\n"
         "* LIST (\\HasNoChildren) \"/\" &BCEENAQwBD0EPg-\r\n"
         "* LIST (\\HasNoChildren \\Sent) \"/\" Sent\r\n"
         "* LIST (\\HasNoChildren) \"/\" \"&BBAEQARFBDgEMg-/2024 &- co\"\r\n"
         "* LIST (\\HasNoChildren) \"/\" \"q\\\"uo\\\\te\"\r\n"
         "A5 OK List completed (0.001 + 0.000 secs).\r\n"
         "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Late)\r\n"
         "* OK [PERMANENTFLAGS ()] Read-only mailbox.\r\n"
         "* 2 EXISTS\r\n"
         "* 2 RECENT\r\n"
         "* OK [UNSEEN 2] First unseen.\r\n"
         "* OK [UIDVALIDITY 1795882361] UIDs valid\r\n"
         "* OK [UIDNEXT 3] Predicted next UID\r\n"
         "A6 OK [READ-ONLY] Examine completed (0.001 + 0.000 secs).\r\n"
         "* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent $Late) INTERNALDATE "
         "\"08-Nov-2026 14:59:59 +0000\" RFC822.SIZE 147 "
         "BODY[HEADER.FIELDS (MESSAGE-ID)] {27}\r\n"
         "Message-ID: <m1@b.test>\r\n\r\n"
         " BODY[] {147}\r\n" +
         kTrickyMessage +
         ")\r\n"
         "* 2 FETCH (UID 2 FLAGS (\\Recent) INTERNALDATE \"28-Nov-2026 "
         "14:59:59 +0000\" RFC822.SIZE 20 BODY[HEADER.FIELDS (MESSAGE-ID)] "
         "{2}\r\n\r\n BODY[] {20}\r\nSubject: two\r\n\r\nhi\r\n)\r\n"
         "A7 OK Fetch completed (0.001 + 0.000 secs).\r\n"
         "* ESEARCH (TAG \"A8\") UID ALL 1:2\r\n"
         "A8 OK Search completed (0.001 + 0.000 secs).\r\n"
         "* SEARCH 1 2\r\n"
         "* OK [HIGHESTMODSEQ 4] Highest\r\n"
         "* STATUS INBOX (MESSAGES 2 UIDNEXT 3 UIDVALIDITY 1795882361 "
         "HIGHESTMODSEQ 4)\r\n"
         "A9 OK [CLIENTBUG] Status on selected mailbox completed (0.001 + "
         "0.000 secs).\r\n"
         "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft "
         "$Late \\*)] Flags permitted.\r\n"
         "A10 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).\r\n"
         "A11 OK [COPYUID 1795882362 1:2 1:2] Copy completed (0.007 + 0.000 "
         "+ 0.006 secs).\r\n"
         "* OK [COPYUID 1795882360 1 1] Moved UIDs.\r\n"
         "* 1 EXPUNGE\r\n"
         "A13 NO [TRYCREATE] Mailbox doesn't exist: Nope (0.001 + 0.000 "
         "secs).\r\n"
         "* ESEARCH (TAG \"A7\") UID MIN 2 MAX 2 ALL 2 COUNT 1\r\n"
         "* 1 FETCH (UID 2 MODSEQ (6))\r\n"
         "* VANISHED 2\r\n"
         "* 2 FETCH (UID 2 BINARY[] {20}\r\nSubject: two\r\n\r\nhi\r\n "
         "BODY[]<0> {10}\r\nSubject: t)\r\n"
         "+ idling\r\n"
         "* BYE Logging out\r\n"
         "A16 OK Logout completed (0.001 + 0.000 secs).\r\n";
}
constexpr size_t kDovecotResponses = 42;

// ---------------------------------------------------------------------------
// The reader

TEST_CASE("a Dovecot session splits into its 42 responses, in order") {
  Outcome out = Read(DovecotSession(), DovecotSession().size());
  REQUIRE(out.errors.empty());
  REQUIRE(out.responses.size() == kDovecotResponses);
  CHECK(out.pending == 0);
  std::vector<std::string> names;
  for (const ImapResponse& r : out.responses) {
    names.push_back(r.kind == ImapResponseKind::kContinuation ? "+" : r.name);
  }
  CHECK(names ==
        std::vector<std::string>{
            "OK",    "OK",       "CAPABILITY", "OK",      "NO",   "+",
            "OK",    "LIST",     "LIST",       "LIST",    "LIST", "OK",
            "FLAGS", "OK",       "EXISTS",     "RECENT",  "OK",   "OK",
            "OK",    "OK",       "FETCH",      "FETCH",   "OK",   "ESEARCH",
            "OK",    "SEARCH",   "OK",         "STATUS",  "OK",   "OK",
            "OK",    "OK",       "OK",         "EXPUNGE", "NO",   "ESEARCH",
            "FETCH", "VANISHED", "FETCH",      "+",       "BYE",  "OK"});
}

TEST_CASE(
    "one byte at a time, 64 KB chunks and odd chunks give the same "
    "responses as one feed") {
  const std::string session = DovecotSession();
  Outcome whole = Read(session, session.size());
  REQUIRE(whole.responses.size() == kDovecotResponses);
  for (size_t chunk : {size_t{1}, size_t{2}, size_t{7}, size_t{146},
                       size_t{1000}, size_t{64} << 10}) {
    CAPTURE(chunk);
    Outcome pieces = Read(session, chunk);
    CHECK(pieces.errors.empty());
    CHECK(pieces.pending == 0);
    CHECK(pieces.responses == whole.responses);
  }
}

TEST_CASE(
    "the session's FETCH body holding 'A004 OK', '* 3 FETCH', '{50}' "
    "and a lone CR comes out byte-exact") {
  std::vector<ImapResponse> responses = Read(DovecotSession(), 1).responses;
  REQUIRE(responses.size() == kDovecotResponses);
  const ImapResponse& fetch = responses[20];
  CHECK(fetch.kind == ImapResponseKind::kUntagged);
  CHECK(fetch.number == 1u);
  CHECK(fetch.name == "FETCH");
  CHECK(kTrickyMessage.size() == 147);
  REQUIRE(fetch.data.size() == 1);
  const std::vector<ImapValue>& items = fetch.data[0].items;
  REQUIRE(items.size() == 12);
  CHECK(items[11].kind == Kind::kLiteral);
  CHECK(items[11].text == kTrickyMessage);
  CHECK(items[9].kind == Kind::kLiteral);
  CHECK(items[9].text == "Message-ID: <m1@b.test>\r\n\r\n");
  // The tagged OK after the FETCH is the real one, not the one in the body.
  CHECK(responses[22].tag == "A7");
  CHECK(responses[22].text == "Fetch completed (0.001 + 0.000 secs).");
}

TEST_CASE("raw keeps the lines for logs with each literal as {n bytes}") {
  std::vector<ImapResponse> responses =
      Read(DovecotSession(), 64 << 10).responses;
  REQUIRE(responses.size() == kDovecotResponses);
  CHECK(responses[20].raw ==
        "* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent $Late) INTERNALDATE "
        "\"08-Nov-2026 14:59:59 +0000\" RFC822.SIZE 147 "
        "BODY[HEADER.FIELDS (MESSAGE-ID)] {27 bytes} BODY[] {147 bytes})");
  CHECK(responses[14].raw == "* 2 EXISTS");
  CHECK(One("* 1 FETCH (BINARY[] ~{3}\r\nabc)\r\n").raw ==
        "* 1 FETCH (BINARY[] ~{3 bytes})");
}

TEST_CASE("values: atoms, numbers, quoted, literal, NIL, nested lists") {
  ImapResponse r =
      One("* 12 FETCH (X \"a \\\"q\\\" \\\\ b\" {3}\r\nx)y nil NiL 007 "
          "BODY[HEADER.FIELDS (A B)]<0> ((1 2) ()) \"\" 18446744073709551616)"
          "\r\n");
  CHECK(r.number == 12u);
  REQUIRE(r.data.size() == 1);
  const std::vector<ImapValue>& v = r.data[0].items;
  REQUIRE(v.size() == 10);
  CHECK(v[0].kind == Kind::kAtom);
  CHECK(v[0].text == "X");
  CHECK(v[1].kind == Kind::kQuoted);
  CHECK(v[1].text == "a \"q\" \\ b");
  CHECK(v[2].kind == Kind::kLiteral);
  CHECK(v[2].text == "x)y");
  CHECK(v[3].kind == Kind::kNil);
  CHECK(v[4].kind == Kind::kNil);
  CHECK(v[4].text == "NiL");
  CHECK(v[5].kind == Kind::kNumber);
  CHECK(v[5].number == 7);
  CHECK(v[5].text == "007");
  CHECK(v[6].kind == Kind::kAtom);
  CHECK(v[6].text == "BODY[HEADER.FIELDS (A B)]<0>");
  CHECK(v[7].kind == Kind::kList);
  REQUIRE(v[7].items.size() == 2);
  CHECK(v[7].items[0].items.size() == 2);
  CHECK(v[7].items[0].items[1].number == 2);
  CHECK(v[7].items[1].kind == Kind::kList);
  CHECK(v[7].items[1].items.empty());
  CHECK(v[8].kind == Kind::kQuoted);
  CHECK(v[8].text.empty());
  CHECK(v[9].kind == Kind::kAtom);  // too big for 64 bits
  CHECK(v[9].text == "18446744073709551616");
}

TEST_CASE("literal forms {n}, {n+}, ~{n} and {0}, several in one response") {
  using namespace std::string_literals;  // the literal holds a NUL
  const std::string bytes =
      "* 1 FETCH (BODY[1] {2}\r\nab BODY[2] {3+}\r\ncde BINARY[3] ~{2}\r\n"
      "\0\n BODY[4] {0}\r\n)\r\n"s;
  ImapResponse full = One(bytes);
  const std::vector<ImapValue>& v = full.data[0].items;
  REQUIRE(v.size() == 8);
  CHECK(v[1].text == "ab");
  CHECK(v[3].text == "cde");
  CHECK(v[5].kind == Kind::kLiteral);
  CHECK(v[5].text == std::string("\0\n", 2));
  CHECK(v[7].kind == Kind::kLiteral);
  CHECK(v[7].text.empty());
}

TEST_CASE("a literal at the very end of the line and a literal LIST name") {
  ImapResponse list =
      One("* LIST (\\HasNoChildren) \"/\" {10}\r\nSent Items\r\n");
  Result<ListEntry> entry = ParseList(list);
  REQUIRE(entry.ok());
  CHECK(entry->name == "Sent Items");
  CHECK(entry->delimiter == '/');
}

TEST_CASE("bare LF line ends are accepted") {
  Outcome out = Read("* 3 EXISTS\nA1 OK done\n* 1 FETCH (BODY[] {2}\nab)\n", 1);
  REQUIRE(out.errors.empty());
  REQUIRE(out.responses.size() == 3);
  CHECK(ParseExists(out.responses[0]) == 3u);
  CHECK(out.responses[1].text == "done");
  CHECK(out.responses[2].data[0].items[1].text == "ab");
}

TEST_CASE("status and continuation lines never announce literals") {
  Outcome out = Read(
      "A1 NO Unknown mailbox {5}\r\n* OK text {3}\r\n+ {4}\r\n* 2 EXISTS\r\n",
      1);
  REQUIRE(out.errors.empty());
  REQUIRE(out.responses.size() == 4);
  CHECK(out.responses[0].text == "Unknown mailbox {5}");
  CHECK(out.responses[1].text == "text {3}");
  CHECK(out.responses[2].kind == ImapResponseKind::kContinuation);
  CHECK(out.responses[2].text == "{4}");
  CHECK(ParseExists(out.responses[3]) == 2u);
}

TEST_CASE("continuation requests: '+ idling', '+ OK', bare '+', base64") {
  ImapResponse idling = One("+ idling\r\n");
  CHECK(idling.kind == ImapResponseKind::kContinuation);
  CHECK(idling.name.empty());
  CHECK(idling.text == "idling");
  CHECK(One("+\r\n").text.empty());
  CHECK(One("+ YGgGCSqGSIb3EgECAgIBAAD/////\r\n").text ==
        "YGgGCSqGSIb3EgECAgIBAAD/////");
  ImapResponse code = One("+ [ALERT] go on\r\n");
  REQUIRE(code.code.size() == 1);
  CHECK(code.code[0].IsAtom("alert"));
  CHECK(code.text == "go on");
}

TEST_CASE("response codes: parsed values, absent, or split when broken") {
  ImapResponse permanent =
      One("* OK [PERMANENTFLAGS (\\Answered \\Seen $Late \\*)] Flags "
          "permitted.\r\n");
  REQUIRE(permanent.code.size() == 2);
  CHECK(permanent.code[0].text == "PERMANENTFLAGS");
  CHECK(permanent.code[1].kind == Kind::kList);
  CHECK(permanent.code[1].items.size() == 4);
  CHECK(permanent.code[1].items[3].text == "\\*");
  CHECK(permanent.text == "Flags permitted.");

  ImapResponse no_code = One("* OK [ALERT Hello\r\n");
  CHECK(no_code.code.empty());
  CHECK(no_code.text == "[ALERT Hello");

  ImapResponse broken = One("A1 NO [BADCHARSET \"x] text\r\n");
  REQUIRE(broken.code.size() == 2);
  CHECK(broken.code[0].text == "BADCHARSET");
  CHECK(broken.code[1].text == "\"x");
  CHECK(broken.text == "text");

  ImapResponse bare = One("A2 OK [READ-ONLY]\r\n");
  REQUIRE(bare.code.size() == 1);
  CHECK(bare.code[0].text == "READ-ONLY");
  CHECK(bare.text.empty());
}

TEST_CASE("a 10 MB literal comes out byte-exact from 64 KB chunks") {
  std::string body;
  body.reserve(10 << 20);
  const std::string pieces[] = {"A004 OK done\r\n",
                                "* 3 FETCH (UID 1)\r\n",
                                "{50}\r\n",
                                "lone\rCR",
                                std::string(1, '\0'),
                                "\xff\xfe",
                                ")\r\n"};
  for (size_t i = 0; body.size() < (10u << 20); ++i) {
    body += pieces[i % 7];
  }
  body.resize(10 << 20);
  const std::string bytes = "* 7 FETCH (UID 70 BODY[] {" +
                            std::to_string(body.size()) + "}\r\n" + body +
                            ")\r\nA5 OK Fetch completed.\r\n";
  for (size_t chunk : {size_t{64} << 10, bytes.size()}) {
    CAPTURE(chunk);
    Outcome out = Read(bytes, chunk);
    REQUIRE(out.errors.empty());
    REQUIRE(out.responses.size() == 2);
    CHECK(out.responses[1].tag == "A5");
    const std::string data_before = out.responses[0].data[0].items[3].text;
    const char* buffer = out.responses[0].data[0].items[3].text.data();
    Result<FetchItem> item = ParseFetch(std::move(out.responses[0]));
    REQUIRE(item.ok());
    CHECK(item->uid == 70u);
    REQUIRE(item->body.has_value());
    CHECK(item->body->size() == (10u << 20));
    CHECK(*item->body == body);
    CHECK(item->body->data() == buffer);  // moved out, not copied
    CHECK(data_before == body);
  }
}

TEST_CASE("a 10 MB literal fed one byte at a time stays linear") {
  const std::string body(10 << 20, 'x');
  const std::string bytes =
      "* 1 FETCH (BODY[] {10485760}\r\n" + body + ")\r\nA1 OK ok\r\n";
  ImapResponseReader reader;
  size_t responses = 0;
  for (char c : bytes) {
    reader.Feed(std::string_view(&c, 1));
    Result<std::optional<ImapResponse>> next = reader.Next();
    if (!next.ok()) FAIL(next.status().message());
    if (!next.value()) continue;
    ++responses;
    if (responses == 1) CHECK(next.value()->data[0].items[1].text == body);
  }
  CHECK(responses == 2);
  CHECK(reader.pending_bytes() == 0);
}

TEST_CASE("receiving straight into the reader: Reserve, Written, bytes owed") {
  std::string body(3 << 20, 'y');
  for (size_t i = 0; i < body.size(); i += 4099) body[i] = '\n';
  const std::string bytes = "* 2 FETCH (UID 9 BODY[] {" +
                            std::to_string(body.size()) + "}\r\n" + body +
                            ")\r\nA7 OK done\r\n";
  ImapResponseReader reader;
  CHECK(reader.literal_bytes_owed() == 0);
  std::vector<ImapResponse> responses;
  size_t at = 0;
  size_t owed_when_half = 0;
  while (at < bytes.size()) {
    // Room for 100,000 bytes; the "server" sends at most 70,001 of them.
    std::span<char> room = reader.Reserve(100000);
    REQUIRE(room.size() == 100000);
    size_t k = std::min<size_t>(70001, bytes.size() - at);
    std::memcpy(room.data(), bytes.data() + at, k);
    reader.Written(k);
    at += k;
    for (;;) {
      Result<std::optional<ImapResponse>> next = reader.Next();
      REQUIRE(next.ok());
      if (!next.value()) break;
      responses.push_back(std::move(**next));
    }
    if (owed_when_half == 0 && at >= bytes.size() / 2 && responses.empty()) {
      owed_when_half = reader.literal_bytes_owed();
      // Everything of the literal not yet given to the reader.
      const size_t literal_start = bytes.find("}\r\n") + 3;
      CHECK(owed_when_half == literal_start + body.size() - at);
    }
  }
  CHECK(owed_when_half > 0);
  CHECK(reader.literal_bytes_owed() == 0);
  REQUIRE(responses.size() == 2);
  CHECK(responses[0].data[0].items[3].text == body);
  CHECK(responses[1].tag == "A7");
  CHECK(reader.pending_bytes() == 0);
  // Room handed out and not used adds nothing.
  reader.Reserve(64);
  reader.Written(0);
  CHECK(reader.pending_bytes() == 0);
}

TEST_CASE("an incomplete response waits for more bytes") {
  ImapResponseReader reader;
  reader.Feed("* 1 FETCH (BODY[] {5}\r\nab");
  Result<std::optional<ImapResponse>> next = reader.Next();
  REQUIRE(next.ok());
  CHECK(!next.value().has_value());
  CHECK(reader.pending_bytes() == 25);
  reader.Feed("cde)");
  CHECK(!reader.Next().value().has_value());
  reader.Feed("\r\n");
  next = reader.Next();
  REQUIRE(next.ok());
  REQUIRE(next.value().has_value());
  CHECK(next.value()->data[0].items[1].text == "abcde");
  CHECK(reader.pending_bytes() == 0);
  CHECK(!reader.Next().value().has_value());
}

// ---------------------------------------------------------------------------
// Hostile input

TEST_CASE("{99999999999999999999} fails the reader for good") {
  ImapResponseReader reader;
  reader.Feed("* 1 FETCH (BODY[] {99999999999999999999}\r\nabc)\r\n");
  Result<std::optional<ImapResponse>> next = reader.Next();
  REQUIRE(!next.ok());
  CHECK(Contains(next.status().message(), "literal larger than 67108864"));
  CHECK(next.status().scope() == Scope::kMailbox);
  CHECK(next.status().retry() == Retry::kLater);
  CHECK(reader.failed());
  reader.Feed("* 2 EXISTS\r\n");  // ignored from now on
  Result<std::optional<ImapResponse>> again = reader.Next();
  REQUIRE(!again.ok());
  CHECK(again.status().message() == next.status().message());
}

TEST_CASE("a literal is allowed up to the cap, not one byte over") {
  ImapReaderLimits limits;
  limits.literal_bytes = 1000;
  std::string ok =
      "* 1 FETCH (BODY[] {1000}\r\n" + std::string(1000, 'a') + ")\r\n";
  Outcome fine = Read(ok, 1, limits);
  CHECK(fine.errors.empty());
  CHECK(fine.responses.size() == 1);
  Outcome over = Read("* 1 FETCH (BODY[] {1001}\r\n", 1, limits);
  REQUIRE(over.errors.size() == 1);
  CHECK(Contains(over.errors[0], "literal larger than 1000 bytes"));
  CHECK(over.failed);
}

TEST_CASE("a response over response_bytes fails, literals counted") {
  ImapReaderLimits limits;
  limits.response_bytes = 100;
  Outcome out = Read("* 1 FETCH (BODY[1] {50}\r\n" + std::string(50, 'a') +
                         " BODY[2] {50}\r\n",
                     3, limits);
  REQUIRE(out.errors.size() == 1);
  CHECK(Contains(out.errors[0], "response larger than 100 bytes"));
  CHECK(out.failed);
}

TEST_CASE(
    "unterminated literal sizes: '{12' is a bad response, the next "
    "one still parses") {
  Outcome out =
      Read("* 1 FETCH (BODY[] {12\r\n* 4 EXISTS\r\n* 1 FETCH ({)\r\n", 1);
  REQUIRE(out.errors.size() == 2);
  CHECK(Contains(out.errors[0], "'{' that is not a literal"));
  CHECK(Contains(out.errors[0], "* 1 FETCH (BODY[] {12"));
  CHECK(Contains(out.errors[1], "'{' that is not a literal"));
  CHECK(!out.failed);
  REQUIRE(out.responses.size() == 1);
  CHECK(ParseExists(out.responses[0]) == 4u);
}

TEST_CASE("a literal whose bytes never come leaves the response pending") {
  Outcome out = Read("* 1 FETCH (BODY[] {100}\r\nonly this", 1);
  CHECK(out.errors.empty());
  CHECK(out.responses.empty());
  CHECK(out.pending == 34);
}

TEST_CASE(
    "a 1 MB line without CRLF is an error as soon as it passes the "
    "cap; a line of exactly the cap is fine") {
  const size_t cap = ImapReaderLimits{}.line_bytes;
  CHECK(cap == (1u << 20));
  Outcome endless = Read(std::string(cap + 1, 'a'), 64 << 10);
  REQUIRE(endless.errors.size() == 1);
  CHECK(Contains(endless.errors[0], "line longer than 1048576 bytes"));
  CHECK(endless.failed);

  std::string search = "* SEARCH";
  while (search.size() < cap - 2) search += " 1";
  search.resize(cap - 2);
  search += "\r\n";
  REQUIRE(search.size() == cap);
  Outcome full = Read(search, 64 << 10);
  CHECK(full.errors.empty());
  REQUIRE(full.responses.size() == 1);
  CHECK(ParseSearch(full.responses[0])->size() == (cap - 10) / 2);

  // Bytes outside literals add up over all lines of one response.
  ImapReaderLimits small;
  small.line_bytes = 30;
  Outcome lines =
      Read("* 1 FETCH (A {1}\r\nx B {1}\r\nx C {1}\r\nx D)\r\n", 1, small);
  REQUIRE(lines.errors.size() == 1);
  CHECK(Contains(lines.errors[0], "line longer than 30 bytes"));
}

TEST_CASE("10,000 nested parentheses are a clean error, 100 are fine") {
  std::string deep = "* 1 FETCH " + std::string(10000, '(') +
                     std::string(10000, ')') + "\r\n* 5 EXISTS\r\n";
  Outcome out = Read(deep, 64 << 10);
  REQUIRE(out.errors.size() == 1);
  CHECK(Contains(out.errors[0], "parentheses nested deeper than 100"));
  CHECK(!out.failed);
  REQUIRE(out.responses.size() == 1);
  CHECK(ParseExists(out.responses[0]) == 5u);

  ImapResponse hundred = One("* 1 FETCH " + std::string(100, '(') +
                             std::string(100, ')') + "\r\n");
  const ImapValue* inner = &hundred.data[0];
  int depth = 1;
  while (!inner->items.empty()) {
    inner = &inner->items[0];
    ++depth;
  }
  CHECK(depth == 100);
  CHECK(Contains(ErrorOf("* 1 FETCH " + std::string(101, '(') +
                         std::string(101, ')') + "\r\n"),
                 "nested deeper than 100"));
  // Deep nesting inside a response code falls back to atoms, no crash.
  ImapResponse code = One("* OK [X " + std::string(10000, '(') + "] t\r\n");
  REQUIRE(code.code.size() == 2);
  CHECK(code.code[1].text == std::string(10000, '('));
}

TEST_CASE("garbage lines are errors, and reading goes on after them") {
  const char* bad[] = {
      "\r\n",                     // empty line
      " OK\r\n",                  // no tag
      "hello\r\n",                // tag and nothing else
      "A1 FOO bar\r\n",           // tagged without a status
      "A(1 OK x\r\n",             // bad tag
      "*\r\n",                    // nothing after '*'
      "* \r\n",                   // no name
      "*3 EXISTS\r\n",            // no space
      "* 4294967296 EXISTS\r\n",  // beyond 32 bits
      "* 3\r\n",                  // number alone
      "* 3 OK numbered status\r\n",
      "* 1 FETCH (UID 1))\r\n",          // unbalanced ')'
      "* 1 FETCH (UID 1\r\n",            // unclosed '('
      "* LIST () \"/\" \"Sent\r\n",      // unterminated quote
      "* LIST () \"/\" \"a\\\r\n",       // backslash at the end of a quote
      "* 1 FETCH (X {3} Y)\r\n",         // literal marker not at the line end
      "* 1 FETCH (X {3 {2}\r\nab)\r\n",  // a brace before the marker
      "* 1 FETCH (X ~{x}\r\n",
      "\x01\x02\xff\r\n",
  };
  for (const char* line : bad) {
    CAPTURE(line);
    std::string bytes = std::string(line) + "* 9 EXISTS\r\n";
    Outcome out = Read(bytes, 1);
    CHECK(out.errors.size() == 1);
    CHECK(!out.failed);
    REQUIRE(out.responses.size() == 1);
    CHECK(ParseExists(out.responses[0]) == 9u);
  }
}

TEST_CASE(
    "mutated sessions: no crash, and chunking never changes the "
    "responses or the errors") {
  const std::string session = DovecotSession();
  std::mt19937 random(20261128);
  const char noise[] = {'(',  ')', '{', '}', '"', '\\', '[', ']',  '\r',
                        '\n', ' ', '~', '+', '*', '0',  '9', '\0', '\xff'};
  ImapReaderLimits tight;
  tight.line_bytes = 600;
  tight.literal_bytes = 160;
  tight.response_bytes = 400;
  tight.depth = 3;
  size_t responses = 0, errors = 0, failures = 0;
  for (int round = 0; round < 300; ++round) {
    std::string bytes = session;
    int edits = 1 + static_cast<int>(random() % 8);
    for (int e = 0; e < edits; ++e) {
      size_t at = random() % bytes.size();
      char c = noise[random() % sizeof(noise)];
      switch (random() % 3) {
        case 0:
          bytes[at] = c;
          break;
        case 1:
          bytes.insert(bytes.begin() + at, c);
          break;
        default:
          bytes.erase(at, 1 + random() % 4);
          break;
      }
    }
    CAPTURE(round);
    for (const ImapReaderLimits& limits : {ImapReaderLimits{}, tight}) {
      Outcome whole = Read(bytes, bytes.size(), limits);
      responses += whole.responses.size();
      errors += whole.errors.size();
      failures += whole.failed ? 1 : 0;
      for (size_t chunk : {size_t{1}, size_t{13}}) {
        Outcome pieces = Read(bytes, chunk, limits);
        CHECK(pieces.responses == whole.responses);
        CHECK(pieces.errors == whole.errors);
        CHECK(pieces.failed == whole.failed);
      }
      for (const ImapResponse& r : whole.responses) {
        (void)ParseStatusResponse(r);
        (void)ParseFetch(r);
        (void)ParseList(r);
        (void)ParseESearch(r);
        (void)ParseMailboxStatus(r);
      }
    }
  }
  // The seed is fixed: 24,471 responses, 950 errors, 11 failed readers.
  CHECK(errors > 300);       // bad responses were reported...
  CHECK(failures >= 5);      // ...some fatal (a literal over the limit)
  CHECK(responses > 20000);  // and the rest still came through
}

// ---------------------------------------------------------------------------
// Status responses

TEST_CASE("status responses: tag, status, code and text of Dovecot lines") {
  std::vector<ImapResponse> r = Read(DovecotSession(), 64 << 10).responses;
  REQUIRE(r.size() == kDovecotResponses);

  Result<StatusResponse> greeting = ParseStatusResponse(r[0]);
  REQUIRE(greeting.ok());
  CHECK(greeting->tag.empty());
  CHECK(greeting->status == ImapStatus::kOk);
  CHECK(greeting->code == "CAPABILITY");
  REQUIRE(greeting->capabilities.has_value());
  CHECK(greeting->capabilities->count("AUTH=PLAIN") == 1);
  CHECK(greeting->capabilities->count("STARTTLS") == 1);
  CHECK(greeting->text == "Dovecot (Debian) ready.");

  Result<StatusResponse> exists = ParseStatusResponse(r[4]);
  CHECK(exists->tag == "A3");
  CHECK(exists->status == ImapStatus::kNo);
  CHECK(exists->code == "ALREADYEXISTS");

  Result<StatusResponse> append = ParseStatusResponse(r[6]);
  REQUIRE(append->append_uid.has_value());
  CHECK(append->append_uid->uid_validity == 1795882361u);
  CHECK(append->append_uid->uids == std::vector<std::uint32_t>{1});
  CHECK(append->code_defect.empty());

  Result<StatusResponse> permanent = ParseStatusResponse(r[13]);
  REQUIRE(permanent->permanent_flags.has_value());
  CHECK(permanent->permanent_flags->empty());
  CHECK(ParseStatusResponse(r[16])->unseen == 2u);
  CHECK(ParseStatusResponse(r[17])->uid_validity == 1795882361u);
  CHECK(ParseStatusResponse(r[17])->text == "UIDs valid");
  CHECK(ParseStatusResponse(r[18])->uid_next == 3u);
  CHECK(ParseStatusResponse(r[19])->code == "READ-ONLY");
  CHECK(ParseStatusResponse(r[26])->highest_modseq == 4u);
  CHECK(ParseStatusResponse(r[28])->code == "CLIENTBUG");
  CHECK(*ParseStatusResponse(r[29])->permanent_flags ==
        std::vector<std::string>{"\\Answered", "\\Flagged", "\\Deleted",
                                 "\\Seen", "\\Draft", "$Late", "\\*"});
  CHECK(ParseStatusResponse(r[30])->code == "READ-WRITE");

  Result<StatusResponse> copy = ParseStatusResponse(r[31]);
  REQUIRE(copy->copy_uid.has_value());
  CHECK(copy->copy_uid->uid_validity == 1795882362u);
  CHECK(copy->copy_uid->source_uids == std::vector<std::uint32_t>{1, 2});
  CHECK(copy->copy_uid->dest_uids == std::vector<std::uint32_t>{1, 2});
  Result<StatusResponse> moved = ParseStatusResponse(r[32]);
  CHECK(moved->tag.empty());
  CHECK(moved->copy_uid->dest_uids == std::vector<std::uint32_t>{1});

  CHECK(ParseStatusResponse(r[34])->code == "TRYCREATE");
  Result<StatusResponse> bye = ParseStatusResponse(r[40]);
  CHECK(bye->status == ImapStatus::kBye);
  CHECK(bye->text == "Logging out");
  CHECK(bye->code.empty());
}

TEST_CASE("status codes in any case; OVERQUOTA, NONEXISTENT, PREAUTH, BAD") {
  Result<StatusResponse> lower =
      ParseStatusResponse(One("a1 ok [uidnext 5] done\r\n"));
  CHECK(lower->tag == "a1");
  CHECK(lower->status == ImapStatus::kOk);
  CHECK(lower->code == "UIDNEXT");
  CHECK(lower->uid_next == 5u);
  CHECK(
      ParseStatusResponse(One("A2 NO [OVERQUOTA] Quota exceeded\r\n"))->code ==
      "OVERQUOTA");
  CHECK(ParseStatusResponse(One("A3 NO [NONEXISTENT] No such mailbox\r\n"))
            ->code == "NONEXISTENT");
  CHECK(ParseStatusResponse(One("* PREAUTH [CAPABILITY IMAP4rev1] hi\r\n"))
            ->status == ImapStatus::kPreauth);
  Result<StatusResponse> bad = ParseStatusResponse(
      One("A4 BAD Error in IMAP command GARBAGE: Unknown command\r\n"));
  CHECK(bad->status == ImapStatus::kBad);
  CHECK(bad->text == "Error in IMAP command GARBAGE: Unknown command");
  CHECK(ParseStatusResponse(One("* OK [UIDVALIDITY 1701234567] UIDs valid"
                                "\r\n"))
            ->uid_validity == 1701234567u);
}

TEST_CASE("COPYUID and APPENDUID expand uid-sets pairwise, with a cap") {
  Result<StatusResponse> copy = ParseStatusResponse(
      One("A5 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n"));
  REQUIRE(copy->copy_uid.has_value());
  CHECK(copy->copy_uid->source_uids ==
        std::vector<std::uint32_t>{304, 319, 320});
  CHECK(copy->copy_uid->dest_uids ==
        std::vector<std::uint32_t>{3956, 3957, 3958});
  Result<StatusResponse> multi =
      ParseStatusResponse(One("A6 OK [APPENDUID 38505 3955:3956] Done\r\n"));
  CHECK(multi->append_uid->uids == std::vector<std::uint32_t>{3955, 3956});

  Result<StatusResponse> mismatch =
      ParseStatusResponse(One("A7 OK [COPYUID 1 1:3 4:5] Done\r\n"));
  REQUIRE(mismatch.ok());
  CHECK(mismatch->status == ImapStatus::kOk);
  CHECK(!mismatch->copy_uid.has_value());
  CHECK(mismatch->code_defect == "bad arguments to COPYUID");

  Result<StatusResponse> huge = ParseStatusResponse(
      One("A8 OK [COPYUID 1 1:4294967295 1:4294967295] Done\r\n"));
  CHECK(!huge->copy_uid.has_value());
  CHECK(huge->code_defect == "bad arguments to COPYUID");
  Result<StatusResponse> capped =
      ParseStatusResponse(One("A9 OK [COPYUID 1 1:4 5:8] Done\r\n"), 3);
  CHECK(capped->code_defect == "bad arguments to COPYUID");

  Result<StatusResponse> bad_number =
      ParseStatusResponse(One("* OK [UIDVALIDITY abc] x\r\n"));
  CHECK(!bad_number->uid_validity.has_value());
  CHECK(bad_number->code_defect == "bad arguments to UIDVALIDITY");
  CHECK(ParseStatusResponse(One("* OK [UIDNEXT] x\r\n"))->code_defect ==
        "bad arguments to UIDNEXT");
}

TEST_CASE("ParseStatusResponse refuses what is not a status response") {
  Result<StatusResponse> r = ParseStatusResponse(One("* 3 EXISTS\r\n"));
  REQUIRE(!r.ok());
  CHECK(r.status().message() == "IMAP response: not a status response: EXISTS");
  CHECK(r.status().scope() == Scope::kItem);
  CHECK(!ParseStatusResponse(One("+ idling\r\n")).ok());
}

// ---------------------------------------------------------------------------
// Untagged data

TEST_CASE("CAPABILITY: upper-cased set from the response or its code") {
  std::vector<ImapResponse> r = Read(DovecotSession(), 64 << 10).responses;
  REQUIRE(r.size() == kDovecotResponses);
  Result<std::set<std::string>> caps = ParseCapabilities(r[2]);
  REQUIRE(caps.ok());
  CHECK(caps->size() == 38);
  for (const char* c :
       {"IMAP4REV1", "IDLE", "UIDPLUS", "ESEARCH", "MOVE", "LITERAL+",
        "SPECIAL-USE", "CONDSTORE", "QRESYNC", "I18NLEVEL=1", "STATUS=SIZE"}) {
    CHECK(caps->count(c) == 1);
  }
  CHECK(*ParseCapabilities(r[1]) == *caps);
  CHECK(*ParseCapabilities(One("* CAPABILITY imap4rev1 Idle\r\n")) ==
        std::set<std::string>{"IMAP4REV1", "IDLE"});
  CHECK(!ParseCapabilities(r[3]).ok());  // a tagged OK without the code
  CHECK(!ParseCapabilities(r[14]).ok());
}

TEST_CASE("EXISTS, EXPUNGE, RECENT") {
  CHECK(ParseExists(One("* 23 EXISTS\r\n")) == 23u);
  CHECK(ParseExists(One("* 0 exists\r\n")) == 0u);
  CHECK(ParseExpunge(One("* 3 EXPUNGE\r\n")) == 3u);
  CHECK(ParseRecent(One("* 2 RECENT\r\n")) == 2u);
  CHECK(!ParseExists(One("* 3 EXPUNGE\r\n")).has_value());
  CHECK(!ParseExists(One("* EXISTS\r\n")).has_value());
  CHECK(!ParseExpunge(One("A1 OK 3 EXPUNGE\r\n")).has_value());
}

TEST_CASE("VANISHED with and without (EARLIER)") {
  Result<Vanished> v =
      ParseVanished(One("* VANISHED (EARLIER) 300:303,405\r\n"));
  REQUIRE(v.ok());
  CHECK(v->earlier);
  CHECK(v->uids == std::vector<std::uint32_t>{300, 301, 302, 303, 405});
  Result<Vanished> now = ParseVanished(One("* VANISHED 2\r\n"));
  CHECK(!now->earlier);
  CHECK(now->uids == std::vector<std::uint32_t>{2});
  CHECK(!ParseVanished(One("* VANISHED\r\n")).ok());
  CHECK(!ParseVanished(One("* VANISHED 1:4294967295\r\n")).ok());
  CHECK(!ParseVanished(One("* 3 EXPUNGE\r\n")).ok());
}

TEST_CASE("FETCH from Dovecot: uid, flags, date, size, header fields, body") {
  std::vector<ImapResponse> r = Read(DovecotSession(), 1).responses;
  REQUIRE(r.size() == kDovecotResponses);
  Result<FetchItem> first = ParseFetch(r[20]);
  REQUIRE(first.ok());
  CHECK(first->seq == 1);
  CHECK(first->uid == 1u);
  CHECK(*first->flags ==
        std::vector<std::string>{"\\Seen", "\\Recent", "$Late"});
  CHECK(HasFlag(*first->flags, "\\SEEN"));
  CHECK(HasFlag(*first->flags, "$late"));
  CHECK(!HasFlag(*first->flags, "\\Flagged"));
  CHECK(first->internal_date == "08-Nov-2026 14:59:59 +0000");
  CHECK(first->internal_time == 1794149999);
  CHECK(first->size == 147u);
  CHECK(first->header_fields == "Message-ID: <m1@b.test>\r\n\r\n");
  CHECK(first->body == kTrickyMessage);
  CHECK(!first->modseq.has_value());

  Result<FetchItem> second = ParseFetch(r[21]);
  CHECK(second->seq == 2);
  CHECK(second->header_fields == "\r\n");
  CHECK(second->body == "Subject: two\r\n\r\nhi\r\n");
  CHECK(second->internal_time == 1795877999);

  Result<FetchItem> modseq = ParseFetch(r[36]);
  CHECK(modseq->uid == 2u);
  CHECK(modseq->modseq == 6u);
  CHECK(!modseq->flags.has_value());
  CHECK(!modseq->body.has_value());

  // BINARY[] is the message; the partial BODY[]<0> is ignored.
  Result<FetchItem> binary = ParseFetch(r[38]);
  CHECK(binary->body == "Subject: two\r\n\r\nhi\r\n");
}

TEST_CASE("FETCH items in any order, any case, with unknown items") {
  Result<FetchItem> item = ParseFetch(One(
      "* 4 FETCH (body[] \"short\" X-GM-LABELS (\\Inbox \"a b\") "
      "ENVELOPE (NIL \"s\" ((NIL NIL \"a\" \"b.c\")) NIL NIL NIL NIL NIL NIL "
      "NIL) rfc822.size 5 Flags () InternalDate \" 8-Nov-2026 17:59:59 "
      "+0300\" uid 9 BODY[]<0> {2}\r\nxy)\r\n"));
  REQUIRE(item.ok());
  CHECK(item->seq == 4);
  CHECK(item->uid == 9u);
  CHECK(item->body == "short");
  CHECK(item->size == 5u);
  CHECK(item->flags == std::vector<std::string>{});
  CHECK(item->internal_date == " 8-Nov-2026 17:59:59 +0300");
  CHECK(item->internal_time == 1794149999);
}

TEST_CASE("FETCH: unreadable date kept as text; NIL body; errors") {
  Result<FetchItem> odd = ParseFetch(
      One("* 1 FETCH (UID 3 INTERNALDATE \"yesterday\" BODY[] NIL)\r\n"));
  REQUIRE(odd.ok());
  CHECK(odd->internal_date == "yesterday");
  CHECK(!odd->internal_time.has_value());
  CHECK(!odd->body.has_value());

  CHECK(ParseFetch(One("* 1 FETCH (UID abc)\r\n")).status().message() ==
        "IMAP response: bad FETCH UID");
  CHECK(!ParseFetch(One("* 1 FETCH (UID 0)\r\n")).ok());
  CHECK(!ParseFetch(One("* 1 FETCH (UID 4294967296)\r\n")).ok());
  CHECK(ParseFetch(One("* 1 FETCH (UID)\r\n")).status().message() ==
        "IMAP response: FETCH item UID without a value");
  CHECK(!ParseFetch(One("* 1 FETCH UID 5\r\n")).ok());
  CHECK(!ParseFetch(One("* 1 FETCH (FLAGS \\Seen)\r\n")).ok());
  CHECK(!ParseFetch(One("* 1 FETCH (\"UID\" 5)\r\n")).ok());
  CHECK(!ParseFetch(One("* FETCH (UID 5)\r\n")).ok());
  CHECK(!ParseFetch(One("* 3 EXISTS\r\n")).ok());
}

TEST_CASE("ParseFetch of a const response copies, the original stays") {
  ImapResponse r = One("* 1 FETCH (UID 1 BODY[] {3}\r\nabc)\r\n");
  Result<FetchItem> item = ParseFetch(r);
  CHECK(item->body == "abc");
  CHECK(r.data[0].items[3].text == "abc");
}

TEST_CASE("LIST and LSUB: Dovecot lines, NIL delimiter, extended data") {
  std::vector<ImapResponse> r = Read(DovecotSession(), 64 << 10).responses;
  REQUIRE(r.size() == kDovecotResponses);
  Result<ListEntry> cyrillic = ParseList(r[7]);
  REQUIRE(cyrillic.ok());
  CHECK(cyrillic->attributes == std::vector<std::string>{"\\HasNoChildren"});
  CHECK(cyrillic->delimiter == '/');
  CHECK(cyrillic->name == "&BCEENAQwBD0EPg-");
  CHECK(DecodeMailboxName(cyrillic->name) == "Сдано");
  Result<ListEntry> sent = ParseList(r[8]);
  CHECK(sent->name == "Sent");
  CHECK(HasFlag(sent->attributes, "\\sent"));
  CHECK(DecodeMailboxName(ParseList(r[9])->name) == "Архив/2024 & co");
  CHECK(ParseList(r[10])->name == "q\"uo\\te");

  Result<ListEntry> root = ParseList(One("* LIST (\\Noselect) NIL \"\"\r\n"));
  CHECK(!root->delimiter.has_value());
  CHECK(root->name.empty());
  Result<ListEntry> lsub = ParseList(One("* LSUB () \".\" INBOX.Sent\r\n"));
  CHECK(lsub->delimiter == '.');
  CHECK(lsub->name == "INBOX.Sent");
  Result<ListEntry> extended =
      ParseList(One("* LIST (\\HasChildren) \"\\\\\" INBOX (\"CHILDINFO\" "
                    "(\"SUBSCRIBED\"))\r\n"));
  CHECK(extended->delimiter == '\\');
  CHECK(extended->name == "INBOX");
  CHECK(ParseList(One("* LIST () \"/\" NIL\r\n"))->name == "NIL");
  CHECK(ParseList(One("* LIST () \"/\" 2024\r\n"))->name == "2024");

  CHECK(!ParseList(One("* LIST \"/\" Sent\r\n")).ok());
  CHECK(!ParseList(One("* LIST () \"//\" Sent\r\n")).ok());
  CHECK(!ParseList(One("* LIST () \"/\" (Sent)\r\n")).ok());
  CHECK(!ParseList(One("* 3 EXISTS\r\n")).ok());
}

TEST_CASE("SEARCH: numbers, empty, trailing (MODSEQ n), errors") {
  CHECK(*ParseSearch(One("* SEARCH 1 2 3\r\n")) ==
        std::vector<std::uint32_t>{1, 2, 3});
  CHECK(ParseSearch(One("* SEARCH\r\n"))->empty());
  CHECK(*ParseSearch(One("* SEARCH 2 84 882 (MODSEQ 917162500)\r\n")) ==
        std::vector<std::uint32_t>{2, 84, 882});
  CHECK(!ParseSearch(One("* SEARCH 1 x\r\n")).ok());
  CHECK(!ParseSearch(One("* SEARCH 0\r\n")).ok());
  CHECK(!ParseSearch(One("* ESEARCH UID ALL 1\r\n")).ok());
}

TEST_CASE("ESEARCH: tag, UID, ALL expanded, MIN/MAX/COUNT in any order") {
  Result<ESearch> e =
      ParseESearch(One("* ESEARCH (TAG \"A5\") UID ALL 1:3,7\r\n"));
  REQUIRE(e.ok());
  CHECK(e->tag == "A5");
  CHECK(e->uid);
  CHECK(e->all == std::vector<std::uint32_t>{1, 2, 3, 7});
  CHECK(!e->count.has_value());

  Result<ESearch> dovecot = ParseESearch(
      One("* ESEARCH (TAG \"A7\") UID MIN 2 MAX 2 ALL 2 COUNT 1\r\n"));
  CHECK(dovecot->min == 2u);
  CHECK(dovecot->max == 2u);
  CHECK(dovecot->count == 1u);
  CHECK(dovecot->all == std::vector<std::uint32_t>{2});

  Result<ESearch> plain =
      ParseESearch(One("* esearch count 0 X-UNKNOWN (1 2) modseq 99\r\n"));
  CHECK(plain->tag.empty());
  CHECK(!plain->uid);
  CHECK(plain->count == 0u);
  CHECK(plain->modseq == 99u);
  CHECK(!plain->all.has_value());

  CHECK(!ParseESearch(One("* ESEARCH UID ALL 1:4294967295\r\n")).ok());
  CHECK(!ParseESearch(One("* ESEARCH UID ALL 1:4\r\n"), 3).ok());
  CHECK(!ParseESearch(One("* ESEARCH UID COUNT\r\n")).ok());
  CHECK(!ParseESearch(One("* ESEARCH UID MIN x\r\n")).ok());
}

TEST_CASE("STATUS: mailbox as atom, quoted or literal; counters") {
  std::vector<ImapResponse> r = Read(DovecotSession(), 64 << 10).responses;
  REQUIRE(r.size() == kDovecotResponses);
  Result<MailboxStatus> inbox = ParseMailboxStatus(r[27]);
  REQUIRE(inbox.ok());
  CHECK(inbox->mailbox == "INBOX");
  CHECK(inbox->messages == 2u);
  CHECK(inbox->uid_next == 3u);
  CHECK(inbox->uid_validity == 1795882361u);
  CHECK(inbox->highest_modseq == 4u);
  CHECK(!inbox->unseen.has_value());

  Result<MailboxStatus> quoted = ParseMailboxStatus(
      One("* STATUS \"&BBAEQARFBDgEMg-/2024 &- co\" (messages 0 UNSEEN 1 "
          "SIZE 1234 RECENT 4 APPENDLIMIT NIL)\r\n"));
  CHECK(quoted->mailbox == "&BBAEQARFBDgEMg-/2024 &- co");
  CHECK(quoted->messages == 0u);
  CHECK(quoted->unseen == 1u);
  CHECK(quoted->size == 1234u);
  CHECK(quoted->recent == 4u);
  CHECK(ParseMailboxStatus(One("* STATUS {5}\r\nIN BX (MESSAGES 1)\r\n"))
            ->mailbox == "IN BX");
  CHECK(!ParseMailboxStatus(One("* STATUS INBOX (MESSAGES x)\r\n")).ok());
  CHECK(!ParseMailboxStatus(One("* STATUS INBOX (MESSAGES)\r\n")).ok());
  CHECK(!ParseMailboxStatus(One("* STATUS INBOX\r\n")).ok());
}

// ---------------------------------------------------------------------------
// Dates, sets, strings

TEST_CASE("ParseInternalDate converts to UTC exactly") {
  CHECK(ParseInternalDate("28-Nov-2026 17:59:59 +0300") == 1795877999);
  CHECK(ParseInternalDate("\"28-Nov-2026 17:59:59 +0300\"") == 1795877999);
  CHECK(ParseInternalDate("28-Nov-2026 14:59:59 +0000") == 1795877999);
  CHECK(ParseInternalDate("28-nov-2026 17:59:59 -0730") == 1795915799);
  CHECK(ParseInternalDate(" 8-Nov-2026 14:59:59 +0000") == 1794149999);
  CHECK(ParseInternalDate("8-Nov-2026 14:59:59 +0000") == 1794149999);
  CHECK(ParseInternalDate("08-Nov-2026 14:59:59 +0000") == 1794149999);
  CHECK(ParseInternalDate("01-Jan-1970 00:00:00 +0000") == 0);
  CHECK(ParseInternalDate("01-Jan-1970 00:00:00 +0100") == -3600);
  CHECK(ParseInternalDate("31-Dec-1969 23:59:59 +0000") == -1);
  CHECK(ParseInternalDate("29-Feb-2024 12:00:00 +0000") == 1709208000);
  for (const char* bad :
       {"", "29-Feb-2026 12:00:00 +0000", "31-Apr-2026 12:00:00 +0000",
        "00-Apr-2026 12:00:00 +0000", "28-Foo-2026 17:59:59 +0300",
        "28-Nov-2026 24:00:00 +0000", "28-Nov-2026 17:60:00 +0000",
        "28-Nov-2026 17:59:59 0300", "28-Nov-2026 17:59:59 +0360",
        "28-Nov-2026 17:59:59 +03000", "128-Nov-2026 17:59:59 +0300",
        "28-Nov-26 17:59:59 +0300", "28-Nov-2026T17:59:59 +0300",
        "28-Nov-2026 17:59:59", "2026-11-28 17:59:59 +0300",
        "28-Nov-2026 1:59:59 +0300", "\"28-Nov-2026 17:59:59 +0300"}) {
    CAPTURE(bad);
    CHECK(!ParseInternalDate(bad).has_value());
  }
}

TEST_CASE("FormatInternalDate writes the APPEND date-time and round-trips") {
  CHECK(FormatInternalDate(1795877999, 180) == "28-Nov-2026 17:59:59 +0300");
  CHECK(FormatInternalDate(1795877999, 0) == "28-Nov-2026 14:59:59 +0000");
  CHECK(FormatInternalDate(1795915799, -450) == "28-Nov-2026 17:59:59 -0730");
  CHECK(FormatInternalDate(1794149999, 0) == "08-Nov-2026 14:59:59 +0000");
  CHECK(FormatInternalDate(0, 0) == "01-Jan-1970 00:00:00 +0000");
  CHECK(FormatInternalDate(-1, 0) == "31-Dec-1969 23:59:59 +0000");
  CHECK(FormatInternalDate(std::numeric_limits<std::int64_t>::max(), 180) ==
        "31-Dec-9999 23:59:59 +0300");
  CHECK(FormatInternalDate(std::numeric_limits<std::int64_t>::min(), 0) ==
        "01-Jan-0001 00:00:00 +0000");
  for (std::int64_t t :
       {std::int64_t{0}, std::int64_t{1709208000}, std::int64_t{1795877999},
        std::int64_t{-86401}, std::int64_t{4102444799}}) {
    for (int offset : {0, 180, -450, 840, -720}) {
      CAPTURE(t);
      CAPTURE(offset);
      CHECK(ParseInternalDate(FormatInternalDate(t, offset)) == t);
    }
  }
}

TEST_CASE("FormatUidSet compacts runs; ParseUidSet expands them") {
  CHECK(FormatUidSet({7, 1, 3, 2, 2, 0}) == "1:3,7");
  CHECK(FormatUidSet({}) == "");
  CHECK(FormatUidSet({5}) == "5");
  CHECK(FormatUidSet({1, 3, 5}) == "1,3,5");
  CHECK(FormatUidSet({4294967295u, 4294967294u}) == "4294967294:4294967295");
  CHECK(ParseUidSet("1:3,7") == std::vector<std::uint32_t>{1, 2, 3, 7});
  CHECK(ParseUidSet("5:3") == std::vector<std::uint32_t>{3, 4, 5});
  CHECK(ParseUidSet("7,1,1") == std::vector<std::uint32_t>{7, 1, 1});
  CHECK(ParseUidSet("4294967295") == std::vector<std::uint32_t>{4294967295u});
  CHECK(ParseUidSet("1:3", 3) == std::vector<std::uint32_t>{1, 2, 3});
  for (const char* bad : {"", "*", "1:*", "0", "1,,2", "1:", ":1", "a",
                          "4294967296", " 1", "1 ", "1:2:3", "-1", "1,"}) {
    CAPTURE(bad);
    CHECK(!ParseUidSet(bad).has_value());
  }
  CHECK(!ParseUidSet("1:4294967295").has_value());  // over kMaxExpandedUids
  CHECK(!ParseUidSet("1:4", 3).has_value());
  CHECK(!ParseUidSet("1:2,5:6", 3).has_value());
  std::vector<std::uint32_t> uids = {1, 2, 3, 10, 11, 40};
  CHECK(ParseUidSet(FormatUidSet(uids)) == uids);
}

TEST_CASE("QuoteImapString quotes plain text and makes literals of the rest") {
  ImapStringArg plain = QuoteImapString("INBOX");
  CHECK(!plain.literal);
  CHECK(plain.head == "\"INBOX\"");
  CHECK(plain.literal_bytes.empty());
  CHECK(QuoteImapString("q\"uo\\te").head == "\"q\\\"uo\\\\te\"");
  CHECK(QuoteImapString("").head == "\"\"");
  CHECK(QuoteImapString("&BBAEQARFBDgEMg-/2024 &- co").head ==
        "\"&BBAEQARFBDgEMg-/2024 &- co\"");

  ImapStringArg injection = QuoteImapString("x\r\nA2 DELETE INBOX");
  CHECK(injection.literal);
  CHECK(injection.head == "{18}");
  CHECK(injection.literal_bytes == "x\r\nA2 DELETE INBOX");
  CHECK(QuoteImapString("a\nb", true).head == "{3+}");
  CHECK(QuoteImapString("Архив").literal);
  CHECK(QuoteImapString(std::string("a\0b", 3)).literal);
  CHECK(QuoteImapString("a\tb").literal);
  CHECK(QuoteImapString("a\rb").literal);
  CHECK(!QuoteImapString(std::string(kMaxQuotedBytes, 'a')).literal);
  CHECK(QuoteImapString(std::string(kMaxQuotedBytes + 1, 'a')).literal);
}

TEST_CASE("QuoteImapString output reads back through the parser unchanged") {
  for (std::string text : {std::string("Sent"), std::string("q\"uo\\te"),
                           std::string(""), std::string("a\r\nb"),
                           std::string("\\\\\"\""), std::string("Архив 2024"),
                           std::string(") {5}\r\n"), std::string(2000, '"')}) {
    CAPTURE(text);
    ImapStringArg arg = QuoteImapString(text);
    if (!arg.literal) {
      CHECK(arg.head.find_first_of("\r\n") == std::string::npos);
    }
    std::string line = "* LIST () \"/\" " + arg.head +
                       (arg.literal ? "\r\n" + arg.literal_bytes : "") + "\r\n";
    Result<ListEntry> entry = ParseList(One(line));
    REQUIRE(entry.ok());
    CHECK(entry->name == text);
  }
}

// ---------------------------------------------------------------------------
// Modified UTF-7

TEST_CASE("mUTF-7: the names from TECH-NOTES and Dovecot, both ways") {
  CHECK(EncodeMailboxName("Архив/2024 & co") == "&BBAEQARFBDgEMg-/2024 &- co");
  CHECK(DecodeMailboxName("&BBAEQARFBDgEMg-/2024 &- co") == "Архив/2024 & co");
  CHECK(EncodeMailboxName("Сдано") == "&BCEENAQwBD0EPg-");
  CHECK(DecodeMailboxName("&BCEENAQwBD0EPg-") == "Сдано");
  CHECK(EncodeMailboxName("INBOX") == "INBOX");
  CHECK(EncodeMailboxName("") == "");
  CHECK(EncodeMailboxName("&") == "&-");
  CHECK(EncodeMailboxName("&&") == "&-&-");
  CHECK(EncodeMailboxName("é") == "&AOk-");
  CHECK(EncodeMailboxName("日本語") == "&ZeVnLIqe-");
  CHECK(EncodeMailboxName("\x7f") == "&AH8-");
  CHECK(EncodeMailboxName("Входящие 😀 ok") ==
        "&BBIERQQ+BDQETwRJBDgENQ- &2D3eAA- ok");
}

TEST_CASE("mUTF-7: supplementary characters use surrogate pairs") {
  CHECK(EncodeMailboxName("😀") == "&2D3eAA-");
  CHECK(DecodeMailboxName("&2D3eAA-") == "😀");
  CHECK(EncodeMailboxName("a😀б") == "a&2D3eAAQx-");
  CHECK(DecodeMailboxName("a&2D3eAAQx-") == "a😀б");
}

TEST_CASE("mUTF-7: invalid UTF-8 is encoded as U+FFFD") {
  CHECK(EncodeMailboxName("A\xff"
                          "B") == "A&,,0-B");
  CHECK(EncodeMailboxName("\xe2\x82"
                          "A") == "&,,0-A");                 // cut short
  CHECK(EncodeMailboxName("\xc0\xaf") == "&,,3,,Q-");        // overlong
  CHECK(EncodeMailboxName("\xed\xa0\x80") == "&,,3,,f,9-");  // surrogate
  CHECK(EncodeMailboxName("\xf4\x90\x80\x80").find("&,,3") == 0);
  CHECK(DecodeMailboxName(EncodeMailboxName("A\xff"
                                            "B")) ==
        "A\xef\xbf\xbd"
        "B");
}

TEST_CASE("mUTF-7: malformed input decodes to nullopt") {
  for (const char* bad : {
           "&BBA",      // no closing '-'
           "&",         // nothing after '&'
           "&BC!-",     // outside the alphabet
           "&BB/-",     // '/' is ',' in modified base64
           "&BBB-",     // leftover bits not zero
           "&BBAA-",    // a whole extra sixth
           "&A-",       // too short for one character
           "&AGE-",     // 'a' must be written as itself
           "&2D0-",     // lone high surrogate
           "&3gA-",     // lone low surrogate
           "&2D0AQQ-",  // high surrogate followed by 'A'
           "Архив",     // raw 8-bit
           "a\tb",      // control character
       }) {
    CAPTURE(bad);
    CHECK(!DecodeMailboxName(bad).has_value());
  }
  CHECK(DecodeMailboxName("&-") == "&");
  CHECK(DecodeMailboxName("a&-b") == "a&b");
  CHECK(DecodeMailboxName("&BBA-&BBA-") == "АА");  // adjacent runs accepted
}

TEST_CASE("mUTF-7: round trips of valid UTF-8") {
  for (const char* name : {"", "INBOX", "Архив/2024 & co", "Сдано", "&&-&",
                           "a&b-c", "Входящие 😀 ok", "日本語/中文", "\x7f\x01",
                           "ёЁ № «»", "𝄞𝄞𝄞", "~!@#$%^*()_+{}|:\"<>?"}) {
    CAPTURE(name);
    std::string encoded = EncodeMailboxName(name);
    for (char c : encoded) {
      CHECK((c >= 0x20 && c <= 0x7e));
    }
    CHECK(DecodeMailboxName(encoded) == std::string(name));
    CHECK(EncodeMailboxName(*DecodeMailboxName(encoded)) == encoded);
  }
}

}  // namespace
}  // namespace schoolmail
