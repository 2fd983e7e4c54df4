// Grades: who may grade which work, the grade a teacher's reply carries,
// and the notices that tell pupils.
//
// Where grades come from (RELIABILITY 28): the teacher's own Sent folder
// (a reply to the pupil's work, read by the intake), the command line
// (`schoolmail grade`), or a mail to the school mailbox that the school's
// own server authenticated (daemon/grade_mail.h). Mail arriving in a
// teacher's INBOX is never read as a grade, whatever its From says: only
// the teacher can put mail into their Sent folder, while anyone can write
// "From: teacher" on a message.
//
// Who may grade: the teacher who set the work's assignment. Work without
// one (unmatched, or an assignment nobody set, e.g. a plan row two
// teachers share) may be graded by the teacher whose mailbox received it.
// Nobody grades mail from an unknown sender or mail under review (a failed
// authentication result: the From may be forged).
//
// Notices: every new or changed grade owes the pupil one notice, marked in
// the same transaction as the grade. QueueGradeNotices writes each from the
// templates and queues it (dedup key "grade:<grade id>", not capped,
// Reply-To the teacher, threaded under the pupil's mail, to the address the
// work came from), then marks it queued; a crash in between is caught by
// the dedup key. A grade replaced before its notice went is not announced:
// the newer one says what it replaced.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/school.h"
#include "config/settings.h"
#include "daemon/outgoing.h"
#include "parsers/grade_line.h"
#include "parsers/mime_message.h"
#include "storage/store.h"

namespace schoolmail {

// Why `teacher_id` may not grade `target`, or nullopt when they may (see
// above). `receiving_teacher_id`: the roster id of the teacher whose
// mailbox received the work ("" when that mailbox is not a teacher's).
std::optional<std::string> GradeRefusal(
    const GradeTarget& target, const std::string& teacher_id,
    const std::string& receiving_teacher_id);

// The roster teacher whose configured mailbox is `mailbox`; nullptr when
// there is no such mailbox or its address is not a teacher's.
const Teacher* MailboxTeacher(const Settings& settings, const Roster& roster,
                              const std::string& mailbox);

// What a teacher's sent message means for grading.
struct ReplyGrade {
  std::optional<NewGrade> grade;  // to record (source "reply")
  std::string note;  // why a grade line was not taken; "" otherwise
};

// The grade of `reply`, a message from the Sent folder of `teacher`'s
// mailbox that answers `target` (nullopt: it answers no stored work; then
// nothing). A grade is taken only when the reply has a grade line the
// scale allows, the teacher may grade the work (GradeRefusal; the
// mailbox's own teacher is the receiving one), and the reply went to the
// address the work came from (To or Cc): a forwarded copy to a colleague
// is not a grade. Pure.
ReplyGrade GradeFromReply(const ParsedMessage& reply,
                          const std::optional<GradeTarget>& target,
                          const Teacher* teacher, const GradeScale& scale,
                          std::int64_t at);

// The grade `reading` (kind kGrade) gives `target`, by `teacher_id`, from
// `source` ("reply", "mail"), carried by `mail`, at `at`.
NewGrade GradeFromReading(const GradeTarget& target,
                          const GradeReading& reading,
                          const std::string& teacher_id,
                          const std::string& source, const ParsedMessage& mail,
                          std::int64_t at);

struct GradeNoticeReport {
  int queued = 0;
  int skipped = 0;  // pupil gone from the roster, or unwritable: logged
};

// Writes and queues every grade notice owed (each once, ever). A store or
// template failure stops and is returned.
Result<GradeNoticeReport> QueueGradeNotices(Store& store,
                                            const MailContext& context,
                                            std::int64_t now);

}  // namespace schoolmail
