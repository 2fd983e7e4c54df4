#include "daemon/school_mailbox.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "config/address.h"
#include "config/text.h"
#include "daemon/archive.h"
#include "daemon/assignments.h"
#include "daemon/grade_mail.h"
#include "daemon/hotline.h"
#include "daemon/illness_mail.h"
#include "daemon/imap/imap_session.h"
#include "daemon/intake.h"
#include "daemon/outgoing.h"
#include "daemon/rules/classify.h"
#include "daemon/rules/school_time.h"
#include "daemon/rules/tagged_assignment.h"
#include "parsers/assignment_tag.h"
#include "parsers/grade_line.h"
#include "parsers/mime_message.h"
#include "parsers/plan.h"
#include "parsers/sha256.h"

namespace schoolmail {
namespace {

constexpr const char* kMailboxName = "school";
constexpr const char* kFolder = "INBOX";

std::vector<std::string> LinksIn(const std::string& text) {
  std::vector<std::string> links;
  for (const std::string& word : SplitList(text, " \t\n")) {
    if (LooksLikeWebLink(word) &&
        std::find(links.begin(), links.end(), word) == links.end()) {
      links.push_back(word);
    }
  }
  return links;
}

// The same assignment stored before (a restart after storing it, before
// the message was recorded): nothing is set twice.
std::optional<Assignment> AlreadySet(const std::vector<Assignment>& stored,
                                     const Assignment& a) {
  for (const Assignment& s : stored) {
    if (s.class_name == a.class_name && s.subject == a.subject &&
        s.teacher_id == a.teacher_id && s.title == a.title &&
        s.due_day == a.due_day && s.due_time == a.due_time) {
      return s;
    }
  }
  return std::nullopt;
}

// Handles a tagged mail; returns the outcome to record.
Result<std::string> HandleTag(const Settings& settings, Store& store,
                              const MailContext& context,
                              const ParsedMessage& mail, const TagParse& parse,
                              const std::string& message_key,
                              SchoolMailboxReport* report, std::int64_t now) {
  auto roster = store.LoadRoster();
  if (!roster) return roster.status();
  std::string sender =
      mail.from.empty() ? "" : NormalizeAddress(mail.from[0].address).value_or("");
  const Teacher* teacher = TeacherWithAddress(*roster, sender);
  if (teacher == nullptr ||
      AuthenticationVerdict(mail, settings.intake.authserv_id) == "fail") {
    ++report->refused;
    spdlog::warn("school mailbox: assignment tag from {} refused: {}", sender,
                 teacher ? "failed the school server's authentication check"
                         : "not a teacher's address");
    return std::string(teacher ? "tag_refused: authentication failed"
                               : "tag_refused: not a teacher");
  }
  auto today = LocalDay(now, settings.school.time_zone);
  if (!today) return today.status();
  TagDecision decision =
      DecideTaggedAssignment(parse, *teacher, *roster, settings.school, *today);
  SchoolInfo school = SchoolInfoOf(settings);
  if (!decision.assignment) {
    TagErrorFacts facts;
    facts.mail_subject = mail.subject.value_or("");
    for (const TagProblemLine& p : decision.problems) {
      auto line = RenderTagProblem(context.templates, p.code, p.detail);
      if (!line) return line.status();
      facts.problems.push_back(*line);
    }
    std::string klass = teacher->classes.empty() ? "7А" : teacher->classes.front();
    std::string subject = teacher->subjects.empty() ? "Алгебра" : teacher->subjects.front();
    facts.example = "#задание " + klass + " " + subject + " до " +
                    date::format("%d.%m", NextSchoolDay(*today, settings.school)) +
                    ": §12 №1-5";
    auto text = RenderAssignmentRejection(context.templates, school, facts);
    if (!text) return text.status();
    const Envelope envelope = AnswerEnvelope(
        mail, "assignment_rejection",
        "tag-rejection:" + Sha256Hex(message_key), {"", sender});
    auto queued = QueueMail(store, context, *text, envelope, now);
    if (!queued) return queued.status();
    ++report->rejected;
    std::string codes;
    for (const TagProblemLine& p : decision.problems) {
      codes += (codes.empty() ? "" : ",") + p.code;
    }
    spdlog::info("school mailbox: assignment tag from {} not understood: {}",
                 sender, codes);
    return "tag_rejected: " + codes;
  }
  Assignment a = *decision.assignment;
  a.instructions = std::string(Trim(mail.text));
  a.links = LinksIn(mail.text);
  auto stored = store.LoadAssignments();
  if (!stored) return stored.status();
  if (auto known = AlreadySet(*stored, a)) {
    return "assignment: " + known->code + " (set before)";
  }
  std::vector<MailAttachment> worksheets;
  for (const Attachment& part : mail.attachments) {
    if (part.inline_part && part.name.empty()) continue;  // a signature logo
    worksheets.push_back({part.name, part.content_type, part.data});
  }
  auto created = CreateAssignment(store, context, a, "mail", worksheets, now);
  if (!created) return created.status();
  ++report->assignments;
  spdlog::info("school mailbox: {} set by {} for {} {}, due {}", created->code,
               teacher->id, created->class_name, created->subject,
               FormatDate(created->due_day));
  return "assignment: " + created->code;
}

// `статус` or `status` as the subject's first word, or alone on the first
// line of the text.
bool IsStatusRequest(const ParsedMessage& mail) {
  auto first_word = [](std::string_view text) {
    std::vector<std::string> words = SplitList(text, " \t\n.,!?:;");
    return words.empty() ? std::string() : LowerUtf8Cyrillic(words.front());
  };
  auto is_status = [](const std::string& word) {
    return word == "статус" || word == "status";
  };
  if (is_status(first_word(mail.subject.value_or("")))) return true;
  std::string_view text = Trim(mail.text);
  std::string_view line = text.substr(0, text.find('\n'));
  return is_status(first_word(line)) && SplitList(line, " \t.,!?").size() == 1;
}

// What a pupil (or each child of a parent) has to do and has got: the
// assignments of the class set by today and due from a week ago on, and
// the current grades of the last 30 days.
Result<StatusChild> StatusOf(const Settings& settings, Store& store,
                             const MailContext& context, const Pupil& pupil,
                             const std::vector<Assignment>& assignments,
                             std::int64_t now) {
  const std::string& zone = settings.school.time_zone;
  auto today = LocalDay(now, zone);
  if (!today) return today.status();
  StatusChild child{pupil.name.FirstLast(), pupil.class_name, {}, {}};
  SubmissionFilter filter;
  filter.class_name = pupil.class_name;
  auto submissions = store.ListSubmissions(filter);
  if (!submissions) return submissions.status();
  for (const Assignment& a : assignments) {
    if (a.class_name != pupil.class_name || *today < a.set_day ||
        date::sys_days{a.due_day} + date::days{7} < date::sys_days{*today}) {
      continue;
    }
    auto deadline = DeadlineFor(a.due_day, a.due_time, zone);
    if (!deadline) return deadline.status();
    StatusAssignmentLine line{a.code, a.subject, a.title,
                              HumanTime(*deadline, context)};
    for (const SubmissionRow& row : *submissions) {
      if (row.pupil_id != pupil.id || row.assignment_code != a.code) continue;
      if (row.status != "on_time" && row.status != "late") continue;
      line.handed_in = true;
      line.late = row.status == "late";  // rows come oldest first
      ++line.attempts;
    }
    line.overdue = !line.handed_in && now > *deadline;
    child.assignments.push_back(std::move(line));
  }
  GradeFilter grades;
  grades.pupil_id = pupil.id;
  grades.graded_from = now - 30 * 24 * 60 * 60;
  auto rows = store.ListGrades(grades);
  if (!rows) return rows.status();
  bool russian = context.templates.language == "ru";
  for (const GradeRow& g : *rows) {
    child.grades.push_back({g.submission.assignment_code,
                            g.submission.school_subject,
                            g.submission.assignment_title,
                            GradeValueText(g.value, russian), g.comment,
                            g.teacher_name, HumanTime(g.graded_at, context)});
  }
  return child;
}

// Answers `статус` from a pupil (their own work) or a parent (each child's);
// anyone else, or a sender the school's server failed, gets nothing.
Result<std::string> HandleStatus(const Settings& settings, Store& store,
                                 const MailContext& context,
                                 const ParsedMessage& mail,
                                 const std::string& message_key,
                                 SchoolMailboxReport* report, std::int64_t now) {
  std::string sender =
      mail.from.empty() ? "" : NormalizeAddress(mail.from[0].address).value_or("");
  if (AuthenticationVerdict(mail, settings.intake.authserv_id) == "fail") {
    ++report->refused;
    return std::string("status_refused: authentication failed");
  }
  auto roster = store.LoadRoster();
  if (!roster) return roster.status();
  auto has = [&](const std::vector<std::string>& addresses) {
    return std::find(addresses.begin(), addresses.end(), sender) != addresses.end();
  };
  std::string name;
  std::vector<const Pupil*> children;
  for (const Pupil& p : roster->pupils) {
    if (has(p.addresses)) {
      name = p.name.FirstLast();
      children.push_back(&p);
    }
  }
  for (const Parent& parent : roster->parents) {
    if (!has(parent.addresses)) continue;
    name = parent.name.FirstMiddleLast();
    for (const std::string& id : parent.children) {
      for (const Pupil& p : roster->pupils) {
        if (p.id == id) children.push_back(&p);
      }
    }
  }
  if (children.empty()) {
    ++report->refused;
    return std::string("status_refused: not a pupil's or parent's address");
  }
  auto assignments = store.LoadAssignments();
  if (!assignments) return assignments.status();
  StatusFacts facts{name, HumanTime(now, context), {}};
  for (const Pupil* pupil : children) {
    auto child = StatusOf(settings, store, context, *pupil, *assignments, now);
    if (!child) return child.status();
    facts.children.push_back(std::move(*child));
  }
  auto text = RenderStatusReply(context.templates, SchoolInfoOf(settings), facts);
  if (!text) return text.status();
  const Envelope envelope = AnswerEnvelope(
      mail, "status_reply", "status:" + Sha256Hex(message_key), {name, sender});
  auto queued = QueueMail(store, context, *text, envelope, now);
  if (!queued) return queued.status();
  ++report->status_replies;
  return std::string("status_reply");
}

// Mail that is no command: an answer to a hotline question, a reply-all
// to an assignment mail (left alone), or a question for the hotline
// (daemon/hotline.h).
Result<std::string> HandleOther(const Settings& settings, Store& store,
                                const MailContext& context,
                                const ParsedMessage& mail,
                                const std::string& message_key,
                                SchoolMailboxReport* report, std::int64_t now) {
  auto answer =
      RelayHotlineAnswer(settings, store, context, mail, message_key, now);
  if (!answer) return answer.status();
  if (*answer) {
    if (answer->value().starts_with("hotline_answer:")) {
      ++report->hotline_answers;
    } else {
      ++report->refused;
    }
    return **answer;
  }
  auto assignments = store.LoadAssignments();
  if (!assignments) return assignments.status();
  if (RepliesToAssignmentMail(mail, *assignments)) {
    ++report->ignored;
    return std::string("reply to an assignment mail");
  }
  auto question =
      TakeHotlineQuestion(settings, store, context, mail, message_key, now);
  if (!question) return question.status();
  ++report->hotline_questions;
  return *question;
}

}  // namespace

Result<SchoolMailboxReport> RunSchoolMailbox(const Settings& settings,
                                             Store& store, std::int64_t now) {
  SchoolMailboxReport report;
  const MailboxSettings& mailbox = settings.school_mailbox;
  auto fail = [&](const Status& status) {
    (void)store.RecordPoll(kMailboxName, kFolder, now, status.message());
    return status.WithContext("school mailbox");
  };
  auto templates = LoadTemplateSet(settings.school);
  if (!templates) return templates.status();
  MailContext context{&settings, std::move(*templates)};
  auto session = ImapSession::Open(ImapEndpoint{mailbox.url, mailbox.user,
                                                mailbox.password, settings.ca_file});
  if (!session) return fail(session.status());
  ImapSession& imap = **session;
  std::int64_t uid_validity = 0;
  std::vector<std::string> notes;
  auto uids = NewUids(imap, store, kMailboxName, kFolder, &uid_validity, &notes);
  if (!uids) return fail(uids.status());
  const std::vector<std::string> own = {settings.smtp.sender, mailbox.address};

  // One message at a time: the school mailbox gets few, and each may set an
  // assignment; its record (and cursor) is committed after its effects,
  // which are idempotent (dedup keys, an assignment set before is found).
  for (std::uint32_t uid : *uids) {
    auto meta = imap.UidFetch({uid}, "(UID RFC822.SIZE)");
    if (!meta) return fail(meta.status());
    IntakeRecord record{kMailboxName, kFolder, uid_validity, uid, "", "", now,
                        std::nullopt};
    if (!meta->empty() && meta->front().size.value_or(0) > settings.limits.message_bytes) {
      record.message_key = std::string(kMailboxName) + "\ntoo-large\n" +
                           std::to_string(uid_validity) + ":" + std::to_string(uid);
      record.outcome = "too_large";
      auto recorded = store.RecordIntake(record);
      if (!recorded) return recorded.status();
      continue;
    }
    auto fetched = imap.UidFetch({uid}, "(UID BODY.PEEK[])");
    if (!fetched) return fail(fetched.status());
    if (fetched->empty() || !fetched->front().body) continue;  // expunged
    const std::string& bytes = *fetched->front().body;
    ++report.new_messages;
    std::string hash = Sha256Hex(bytes);
    auto archived = ArchiveMessage(settings.data_dir, bytes, hash, Durability::kNow);
    if (!archived) return fail(archived.status());
    MimeParse parse = ParseMessage(bytes, settings.limits, AttachmentData::kKeep);
    const ParsedMessage* mail = parse.message ? &*parse.message : nullptr;
    record.message_key =
        MessageKey(kMailboxName, mail ? mail->message_id : std::nullopt, hash);
    auto known = store.IsProcessed(record.message_key);
    if (!known) return known.status();
    if (*known) {
      record.outcome = "known";
    } else if (!mail) {
      record.outcome = "rejected: " + parse.rejection->limit;
      ++report.other;
    } else {
      std::string sender =
          mail->from.empty() ? "" : NormalizeAddress(mail->from[0].address).value_or("");
      bool ours = std::find(own.begin(), own.end(), sender) != own.end();
      TagParse tag = ParseAssignmentTag(
          mail->subject.value_or(""),
          LocalDay(now, settings.school.time_zone).value_or(Date{}));
      if (mail->kind != MessageKind::kOrdinary || ours) {
        record.outcome = ours ? "own mail" : MessageKindName(mail->kind);
        ++report.ignored;
      } else if (tag.is_tag) {
        auto outcome = HandleTag(settings, store, context, *mail, tag,
                                 record.message_key, &report, now);
        if (!outcome) return outcome.status();
        record.outcome = *outcome;
      } else if (IsStatusRequest(*mail)) {
        auto outcome = HandleStatus(settings, store, context, *mail,
                                    record.message_key, &report, now);
        if (!outcome) return outcome.status();
        record.outcome = *outcome;
      } else if (IsIllnessMail(*mail)) {
        // A class teacher's "Болеет: ..." lines (daemon/illness_mail.h).
        auto outcome = HandleIllnessMail(settings, store, context, *mail,
                                         record.message_key, &report, now);
        if (!outcome) return outcome.status();
        record.outcome = *outcome;
      } else if (auto roster = store.LoadRoster();
                 roster && IsGradeMail(*mail, *roster, settings.grades.scale)) {
        // A teacher's grade quoting a pupil's work (daemon/grade_mail.h).
        auto outcome = HandleGradeMail(settings, store, context, *mail,
                                       record.message_key, now);
        if (!outcome) return outcome.status();
        ++(outcome->starts_with("grade:") ? report.grades : report.refused);
        record.outcome = *outcome;
      } else {
        auto outcome = HandleOther(settings, store, context, *mail,
                                   record.message_key, &report, now);
        if (!outcome) return outcome.status();
        record.outcome = *outcome;
      }
    }
    auto recorded = store.RecordIntake(record);
    if (!recorded) return recorded.status();
  }
  imap.Logout();
  (void)store.RecordPoll(kMailboxName, kFolder, now, "");
  return report;
}

}  // namespace schoolmail
