#include "config/settings.h"

#include <date/tz.h>
#include <ini.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <algorithm>
#include <map>
#include <sstream>

#include "config/address.h"
#include "config/text.h"

namespace schoolmail {
namespace {

constexpr std::string_view kMailboxPrefix = "mailbox ";

struct RawEntry {
  std::string key;
  std::string value;
  int line = 0;
};

struct RawSection {
  std::string name;
  int line = 0;
  std::vector<RawEntry> entries;
};

// Everything inih saw, with line numbers, before any validation.
struct RawIni {
  std::vector<RawSection> sections;
  std::vector<std::pair<int, std::string>> syntax_errors;
};

// Feeds inih one line at a time and counts lines, so that every handler call
// knows its line. inih (as packaged) does not pass line numbers itself.
struct LineReader {
  std::string_view text;
  size_t position = 0;
  int line = 0;
  bool handled = false;  // inih called the handler for the current line
  std::string current;
  RawIni* raw = nullptr;

  // Called by LineReader::Read before it moves on: a line that is not blank,
  // a comment or a section header, and produced no key, is a syntax error.
  void CheckPreviousLine() {
    if (line == 0 || handled) return;
    std::string_view trimmed = Trim(current);
    if (trimmed.empty() || trimmed.front() == ';' || trimmed.front() == '#') {
      return;
    }
    if (trimmed.front() == '[' && trimmed.back() == ']') {
      std::string name(Trim(trimmed.substr(1, trimmed.size() - 2)));
      raw->sections.push_back(RawSection{name, line, {}});
      return;
    }
    raw->syntax_errors.emplace_back(
        line, "not a `key = value` line or a `[section]` header");
  }

  static char* Read(char* buffer, int size, void* stream) {
    auto* self = static_cast<LineReader*>(stream);
    self->CheckPreviousLine();
    if (self->position >= self->text.size()) return nullptr;
    size_t end = self->text.find('\n', self->position);
    size_t next = end == std::string_view::npos ? self->text.size() : end + 1;
    self->current.assign(self->text.substr(self->position, next - self->position));
    self->position = next;
    ++self->line;
    self->handled = false;
    size_t limit = static_cast<size_t>(size) - 2;  // room for "\n\0"
    std::string_view content = self->current;
    while (!content.empty() &&
           (content.back() == '\n' || content.back() == '\r')) {
      content.remove_suffix(1);
    }
    if (content.size() > limit) {
      self->raw->syntax_errors.emplace_back(
          self->line, "line longer than " + std::to_string(limit) +
                          " characters; use a password_file for long secrets");
      self->handled = true;
      buffer[0] = '\n';
      buffer[1] = '\0';
      return buffer;
    }
    std::memcpy(buffer, content.data(), content.size());
    buffer[content.size()] = '\n';
    buffer[content.size() + 1] = '\0';
    return buffer;
  }
};

int Handler(void* user, const char* section, const char* name,
            const char* value) {
  auto* reader = static_cast<LineReader*>(user);
  RawIni& raw = *reader->raw;
  reader->handled = true;
  std::string section_name(Trim(section));
  // A key before any header, or a header inih saw but we have not recorded
  // yet (it is recorded when its own line is checked): find or add it.
  if (raw.sections.empty() || raw.sections.back().name != section_name) {
    raw.sections.push_back(RawSection{section_name, reader->line, {}});
  }
  RawSection& current = raw.sections.back();
  std::string key(Trim(name));
  for (RawEntry& entry : current.entries) {
    if (entry.key == key) {
      // inih reports an indented continuation line as the same key again.
      entry.value += "\n";
      entry.value += value;
      return 1;
    }
  }
  current.entries.push_back(RawEntry{key, value, reader->line});
  return 1;
}

// Types of values and their checks; each returns an error text or "".
using Apply = std::function<std::string(const std::string&, Settings&,
                                        MailboxSettings&)>;

std::string ParseBytes(const std::string& text, std::uint64_t* out) {
  std::string_view value = Trim(text);
  std::uint64_t multiplier = 1;
  if (!value.empty()) {
    char suffix = value.back();
    if (suffix == 'K' || suffix == 'k') multiplier = 1ull << 10;
    if (suffix == 'M' || suffix == 'm') multiplier = 1ull << 20;
    if (suffix == 'G' || suffix == 'g') multiplier = 1ull << 30;
    if (multiplier != 1) value.remove_suffix(1);
  }
  if (value.empty() || value.size() > 12 ||
      value.find_first_not_of("0123456789") != std::string_view::npos) {
    return "not a size: write bytes, or a number with K, M or G";
  }
  std::uint64_t number = std::stoull(std::string(value));
  if (number == 0) return "must be greater than zero";
  *out = number * multiplier;
  return "";
}

std::string ParsePositive(const std::string& text, int* out) {
  std::string_view value = Trim(text);
  if (value.empty() || value.size() > 9 ||
      value.find_first_not_of("0123456789") != std::string_view::npos) {
    return "not a whole number";
  }
  int number = std::stoi(std::string(value));
  if (number <= 0) return "must be greater than zero";
  *out = number;
  return "";
}

std::string ParseTime(const std::string& text, TimeOfDay* out) {
  auto parsed = ParseTimeOfDay(text);
  if (!parsed) return "not a time of day: write HH:MM, e.g. 18:00";
  *out = *parsed;
  return "";
}

std::string CheckNonEmpty(const std::string& text, std::string* out) {
  std::string_view value = Trim(text);
  if (value.empty()) return "must not be empty";
  *out = std::string(value);
  return "";
}

// imap(s)://host[:port][/] or smtp(s)://host[:port][/].
std::string CheckUrl(const std::string& text, const std::string& plain,
                     const std::string& secure, std::string* out) {
  std::string value(Trim(text));
  std::string scheme_hint = "must start with " + plain + ":// (STARTTLS) or " +
                            secure + ":// (TLS)";
  size_t scheme_end = value.find("://");
  if (scheme_end == std::string::npos) return scheme_hint;
  std::string scheme = LowerAscii(value.substr(0, scheme_end));
  if (scheme != plain && scheme != secure) return scheme_hint;
  std::string rest = value.substr(scheme_end + 3);
  if (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.find_first_of("/?#@ \t") != std::string::npos) {
    return "only scheme://host[:port] is allowed (user and password have "
           "their own keys)";
  }
  std::string host = rest;
  size_t colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find(']') == std::string::npos) {
    host = rest.substr(0, colon);
    std::string port = rest.substr(colon + 1);
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(port) == 0 || std::stoi(port) > 65535) {
      return "bad port \"" + port + "\"";
    }
  }
  if (host.empty()) return "no host name";
  *out = value;
  return "";
}

std::string CheckAddress(const std::string& text, std::string* out) {
  auto normalized = NormalizeAddress(text);
  if (!normalized) return "not an e-mail address: \"" + text + "\"";
  *out = *normalized;
  return "";
}

// A secret kept in a file must be readable by its owner only.
std::string ReadPasswordFile(const std::string& path, std::string* out) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) {
    return "cannot read password file " + path + ": " + std::strerror(errno);
  }
  if (!S_ISREG(info.st_mode)) return path + " is not a regular file";
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", info.st_mode & 07777);
    return "password file " + path + " is readable by group or others (mode " +
           mode + "); run chmod 600 " + path;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "cannot read password file " + path + ": " + std::strerror(errno);
  }
  std::stringstream content;
  content << in.rdbuf();
  std::string secret = content.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
    secret.pop_back();
  }
  if (secret.empty()) return "password file " + path + " is empty";
  *out = secret;
  return "";
}

// "1-5" (whole numbers, low below high, at most 100) or "pass-fail".
std::string ParseGradeScale(const std::string& text, GradeScale* out) {
  std::string value = LowerAscii(Trim(text));
  if (value == "pass-fail" || value == "pass/fail") {
    *out = GradeScale{true, 0, 0};
    return "";
  }
  const std::string hint =
      "not a grade scale: write a range such as 1-5 or 1-10, or pass-fail";
  size_t dash = value.find('-');
  if (dash == std::string::npos) return hint;
  std::string low(Trim(std::string_view(value).substr(0, dash)));
  std::string high(Trim(std::string_view(value).substr(dash + 1)));
  for (const std::string* part : {&low, &high}) {
    if (part->empty() || part->size() > 3 ||
        part->find_first_not_of("0123456789") != std::string::npos) {
      return hint;
    }
  }
  int a = std::stoi(low), b = std::stoi(high);
  if (a >= b || b > 100) {
    return "the range must go up, at most to 100 (e.g. 1-5)";
  }
  *out = GradeScale{false, a, b};
  return "";
}

struct Spec {
  std::string section;  // "mailbox" keys apply to school_mailbox and teachers
  std::string key;
  bool required;
  Apply apply;
};

const std::vector<Spec>& Specs() {
  static const std::vector<Spec> kSpecs = [] {
    std::vector<Spec> specs;
    auto add = [&](std::string section, std::string key, bool required,
                   Apply apply) {
      specs.push_back(Spec{std::move(section), std::move(key), required,
                           std::move(apply)});
    };
    add("school", "name", true, [](auto& v, Settings& s, auto&) {
      return CheckNonEmpty(v, &s.school.name);
    });
    add("school", "timezone", true, [](auto& v, Settings& s, auto&) {
      std::string zone(Trim(v));
      try {
        date::locate_zone(zone);
      } catch (const std::exception&) {
        return "unknown time zone \"" + zone +
               "\": use an IANA name such as Europe/Moscow";
      }
      s.school.time_zone = zone;
      return std::string();
    });
    add("school", "deadline", false, [](auto& v, Settings& s, auto&) {
      return ParseTime(v, &s.school.deadline);
    });
    add("school", "school_days", false, [](auto& v, Settings& s, auto&) {
      s.school.school_days.clear();
      for (const std::string& name : SplitList(v, ", ")) {
        auto day = ParseWeekday(name);
        if (!day) return "unknown day \"" + name + "\": use mon..sun";
        s.school.school_days.push_back(*day);
      }
      if (s.school.school_days.empty()) return std::string("no school days");
      return std::string();
    });
    add("school", "holidays", false, [](auto& v, Settings& s, auto&) {
      for (const std::string& item : SplitList(v, ",\n")) {
        auto range = ParseDateRange(item);
        if (!range) {
          return "bad date or range \"" + item +
                 "\": write 2026-12-31 or 2026-12-29..2027-01-08";
        }
        s.school.holidays.push_back(*range);
      }
      return std::string();
    });
    add("school", "hotline", true, [](auto& v, Settings& s, auto&) {
      return CheckNonEmpty(v, &s.school.hotline);
    });
    add("school", "admin_address", false, [](auto& v, Settings& s, auto&) {
      return CheckAddress(v, &s.school.admin_address);
    });
    add("school", "site", true, [](auto& v, Settings& s, auto&) {
      return CheckNonEmpty(v, &s.school.site);
    });
    add("school", "language", false, [](auto& v, Settings& s, auto&) {
      std::string language = LowerAscii(Trim(v));
      if (language != "ru" && language != "en") {
        return "unknown language \"" + language + "\": use ru or en";
      }
      s.school.language = language;
      return std::string();
    });
    add("school", "templates_dir", false, [](auto& v, Settings& s, auto&) {
      std::string path(Trim(v));
      struct stat info;
      if (::stat(path.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
        return "templates folder " + path + " does not exist";
      }
      s.school.templates_dir = path;
      return std::string();
    });
    add("storage", "data_dir", true, [](auto& v, Settings& s, auto&) {
      std::string path(Trim(v));
      if (path.empty() || path.front() != '/') {
        return "must be an absolute path, got \"" + path + "\"";
      }
      struct stat info;
      if (::stat(path.c_str(), &info) == 0 && !S_ISDIR(info.st_mode)) {
        return path + " exists and is not a folder";
      }
      s.data_dir = path;
      return std::string();
    });
    add("tls", "ca_file", false, [](auto& v, Settings& s, auto&) {
      std::string path(Trim(v));
      if (::access(path.c_str(), R_OK) != 0) {
        return "cannot read CA file " + path + ": " + std::strerror(errno);
      }
      s.ca_file = path;
      return std::string();
    });
    add("smtp", "url", true, [](auto& v, Settings& s, auto&) {
      return CheckUrl(v, "smtp", "smtps", &s.smtp.url);
    });
    add("smtp", "user", false, [](auto& v, Settings& s, auto&) {
      return CheckNonEmpty(v, &s.smtp.user);
    });
    add("smtp", "password", false, [](auto& v, Settings& s, auto&) {
      return CheckNonEmpty(v, &s.smtp.password);
    });
    add("smtp", "password_file", false, [](auto& v, Settings& s, auto&) {
      return ReadPasswordFile(std::string(Trim(v)), &s.smtp.password);
    });
    add("smtp", "sender", true, [](auto& v, Settings& s, auto&) {
      return CheckAddress(v, &s.smtp.sender);
    });
    add("smtp", "sender_name", false, [](auto& v, Settings& s, auto&) {
      return CheckNonEmpty(v, &s.smtp.sender_name);
    });
    add("mailbox", "url", true, [](auto& v, Settings&, MailboxSettings& m) {
      return CheckUrl(v, "imap", "imaps", &m.url);
    });
    add("mailbox", "user", true, [](auto& v, Settings&, MailboxSettings& m) {
      return CheckNonEmpty(v, &m.user);
    });
    add("mailbox", "password", false,
        [](auto& v, Settings&, MailboxSettings& m) {
          return CheckNonEmpty(v, &m.password);
        });
    add("mailbox", "password_file", false,
        [](auto& v, Settings&, MailboxSettings& m) {
          return ReadPasswordFile(std::string(Trim(v)), &m.password);
        });
    add("mailbox", "sent_folder", false,
        [](auto& v, Settings&, MailboxSettings& m) {
          return CheckNonEmpty(v, &m.sent_folder);
        });
    add("mailbox", "address", true,
        [](auto& v, Settings&, MailboxSettings& m) {
          return CheckAddress(v, &m.address);
        });
    add("limits", "message_bytes", false, [](auto& v, Settings& s, auto&) {
      return ParseBytes(v, &s.limits.message_bytes);
    });
    add("limits", "header_bytes", false, [](auto& v, Settings& s, auto&) {
      return ParseBytes(v, &s.limits.header_bytes);
    });
    add("limits", "line_bytes", false, [](auto& v, Settings& s, auto&) {
      return ParseBytes(v, &s.limits.line_bytes);
    });
    add("limits", "attachment_bytes", false, [](auto& v, Settings& s, auto&) {
      return ParseBytes(v, &s.limits.attachment_bytes);
    });
    add("limits", "mime_depth", false, [](auto& v, Settings& s, auto&) {
      return ParsePositive(v, &s.limits.mime_depth);
    });
    add("limits", "mime_parts", false, [](auto& v, Settings& s, auto&) {
      return ParsePositive(v, &s.limits.mime_parts);
    });
    add("limits", "parse_attempts", false, [](auto& v, Settings& s, auto&) {
      return ParsePositive(v, &s.limits.parse_attempts);
    });
    add("limits", "auto_mails_per_recipient_per_day", false,
        [](auto& v, Settings& s, auto&) {
          return ParsePositive(v, &s.limits.auto_mails_per_recipient_per_day);
        });
    add("schedule", "morning_mail", false, [](auto& v, Settings& s, auto&) {
      return ParseTime(v, &s.schedule.morning_mail);
    });
    add("schedule", "grading_list", false, [](auto& v, Settings& s, auto&) {
      return ParseTime(v, &s.schedule.grading_list);
    });
    add("schedule", "class_teacher_list", false,
        [](auto& v, Settings& s, auto&) {
          return ParseTime(v, &s.schedule.class_teacher_list);
        });
    add("schedule", "parent_digest", false, [](auto& v, Settings& s, auto&) {
      return ParseTime(v, &s.schedule.parent_digest);
    });
    add("schedule", "admin_report", false, [](auto& v, Settings& s, auto&) {
      return ParseTime(v, &s.schedule.admin_report);
    });
    add("schedule", "admin_report_period", false,
        [](auto& v, Settings& s, auto&) {
          std::string period = LowerAscii(Trim(v));
          if (period == "daily") {
            s.schedule.admin_report_period = ReportPeriod::kDaily;
          } else if (period == "weekly") {
            s.schedule.admin_report_period = ReportPeriod::kWeekly;
          } else {
            return "unknown period \"" + period + "\": use daily or weekly";
          }
          return std::string();
        });
    add("intake", "queue_root", false, [](auto& v, Settings& s, auto&) {
      std::string root(Trim(v));
      if (root.empty() || root.find_first_of("/\\") != std::string::npos) {
        return std::string("must be one folder name without / or \\");
      }
      s.intake.queue_root = root;
      return std::string();
    });
    add("intake", "poll_interval", false, [](auto& v, Settings& s, auto&) {
      return ParsePositive(v, &s.intake.poll_interval_seconds);
    });
    add("intake", "start_date", false, [](auto& v, Settings& s, auto&) {
      auto day = ParseDate(v);
      if (!day) return "not a date: write 2026-11-30";
      s.intake.start_date = *day;
      return "";
    });
    add("intake", "authserv_id", false, [](auto& v, Settings& s, auto&) {
      return CheckNonEmpty(v, &s.intake.authserv_id);
    });
    add("intake", "late_window_days", false, [](auto& v, Settings& s, auto&) {
      return ParsePositive(v, &s.intake.late_window_days);
    });
    add("intake", "fetch_connections", false, [](auto& v, Settings& s, auto&) {
      std::string error = ParsePositive(v, &s.intake.fetch_connections);
      if (error.empty() && s.intake.fetch_connections > 2) return std::string("1 or 2");
      return error;
    });
    add("outbox", "first_retry", false, [](auto& v, Settings& s, auto&) {
      return ParsePositive(v, &s.outbox.first_retry_seconds);
    });
    add("outbox", "max_retry", false, [](auto& v, Settings& s, auto&) {
      return ParsePositive(v, &s.outbox.max_retry_seconds);
    });
    add("outbox", "give_up_days", false, [](auto& v, Settings& s, auto&) {
      return ParsePositive(v, &s.outbox.give_up_days);
    });
    add("outbox", "batch", false, [](auto& v, Settings& s, auto&) {
      return ParsePositive(v, &s.outbox.batch);
    });
    add("grades", "scale", false, [](auto& v, Settings& s, auto&) {
      return ParseGradeScale(v, &s.grades.scale);
    });
    add("hotline", "duty_address", false, [](auto& v, Settings& s, auto&) {
      return CheckAddress(v, &s.hotline.duty_address);
    });
    add("hotline", "answer_within_hours", false,
        [](auto& v, Settings& s, auto&) {
          return ParsePositive(v, &s.hotline.answer_within_hours);
        });
    add("distance", "platforms", false, [](auto& v, Settings& s, auto&) {
      s.distance.platforms = SplitList(v, "\n");
      return std::string();
    });
    add("digest", "notices_file", false, [](auto& v, Settings& s, auto&) {
      return CheckNonEmpty(v, &s.digest.notices_file);
    });
    add("digest", "send_when_empty", false, [](auto& v, Settings& s, auto&) {
      const std::string flag = LowerAscii(Trim(v));
      if (flag == "true" || flag == "yes" || flag == "1") {
        s.digest.send_when_empty = true;
      } else if (flag == "false" || flag == "no" || flag == "0") {
        s.digest.send_when_empty = false;
      } else {
        return "not a yes/no value \"" + flag + "\": use true or false";
      }
      return std::string();
    });
    add("report", "ungraded_days", false, [](auto& v, Settings& s, auto&) {
      return ParsePositive(v, &s.report.ungraded_days);
    });
    return specs;
  }();
  return kSpecs;
}

// The spec group a section name belongs to, or "" when unknown.
std::string SpecGroup(const std::string& section) {
  if (section == "school_mailbox") return "mailbox";
  if (section.rfind(kMailboxPrefix, 0) == 0) return "mailbox";
  for (const Spec& spec : Specs()) {
    if (spec.section == section && spec.section != "mailbox") return section;
  }
  return "";
}

}  // namespace

std::string ConfigProblem::ToString() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!section.empty()) out += "[" + section + "] ";
  if (!key.empty()) out += key + ": ";
  return out + message;
}

const std::vector<KeySpec>& KeySpecs() {
  static const std::vector<KeySpec> kKeys = [] {
    std::vector<KeySpec> keys;
    for (const Spec& spec : Specs()) {
      if (spec.section == "mailbox") {
        keys.push_back(KeySpec{"school_mailbox", spec.key, spec.required});
        keys.push_back(KeySpec{"mailbox *", spec.key, spec.required});
      } else {
        keys.push_back(KeySpec{spec.section, spec.key, spec.required});
      }
    }
    return keys;
  }();
  return kKeys;
}

LoadedSettings ParseSettings(const std::string& text,
                             const std::string& file_name) {
  LoadedSettings loaded;
  Settings& settings = loaded.settings;
  settings.file = file_name;
  settings.school.school_days = {date::Monday, date::Tuesday, date::Wednesday,
                                 date::Thursday, date::Friday};
  auto problem = [&](int line, const std::string& section,
                     const std::string& key, const std::string& message) {
    loaded.problems.push_back(
        ConfigProblem{file_name, line, section, key, message});
  };

  RawIni raw;
  LineReader reader{text, 0, 0, false, {}, &raw};
  ini_parse_stream(&LineReader::Read, &reader, &Handler, &reader);
  for (const auto& [line, message] : raw.syntax_errors) {
    problem(line, "", "", message);
  }

  // Merge sections that appear twice: the second occurrence is a mistake.
  std::map<std::string, const RawSection*> seen;
  std::vector<const RawSection*> sections;
  for (const RawSection& section : raw.sections) {
    if (seen.count(section.name) != 0) {
      problem(section.line, section.name, "",
              "section appears twice (first at line " +
                  std::to_string(seen[section.name]->line) + ")");
      continue;
    }
    seen[section.name] = &section;
    sections.push_back(&section);
  }

  for (const RawSection* section : sections) {
    std::string group = SpecGroup(section->name);
    if (group.empty()) {
      problem(section->line, section->name, "",
              section->name.empty() ? "keys before the first [section]"
                                    : "unknown section");
      continue;
    }
    MailboxSettings mailbox;
    if (section->name.rfind(kMailboxPrefix, 0) == 0) {
      mailbox.name = std::string(Trim(section->name.substr(kMailboxPrefix.size())));
      if (mailbox.name.empty()) {
        problem(section->line, section->name, "",
                "a teacher's mailbox needs a name: [mailbox ivanova]");
      }
    } else if (section->name == "school_mailbox") {
      mailbox.name = "school";
    }
    std::map<std::string, int> present;
    for (const RawEntry& entry : section->entries) {
      const Spec* spec = nullptr;
      for (const Spec& candidate : Specs()) {
        if (candidate.section == group && candidate.key == entry.key) {
          spec = &candidate;
        }
      }
      if (spec == nullptr) {
        problem(entry.line, section->name, entry.key, "unknown key");
        continue;
      }
      present[entry.key] = entry.line;
      std::string error = spec->apply(entry.value, settings, mailbox);
      if (!error.empty()) problem(entry.line, section->name, entry.key, error);
    }
    for (const Spec& spec : Specs()) {
      if (spec.section == group && spec.required &&
          present.count(spec.key) == 0) {
        problem(section->line, section->name, spec.key, "missing");
      }
    }
    bool has_password = present.count("password") != 0;
    bool has_file = present.count("password_file") != 0;
    if (has_password && has_file) {
      problem(present["password_file"], section->name, "password_file",
              "set password or password_file, not both");
    }
    if (group == "mailbox") {
      if (!has_password && !has_file) {
        problem(section->line, section->name, "password",
                "missing: set password or password_file");
      }
      if (section->name == "school_mailbox") {
        settings.school_mailbox = mailbox;
      } else {
        settings.teacher_mailboxes.push_back(mailbox);
      }
    }
    if (group == "smtp" && present.count("user") != 0 && !has_password &&
        !has_file) {
      problem(section->line, section->name, "password",
              "missing: a user needs password or password_file");
    }
  }

  for (const char* required : {"school", "storage", "smtp",
                                      "school_mailbox"}) {
    if (seen.count(required) == 0) {
      problem(0, required, "", "missing section");
    }
  }
  if (settings.smtp.sender_name.empty()) {
    settings.smtp.sender_name = settings.school.name;
  }
  std::map<std::string, std::string> owners;
  auto check_unique = [&](const MailboxSettings& m, const std::string& label) {
    if (m.address.empty()) return;
    if (owners.count(m.address) != 0) {
      problem(seen.count(label) ? seen[label]->line : 0, label, "address",
              m.address + " is already used by [" + owners[m.address] + "]");
    }
    owners[m.address] = label;
  };
  check_unique(settings.school_mailbox, "school_mailbox");
  for (const MailboxSettings& m : settings.teacher_mailboxes) {
    check_unique(m, std::string(kMailboxPrefix) + m.name);
  }

  std::stable_sort(loaded.problems.begin(), loaded.problems.end(),
                   [](const ConfigProblem& a, const ConfigProblem& b) {
                     return a.line < b.line;
                   });
  return loaded;
}

LoadedSettings LoadSettings(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadedSettings loaded;
    loaded.problems.push_back(ConfigProblem{
        path, 0, "", "", std::string("cannot read: ") + std::strerror(errno)});
    return loaded;
  }
  std::stringstream content;
  content << in.rdbuf();
  return ParseSettings(content.str(), path);
}

Result<Settings> LoadValidSettings(const std::string& path) {
  LoadedSettings loaded = LoadSettings(path);
  if (loaded.problems.empty()) return std::move(loaded.settings);
  std::string message;
  for (const ConfigProblem& p : loaded.problems) {
    if (!message.empty()) message += "\n";
    message += p.ToString();
  }
  return Status::Error(message, Scope::kProcess, Retry::kNever);
}

std::string SettingsSummary(const Settings& s) {
  std::ostringstream out;
  out << "school:     " << s.school.name << " (" << s.school.time_zone
      << ", deadline " << s.school.deadline.ToString() << ", templates "
      << s.school.language << ")\n";
  out << "data:       " << s.data_dir << "\n";
  out << "smtp:       " << s.smtp.url << " as " << s.smtp.sender << "\n";
  out << "school box: " << s.school_mailbox.address << " at "
      << s.school_mailbox.url << "\n";
  out << "teachers:   " << s.teacher_mailboxes.size() << " mailbox(es)\n";
  out << "schedule:   morning " << s.schedule.morning_mail.ToString()
      << ", grading lists " << s.schedule.grading_list.ToString()
      << ", class lists " << s.schedule.class_teacher_list.ToString()
      << ", parent digest " << s.schedule.parent_digest.ToString()
      << ", report " << s.schedule.admin_report.ToString() << "\n";
  return out.str();
}

}  // namespace schoolmail
