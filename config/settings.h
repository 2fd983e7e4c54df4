// Settings: one INI file -> validated, typed values with documented defaults.
//
// Every key, its default and its meaning are listed in
// config/schoolmail.example.ini; KeySpecs() is the same list in code, and a
// test keeps the two in step.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/calendar.h"
#include "config/status.h"

namespace schoolmail {

struct MailboxSettings {
  std::string name;      // label from the section header, used in logs
  std::string url;       // imap://host[:port] or imaps://host[:port]
  std::string user;
  std::string password;  // resolved from password or password_file
  std::string address;   // the e-mail address this mailbox receives for
  std::string sent_folder;  // "" = the folder marked \Sent (SPECIAL-USE)
};

struct SchoolSettings {
  std::string name;
  std::string time_zone;  // IANA name, e.g. Europe/Moscow
  TimeOfDay deadline{18 * 60};
  std::vector<Weekday> school_days;  // default Monday..Friday
  std::vector<DateRange> holidays;
  std::string hotline;
  std::string site;
  std::string admin_address;  // told of mail that could not be delivered
  std::string language = "ru";  // template set: ru or en
  std::string templates_dir;    // empty: the built-in set for `language`
};

struct SmtpSettings {
  std::string url;  // smtp:// (STARTTLS required) or smtps://
  std::string user;
  std::string password;
  std::string sender;       // envelope and From address
  std::string sender_name;  // display name; default: the school's name
};

// Hard limits on input; every default is documented in the example file.
struct Limits {
  std::uint64_t message_bytes = 64ull << 20;
  std::uint64_t header_bytes = 256ull << 10;
  std::uint64_t line_bytes = 1ull << 20;
  std::uint64_t attachment_bytes = 40ull << 20;
  int mime_depth = 20;
  int mime_parts = 500;
  int auto_mails_per_recipient_per_day = 20;
  int parse_attempts = 3;  // a message that crashed the parser this often
                           // goes to review unread
};

enum class ReportPeriod { kDaily, kWeekly };

struct ScheduleSettings {
  TimeOfDay morning_mail{7 * 60 + 30};
  // Each teacher's "waiting for a grade" list (daemon/grading_list.h).
  TimeOfDay grading_list{16 * 60};
  TimeOfDay class_teacher_list{18 * 60 + 30};
  TimeOfDay parent_digest{19 * 60 + 30};
  TimeOfDay admin_report{20 * 60};
  ReportPeriod admin_report_period = ReportPeriod::kDaily;
};

struct IntakeSettings {
  std::string queue_root = "Сдано";  // the teacher's sorted queue
  int poll_interval_seconds = 60;
  std::optional<Date> start_date;  // older mail is recorded, never answered
  std::string authserv_id;         // the school's receiving server
  int late_window_days = 7;        // late work still matches an assignment
  int fetch_connections = 2;       // IMAP connections fetching a backlog
};

// The outbox: how often and how long undelivered mail is tried again.
struct OutboxSettings {
  int first_retry_seconds = 60;   // after the first temporary failure
  int max_retry_seconds = 3600;   // the delay doubles up to this
  int give_up_days = 3;           // then failed, and the administration told
  int batch = 100;                // mails taken from the outbox at a time
};

// How grades are written: whole numbers from `low` to `high` (1-5 by
// default), or pass/fail (stored as "pass" and "fail").
struct GradeScale {
  bool pass_fail = false;
  int low = 1;
  int high = 5;
  bool operator==(const GradeScale&) const = default;
};

struct GradeSettings {
  GradeScale scale;
};

// The hotline by mail (daemon/hotline.h): questions to the school mailbox
// go to the duty administrator, who is expected to answer in time.
struct HotlineSettings {
  std::string duty_address;      // "": the school's admin_address
  int answer_within_hours = 24;  // promised to the sender
};

// What the welcome mail of a distance period recommends.
struct DistanceSettings {
  std::vector<std::string> platforms;  // "Сферум — https://sferum.ru"
};

// The parent evening digest (daemon/parent_digest.h).
struct DigestSettings {
  std::string notices_file;      // school notices for every digest; "" none
  bool send_when_empty = false;  // send a digest with nothing to say
};

// The administration's control report (daemon/admin_report.h).
struct ReportSettings {
  int ungraded_days = 3;  // work waiting longer for a grade is reported
};

struct Settings {
  std::string file;  // the INI file these came from
  SchoolSettings school;
  std::string data_dir;
  std::string ca_file;  // extra CA bundle for TLS; empty: the system store
  SmtpSettings smtp;
  MailboxSettings school_mailbox;
  std::vector<MailboxSettings> teacher_mailboxes;
  Limits limits;
  ScheduleSettings schedule;
  IntakeSettings intake;
  OutboxSettings outbox;
  GradeSettings grades;
  HotlineSettings hotline;
  DistanceSettings distance;
  DigestSettings digest;
  ReportSettings report;
};

// One problem found in a config file: where, which key, what is wrong.
struct ConfigProblem {
  std::string file;
  int line = 0;         // 0 when the problem has no line (a missing section)
  std::string section;  // empty for file-level problems
  std::string key;      // empty for section-level problems
  std::string message;

  // "FILE:LINE: [section] key: message".
  std::string ToString() const;
};

struct LoadedSettings {
  Settings settings;                  // usable only when problems is empty
  std::vector<ConfigProblem> problems;  // every problem, in file order
};

// Parses INI `text` as if read from `file_name`. Checks password files and the
// time zone database on disk; never throws.
LoadedSettings ParseSettings(const std::string& text,
                             const std::string& file_name);

// Reads and parses the file at `path`; an unreadable file is one problem.
LoadedSettings LoadSettings(const std::string& path);

// The settings, or an error listing every problem, one per line.
Result<Settings> LoadValidSettings(const std::string& path);

// A few lines for an operator: school, zone, mailboxes, data folder.
std::string SettingsSummary(const Settings& settings);

// The documented keys: section ("mailbox *" for every teacher's mailbox),
// key, and whether it must be present.
struct KeySpec {
  std::string section;
  std::string key;
  bool required;
};
const std::vector<KeySpec>& KeySpecs();

}  // namespace schoolmail
