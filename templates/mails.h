// The texts of the mails schoolmail writes, rendered from a school's
// template set (templates/ru/, templates/en/ or the school's own folder).
//
// Pure: facts in, subject and bodies out. The caller formats dates and
// times in school time and decides which warnings apply; nothing here reads
// a clock or a disk. Facts are data, never templates: a pupil's subject
// "{{grade}}" prints as it is, and HTML bodies escape it.
//
// Every body ends with the set's footer (hotline and site), included by the
// mail templates as {{> footer}}: footer.txt.mustache in text bodies,
// footer.html.mustache in HTML bodies. Subjects are one line: CR, LF and
// other control characters become spaces, runs of whitespace collapse.
//
// Errors: a file missing from the set, or a template syntax error, is an
// error naming the file.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "config/status.h"

namespace schoolmail {

// Template texts by file name, e.g. "receipt.subject.mustache".
// `language` ("ru", "en") picks the plural rules for numbers in the texts
// (see FormatSize); the words themselves are all in `files`.
struct TemplateSet {
  std::string language;
  std::map<std::string, std::string> files;
};

// Every file name a complete set must have; the daemon checks a school's
// folder against it at startup.
const std::vector<std::string>& RequiredTemplateFiles();

struct SchoolInfo {
  std::string name, site, hotline, school_address;
};

// `html` is empty when the mail has no HTML part.
struct MailText {
  std::string subject;
  std::string text;
  std::string html;
};

struct AttachmentLine {
  std::string name;
  std::uint64_t size = 0;
  std::string sha256;  // hex; the mail shows the first 12 characters
};

struct ReceiptFacts {
  std::string pupil_name;       // "Петя Иванов"
  std::string teacher_name;     // "Анна Сергеевна Петрова"
  std::string mail_subject;     // the pupil's subject line, decoded
  bool matched = false;         // false: the assignment was not recognised
  std::string assignment_code;  // "ДЗ-12"
  std::string assignment_title, school_subject;
  std::string due_local;       // "30.11.2026 18:00", school time
  std::string received_local;  // "30.11.2026 17:59:59", server's receipt
  bool late = false;
  int attempt = 1;
  std::vector<AttachmentLine> attachments;
  // Set by the caller only while there is still time to send again.
  bool warn_no_attachment = false, warn_only_links = false,
       warn_empty_text = false;
  // Unmatched receipts: open assignments, "ДЗ-12 Алгебра: §12".
  std::vector<std::string> open_codes;
};

// To the pupil, plain text only.
Result<MailText> RenderReceipt(const TemplateSet& set, const SchoolInfo& school,
                               const ReceiptFacts& facts);

struct AssignmentFacts {
  std::string code, class_name, school_subject, title, instructions;
  std::vector<std::string> links;
  std::vector<std::string> attachment_names;
  std::string teacher_name, teacher_address, set_local, due_local;
};

// To each pupil, plain text only; the subject contains the code.
Result<MailText> RenderAssignment(const TemplateSet& set,
                                  const SchoolInfo& school,
                                  const AssignmentFacts& facts);

// To the teacher who set it, plain text only.
Result<MailText> RenderAssignmentConfirmation(const TemplateSet& set,
                                              const SchoolInfo& school,
                                              const AssignmentFacts& facts,
                                              int pupils_mailed);

struct TagErrorFacts {
  std::string mail_subject;
  std::vector<std::string> problems;  // lines from RenderTagProblem
  std::string example;                // a correct tagged subject
};

// One line explaining a problem with an assignment tag, from
// tag_problems.mustache (one section per code). `code` is one of
// TagProblemCodes(); `detail` (the class, subject, date or time as written)
// may be empty. An unknown code, or a code the file has no text for, is an
// error.
Result<std::string> RenderTagProblem(const TemplateSet& set,
                                     const std::string& code,
                                     const std::string& detail);
const std::vector<std::string>& TagProblemCodes();

// To the teacher whose tagged mail could not be registered; plain text.
Result<MailText> RenderAssignmentRejection(const TemplateSet& set,
                                           const SchoolInfo& school,
                                           const TagErrorFacts& facts);

struct LessonLine {
  std::string start, end, subject, link, note;
};
struct DueLine {
  std::string code, school_subject, title, due_local, teacher_address;
};
struct MorningFacts {
  std::string pupil_name, class_name;
  std::string day_local;  // "понедельник, 30.11.2026"
  std::vector<LessonLine> lessons;
  std::vector<DueLine> due_today, due_next;
  std::string next_day_local;
  std::string deadline;  // "18:00"
};

// A teacher's "waiting for a grade" list: their pupils' work still without
// a grade, by assignment, oldest deadline first (the caller's order).
struct WaitingWork {
  std::string pupil_name;      // "Иванов Пётр"
  std::string class_name;      // "7А"
  std::string received_local;  // "27.11.2026 18:05:12", school time
  bool late = false;           // it arrived after the deadline
  int attempt = 1;             // the pupil's latest hand-in of this work
  std::string folder;          // where it was filed; "" not yet
  std::string mailbox;         // another teacher's mailbox it went to; ""
};
struct WaitingAssignment {
  std::string code, school_subject, title, class_name;
  std::string due_local;  // the deadline, "27.11.2026 18:00"
  std::vector<WaitingWork> work;
};
struct GradingListFacts {
  std::string teacher_name;  // as greeted: "Анна Сергеевна"
  std::string day_local;     // "30.11.2026"
  std::vector<WaitingAssignment> assignments;
};

// To the teacher: text and a simple HTML part (inline styles, one column
// of at most 600px), with the number of works waiting and of late ones in
// the subject (`count`, `late_count` and the plural flags of the count).
Result<MailText> RenderGradingList(const TemplateSet& set,
                                   const SchoolInfo& school,
                                   const GradingListFacts& facts);

// To the pupil: text and a simple HTML part (inline styles, one column of
// at most 600px, links only for http and https addresses).
Result<MailText> RenderMorning(const TemplateSet& set, const SchoolInfo& school,
                               const MorningFacts& facts);

// `bytes` for people, worded by the set's size.mustache: "15 байт",
// "812 КБ", "2,4 МБ". Units are binary (1 КБ = 1024 bytes); below 10 of a
// unit one decimal is shown ("2,4"; "2,0" becomes "2"), from 10 on whole
// numbers; a value that rounds to 1024 moves up a unit. The template gets
// `whole`, `fraction` (one digit, or empty), one of the flags `bytes`, `kb`,
// `mb`, `gb`, and the CLDR plural category of the number as a flag: `one`,
// `few`, `many` (whole numbers) or `other` (with a fraction) when the set's
// language starts with "ru"; `one` or `other` for any other language. The
// decimal separator and unit words live in the template.
// A mail that could not be delivered to some recipients, for the
// administration (admin_address).
struct FailedRecipientLine {
  std::string address, reply;
};
struct DeliveryFailureFacts {
  std::string kind;          // "receipt", "assignment", ...
  std::string mail_subject;  // the undelivered mail's subject
  std::string queued_local;  // when it was queued, school time
  int attempts = 0;
  std::vector<FailedRecipientLine> recipients;
};
Result<MailText> RenderDeliveryFailure(const TemplateSet& set,
                                       const SchoolInfo& school,
                                       const DeliveryFailureFacts& facts);

// A grade notice to the pupil: the work graded, the grade (and the one it
// replaced), the teacher's comment, the teacher. Values are as stored:
// "5", or "pass"/"fail" (the set's words say them). Plain text only.
struct GradeNoticeFacts {
  std::string pupil_name;    // "Петя Иванов"
  std::string teacher_name;  // "Анна Сергеевна Петрова"
  std::string teacher_address;
  bool matched = false;      // false: work without a recognised assignment
  std::string assignment_code, school_subject, assignment_title;
  std::string mail_subject;     // the pupil's subject line
  std::string received_local;   // when the work arrived, school time
  bool late = false;            // it arrived after the deadline
  std::string value;           // "5", "pass", "fail"
  std::string previous_value;  // the grade this one replaced, or ""
  std::string comment;         // the teacher's, may span lines
  std::string graded_local;    // school time
};
Result<MailText> RenderGradeNotice(const TemplateSet& set,
                                   const SchoolInfo& school,
                                   const GradeNoticeFacts& facts);

Result<std::string> FormatSize(const TemplateSet& set, std::uint64_t bytes);

// `text` on one line: control characters and Unicode line separators
// become spaces, whitespace runs collapse to one space, ends are trimmed.
std::string OneLine(std::string_view text);

// The answer to `статус` / `status` sent to the school mailbox by a pupil
// or a parent: per child, the current assignments with what was handed in,
// and the current grades.
struct StatusAssignmentLine {
  std::string code, school_subject, title, due_local;
  bool handed_in = false;
  bool late = false;     // the newest hand-in came after the deadline
  int attempts = 0;      // mails handed in for it
  bool overdue = false;  // not handed in and the deadline has passed
};
struct StatusGradeLine {
  std::string code, school_subject, title, value, comment, teacher_name,
      graded_local;
};
struct StatusChild {
  std::string name, class_name;
  std::vector<StatusAssignmentLine> assignments;
  std::vector<StatusGradeLine> grades;
};
struct StatusFacts {
  std::string recipient_name;
  std::string now_local;  // "30.11.2026 19:05", school time
  std::vector<StatusChild> children;
};
Result<MailText> RenderStatusReply(const TemplateSet& set,
                                   const SchoolInfo& school,
                                   const StatusFacts& facts);

// --- The hotline (daemon/hotline.h) ---

// A question to the school mailbox, forwarded to the duty administrator.
struct HotlineForwardFacts {
  std::int64_t number = 0;       // the question's number
  std::string who;               // the sender as the roster knows them; ""
  std::string sender;            // the address
  std::string mail_subject;
  std::string received_local, answer_by_local;
  std::string question;          // the question's text
  std::vector<std::string> attachments;  // names of files that came with it
};
Result<MailText> RenderHotlineForward(const TemplateSet& set,
                                      const SchoolInfo& school,
                                      const HotlineForwardFacts& facts);

// The sender's receipt: the question is with the duty administrator.
struct HotlineReceiptFacts {
  std::int64_t number = 0;
  std::string recipient_name;  // "" for a sender the roster does not know
  std::string mail_subject;
  std::string received_local, answer_by_local;
  int hours = 24;
};
Result<MailText> RenderHotlineReceipt(const TemplateSet& set,
                                      const SchoolInfo& school,
                                      const HotlineReceiptFacts& facts);

// The administrator's answer, relayed to the sender.
struct HotlineAnswerFacts {
  std::int64_t number = 0;
  std::string recipient_name;
  std::string mail_subject;  // of the question
  std::string answer;        // the administrator's own text
};
Result<MailText> RenderHotlineAnswer(const TemplateSet& set,
                                     const SchoolInfo& school,
                                     const HotlineAnswerFacts& facts);

// --- Distance mode starts (daemon/welcome.h) ---

struct WelcomeTeacherLine {
  std::string subject, name, address;
};
struct WelcomeLessonLine {
  std::string when;  // "пн 09:00–09:40" or "30.11 09:00"
  std::string subject, link, note;
};
struct WelcomeClass {
  std::string class_name;
  std::vector<std::string> children;  // for a parent: their children in it
  std::string first_day, last_day;    // "30.11.2026"; last_day may be ""
  std::string order_text;
  std::string class_teacher_name, class_teacher_address;
  std::vector<WelcomeTeacherLine> teachers;
  std::vector<WelcomeLessonLine> lessons;
};
// The welcome mail to a pupil or parent when their class goes distance.
struct WelcomeFacts {
  std::string recipient_name;
  bool parent = false;
  std::string deadline_local;  // "18:00"
  std::string morning_local;   // when the morning mail comes, "07:30"
  std::string digest_local;    // when parents' evening digest comes
  std::string school_mailbox;  // for `статус` and questions
  std::vector<std::string> platforms;
  std::vector<WelcomeClass> classes;
};
Result<MailText> RenderWelcome(const TemplateSet& set, const SchoolInfo& school,
                               const WelcomeFacts& facts);

// The teachers' briefing: how the school's mail works for them.
struct BriefingFacts {
  std::string teacher_name;    // "Анна Сергеевна"
  std::string mailbox;         // their watched address
  std::string queue_root;      // "Сдано"
  std::string deadline_local;  // "18:00"
  std::string school_mailbox;
  std::string tag_example;     // "#задание 7А Алгебра до 30.11: §12 №1-5"
  std::string grade_example;   // "Оценка: 5"
  std::string scale;           // "1-5" or "зачёт/незачёт"
  std::string grading_list_local, morning_local, digest_local,
      class_list_local;
  std::string class_teacher_of;  // "" when not a class teacher
  std::vector<std::string> classes;  // "7А: Алгебра, Геометрия"
};
Result<MailText> RenderBriefing(const TemplateSet& set,
                                const SchoolInfo& school,
                                const BriefingFacts& facts);
// --- The class teacher's daily list and illness records (issue 6) ---

// One assignment due today, for one pupil. `status` is "on_time", "late",
// "missing" (the deadline has passed), "pending" (not handed in, the
// deadline is later today) or "ill" (not handed in, excused as ill).
struct ClassListWork {
  std::string code, school_subject;
  std::string status;
  std::string received_local;  // on_time, late: when it arrived
  std::string due_local;       // pending: the deadline
};
struct ClassListPupil {
  std::string name;        // "Иванов Пётр"
  std::string duty_group;  // "" when in none
  std::string ill_until;   // "05.12.2026" when ill today; "" otherwise
  bool no_activity = false;  // no mail from them today (and not ill)
  std::vector<ClassListWork> works;  // in the order of ClassListFacts::due
};
struct ClassListDue {
  std::string code, school_subject, title, due_local;
};
struct ClassListFacts {
  std::string teacher_name;  // as greeted: "Анна Сергеевна"
  std::string class_name;    // "7А"
  std::string day_local;     // "30.11.2026"
  std::vector<ClassListDue> due;        // the class's assignments due today
  std::vector<ClassListPupil> pupils;   // by name
  std::string reply_address;  // the school mailbox, where replies go
  std::string example;        // "Болеет: Смирнова Алёна до 03.12"
};

// To the class teacher: text and a simple HTML part (inline styles, one
// column of at most 600px). The totals (pupils, works due, on time, late,
// missing, not yet due, pupils ill, pupils without activity) are counted
// here from `pupils`.
Result<MailText> RenderClassList(const TemplateSet& set,
                                 const SchoolInfo& school,
                                 const ClassListFacts& facts);

// The answer to a class teacher's mail with illness lines: what was
// recorded and what was not, with the line as written. Problem codes:
// bad_date, past_date, no_name, too_many (parsers/illness_line.h),
// unknown_name, ambiguous_name. Plain text only.
struct RecordedIllnessLine {
  std::string pupil_name, class_name;
  std::string first_local, last_local;  // "30.11.2026"
};
struct IllnessProblemLine {
  int line = 0;
  std::string written;  // the line as written
  std::string code;
  std::string detail;   // the date as written (bad_date, past_date)
};
struct IllnessReplyFacts {
  std::string teacher_name;  // as greeted
  std::string class_name;
  std::string mail_subject;  // of the teacher's mail
  std::vector<RecordedIllnessLine> recorded;
  std::vector<IllnessProblemLine> problems;
  std::string example;  // a correct line
};
Result<MailText> RenderIllnessReply(const TemplateSet& set,
                                    const SchoolInfo& school,
                                    const IllnessReplyFacts& facts);

}  // namespace schoolmail

// --- The parent's evening digest (daemon/parent_digest.h) ---

namespace schoolmail {

// An assignment of a child's class due on the digest's day, as it stands.
struct DigestWorkLine {
  enum class State {
    kOnTime,   // handed in by the deadline
    kLate,     // only after it: received_local says when
    kMissing,  // nothing handed in, the deadline has passed
    kIll,      // nothing handed in, and the child is recorded ill that day
    kOpen,     // nothing handed in yet, the deadline is still to come
  };
  std::string code, school_subject, title;
  std::string due_local;  // the deadline, "30.11.2026 18:00"
  State state = State::kMissing;
  std::string received_local;  // kOnTime, kLate: "30.11.2026 18:40:12"
};
struct DigestChild {
  std::string name, class_name;  // "Дмитрий Кузнецов", "7Б"
  std::vector<DigestWorkLine> today;     // due on the digest's day
  std::vector<StatusGradeLine> grades;   // since the previous digest
  std::vector<DueLine> due_next;         // due on the next school day
  std::vector<LessonLine> lessons_next;  // online lessons then
};
struct ParentDigestFacts {
  std::string parent_name;         // "Ольга Кузнецова"
  std::string day_local;           // "30.11.2026"
  std::string next_day_local;      // "вторник, 01.12.2026"
  std::string grades_since_local;  // "27.11.2026 19:30", school time
  std::vector<DigestChild> children;
  std::string notices;  // the school's notices, may span lines; "" none
};

// To the parent: text and a simple HTML part (inline styles, one column of
// at most 600px, links only for http and https addresses); the subject
// names the day and the children. The notices keep their line breaks.
Result<MailText> RenderParentDigest(const TemplateSet& set,
                                    const SchoolInfo& school,
                                    const ParentDigestFacts& facts);

// --- The administration's control report (daemon/admin_report.h) ---

// Per class and subject: assignments set and lesson plan rows in the
// period; of the pupil-assignment pairs owed (assignments due in the
// period, pupils ill that day left out), how many were handed in and how
// many on time.
struct ReportSubjectLine {
  std::string class_name, school_subject;
  int set = 0, planned = 0;
  int owed = 0, handed_in = 0, on_time = 0;
};
// A teacher's work waiting longer than the report's ungraded_days.
struct ReportUngradedLine {
  std::string teacher_name;  // "" when nobody is known to grade it
  int count = 0;
  std::string oldest_received_local;  // when the oldest arrived
  int oldest_days = 0;                // whole days it has waited
  std::string oldest_work;            // "ДЗ-3 Алгебра, Иванов Пётр, 7А"
};
// A pupil of a class in distance mode without any mail for `days` school
// days in a row up to the report day.
struct ReportInactiveLine {
  std::string pupil_name, class_name;
  int days = 0;
  std::string last_mail_local;  // "" when none ever
};
struct ReportFailedLine {
  std::string kind, recipient, summary, reply;
  std::string failed_local;
};
// One school day of a parent's digest.
struct ReportDigestDay {
  std::string day_local;
  enum class State { kNotSent, kPending, kSent, kFailed } state =
      State::kNotSent;
  std::string at_local;  // delivered or failed at; "" otherwise
  std::string reply;     // the server's last reply (failed, pending)
};
struct ReportParentLine {
  std::string parent_name;  // "Иванова Елена Викторовна"
  std::string children;     // "Иванов Пётр, 7А"
  std::vector<ReportDigestDay> days;
};
// A hotline question still unanswered after the promised time.
struct ReportQuestionLine {
  std::string who, sender, subject, received_local;
};
struct AdminReportFacts {
  std::string first_day_local, last_day_local;  // the same for a day
  bool weekly = false;
  std::string now_local;  // when it was made
  int ungraded_days = 3;
  std::vector<ReportSubjectLine> subjects;
  std::vector<ReportUngradedLine> ungraded;
  std::vector<ReportInactiveLine> inactive;
  std::vector<ReportFailedLine> failed;
  std::vector<ReportParentLine> parents;
  std::vector<ReportQuestionLine> questions;
};

// The percentage of `part` in `whole`, rounded half up (2 of 3: 67); 0
// when `whole` is 0.
int RoundedPercent(int part, int whole);

// To the administration: text and a simple HTML part (inline styles, one
// column of at most 600px; tables of at most four narrow columns, long
// values wrap).
Result<MailText> RenderAdminReport(const TemplateSet& set,
                                   const SchoolInfo& school,
                                   const AdminReportFacts& facts);

// --- Grades by mail to the school mailbox (daemon/grade_mail.h) ---

// The answer to a teacher's grade mail: recorded, or a problem code
// (not_authenticated, bad_grade, no_work, not_yours, not_recorded) the
// template words.
struct GradeByMailFacts {
  std::string teacher_name, mail_subject;
  bool recorded = false;
  std::string problem;
  std::string grade_line;  // bad_grade: the line as written
  std::string pupil_name;  // when the work was found
  std::string work;        // "ДЗ-1 Алгебра" or «subject»
  std::string value;       // recorded: "5", "зачёт"
};
Result<MailText> RenderGradeByMail(const TemplateSet& set,
                                   const SchoolInfo& school,
                                   const GradeByMailFacts& facts);

}  // namespace schoolmail
