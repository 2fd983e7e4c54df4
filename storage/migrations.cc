#include "storage/migrations.h"

namespace schoolmail {

// Times are unix seconds (UTC); days are "YYYY-MM-DD" in school time;
// times of day "HH:MM" in school time; addresses are normalised
// (config/address.h).
const std::vector<std::string_view>& Migrations() {
  static const std::vector<std::string_view> kMigrations = {
      // 1: the foundation.
      R"sql(
CREATE TABLE classes (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE people (
  id INTEGER PRIMARY KEY,
  external_id TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('pupil', 'parent', 'teacher')),
  last_name TEXT NOT NULL,
  first_name TEXT NOT NULL,
  middle_name TEXT NOT NULL DEFAULT ''
);
CREATE TABLE addresses (
  address TEXT PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  position INTEGER NOT NULL
);
CREATE INDEX addresses_by_person ON addresses(person_id);
CREATE TABLE duty_groups (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE pupils (
  person_id INTEGER PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
  class_id INTEGER NOT NULL REFERENCES classes(id),
  duty_group_id INTEGER REFERENCES duty_groups(id)
);
CREATE INDEX pupils_by_class ON pupils(class_id);
CREATE TABLE parent_children (
  parent_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  pupil_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  PRIMARY KEY (parent_id, pupil_id)
);
CREATE INDEX parent_children_by_pupil ON parent_children(pupil_id);
CREATE TABLE subjects (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE
);
CREATE TABLE teacher_subjects (
  teacher_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  subject_id INTEGER NOT NULL REFERENCES subjects(id),
  position INTEGER NOT NULL,
  PRIMARY KEY (teacher_id, subject_id)
);
CREATE TABLE teacher_classes (
  teacher_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  class_id INTEGER NOT NULL REFERENCES classes(id),
  position INTEGER NOT NULL,
  PRIMARY KEY (teacher_id, class_id)
);
CREATE TABLE class_teachers (
  class_id INTEGER PRIMARY KEY REFERENCES classes(id),
  teacher_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE
);
CREATE TABLE distance_periods (
  id INTEGER PRIMARY KEY,
  class_id INTEGER NOT NULL REFERENCES classes(id),
  first_day TEXT NOT NULL,
  last_day TEXT,
  order_text TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX distance_periods_by_class ON distance_periods(class_id);
CREATE TABLE lesson_plan (
  id INTEGER PRIMARY KEY,
  day TEXT NOT NULL,
  class_id INTEGER NOT NULL REFERENCES classes(id),
  subject_id INTEGER NOT NULL REFERENCES subjects(id),
  topic TEXT NOT NULL,
  task TEXT NOT NULL DEFAULT '',
  links TEXT NOT NULL DEFAULT '',
  due_day TEXT,
  due_time TEXT,
  UNIQUE (day, class_id, subject_id, topic)
);
CREATE TABLE assignments (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  class_id INTEGER NOT NULL REFERENCES classes(id),
  subject_id INTEGER NOT NULL REFERENCES subjects(id),
  teacher_id INTEGER REFERENCES people(id),
  plan_id INTEGER REFERENCES lesson_plan(id),
  title TEXT NOT NULL,
  instructions TEXT NOT NULL DEFAULT '',
  links TEXT NOT NULL DEFAULT '',
  set_day TEXT NOT NULL,
  due_day TEXT NOT NULL,
  due_time TEXT NOT NULL,
  source TEXT NOT NULL CHECK (source IN ('plan', 'mail', 'cli')),
  mail_message_id TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX assignments_by_class ON assignments(class_id, due_day);
CREATE TABLE processed_messages (
  key TEXT PRIMARY KEY,
  mailbox TEXT NOT NULL,
  folder TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  processed_at INTEGER NOT NULL
);
CREATE INDEX processed_by_uid ON processed_messages(mailbox, folder, uidvalidity, uid);
CREATE TABLE submissions (
  id INTEGER PRIMARY KEY,
  message_key TEXT NOT NULL REFERENCES processed_messages(key),
  pupil_id INTEGER REFERENCES people(id),
  assignment_id INTEGER REFERENCES assignments(id),
  mailbox TEXT NOT NULL,
  sender TEXT NOT NULL,
  subject TEXT NOT NULL DEFAULT '',
  message_id TEXT,
  received_at INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN
    ('on_time', 'late', 'unmatched', 'unknown_sender', 'review')),
  attempt INTEGER NOT NULL DEFAULT 1,
  archive_path TEXT NOT NULL,
  file_to TEXT,
  filed_folder TEXT,
  filed_at INTEGER
);
CREATE INDEX submissions_by_pupil ON submissions(pupil_id, assignment_id);
CREATE INDEX submissions_by_message_id ON submissions(message_id);
CREATE TABLE replies (
  id INTEGER PRIMARY KEY,
  submission_id INTEGER NOT NULL REFERENCES submissions(id),
  message_key TEXT NOT NULL UNIQUE,
  message_id TEXT,
  sent_at INTEGER NOT NULL,
  archive_path TEXT NOT NULL
);
CREATE INDEX replies_by_submission ON replies(submission_id);
CREATE TABLE attachments (
  id INTEGER PRIMARY KEY,
  submission_id INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL
);
CREATE INDEX attachments_by_submission ON attachments(submission_id);
CREATE TABLE grades (
  id INTEGER PRIMARY KEY,
  submission_id INTEGER NOT NULL REFERENCES submissions(id),
  value TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  teacher_id INTEGER REFERENCES people(id),
  source TEXT NOT NULL CHECK (source IN ('reply', 'cli', 'mail')),
  source_message_id TEXT,
  graded_at INTEGER NOT NULL,
  replaced_by INTEGER REFERENCES grades(id)
);
CREATE INDEX grades_by_submission ON grades(submission_id);
CREATE TABLE illnesses (
  id INTEGER PRIMARY KEY,
  pupil_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  first_day TEXT NOT NULL,
  last_day TEXT,
  recorded_by TEXT NOT NULL,
  recorded_at INTEGER NOT NULL
);
CREATE INDEX illnesses_by_pupil ON illnesses(pupil_id);
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL UNIQUE,
  dedup_key TEXT UNIQUE,
  kind TEXT NOT NULL,
  sender TEXT NOT NULL,
  body BLOB NOT NULL,
  state TEXT NOT NULL CHECK (state IN
    ('queued', 'sending', 'sent', 'deferred', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_reply TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
CREATE TABLE outbox_recipients (
  outbox_id INTEGER NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
  address TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed')),
  last_reply TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (outbox_id, address)
);
CREATE TABLE mailbox_state (
  mailbox TEXT NOT NULL,
  folder TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL,
  last_uid INTEGER NOT NULL DEFAULT 0,
  last_poll_at INTEGER,
  last_error TEXT NOT NULL DEFAULT '',
  error_count INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (mailbox, folder)
);
CREATE TABLE delivery_log (
  id INTEGER PRIMARY KEY,
  outbox_id INTEGER REFERENCES outbox(id),
  address TEXT NOT NULL,
  event TEXT NOT NULL,
  reply TEXT NOT NULL DEFAULT '',
  at INTEGER NOT NULL
);
CREATE INDEX delivery_log_by_address ON delivery_log(address, at);
)sql",
      // 2: the outbox in use: receipts owed per submission, caps on
      // automatic mail, suppressed mail counted.
      R"sql(
ALTER TABLE submissions ADD COLUMN receipt TEXT NOT NULL DEFAULT 'none'
  CHECK (receipt IN ('none', 'pending', 'queued', 'suppressed'));
ALTER TABLE submissions ADD COLUMN warnings TEXT NOT NULL DEFAULT '';
CREATE INDEX submissions_receipt_pending ON submissions(receipt)
  WHERE receipt = 'pending';
ALTER TABLE outbox ADD COLUMN summary TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN automatic INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN failure_reported INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_recipients_by_address ON outbox_recipients(address);
CREATE TABLE suppressed_mail (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  address TEXT NOT NULL,
  reason TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX suppressed_by_at ON suppressed_mail(at);
)sql",
      // 3: assignments mailed to their class (announce: none for rows from
      // before, pending until queued, done, or skipped), worksheets kept
      // until then; the online timetable; done markers of daily jobs.
      R"sql(
ALTER TABLE assignments ADD COLUMN announce TEXT NOT NULL DEFAULT 'none'
  CHECK (announce IN ('none', 'pending', 'done', 'skipped'));
ALTER TABLE assignments ADD COLUMN announced_at INTEGER;
ALTER TABLE assignments ADD COLUMN announced_pupils INTEGER;
CREATE INDEX assignments_to_announce ON assignments(set_day)
  WHERE announce = 'pending';
CREATE INDEX assignments_by_plan ON assignments(plan_id);
CREATE TABLE assignment_files (
  assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (assignment_id, position)
);
CREATE TABLE timetable (
  id INTEGER PRIMARY KEY,
  class_id INTEGER NOT NULL REFERENCES classes(id),
  day TEXT,
  weekday INTEGER CHECK (weekday BETWEEN 0 AND 6),
  start_time TEXT NOT NULL,
  end_time TEXT,
  subject TEXT NOT NULL,
  link TEXT NOT NULL DEFAULT '',
  note TEXT NOT NULL DEFAULT '',
  CHECK ((day IS NULL) <> (weekday IS NULL))
);
CREATE INDEX timetable_by_class ON timetable(class_id);
CREATE TABLE jobs (
  name TEXT NOT NULL,
  day TEXT NOT NULL,
  done_at INTEGER NOT NULL,
  PRIMARY KEY (name, day)
);
)sql",
      // 4: the parser's attempts (RELIABILITY 5): the UID range of a batch
      // in hand, and per-message attempts after a batch did not finish.
      R"sql(
CREATE TABLE intake_batches (
  mailbox TEXT NOT NULL,
  folder TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL,
  first_uid INTEGER NOT NULL,
  last_uid INTEGER NOT NULL,
  PRIMARY KEY (mailbox, folder)
);
CREATE TABLE parse_attempts (
  mailbox TEXT NOT NULL,
  folder TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  PRIMARY KEY (mailbox, folder, uidvalidity, uid)
);
)sql",
      // 5: grades in use (issue 6): each grade owes the pupil a notice
      // (none for rows from before, pending until queued, queued, or
      // skipped when replaced before it went); lookups by pupil and source.
      R"sql(
ALTER TABLE grades ADD COLUMN notice TEXT NOT NULL DEFAULT 'none'
  CHECK (notice IN ('none', 'pending', 'queued', 'skipped'));
ALTER TABLE grades ADD COLUMN notice_at INTEGER;
CREATE INDEX grades_notice_pending ON grades(graded_at)
  WHERE notice = 'pending';
CREATE INDEX grades_current ON grades(submission_id)
  WHERE replaced_by IS NULL;
CREATE INDEX grades_by_graded_at ON grades(graded_at);
)sql",
      // 6: each cycle's look for submissions still to be filed reads only
      // those (it scanned every submission of the school: bench/README.md).
      R"sql(
CREATE INDEX submissions_unfiled ON submissions(mailbox)
  WHERE file_to IS NOT NULL AND filed_at IS NULL;
)sql",
      // 7: the hotline (issue 6): questions sent to the school mailbox,
      // forwarded to the duty administrator, and the answer relayed back.
      R"sql(
CREATE TABLE hotline_questions (
  id INTEGER PRIMARY KEY,
  message_key TEXT NOT NULL UNIQUE,
  sender TEXT NOT NULL,
  who TEXT NOT NULL,
  subject TEXT NOT NULL,
  message_id TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  answer_due_at INTEGER NOT NULL,
  forward_message_id TEXT NOT NULL UNIQUE,
  answered_at INTEGER,
  answered_by TEXT,
  answer_message_id TEXT
);
CREATE INDEX hotline_open ON hotline_questions(answer_due_at)
  WHERE answered_at IS NULL;
)sql",
      // 8: pupils excused as ill (issue 6, the class teacher's list): the
      // foundation's illnesses table (never written before) rebuilt as a
      // period of days, both inclusive, with where the record came from and
      // the teacher who made it; recorded once per pupil and period.
      R"sql(
CREATE TABLE illnesses_v7 (
  id INTEGER PRIMARY KEY,
  pupil_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
  first_day TEXT NOT NULL,
  last_day TEXT NOT NULL CHECK (last_day >= first_day),
  source TEXT NOT NULL CHECK (source IN ('reply', 'mail', 'cli')),
  recorded_by INTEGER REFERENCES people(id),
  recorded_at INTEGER NOT NULL,
  UNIQUE (pupil_id, first_day, last_day)
);
INSERT OR IGNORE INTO illnesses_v7(id, pupil_id, first_day, last_day, source,
                                   recorded_by, recorded_at)
  SELECT i.id, i.pupil_id, i.first_day,
         max(i.first_day, COALESCE(i.last_day, i.first_day)), 'cli',
         (SELECT t.id FROM people t WHERE t.external_id = i.recorded_by
            AND t.role = 'teacher'),
         i.recorded_at
  FROM illnesses i;
DROP TABLE illnesses;
ALTER TABLE illnesses_v7 RENAME TO illnesses;
CREATE INDEX illnesses_by_last_day ON illnesses(last_day);
)sql",
      // 9: the administration's control report reads
      // the delivery log by time (failed mail of a period) and the outbox
      // by kind and time (the parents' digests of a period).
      R"sql(
CREATE INDEX delivery_log_by_at ON delivery_log(at);
CREATE INDEX outbox_by_kind ON outbox(kind, created_at);
)sql",
  };
  return kMigrations;
}

}  // namespace schoolmail
