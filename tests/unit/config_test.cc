#include <doctest/doctest.h>

#include <set>
#include <string>

#include "config/address.h"
#include "config/calendar.h"
#include "config/settings.h"
#include "config/text.h"
#include "tests/support/temp_dir.h"

namespace schoolmail {
namespace {

using testing::ReadFile;
using testing::TempDir;

// A complete, valid config whose password files live in `dir`.
std::string GoodConfig(const TempDir& dir) {
  dir.Write("smtp.password", "s3cret\n");
  dir.Write("school.password", "s3cret\n");
  return "[school]\n"
         "name = Школа № 1\n"
         "timezone = Europe/Moscow\n"
         "hotline = +7 000\n"
         "site = https://school.test\n"
         "[storage]\n"
         "data_dir = " + dir.path() + "/data\n"
         "[smtp]\n"
         "url = smtp://127.0.0.1:2525\n"
         "user = robot\n"
         "password_file = " + dir.path() + "/smtp.password\n"
         "sender = robot@school.test\n"
         "[school_mailbox]\n"
         "url = imaps://127.0.0.1:993\n"
         "user = robot\n"
         "password_file = " + dir.path() + "/school.password\n"
         "address = robot@school.test\n"
         "[mailbox petrova]\n"
         "url = imap://127.0.0.1:143\n"
         "user = petrova\n"
         "password = pw\n"
         "address = Petrova@School.test\n";
}

// The only problem in `text`, as text; fails the test if there is not
// exactly one.
std::string OnlyProblem(const std::string& text) {
  LoadedSettings loaded = ParseSettings(text, "school.ini");
  REQUIRE(loaded.problems.size() == 1);
  return loaded.problems.front().ToString();
}

std::string Replace(std::string text, const std::string& from,
                    const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

TEST_CASE("a good config parses with documented defaults") {
  TempDir dir;
  LoadedSettings loaded = ParseSettings(GoodConfig(dir), "school.ini");
  REQUIRE(loaded.problems.empty());
  const Settings& s = loaded.settings;
  CHECK(s.school.name == "Школа № 1");
  CHECK(s.school.deadline == TimeOfDay{18 * 60});
  CHECK(s.school.school_days.size() == 5);
  CHECK(s.school.language == "ru");
  CHECK(s.smtp.password == "s3cret");
  CHECK(s.smtp.sender_name == "Школа № 1");
  REQUIRE(s.teacher_mailboxes.size() == 1);
  CHECK(s.teacher_mailboxes[0].name == "petrova");
  CHECK(s.teacher_mailboxes[0].address == "petrova@school.test");
  CHECK(s.limits.mime_depth == 20);
  CHECK(s.limits.message_bytes == 64ull << 20);
  CHECK(s.schedule.parent_digest == TimeOfDay{19 * 60 + 30});
  CHECK(s.intake.fetch_connections == 2);
}

TEST_CASE("[intake] fetch_connections is 1 or 2") {
  TempDir dir;
  std::string good = GoodConfig(dir);
  LoadedSettings one = ParseSettings(good + "[intake]\nfetch_connections = 1\n",
                                     "school.ini");
  REQUIRE(one.problems.empty());
  CHECK(one.settings.intake.fetch_connections == 1);
  CHECK(OnlyProblem(good + "[intake]\nfetch_connections = 3\n") ==
        "school.ini:24: [intake] fetch_connections: 1 or 2");
  CHECK(OnlyProblem(good + "[intake]\nfetch_connections = 0\n") ==
        "school.ini:24: [intake] fetch_connections: must be greater than zero");
}

TEST_CASE("every kind of config error names file, line and key") {
  TempDir dir;
  std::string good = GoodConfig(dir);
  CHECK(OnlyProblem(good + "[lessons]\nx = 1\n") ==
        "school.ini:23: [lessons] unknown section");
  CHECK(OnlyProblem(Replace(good, "site = ", "colour = blue\nsite = ")) ==
        "school.ini:5: [school] colour: unknown key");
  CHECK(OnlyProblem(Replace(good, "hotline = +7 000\n", "")) ==
        "school.ini:1: [school] hotline: missing");
  CHECK(OnlyProblem(Replace(good, "site = ", "deadline = 18.00\nsite = ")) ==
        "school.ini:5: [school] deadline: not a time of day: write HH:MM, "
        "e.g. 18:00");
  CHECK(OnlyProblem(Replace(good, "Europe/Moscow", "Europe/Moskow")) ==
        "school.ini:3: [school] timezone: unknown time zone \"Europe/Moskow\": "
        "use an IANA name such as Europe/Moscow");
  CHECK(OnlyProblem(Replace(good, "imap://127.0.0.1:143", "pop3://x")) ==
        "school.ini:19: [mailbox petrova] url: must start with imap:// "
        "(STARTTLS) or imaps:// (TLS)");
  CHECK(OnlyProblem(Replace(good, "imap://127.0.0.1:143", "imap://h:0")) ==
        "school.ini:19: [mailbox petrova] url: bad port \"0\"");
  CHECK(OnlyProblem(good + "this line has no equals sign\n") ==
        "school.ini:23: not a `key = value` line or a `[section]` header");
  CHECK(OnlyProblem(Replace(good, "[storage]\ndata_dir = " + dir.path() +
                                      "/data\n",
                            "")) == "school.ini: [storage] missing section");
}

TEST_CASE("password files must exist and be private") {
  TempDir dir;
  std::string good = GoodConfig(dir);
  std::string missing = dir.path() + "/nope.password";
  std::string text = Replace(good, dir.path() + "/smtp.password", missing);
  CHECK(OnlyProblem(text) ==
        "school.ini:11: [smtp] password_file: cannot read password file " +
            missing + ": No such file or directory");

  std::string open = dir.Write("open.password", "pw\n", 0644);
  text = Replace(good, dir.path() + "/smtp.password", open);
  CHECK(OnlyProblem(text) ==
        "school.ini:11: [smtp] password_file: password file " + open +
            " is readable by group or others (mode 0644); run chmod 600 " +
            open);

  std::string both = Replace(good, "password = pw\n",
                             "password = pw\npassword_file = " + dir.path() +
                                 "/smtp.password\n");
  CHECK(OnlyProblem(both) == "school.ini:22: [mailbox petrova] password_file: "
                             "set password or password_file, not both");
  CHECK(OnlyProblem(Replace(good, "password = pw\n", "")) ==
        "school.ini:18: [mailbox petrova] password: missing: set password or "
        "password_file");
}

TEST_CASE("all problems are reported at once, in line order") {
  TempDir dir;
  std::string text = Replace(GoodConfig(dir), "Europe/Moscow", "Mars/Base");
  text = Replace(text, "sender = robot@school.test", "sender = robot");
  text += "[limits]\nmime_depth = -3\nmessage_bytes = 10X\n";
  LoadedSettings loaded = ParseSettings(text, "school.ini");
  REQUIRE(loaded.problems.size() == 4);
  CHECK(loaded.problems[0].line == 3);
  CHECK(loaded.problems[1].key == "sender");
  CHECK(loaded.problems[2].key == "mime_depth");
  CHECK(loaded.problems[3].key == "message_bytes");
}

TEST_CASE("a mailbox address may be used once") {
  TempDir dir;
  std::string text = GoodConfig(dir) +
                     "[mailbox copy]\nurl = imaps://h\nuser = u\n"
                     "password = p\naddress = petrova@school.test\n";
  CHECK(OnlyProblem(text) == "school.ini:23: [mailbox copy] address: "
                             "petrova@school.test is already used by "
                             "[mailbox petrova]");
}

TEST_CASE("a line too long for inih is an error, not a silent cut") {
  TempDir dir;
  std::string text = Replace(GoodConfig(dir), "site = https://school.test",
                             "site = https://school.test/" +
                                 std::string(300, 'a'));
  LoadedSettings loaded = ParseSettings(text, "school.ini");
  REQUIRE(loaded.problems.size() == 2);
  CHECK(loaded.problems[0].ToString() == "school.ini:1: [school] site: missing");
  CHECK(loaded.problems[1].ToString().find("school.ini:5: line longer than") ==
        0);
}

TEST_CASE("an unreadable file is one problem") {
  LoadedSettings loaded = LoadSettings("/nonexistent/schoolmail.ini");
  REQUIRE(loaded.problems.size() == 1);
  CHECK(loaded.problems[0].ToString() ==
        "/nonexistent/schoolmail.ini: cannot read: No such file or directory");
}

TEST_CASE("the example config documents every key and is valid") {
  std::string example =
      ReadFile(std::string(SCHOOLMAIL_SOURCE_DIR) +
               "/config/schoolmail.example.ini");
  std::set<std::string> documented;
  std::string section;
  for (const std::string& line : SplitList(example, "\n")) {
    std::string text = line;
    if (!text.empty() && (text[0] == ';' || text[0] == '#')) {
      text = std::string(Trim(text.substr(1)));  // commented-out keys count
    }
    if (text.size() > 2 && text.front() == '[') {
      section = text.substr(1, text.size() - 2);
      if (section.rfind("mailbox ", 0) == 0) section = "mailbox *";
      continue;
    }
    size_t eq = text.find(" = ");
    if (eq != std::string::npos && text.find(' ') == eq) {
      documented.insert(section + "." + text.substr(0, eq));
    }
  }
  for (const KeySpec& spec : KeySpecs()) {
    INFO(spec.section << "." << spec.key);
    CHECK(documented.count(spec.section + "." + spec.key) == 1);
  }

  TempDir dir;
  for (const char* name : {"smtp", "school", "petrova"}) {
    dir.Write(std::string(name) + ".password", "pw\n");
  }
  std::string text = example;
  for (size_t at; (at = text.find("/etc/schoolmail/")) != std::string::npos;) {
    text.replace(at, 16, dir.path() + "/");
  }
  text = Replace(text, "/var/lib/schoolmail", dir.path() + "/data");
  LoadedSettings loaded = ParseSettings(text, "example.ini");
  for (const ConfigProblem& p : loaded.problems) INFO(p.ToString());
  CHECK(loaded.problems.empty());
  CHECK(loaded.settings.school.holidays.size() == 2);
}

TEST_CASE("times, dates and ranges") {
  CHECK(ParseTimeOfDay("18:00")->minutes == 1080);
  CHECK(ParseTimeOfDay("7:05")->minutes == 425);
  CHECK_FALSE(ParseTimeOfDay("24:00"));
  CHECK_FALSE(ParseTimeOfDay("18:0"));
  CHECK_FALSE(ParseTimeOfDay("18"));
  CHECK(FormatDate(*ParseDate("30.11.2026")) == "2026-11-30");
  CHECK_FALSE(ParseDate("2026-02-30"));
  CHECK_FALSE(ParseDate("30/11/2026"));
  auto range = ParseDateRange("2026-12-29..2027-01-08");
  REQUIRE(range);
  CHECK(range->Contains(*ParseDate("2027-01-01")));
  CHECK_FALSE(range->Contains(*ParseDate("2027-01-09")));
  CHECK_FALSE(ParseDateRange("2027-01-08..2026-12-29"));
  CHECK(ParseWeekday("Пн") == date::Monday);
  CHECK(ParseWeekday("sun") == date::Sunday);
  CHECK_FALSE(ParseWeekday("funday"));
}

TEST_CASE("addresses are normalised by one documented rule") {
  CHECK(NormalizeAddress(" Petya.Ivanov@Mail.RU ") == "petya.ivanov@mail.ru");
  CHECK(NormalizeAddress("ivan+7a@mail.ru") == "ivan+7a@mail.ru");
  CHECK(NormalizeAddress("Учитель@Школа.РФ") == "учитель@школа.рф");
  for (const char* bad :
       {"", "plain", "@mail.ru", "a@", "a@mailru", "a..b@mail.ru",
        ".a@mail.ru", "a@-mail.ru", "a b@mail.ru", "a@mail.ru\r\nRCPT TO:<x>",
        "<a@mail.ru>", "\"quoted\"@mail.ru", "a@mail..ru"}) {
    INFO(bad);
    CHECK_FALSE(NormalizeAddress(bad));
  }
}

TEST_CASE("text helpers") {
  CHECK(LowerUtf8Cyrillic("ЁЖИК Ivan ЯЩИК") == "ёжик ivan ящик");
  CHECK(SplitList(" a, b ,,c ", ",") == std::vector<std::string>{"a", "b", "c"});
  CHECK(IsValidUtf8("Привет"));
  CHECK_FALSE(IsValidUtf8("\xC0\xAF"));        // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));    // surrogate
  CHECK_FALSE(IsValidUtf8("\xCF\xF0\xE8"));    // windows-1251 "При"
}

// The parents' evening digest's keys (daemon/parent_digest.h).
TEST_CASE("[digest] notices_file and send_when_empty") {
  TempDir dir;
  LoadedSettings loaded =
      ParseSettings(GoodConfig(dir) +
                        "[digest]\nnotices_file = /srv/notices.txt\n"
                        "send_when_empty = Yes\n",
                    "school.ini");
  for (const ConfigProblem& p : loaded.problems) INFO(p.ToString());
  REQUIRE(loaded.problems.empty());
  CHECK(loaded.settings.digest.notices_file == "/srv/notices.txt");
  CHECK(loaded.settings.digest.send_when_empty);
  LoadedSettings defaults = ParseSettings(GoodConfig(dir), "school.ini");
  CHECK(defaults.settings.digest.notices_file.empty());
  CHECK_FALSE(defaults.settings.digest.send_when_empty);
  CHECK(OnlyProblem(GoodConfig(dir) + "[digest]\nsend_when_empty = maybe\n")
            .ends_with(": [digest] send_when_empty: not a yes/no value "
                       "\"maybe\": use true or false"));
}

}  // namespace
}  // namespace schoolmail
