// A pupil's piece of work as intake records it, for tests that need stored
// submissions without running the intake: petrova's INBOX message `uid`
// (UIDVALIDITY 1, key "k<uid>"), handed in for ДЗ-1. Adjust the rest
// (Message-ID, attachments) on the returned record.
#pragma once

#include <cstdint>
#include <string>

#include "storage/store.h"

namespace schoolmail::testing {

inline IntakeRecord WorkIntake(std::int64_t uid, const std::string& pupil_id,
                               const std::string& sender,
                               std::int64_t received_at,
                               SubmissionStatus status) {
  IntakeRecord r;
  r.mailbox = "petrova";
  r.folder = "INBOX";
  r.uidvalidity = 1;
  r.uid = uid;
  r.message_key = "k" + std::to_string(uid);
  r.outcome = "submission";
  SubmissionRecord sub;
  sub.pupil_id = pupil_id;
  sub.assignment_code = "ДЗ-1";
  sub.sender = sender;
  sub.subject = "ДЗ-1";
  sub.received_at = received_at;
  sub.status = status;
  sub.archive_path = "x";
  r.submission = sub;
  return r;
}

}  // namespace schoolmail::testing
