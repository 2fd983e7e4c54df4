// The parents' evening digest: on each school day (IsSchoolDay), from
// schedule.parent_digest school time on, one mail to every parent of the
// roster with a child whose class is in distance mode that day, to all the
// parent's addresses at once, covering each such child:
//   - today's work: every assignment of the child's class due today, handed
//     in on time, late (with when it arrived), not handed in, or "excused:
//     ill" instead of "not handed in" when the child is recorded ill;
//   - the grades and teachers' comments given since this parent's previous
//     digest (the last 7 days when there was none), current grades only;
//   - the tasks due on the next school day, and that day's online lessons
//     when the class is still in distance mode then;
// then the school's notices ([digest] notices_file, read for every run; a
// file that cannot be read is logged and the digests go without) and the
// footer with the hotline. Parents with no child in distance mode get
// nothing, and so does a parent whose digest has nothing to say (no work
// today, no grades, nothing due or taught next day, no notices) unless
// [digest] send_when_empty.
//
// Exactly once per parent per day: the dedup key "digest:<parent id>:<day>"
// makes a second queueing a no-op (Store::Enqueue checks it in the same
// transaction), and a done marker for the day (job "parent_digest") makes
// every later cycle of the day one lookup. Two daemons on one data folder
// cannot run at once (DataDirLock); were they to, the key still holds. The
// previous digest is the latest mail queued under "digest:<parent id>:"
// before today's key that did not fail for everyone. Not capped (it answers
// nobody); Auto-Submitted: auto-generated. Like the grading list it has no
// cut-off: a daemon started late still sends the day's digest.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "config/school.h"
#include "daemon/outgoing.h"
#include "storage/store.h"
#include "templates/mails.h"

namespace schoolmail {

// The job name of the parent digest's done markers.
inline constexpr char kParentDigestJob[] = "parent_digest";

// Notices files larger than this are refused (logged, digests go without).
inline constexpr std::size_t kMaxNoticesBytes = 64 * 1024;

// "digest:<parent id>:" — the dedup key prefix of a parent's digests.
std::string DigestKeyPrefix(const std::string& parent_id);

// What the store holds that the digests are made of.
struct DigestSources {
  std::vector<std::string> classes;       // in distance mode on the day
  std::vector<std::string> classes_next;  // ... on the next school day
  Roster roster;
  std::vector<Assignment> assignments;
  std::vector<SubmissionRow> submissions;
  std::vector<GradeRow> grades;  // replaced ones are ignored
  std::vector<TimetableEntry> timetable;
  // Parent id -> when their previous digest was queued; absent: none.
  std::map<std::string, std::int64_t> previous_digest;
};

struct ParentDigestMail {
  std::string parent_id;
  std::vector<OutgoingAddress> to;  // every address of the parent
  ParentDigestFacts facts;
  bool nothing_to_say = false;  // see above; the caller decides
};

// Pure: the digests owed on `day` at `now` (by parent id), worded with
// `context` (language, time zone, school days). `ill(pupil id, day)` says
// whether a child is recorded ill; `notices` is the school's text ("" none).
std::vector<ParentDigestMail> DigestsFor(
    const Date& day, std::int64_t now, const DigestSources& sources,
    const std::function<bool(const std::string& pupil_id, const Date& day)>&
        ill,
    const std::string& notices, const MailContext& context);

struct ParentDigestReport {
  bool ran = false;     // false: not a school day, too early, done already
  std::string skipped;  // why it did not run, for the cycle's summary
  int parents = 0;      // parents with a child in distance mode today
  int queued = 0;       // mails queued now
  int already = 0;      // parents whose digest was queued by an earlier run
  int empty = 0;        // nothing to say: not sent
  int failed = 0;       // mails that could not be written (logged)
  std::string notices_error;  // why the notices were left out; "" fine
};

// Runs the parent digest for `now` when it is due (see above).
Result<ParentDigestReport> RunParentDigest(Store& store,
                                           const MailContext& context,
                                           std::int64_t now);

}  // namespace schoolmail
