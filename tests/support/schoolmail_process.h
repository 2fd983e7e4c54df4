// The schoolmail binary as a process, for integration tests that drive it
// as an operator or cron would: spawn, wait, capture output, and a config
// for a MailStack with one teacher mailbox.
//
// The binary's path comes from the compile definition SCHOOLMAIL_BINARY of
// the schoolmail_process_support library (CMake: $<TARGET_FILE:schoolmail>).
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/support/mail_stack.h"
#include "tests/support/temp_dir.h"

namespace schoolmail::testing {

// Starts `schoolmail ARGS` with extra environment entries ("NAME=value");
// its stdout and stderr go to /dev/null. Returns its pid.
pid_t Spawn(const std::vector<std::string>& args,
            const std::vector<std::string>& extra_env);

// Waits for `pid`: its exit status, or 128 + the signal that ended it.
int Wait(pid_t pid);

// Runs `schoolmail ARGS` to the end; returns its exit status.
int Schoolmail(const std::vector<std::string>& args,
               const std::vector<std::string>& extra_env = {});

// The combined output of `schoolmail ARGS` (which must exit 0), through
// the file `scratch`.
std::string Output(const std::vector<std::string>& args,
                   const std::string& scratch);

// A config in `dir` for `stack`: the school (Europe/Moscow), the data
// folder dir/data, SMTP without AUTH (sender robot@school.test), and one
// teacher mailbox "petrova" (user petrova, password p-secret) also used as
// the school mailbox. `extra` is appended (more sections or keys);
// `school_keys` go into the [school] section. `school_user`: the IMAP user
// of the school mailbox (password p-secret; address robot@school.test).
std::string WriteSchoolConfig(const TempDir& dir, const MailStack& stack,
                              int poll_interval, const std::string& extra = "",
                              const std::string& school_keys = "",
                              const std::string& school_user = "petrova");

// The sample school (scripts/sample-school/roster.csv) and ДЗ-1 (7А
// Алгебра, t-petrova, due 2026-11-26 18:00), through the command line.
void ImportSampleSchool(const std::string& config);

// Every message in `user`'s INBOX (over IMAPS) as an independent reader,
// Python's email package (tests/integration/read_mail.py), makes of it:
// decoded headers by lower-case name, "text", "html", "attachments" (name,
// sha256), "defects", "longest_line", "bare_lf", "to_addresses".
nlohmann::json ReadMailbox(const MailStack& stack, const std::string& user,
                           const std::string& password);

// True when `value` (a header or body ReadMailbox gave) is text holding
// `needle`.
bool Contains(const nlohmann::json& value, const std::string& needle);

// Those of them schoolmail wrote as `kind` (its X-Schoolmail-Kind header).
std::vector<nlohmann::json> MailOfKind(const MailStack& stack,
                                       const std::string& user,
                                       const std::string& password,
                                       const std::string& kind);

// A header or body ReadMailbox gave as text, with CRLF line ends as LF;
// "" when it is not text.
std::string TextOf(const nlohmann::json& value);

}  // namespace schoolmail::testing
