// Assignments: set from the command line, the lesson plan or a teacher's
// tagged mail, and mailed once to every pupil of the class.
//
// How the mail is never lost and never doubled: the Message-ID of an
// assignment's mail is chosen first and stored with the assignment (pupils'
// replies name it in In-Reply-To, which is how intake matches them), and
// storing it marks its mail owed. AnnouncePendingAssignments, run on every
// cycle, queues each owed mail (dedup key "assignment:<code>") and the
// teacher's confirmation ("assignment-confirm:<code>"), then marks it sent.
// A crash anywhere in between leaves it owed; the dedup keys keep the retry
// from mailing twice. Storing is enough.
//
// The mail: ONE message per assignment, the pupils of the class (every
// address of each) as hidden recipients, To: the school's sender under the
// class's name ("7А"), Reply-To the teacher's hand-in address, the code in
// the subject, the worksheets attached. Not capped (it answers nobody);
// Auto-Submitted: auto-generated.
//
// When: an assignment from the command line or a teacher's mail goes at
// once; one from the lesson plan on its set day (the lesson's date), at
// schedule.morning_mail school time, so a whole term's plan imported in
// September is mailed lesson by lesson, never all at once. A plan item whose
// deadline passed before it could be mailed (a plan imported mid-term, a
// daemon stopped for days) is not mailed: it is logged and marked skipped.
// The teacher's confirmation goes for assignments they set themselves
// (command line, mail); plan items are not confirmed one by one.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "config/school.h"
#include "config/settings.h"
#include "daemon/outgoing.h"
#include "parsers/plan.h"
#include "storage/store.h"
#include "templates/message_writer.h"

namespace schoolmail {

// Codes are this prefix and a number: "ДЗ-12".
inline constexpr char kAssignmentCodePrefix[] = "ДЗ-";

// Stores `a` with its mail owed and, unless it comes from the plan, queues
// that mail and the teacher's confirmation now. REQUIRES: class, subject,
// title, set_day, due_day and due_time set; `source` "cli", "mail" or
// "plan". `a.code` empty: the next free "ДЗ-N"; `a.mail_message_id` empty:
// a new one. `worksheets` go with the pupils' mail (kept in the store until
// it is queued). Returns the stored assignment (code and Message-ID set).
// Errors only when nothing was stored (unknown class or teacher, a code
// taken); once stored, a mail that cannot be queued now stays owed for
// AnnouncePendingAssignments and is logged. (Store::AddAssignment stores an
// assignment without any mail.)
Result<Assignment> CreateAssignment(
    Store& store, const MailContext& context, Assignment a,
    const std::string& source, const std::vector<MailAttachment>& worksheets,
    std::int64_t now);

struct AnnounceReport {
  int mailed = 0;         // assignments whose mail was queued
  int pupils = 0;         // pupils those mails went to, summed
  int confirmations = 0;  // teachers' confirmations queued
  int skipped = 0;        // plan items past their deadline, or unwritable
};

// Queues the mail of every assignment whose mail is owed and due (see
// above). An assignment that cannot be written (an unsafe address) is
// logged and skipped, never retried forever; a store or template failure
// stops and is returned.
Result<AnnounceReport> AnnouncePendingAssignments(Store& store,
                                                  const MailContext& context,
                                                  std::int64_t now);

// --- The lesson plan against the roster (pure) ---

// The teachers who teach `subject` in `class_name`.
std::vector<const Teacher*> TeachersOf(const Roster& roster,
                                       const std::string& class_name,
                                       const std::string& subject);

// Problems of plan rows the roster shows: a class it does not have, a
// subject no teacher teaches in that class. In row order.
std::vector<PlanProblem> CheckPlanAgainstRoster(
    const std::vector<PlanRow>& rows, const Roster& roster);

// The store's items for `rows` (REQUIRES: no problems from the check): the
// teacher when exactly one teaches the subject in the class, else none; the
// school's deadline where a row gives no time; a new Message-ID each, from
// `new_token`.
std::vector<PlanItem> PlanItemsFor(
    const std::vector<PlanRow>& rows, const Roster& roster,
    const Settings& settings, const std::function<std::string()>& new_token);

// --- Shared with the morning mail ---

// Where pupils hand work in to `teacher`: the teacher's address that a
// configured mailbox watches, else the first in the roster.
std::string HandInAddress(const Teacher& teacher, const Settings& settings);

// "30.11.2026" in the Russian set, "2026-11-30" otherwise.
std::string HumanDay(const Date& day, const MailContext& context);



}  // namespace schoolmail
