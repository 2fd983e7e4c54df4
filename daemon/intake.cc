#include "daemon/intake.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <future>
#include <cstdlib>
#include <map>

#include "daemon/archive.h"
#include "daemon/crash_point.h"
#include "daemon/grades.h"
#include "daemon/imap/imap_session.h"
#include "daemon/rules/classify.h"
#include "daemon/rules/school_time.h"
#include "parsers/mime_message.h"
#include "parsers/sha256.h"

namespace schoolmail {
namespace {

constexpr size_t kMetaBatch = 200;
constexpr std::uint64_t kBodyBatchBytes = 48ull << 20;
// A backlog of more groups than this (over 60 MB) is fetched over two
// connections.
constexpr size_t kHelperGroups = 4;
// The first groups are smaller (4, 8, 16, 32 MB), so that the pipeline
// below starts working soon after the first fetch.
constexpr std::uint64_t kFirstBodyBatchBytes = 4ull << 20;
constexpr const char* kUnrecognised = "Не распознано";

SubmissionStatus ToStatus(Intake intake, bool late) {
  switch (intake) {
    case Intake::kSubmission:
      return late ? SubmissionStatus::kLate : SubmissionStatus::kOnTime;
    case Intake::kUnknownSender: return SubmissionStatus::kUnknownSender;
    case Intake::kReview: return SubmissionStatus::kReview;
    default: return SubmissionStatus::kUnmatched;
  }
}

long long Milliseconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

// One fetched message after the worker thread's part: hashed, archived
// (durable only after the group's SyncArchive) and parsed, unless it must
// be parsed carefully, one at a time, by the main thread.
struct PreparedMessage {
  std::uint32_t uid = 0;
  std::string bytes;
  std::string hash;          // SHA-256 hex: archive name, message key
  std::string archive_path;  // relative to the data folder
  std::optional<MimeParse> parse;  // nullopt: parse it carefully
};

// The pure and file work on a group of fetched messages, off the main
// thread: no store, no IMAP. Stops early (returning what it has) when `stop`
// is set.
Result<std::vector<PreparedMessage>> PrepareGroup(
    const std::string& data_dir, const Limits& limits,
    std::vector<FetchItem> bodies,
    const std::function<bool(std::uint32_t)>& careful,
    const std::atomic<bool>* stop) {
  std::sort(bodies.begin(), bodies.end(),
            [](const FetchItem& a, const FetchItem& b) { return *a.uid < *b.uid; });
  std::vector<PreparedMessage> prepared;
  prepared.reserve(bodies.size());
  for (FetchItem& item : bodies) {
    if (stop != nullptr && stop->load()) break;
    if (!item.body) continue;
    PreparedMessage message;
    message.uid = *item.uid;
    message.bytes = std::move(*item.body);
    // 1. Archive (made durable before the commit).
    message.hash = Sha256Hex(message.bytes);
    auto archived =
        ArchiveMessage(data_dir, message.bytes, message.hash, Durability::kBatch);
    if (!archived) return archived.status();
    message.archive_path = std::move(*archived);
    if (!careful(message.uid)) {
      CrashIfPoisoned(message.bytes);
      message.parse = ParseMessage(message.bytes, limits);
    }
    prepared.push_back(std::move(message));
  }
  return prepared;
}

Status ReadSentFolder(const Settings& settings, const MailboxSettings& mailbox,
                      Store& store, ImapSession& imap, std::int64_t now,
                      IntakeReport* report) {
  std::string sent = mailbox.sent_folder;
  if (sent.empty()) {
    auto found = imap.FindSpecialUse("\\Sent");
    if (!found) return found.status();
    if (!*found) return Status::Ok();  // no Sent folder: nothing to link
    sent = **found;
  }
  auto info = imap.Examine(sent);
  if (!info) {
    report->notes.push_back("Sent folder \"" + sent + "\" unreadable: " +
                            info.status().message());
    (void)store.RecordPoll(mailbox.name, sent, now, info.status().message());
    return info.status().retry() == Retry::kNow ? info.status() : Status::Ok();
  }
  auto cursor = store.GetCursor(mailbox.name, sent);
  if (!cursor) return cursor.status();
  if (cursor->uidvalidity != info->uid_validity) {
    Status reset = store.ResetCursor(mailbox.name, sent, info->uid_validity);
    if (!reset.ok()) return reset;
    cursor = MailboxCursor{info->uid_validity, 0};
  }
  auto uids = imap.UidsAfter(static_cast<std::uint32_t>(cursor->last_uid));
  if (!uids) return uids.status();
  std::optional<Roster> roster;  // loaded for the first reply to stored work
  for (size_t start = 0; start < uids->size(); start += kMetaBatch) {
    std::vector<std::uint32_t> batch(
        uids->begin() + static_cast<std::ptrdiff_t>(start),
        uids->begin() + static_cast<std::ptrdiff_t>(
                            std::min(uids->size(), start + kMetaBatch)));
    // Teachers' replies are small, but their forwarded photos need not be:
    // only the header decides the link; the whole message is archived.
    auto items = imap.UidFetch(batch, "(UID INTERNALDATE RFC822.SIZE BODY.PEEK[])");
    if (!items) return items.status();
    for (const FetchItem& item : *items) {
      if (!item.body) continue;
      ++report->sent_read;
      std::string hash = Sha256Hex(*item.body);
      auto archived = ArchiveMessage(settings.data_dir, *item.body, hash,
                                     Durability::kNow);
      if (!archived) return archived.status();
      MimeParse parse = ParseMessage(*item.body, settings.limits);
      SentRecord record;
      record.mailbox = mailbox.name;
      record.folder = sent;
      record.uidvalidity = info->uid_validity;
      record.uid = *item.uid;
      record.message_key = MessageKey(mailbox.name + "/" + sent,
                                      parse.message ? parse.message->message_id
                                                    : std::nullopt,
                                      hash);
      record.sent_at = item.internal_time.value_or(now);
      record.archive_path = *archived;
      if (parse.message) {
        record.message_id = parse.message->message_id.value_or("");
        record.refers_to = parse.message->in_reply_to;
        record.refers_to.insert(record.refers_to.end(),
                                parse.message->references.rbegin(),
                                parse.message->references.rend());
      }
      // A reply to stored work may carry a grade (daemon/grades.h): it is
      // read here and recorded with the link, in one transaction.
      std::optional<NewGrade> grade;
      std::string grade_note;
      if (parse.message && !record.refers_to.empty()) {
        auto target = store.FindRepliedSubmission(mailbox.name, record.refers_to);
        if (!target) return target.status();
        if (*target) {
          if (!roster) {
            auto loaded = store.LoadRoster();
            if (!loaded) return loaded.status();
            roster = std::move(*loaded);
          }
          ReplyGrade read = GradeFromReply(
              *parse.message, *target,
              MailboxTeacher(settings, *roster, mailbox.name),
              settings.grades.scale, record.sent_at);
          grade = std::move(read.grade);
          grade_note = std::move(read.note);
        }
      }
      auto linked = store.RecordSentWithGrade(record, grade);
      if (!linked && grade && linked.status().scope() == Scope::kItem) {
        // The store refused the grade (e.g. the teacher left the roster);
        // the reply itself is recorded.
        std::string note = mailbox.name + " " + sent + " UID " +
                           std::to_string(*item.uid) + ": grade not recorded: " +
                           linked.status().message();
        spdlog::warn("{}", note);
        report->notes.push_back(note);
        continue;
      }
      if (!linked) return linked.status();
      if (linked->submission_id != 0) {
        ++report->replies_linked;
        spdlog::info("{} {} UID {}: reply to submission {}", mailbox.name, sent,
                     *item.uid, linked->submission_id);
        if (linked->grade.grade_id != 0) {
          std::string note = "grade " + grade->value + " for submission " +
                             std::to_string(linked->submission_id) +
                             " recorded from " + mailbox.name + "'s reply" +
                             (linked->grade.replaced ? " (replaces the earlier one)"
                                                     : "");
          spdlog::info("{}", note);
          report->notes.push_back(note);
        } else if (!grade_note.empty()) {
          std::string note = mailbox.name + " " + sent + " UID " +
                             std::to_string(*item.uid) + ": " + grade_note;
          spdlog::warn("{}", note);
          report->notes.push_back(note);
        }
      }
    }
  }
  // `schoolmail status` shows when the Sent folder was last read, as for
  // INBOX.
  (void)store.RecordPoll(mailbox.name, sent, now, "");
  return Status::Ok();
}

}  // namespace

std::string QueueFolder(const std::string& root, const std::string& status,
                        const Assignment* assignment) {
  if ((status == "on_time" || status == "late") && assignment != nullptr) {
    return root + "/" + assignment->class_name + "/" + assignment->subject +
           "/" + FormatDate(assignment->due_day) + " " + assignment->code;
  }
  if (status == "unmatched" || status == "unknown_sender" ||
      status == "review") {
    return root + "/" + kUnrecognised;
  }
  return "";
}

std::string MessageKey(const std::string& mailbox,
                       const std::optional<std::string>& message_id,
                       const std::string& sha256) {
  return mailbox + "\n" + message_id.value_or("") + "\n" + sha256;
}

Result<std::vector<std::uint32_t>> NewUids(ImapSession& imap, Store& store,
                                           const std::string& mailbox,
                                           const std::string& folder,
                                           std::int64_t* uidvalidity,
                                           std::vector<std::string>* notes) {
  auto info = imap.Examine(folder);
  if (!info) return info.status();
  *uidvalidity = info->uid_validity;
  auto cursor = store.GetCursor(mailbox, folder);
  if (!cursor) return cursor.status();
  if (cursor->uidvalidity != info->uid_validity) {
    if (cursor->uidvalidity != 0) {
      std::string note = "UIDVALIDITY of " + mailbox + "/" + folder +
                         " changed from " + std::to_string(cursor->uidvalidity) +
                         " to " + std::to_string(info->uid_validity) +
                         ": reading it again; known messages are recognised "
                         "by Message-ID and content and not answered twice";
      spdlog::warn("{}", note);
      notes->push_back(note);
    }
    Status reset = store.ResetCursor(mailbox, folder, info->uid_validity);
    if (!reset.ok()) return reset;
    cursor = MailboxCursor{info->uid_validity, 0};
  }
  return imap.UidsAfter(static_cast<std::uint32_t>(cursor->last_uid));
}

Result<IntakeReport> RunIntake(const Settings& settings,
                               const MailboxSettings& mailbox, Store& store,
                               std::int64_t now,
                               const std::atomic<bool>* stop) {
  IntakeReport report;
  auto stopping = [stop] { return stop != nullptr && stop->load(); };
  bool stopped = false;  // SIGTERM came: what is done is committed, no more
  const std::string folder = "INBOX";
  auto fail = [&](const Status& status) {
    (void)store.RecordPoll(mailbox.name, folder, now, status.message());
    return status.WithContext("mailbox " + mailbox.name);
  };

  auto roster = store.LoadRoster();
  if (!roster) return roster.status();
  const Teacher* teacher = TeacherWithAddress(*roster, mailbox.address);
  if (teacher == nullptr) {
    return fail(Status::Error("no teacher in the roster has the address " +
                                  mailbox.address,
                              Scope::kMailbox));
  }
  auto all_assignments = store.LoadAssignments();
  if (!all_assignments) return all_assignments.status();
  IntakeContext context;
  context.roster = &*roster;
  context.teacher_id = teacher->id;
  context.own_addresses = {settings.smtp.sender, settings.school_mailbox.address};
  context.authserv_id = settings.intake.authserv_id;
  context.late_window_days = settings.intake.late_window_days;
  for (const Assignment& a : *all_assignments) {
    if (a.teacher_id == teacher->id) context.assignments.push_back(a);
  }

  ImapEndpoint endpoint{mailbox.url, mailbox.user, mailbox.password,
                        settings.ca_file};
  auto session_or = ImapSession::Open(endpoint);
  if (!session_or) return fail(session_or.status());
  ImapSession& imap = **session_or;

  std::int64_t uid_validity = 0;
  auto uids = NewUids(imap, store, mailbox.name, folder, &uid_validity,
                      &report.notes);
  if (!uids) return fail(uids.status());

  // A batch a previous run began and did not end (it crashed or was
  // killed while parsing, RELIABILITY 5): its messages are parsed one at a
  // time now, each attempt counted before the parser runs, and one that
  // used up [limits] parse_attempts goes to review unparsed.
  auto unfinished = store.UnfinishedIntakeBatch(mailbox.name, folder);
  if (!unfinished) return unfinished.status();
  std::function<bool(std::uint32_t)> careful = [&](std::uint32_t uid) {
    return *unfinished && (*unfinished)->uidvalidity == uid_validity &&
           uid >= (*unfinished)->first_uid && uid <= (*unfinished)->last_uid;
  };

  // Every new message's UID, date and size first (small), so that the
  // bodies below flow through one pipeline however many there are.
  std::vector<FetchItem> meta;
  for (size_t start = 0; start < uids->size(); start += kMetaBatch) {
    std::vector<std::uint32_t> batch(
        uids->begin() + static_cast<std::ptrdiff_t>(start),
        uids->begin() + static_cast<std::ptrdiff_t>(
                            std::min(uids->size(), start + kMetaBatch)));
    auto items = imap.UidFetch(batch, "(UID INTERNALDATE RFC822.SIZE)");
    if (!items) return fail(items.status());
    for (FetchItem& item : *items) meta.push_back(std::move(item));
  }
  // Ascending UIDs, so that each commit only moves the cursor over UIDs it
  // covers.
  std::sort(meta.begin(), meta.end(),
            [](const FetchItem& a, const FetchItem& b) { return *a.uid < *b.uid; });
  std::map<std::uint32_t, std::int64_t> received_at;
  for (const FetchItem& item : meta) {
    received_at[*item.uid] = item.internal_time.value_or(now);
  }
  // Bodies in groups of at most kBodyBatchBytes, the first ones smaller;
  // too large ones unread.
  std::vector<std::vector<std::uint32_t>> groups(1);
  std::uint64_t group_bytes = 0;
  std::vector<IntakeRecord> unread;  // too large to read
  for (const FetchItem& item : meta) {
    std::uint64_t size = item.size.value_or(0);
    if (size > settings.limits.message_bytes) {
      ++report.too_large;
      std::string note = mailbox.name + " UID " + std::to_string(*item.uid) +
                         ": " + std::to_string(size) +
                         " bytes, over message_bytes; left in INBOX unread";
      spdlog::warn("{}", note);
      report.notes.push_back(note);
      // Recorded with the last commit: the cursor must not pass smaller
      // UIDs that are not committed yet.
      unread.push_back(IntakeRecord{
          mailbox.name, folder, uid_validity, *item.uid,
          mailbox.name + "\ntoo-large\n" + std::to_string(uid_validity) +
              ":" + std::to_string(*item.uid),
          "too_large", now, std::nullopt});
      continue;
    }
    std::uint64_t limit = std::min(
        kBodyBatchBytes,
        kFirstBodyBatchBytes << std::min<size_t>(groups.size() - 1, 8));
    if (group_bytes + size > limit && !groups.back().empty()) {
      groups.emplace_back();
      group_bytes = 0;
    }
    groups.back().push_back(*item.uid);
    group_bytes += size;
  }

  // A pipeline of three threads: while the main thread classifies group g
  // and commits it, a worker hashes, archives and parses group g+1, and
  // another thread fetches group g+2. Only a fetching thread touches an
  // IMAP session meanwhile, one fetch per session at a time (the filing
  // below starts after the last fetch), only the main thread the store. The unfinished-batch mark covers every
  // group being parsed, so that a crash in the parser (RELIABILITY 5) makes
  // the next run parse those messages one at a time.
  //
  // A backlog of more than kHelperGroups groups is fetched over a second
  // connection too ([intake] fetch_connections): odd groups there, even
  // ones here, two fetches in flight. The server's TLS and reading then use
  // two cores (measured in bench/README.md). Without it (refused, another
  // UIDVALIDITY) one connection does all.
  std::unique_ptr<ImapSession> helper;
  if (settings.intake.fetch_connections > 1 && groups.size() > kHelperGroups) {
    auto opened = ImapSession::Open(endpoint);
    auto info = opened ? (*opened)->Examine(folder)
                       : Result<FolderInfo>(opened.status());
    if (info && info->uid_validity == uid_validity) {
      helper = std::move(*opened);
    } else {
      spdlog::info("{}: fetching over one connection: {}", mailbox.name,
                   info ? "UIDVALIDITY changed" : info.status().message());
    }
  }
  const size_t ahead = helper ? 2 : 1;
  auto fetch = [&imap, &helper](size_t g,
                                const std::vector<std::uint32_t>& group) {
    ImapSession& session = helper && g % 2 == 1 ? *helper : imap;
    return session.UidFetch(group, "(UID BODY.PEEK[])");
  };
  auto prepare = [&](std::vector<FetchItem> bodies) {
    return PrepareGroup(settings.data_dir, settings.limits, std::move(bodies),
                        careful, stop);
  };
  // Waits for group g's bodies, starts fetching the next group for that
  // session, marks g (and the group before it, still being committed) as
  // begun and starts preparing it.
  std::vector<std::future<Result<std::vector<FetchItem>>>> fetches(
      groups.size());
  std::future<Result<std::vector<PreparedMessage>>> preparing;
  auto start_fetch = [&](size_t g) {
    if (g < groups.size() && !groups[g].empty()) {
      fetches[g] = std::async(std::launch::async, fetch, g, std::cref(groups[g]));
    }
  };
  auto start_prepare = [&](size_t g) -> Status {
    if (g >= groups.size() || groups[g].empty()) return Status::Ok();
    Result<std::vector<FetchItem>> bodies = fetches[g].get();
    if (!bodies) return bodies.status();
    start_fetch(g + ahead);
    if (bodies->size() < groups[g].size()) {
      std::string note = mailbox.name + ": " +
                         std::to_string(groups[g].size() - bodies->size()) +
                         " message(s) expunged before they could be read";
      spdlog::info("{}", note);
      report.notes.push_back(note);
    }
    std::uint32_t first = g > 0 && !groups[g - 1].empty() ? groups[g - 1].front()
                                                          : groups[g].front();
    Status begun = store.BeginIntakeBatch(mailbox.name, folder, uid_validity,
                                          first, groups[g].back());
    if (!begun.ok()) return begun;
    preparing = std::async(std::launch::async, prepare, std::move(*bodies));
    return Status::Ok();
  };
  // 3. One transaction: the messages, their submissions, the cursor; the
  // archive made durable first.
  auto commit = [&](std::vector<IntakeRecord>& pending,
                    const std::vector<std::string>& archived) -> Status {
    if (pending.empty()) return Status::Ok();
    Status synced = SyncArchive(settings.data_dir);
    if (!synced.ok()) return synced;
    CrashPoint("after_archive");
    auto recorded = store.RecordIntakes(pending);
    if (!recorded) return recorded.status();
    pending.clear();
    CrashPoint("after_commit");
    ReleaseArchived(settings.data_dir, archived);
    return Status::Ok();
  };

  for (size_t g = 0; g < ahead; ++g) start_fetch(g);
  Status started = start_prepare(0);
  if (!started.ok()) return fail(started);
  for (size_t g = 0; g < groups.size() && !stopped; ++g) {
    auto group_start = std::chrono::steady_clock::now();
    Result<std::vector<PreparedMessage>> prepared =
        groups[g].empty() ? std::vector<PreparedMessage>{} : preparing.get();
    if (!prepared) return fail(prepared.status());
    Status next = start_prepare(g + 1);
    if (!next.ok()) return fail(next);
    auto waited = std::chrono::steady_clock::now() - group_start;
    std::vector<IntakeRecord> records;
    std::vector<std::string> archived;
    for (PreparedMessage& message : *prepared) {
      if (stopping()) {
        stopped = true;
        break;
      }
      CrashPoint("after_fetch");
      ++report.new_messages;
      archived.push_back(message.archive_path);
      std::int64_t received = received_at.count(message.uid)
                                  ? received_at[message.uid]
                                  : now;
      // 2. Parse and classify (after a crash, one message at a time).
      bool one_by_one = !message.parse.has_value();
      MimeParse parse;
      if (one_by_one) {
        auto attempts = store.NoteParseAttempt(mailbox.name, folder,
                                               uid_validity, message.uid);
        if (!attempts) return attempts.status();
        if (*attempts > settings.limits.parse_attempts) {
          std::string note = mailbox.name + " UID " + std::to_string(message.uid) +
                             ": not parsed after " +
                             std::to_string(*attempts - 1) +
                             " attempts that did not finish; sent to review";
          spdlog::error("{}", note);
          report.notes.push_back(note);
          parse.rejection = MimeRejection{
              "parse_attempts", "the parser did not finish " +
                                    std::to_string(*attempts - 1) + " times"};
        } else {
          CrashIfPoisoned(message.bytes);
          parse = ParseMessage(message.bytes, settings.limits);
        }
      } else {
        parse = std::move(*message.parse);
      }
      const ParsedMessage* parsed = parse.message ? &*parse.message : nullptr;
      IntakeRecord record{mailbox.name, folder, uid_validity, message.uid,
                          MessageKey(mailbox.name, parsed ? parsed->message_id : std::nullopt, message.hash), "", now,
                          std::nullopt};
      auto known = store.IsProcessed(record.message_key);
      if (!known) return known.status();
      if (*known) {
        ++report.known;
        record.outcome = "known";
        records.push_back(std::move(record));
        if (one_by_one) {
          Status committed = commit(records, archived);
          if (!committed.ok()) return fail(committed);
        }
        continue;
      }
      auto day = LocalDay(received, settings.school.time_zone);
      if (!day) return day.status();
      SubmissionRecord submission;
      submission.received_at = received;
      submission.archive_path = message.archive_path;
      if (!parsed) {
        submission.status = SubmissionStatus::kReview;
        submission.subject = "";
        record.outcome = "rejected: " + parse.rejection->limit;
        ++report.review;
      } else {
        submission.subject = parsed->subject.value_or("");
        submission.message_id = parsed->message_id.value_or("");
        if (!parsed->from.empty()) submission.sender = parsed->from[0].address;
        for (const Attachment& a : parsed->attachments) {
          submission.attachments.push_back(
              {a.name, a.content_type, a.size, a.sha256});
        }
      }
      bool old = settings.intake.start_date &&
                 *day < *settings.intake.start_date;
      if (parsed) {
        Classification c = ClassifySubmission(*parsed, *day, context);
        record.outcome = IntakeName(c.intake);
        if (c.pupil) submission.pupil_id = c.pupil->id;
        bool late = false;
        if (c.assignment) {
          submission.assignment_code = c.assignment->code;
          auto deadline = DeadlineFor(c.assignment->due_day,
                                      c.assignment->due_time,
                                      settings.school.time_zone);
          if (!deadline) return deadline.status();
          late = JudgeTimeliness(received, *deadline) == Timeliness::kLate;
        }
        submission.status = ToStatus(c.intake, late);
        switch (c.intake) {
          case Intake::kSubmission:
            ++report.submissions;
            if (late) ++report.late;
            break;
          case Intake::kUnmatched: ++report.unmatched; break;
          case Intake::kUnknownSender: ++report.unknown_sender; break;
          case Intake::kReview: ++report.review; break;
          case Intake::kNotSubmission: ++report.not_submissions; break;
        }
        spdlog::info("{} UID {}: {} ({}) from {}, received {}", mailbox.name,
                     message.uid, record.outcome, c.reason, submission.sender,
                     FormatLocal(received, settings.school.time_zone)
                         .value_or("?"));
        if (c.intake != Intake::kNotSubmission && !old) {
          submission.file_to = QueueFolder(
              settings.intake.queue_root, SubmissionStatusName(submission.status),
              c.assignment ? &*c.assignment : nullptr);
        }
        // A receipt is owed to a known pupil for work or an unmatched
        // mail; never to an unknown sender or mail under review (the
        // teacher's to judge), nor for mail before the start date.
        submission.wants_receipt =
            !old && (c.intake == Intake::kSubmission ||
                     c.intake == Intake::kUnmatched);
        submission.warnings = SubmissionWarnings(*parsed);
        if (c.intake != Intake::kNotSubmission) record.submission = submission;
      } else {
        submission.file_to = QueueFolder(settings.intake.queue_root, "review",
                                         nullptr);
        record.submission = submission;
      }
      if (old) {
        // Before the start date: recorded as seen, never stored as work,
        // answered or filed.
        ++report.old;
        record.outcome = "old: " + record.outcome;
        record.submission.reset();
      }
      records.push_back(std::move(record));
      if (one_by_one) {
        // Committed before the next message is parsed, so a message that
        // crashes the parser takes no other message's attempts with it.
        Status committed = commit(records, archived);
        if (!committed.ok()) return fail(committed);
      }
    }
    if (stopping()) stopped = true;
    if (g + 1 == groups.size() && !stopped) {
      for (IntakeRecord& r : unread) records.push_back(std::move(r));
      unread.clear();
    }
    auto commit_start = std::chrono::steady_clock::now();
    Status committed = commit(records, archived);
    if (!committed.ok()) return fail(committed);
    spdlog::debug("{}: group {} of {}, {} message(s): waited {} ms for it, "
                  "classified in {} ms, synced and committed in {} ms",
                  mailbox.name, g + 1, groups.size(), prepared->size(),
                  Milliseconds(waited),
                  Milliseconds(commit_start - group_start - waited),
                  Milliseconds(std::chrono::steady_clock::now() - commit_start));
  }
  // Nothing is being parsed any more (a stopped run waits for the worker
  // before the mark goes).
  if (preparing.valid()) preparing.wait();
  for (auto& pending : fetches) {
    if (pending.valid()) pending.wait();
  }
  if (helper) helper->Logout();
  Status ended = store.EndIntakeBatch(mailbox.name, folder);
  if (!ended.ok()) return ended;
  if (stopped) {
    // The cursor stands at the last message committed: the rest of the
    // mailbox (and its filing) waits for the next run.
    report.notes.push_back(mailbox.name + ": stopped by a signal after " +
                           std::to_string(report.new_messages) +
                           " new message(s); the rest waits for the next run");
    (void)store.RecordPoll(mailbox.name, folder, now, "");
    return report;
  }
  // Everything is committed; move the cursor past UIDs that vanished
  // between SEARCH and FETCH (RELIABILITY case 8: no retry loop).
  for (std::uint32_t uid : *uids) {
    if (received_at.count(uid) == 0) {
      IntakeRecord gone{mailbox.name, folder, uid_validity, uid,
                        mailbox.name + "\nexpunged\n" +
                            std::to_string(uid_validity) + ":" +
                            std::to_string(uid),
                        "expunged before reading", now, std::nullopt};
      auto recorded = store.RecordIntake(gone);
      if (!recorded) return recorded.status();
    }
  }

  // 4. Only after the commits: file what is still unfiled.
  auto unfiled = store.ListUnfiled(mailbox.name);
  if (!unfiled) return unfiled.status();
  if (!unfiled->empty()) {
    auto selected = imap.Select(folder);
    if (!selected) return fail(selected.status());
    // One LIST/CREATE, one STORE and one MOVE per destination folder.
    std::map<std::string, std::vector<const UnfiledMessage*>> by_folder;
    for (const UnfiledMessage& m : *unfiled) {
      if (m.uidvalidity != selected->uid_validity) {
        (void)store.MarkFiled(m.submission_id, folder, now);
        report.notes.push_back("submission " + std::to_string(m.submission_id) +
                               " not filed: the folder's UIDVALIDITY changed");
        continue;
      }
      by_folder[m.file_to].push_back(&m);
    }
    for (const auto& [target, messages] : by_folder) {
      std::vector<std::uint32_t> uids, late;
      for (const UnfiledMessage* m : messages) {
        uids.push_back(static_cast<std::uint32_t>(m->uid));
        if (m->late) late.push_back(static_cast<std::uint32_t>(m->uid));
      }
      Status moved = imap.EnsureFolder(target);
      if (moved.ok()) moved = imap.AddFlags(late, "\\Flagged $Late");
      if (moved.ok()) moved = imap.Move(uids, target);
      if (!moved.ok()) {
        if (moved.retry() == Retry::kNow) return fail(moved);  // connection
        for (const UnfiledMessage* m : messages) {
          ++report.left_in_inbox;
          std::string note = mailbox.name + " UID " + std::to_string(m->uid) +
                             " stays in INBOX: " + moved.message();
          spdlog::warn("{}", note);
          report.notes.push_back(note);
          (void)store.MarkFiled(m->submission_id, folder, now);
        }
        continue;
      }
      CrashPoint("after_move");
      std::vector<std::int64_t> ids;
      for (const UnfiledMessage* m : messages) ids.push_back(m->submission_id);
      Status marked = store.MarkFiled(ids, target, now);
      if (!marked.ok()) return marked;
      report.filed += static_cast<int>(ids.size());
    }
  }

  // 5. The teacher's Sent folder: replies to stored submissions are linked
  // to them (grading reads them).
  Status sent = ReadSentFolder(settings, mailbox, store, imap, now, &report);
  if (!sent.ok()) return fail(sent);
  imap.Logout();
  (void)store.RecordPoll(mailbox.name, folder, now, "");
  return report;
}

}  // namespace schoolmail
