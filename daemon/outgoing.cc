#include "daemon/outgoing.h"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/text.h"
#include "daemon/rules/school_time.h"

#ifndef SCHOOLMAIL_TEMPLATES_DIR
#error "SCHOOLMAIL_TEMPLATES_DIR must name the built-in templates folder"
#endif

namespace schoolmail {
namespace {

namespace fs = std::filesystem;

const MailboxSettings* MailboxNamed(const Settings& settings,
                                    const std::string& name) {
  for (const MailboxSettings& m : settings.teacher_mailboxes) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

bool HasWarning(const std::string& list, std::string_view warning) {
  for (const std::string& w : SplitList(list, ",")) {
    if (w == warning) return true;
  }
  return false;
}

}  // namespace

std::string BuiltInTemplateDir(const std::string& language) {
  return std::string(SCHOOLMAIL_TEMPLATES_DIR) + "/" + language;
}

Result<TemplateSet> LoadTemplateSet(const SchoolSettings& school) {
  std::string dir = school.templates_dir.empty()
                        ? BuiltInTemplateDir(school.language)
                        : school.templates_dir;
  TemplateSet set;
  set.language = school.language;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".mustache") {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in && !in.eof()) {
      return Status::Error("cannot read template " + entry.path().string(),
                           Scope::kProcess);
    }
    set.files[entry.path().filename().string()] = text.str();
  }
  if (ec) {
    return Status::Error("template folder " + dir + ": " + ec.message(),
                         Scope::kProcess);
  }
  for (const std::string& name : RequiredTemplateFiles()) {
    if (!set.files.count(name)) {
      return Status::Error("template folder " + dir + " has no " + name,
                           Scope::kProcess);
    }
  }
  return set;
}

std::string RandomToken() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // OpenSSL's generator failing is not something to carry on from.
    spdlog::critical("RAND_bytes failed");
    std::abort();
  }
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

SchoolInfo SchoolInfoOf(const Settings& settings) {
  return SchoolInfo{settings.school.name, settings.school.site,
                    settings.school.hotline, settings.school_mailbox.address};
}

std::string SenderDomain(const Settings& settings) {
  const std::string& sender = settings.smtp.sender;
  auto at = sender.rfind('@');
  return at == std::string::npos ? sender : sender.substr(at + 1);
}

std::string HumanTime(std::int64_t instant, const MailContext& context,
                      bool seconds) {
  bool russian = context.templates.language == "ru";
  std::string format = russian ? "%d.%m.%Y %H:%M" : "%Y-%m-%d %H:%M";
  if (seconds) format += ":%S";
  return FormatLocalAs(instant, context.settings->school.time_zone, format)
      .value_or("?");
}

Envelope AnswerEnvelope(const ParsedMessage& mail, const std::string& kind,
                        const std::string& dedup_key,
                        const OutgoingAddress& to) {
  Envelope envelope;
  envelope.kind = kind;
  envelope.dedup_key = dedup_key;
  envelope.to = {to};
  if (mail.message_id) {
    envelope.in_reply_to = {*mail.message_id};
    envelope.references = mail.references;
    envelope.references.push_back(*mail.message_id);
  }
  envelope.automatic = true;
  return envelope;
}

Result<EnqueueResult> QueueMail(Store& store, const MailContext& context,
                                const MailText& text, const Envelope& envelope,
                                std::int64_t now) {
  const Settings& settings = *context.settings;
  OutgoingMail mail;
  mail.from = {settings.smtp.sender_name, settings.smtp.sender};
  mail.to = envelope.to;
  mail.reply_to = envelope.reply_to;
  mail.subject = text.subject;
  mail.message_id = envelope.message_id.empty()
                        ? MakeMessageId(context.new_token(), SenderDomain(settings))
                        : envelope.message_id;
  mail.in_reply_to = envelope.in_reply_to;
  mail.references = envelope.references;
  mail.date = now;
  mail.utc_offset_minutes =
      UtcOffsetMinutes(now, settings.school.time_zone).value_or(0);
  mail.auto_submitted = envelope.automatic ? "auto-replied" : "auto-generated";
  mail.extra_headers = {{"X-Schoolmail-Kind", envelope.kind}};
  mail.text = text.text;
  mail.html = text.html;
  mail.attachments = envelope.attachments;
  auto written = WriteMail(mail);
  if (!written.ok()) {
    return written.status().WithContext("writing " + envelope.kind + " mail");
  }
  OutboxMail queued;
  queued.kind = envelope.kind;
  queued.dedup_key = envelope.dedup_key;
  queued.envelope_from = settings.smtp.sender;
  if (envelope.bcc.empty()) {
    for (const OutgoingAddress& a : envelope.to) {
      queued.recipients.push_back(a.address);
    }
  } else {
    queued.recipients = envelope.bcc;
  }
  // Envelope recipients become SMTP commands: nothing unsafe gets that far
  // (RELIABILITY 21). The writer checked the header addresses already.
  for (const std::string& r : queued.recipients) {
    if (!IsSafeMailAddress(r)) {
      return Status::Error("writing " + envelope.kind +
                           " mail: unsafe recipient address \"" +
                           OneLine(r) + "\"");
    }
  }
  queued.message_id = mail.message_id;
  queued.summary = text.subject;
  queued.body = std::move(*written);
  queued.automatic = envelope.automatic;
  queued.receipt_for = envelope.receipt_for;
  return store.Enqueue(queued, now,
                       settings.limits.auto_mails_per_recipient_per_day);
}

Result<DailyJobCheck> DailyJobDue(Store& store, const Settings& settings,
                                  const std::string& job, TimeOfDay at,
                                  std::int64_t now) {
  const std::string& zone = settings.school.time_zone;
  DailyJobCheck check;
  auto today = LocalDay(now, zone);
  if (!today) return today.status();
  if (!IsSchoolDay(*today, settings.school)) {
    check.skipped = "not a school day";
    return check;
  }
  auto from = DeadlineFor(*today, at, zone);
  if (!from) return from.status();
  if (now < *from) {
    check.skipped = "before " + at.ToString();
    return check;
  }
  auto done = store.IsJobDone(job, *today);
  if (!done) return done.status();
  if (*done) {
    check.skipped = "sent already";
    return check;
  }
  check.day = *today;
  return check;
}

Result<ReceiptReport> QueueReceipts(Store& store, const MailContext& context,
                                    std::int64_t now) {
  ReceiptReport report;
  const Settings& settings = *context.settings;
  const std::string& zone = settings.school.time_zone;
  auto pending = store.ListPendingReceipts(settings.outbox.batch);
  if (!pending.ok()) return pending.status();
  if (pending->empty()) return report;
  auto roster = store.LoadRoster();
  if (!roster.ok()) return roster.status();
  auto assignments = store.LoadAssignments();
  if (!assignments.ok()) return assignments.status();
  SchoolInfo school = SchoolInfoOf(settings);
  auto today = LocalDay(now, zone);
  if (!today.ok()) return today.status();

  const int cap = settings.limits.auto_mails_per_recipient_per_day;
  std::set<std::string> capped_addresses;
  for (const PendingReceipt& r : *pending) {
    auto drop = [&](const std::string& why) -> Status {
      spdlog::error("receipt for submission {} not sent: {}", r.submission_id,
                    why);
      ++report.suppressed;
      return store.DropReceipt(r.submission_id, why, now);
    };
    // Over the cap: suppressed before it is rendered and written, and with
    // it every other receipt owed to that address (a backlog goes in one
    // transaction, not a batch a cycle).
    if (capped_addresses.count(r.sender)) continue;  // dropped just now
    auto reached = store.AutomaticCapReached(r.sender, now, cap);
    if (!reached.ok()) return reached.status();
    if (*reached) {
      auto dropped = store.DropReceiptsTo(
          r.sender,
          "cap of " + std::to_string(cap) +
              " automatic mails in 24 hours reached",
          now);
      if (!dropped.ok()) return dropped.status();
      report.suppressed += *dropped;
      capped_addresses.insert(r.sender);
      spdlog::warn("{} receipt(s) to {} suppressed: {} automatic mails in 24 "
                   "hours",
                   *dropped, r.sender, cap);
      continue;
    }
    auto pupil = std::find_if(roster->pupils.begin(), roster->pupils.end(),
                              [&](const Pupil& p) { return p.id == r.pupil_id; });
    if (pupil == roster->pupils.end()) {
      if (Status s = drop("pupil " + r.pupil_id + " is not in the roster");
          !s.ok()) {
        return s;
      }
      continue;
    }
    const MailboxSettings* mailbox = MailboxNamed(settings, r.mailbox);
    const Teacher* teacher =
        mailbox ? TeacherWithAddress(*roster, mailbox->address) : nullptr;
    ReceiptFacts facts;
    facts.pupil_name = pupil->name.FirstLast();
    facts.teacher_name = teacher ? teacher->name.FirstMiddleLast()
                                 : (mailbox ? mailbox->address : r.mailbox);
    facts.mail_subject = r.mail_subject;
    facts.received_local = HumanTime(r.received_at, context, true);
    facts.late = r.status == "late";
    facts.attempt = r.attempt;
    for (const StoredAttachment& a : r.attachments) {
      facts.attachments.push_back({a.name, a.size, a.sha256});
    }
    bool still_time = true;
    auto assignment =
        std::find_if(assignments->begin(), assignments->end(),
                     [&](const Assignment& a) { return a.code == r.assignment_code; });
    if (!r.assignment_code.empty() && assignment != assignments->end()) {
      facts.matched = true;
      facts.assignment_code = assignment->code;
      facts.assignment_title = assignment->title;
      facts.school_subject = assignment->subject;
      auto deadline = DeadlineFor(assignment->due_day, assignment->due_time, zone);
      if (!deadline.ok()) return deadline.status();
      facts.due_local = HumanTime(*deadline, context);
      still_time = now <= *deadline;
    } else {
      for (const Assignment& a : *assignments) {
        bool teachers = !teacher || a.teacher_id.empty() || a.teacher_id == teacher->id;
        bool open = a.set_day <= *today &&
                    date::sys_days{*today} <=
                        date::sys_days{a.due_day} +
                            date::days{settings.intake.late_window_days};
        if (a.class_name == pupil->class_name && teachers && open) {
          auto deadline = DeadlineFor(a.due_day, a.due_time, zone);
          facts.open_codes.push_back(
              a.code + " " + a.subject + ": " + a.title +
              (deadline.ok() ? " (" + HumanTime(*deadline, context) + ")" : ""));
        }
      }
    }
    if (still_time) {
      facts.warn_no_attachment = HasWarning(r.warnings, "no_attachment");
      facts.warn_only_links = HasWarning(r.warnings, "only_links");
      facts.warn_empty_text = HasWarning(r.warnings, "empty_text");
    }
    auto text = RenderReceipt(context.templates, school, facts);
    if (!text.ok()) return text.status();  // the school's templates: stop
    Envelope envelope;
    envelope.kind = "receipt";
    envelope.dedup_key = "receipt:" + std::to_string(r.submission_id);
    envelope.to = {{facts.pupil_name, r.sender}};
    if (mailbox) envelope.reply_to = OutgoingAddress{facts.teacher_name, mailbox->address};
    if (!r.message_id.empty()) {
      envelope.in_reply_to = {r.message_id};
      envelope.references = {r.message_id};
    }
    envelope.automatic = true;
    envelope.receipt_for = r.submission_id;
    auto queued = QueueMail(store, context, *text, envelope, now);
    if (!queued.ok()) {
      if (queued.status().scope() == Scope::kItem) {
        if (Status s = drop(queued.status().message()); !s.ok()) return s;
        continue;
      }
      return queued.status();
    }
    if (queued->outcome == EnqueueOutcome::kSuppressed) {
      ++report.suppressed;
      spdlog::warn("receipt for submission {} to {} suppressed: {} automatic "
                   "mails in 24 hours",
                   r.submission_id, r.sender, cap);
    } else {
      ++report.queued;
    }
  }
  return report;
}

Result<int> QueueFailureNotices(Store& store, const MailContext& context,
                                std::int64_t now) {
  const Settings& settings = *context.settings;
  auto failures = store.TakeUnreportedFailures();
  if (!failures.ok()) return failures.status();
  int queued = 0;
  SchoolInfo school = SchoolInfoOf(settings);
  for (const OutboxEntry& e : *failures) {
    DeliveryFailureFacts facts;
    facts.kind = e.kind;
    facts.mail_subject = e.summary;
    facts.queued_local = HumanTime(e.created_at, context);
    facts.attempts = e.attempts;
    for (const OutboxRecipient& r : e.recipients) {
      if (r.state == "failed") facts.recipients.push_back({r.address, r.last_reply});
    }
    if (settings.school.admin_address.empty() || e.kind == "delivery_failure") {
      continue;  // logged by the drain already
    }
    auto text = RenderDeliveryFailure(context.templates, school, facts);
    if (!text.ok()) return text.status();
    Envelope envelope;
    envelope.kind = "delivery_failure";
    envelope.dedup_key = "failure:" + std::to_string(e.id) + ":" +
                         std::to_string(e.attempts);
    envelope.to = {{"", settings.school.admin_address}};
    auto result = QueueMail(store, context, *text, envelope, now);
    if (!result.ok()) return result.status();
    if (result->outcome == EnqueueOutcome::kQueued) ++queued;
  }
  return queued;
}

}  // namespace schoolmail

// --- Daily jobs' mail ---

namespace schoolmail {

Result<DailyMailOutcome> QueueDailyMail(
    Store& store, const MailContext& context, const MailText& text,
    const Envelope& envelope, std::int64_t now, const std::string& whom) {
  auto queued = QueueMail(store, context, text, envelope, now);
  if (!queued) {
    if (queued.status().scope() != Scope::kItem) return queued.status();
    spdlog::error("{} cannot be written: {}", whom, queued.status().message());
    return DailyMailOutcome::kFailed;
  }
  return queued->outcome == EnqueueOutcome::kDuplicate
             ? DailyMailOutcome::kAlready
             : DailyMailOutcome::kQueued;
}

}  // namespace schoolmail
