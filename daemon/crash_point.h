// A test-only hook: SCHOOLMAIL_TEST_CRASH_AT=step[:n] makes the process exit
// abruptly (status 137, no clean-up, like SIGKILL) the n-th time (default
// the first) it passes CrashPoint(step). Unset in production: a no-op.
//
// Steps: after_fetch (per message), after_archive (per batch),
// after_commit (per batch), after_move (per destination folder) in the
// intake; after_claim, after_send, after_record (per mail) in the outbox.
// The crash tests use it to stop the daemon at every durable step
// (RELIABILITY 1 and the outbox's at-least-once window).
#pragma once

#include <string_view>

namespace schoolmail {

void CrashPoint(const char* step);

// A test-only stand-in for a message that crashes the parser: with
// SCHOOLMAIL_TEST_POISON=<text> set, a message containing <text> ends the
// process (status 137) just before it would be parsed.
void CrashIfPoisoned(std::string_view message);

}  // namespace schoolmail
