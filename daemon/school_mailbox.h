// The school's own mailbox ([school_mailbox]): commands and questions sent
// to the school rather than to a teacher. Read like a teacher's mailbox
// (EXAMINE, BODY.PEEK[], nothing moved or marked), each message archived
// and recorded once.
//
// What it understands now: a teacher's tagged mail setting an assignment
// ("#задание 7А Алгебра до 30.11: §12 №1-5"; body = instructions and
// links, attachments = worksheets), accepted only from a roster teacher
// who teaches that subject in that class and whose mail did not fail the
// school server's authentication check. The teacher gets a confirmation,
// or a mail listing what in the tag was not understood. A pupil or parent
// writing `статус` (or `status`) gets the current assignments and grades of
// the pupil or of each child; anyone else gets nothing. Auto-replies,
// bounces, bulk mail and schoolmail's own mail are recorded and never
// answered. A class teacher's illness lines are recorded
// (daemon/illness_mail.h); a teacher's authenticated grade quoting a
// pupil's work is recorded (daemon/grade_mail.h). Anything else is a
// question for the hotline, or the duty administrator's answer to one
// (daemon/hotline.h).
#pragma once

#include <cstdint>
#include <ostream>

#include "config/settings.h"
#include "storage/store.h"

namespace schoolmail {

struct SchoolMailboxReport {
  int new_messages = 0;
  int assignments = 0;  // set from tagged mail
  int rejected = 0;     // tags with problems: the teacher was told
  int refused = 0;      // tags or status requests from someone who may not
  int status_replies = 0;  // answers to `статус`
  int ignored = 0;      // auto-replies, bounces, bulk, our own mail
  int other = 0;        // unreadable mail
  int hotline_questions = 0;  // forwarded to the duty administrator
  int hotline_answers = 0;    // the administrator's answers relayed
  int grades = 0;             // grades by mail recorded (daemon/grade_mail.h)
  // Illness lines from class teachers (daemon/illness_mail.h).
  int illness_mails = 0;     // mails read and answered
  int illnesses = 0;         // periods recorded from them
  int illness_problems = 0;  // lines not recorded (the teacher was told)
  int illness_refused = 0;   // from someone who is not a class teacher
};

// One cycle over the school mailbox's INBOX.
Result<SchoolMailboxReport> RunSchoolMailbox(const Settings& settings,
                                             Store& store, std::int64_t now);

}  // namespace schoolmail
