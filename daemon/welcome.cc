#include "daemon/welcome.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "config/text.h"
#include "daemon/assignments.h"

namespace schoolmail {
namespace {

bool Russian(const MailContext& context) {
  return context.templates.language == "ru";
}

// Where a teacher's pupils send work: their watched mailbox's address, or
// their first address.
std::string WorkAddress(const Teacher& t, const Settings& settings) {
  for (const MailboxSettings& m : settings.teacher_mailboxes) {
    if (std::find(t.addresses.begin(), t.addresses.end(), m.address) !=
        t.addresses.end()) {
      return m.address;
    }
  }
  return t.addresses.empty() ? "" : t.addresses.front();
}

std::vector<OutgoingAddress> AddressesOf(const PersonName& name,
                                         const std::vector<std::string>& all) {
  std::vector<OutgoingAddress> to;
  for (const std::string& a : all) to.push_back({name.FirstMiddleLast(), a});
  return to;
}

// "пн 09:00–09:40" / "Mon 09:00–09:40", or "30.11.2026 09:00" for a lesson
// on one date.
std::string LessonWhen(const TimetableEntry& e, const MailContext& context) {
  static const char* const kRussian[] = {"вс", "пн", "вт", "ср",
                                         "чт", "пт", "сб"};
  static const char* const kEnglish[] = {"Sun", "Mon", "Tue", "Wed",
                                         "Thu", "Fri", "Sat"};
  std::string when;
  if (e.weekday) {
    when = (Russian(context) ? kRussian : kEnglish)[e.weekday->c_encoding()];
  } else if (e.date) {
    when = HumanDay(*e.date, context);
  }
  when += " " + e.start.ToString();
  if (e.end) when += "–" + e.end->ToString();
  return when;
}

// A class's part of the welcome mail.
WelcomeClass ClassPart(const DistancePeriod& period, const Roster& roster,
                       const std::vector<TimetableEntry>& timetable,
                       const MailContext& context) {
  const Settings& settings = *context.settings;
  WelcomeClass c;
  c.class_name = period.class_name;
  c.first_day = HumanDay(period.first_day, context);
  if (period.last_day) c.last_day = HumanDay(*period.last_day, context);
  c.order_text = period.order_text;
  for (const Teacher& t : roster.teachers) {
    if (t.class_teacher_of == period.class_name) {
      c.class_teacher_name = t.name.FirstMiddleLast();
      c.class_teacher_address = t.addresses.empty() ? "" : t.addresses.front();
    }
    if (std::find(t.classes.begin(), t.classes.end(), period.class_name) ==
        t.classes.end()) {
      continue;
    }
    for (const std::string& subject : t.subjects) {
      c.teachers.push_back(
          {subject, t.name.FirstMiddleLast(), WorkAddress(t, settings)});
    }
  }
  std::sort(c.teachers.begin(), c.teachers.end(),
            [](const WelcomeTeacherLine& a, const WelcomeTeacherLine& b) {
              return std::tie(a.subject, a.name) < std::tie(b.subject, b.name);
            });
  // The weekly lessons, Monday first, and lessons on a date within the
  // period's first two weeks.
  std::vector<const TimetableEntry*> lessons;
  const Date until{date::sys_days{period.first_day} + date::days{13}};
  for (const TimetableEntry& e : timetable) {
    if (e.class_name != period.class_name) continue;
    if (e.date && (*e.date < period.first_day || until < *e.date)) continue;
    lessons.push_back(&e);
  }
  auto order = [](const TimetableEntry* e) {
    unsigned day = e->weekday ? (e->weekday->c_encoding() + 6) % 7 : 7;
    return std::tuple(day, e->date.value_or(Date{}), e->start);
  };
  std::stable_sort(lessons.begin(), lessons.end(),
                   [&](const TimetableEntry* a, const TimetableEntry* b) {
                     return order(a) < order(b);
                   });
  for (const TimetableEntry* e : lessons) {
    c.lessons.push_back({LessonWhen(*e, context), e->subject, e->link, e->note});
  }
  return c;
}

WelcomeFacts CommonFacts(const MailContext& context) {
  const Settings& settings = *context.settings;
  WelcomeFacts f;
  f.deadline_local = settings.school.deadline.ToString();
  f.morning_local = settings.schedule.morning_mail.ToString();
  f.digest_local = settings.schedule.parent_digest.ToString();
  f.school_mailbox = settings.school_mailbox.address;
  f.platforms = settings.distance.platforms;
  return f;
}

// Queues `text` once under `key`; false when it was queued before.
Result<bool> QueueOnce(Store& store, const MailContext& context,
                       const MailText& text, const std::string& kind,
                       const std::string& key,
                       const std::vector<OutgoingAddress>& to,
                       std::int64_t now) {
  Envelope envelope;
  envelope.kind = kind;
  envelope.dedup_key = key;
  envelope.to = to;
  if (!context.settings->school_mailbox.address.empty()) {
    envelope.reply_to =
        OutgoingAddress{"", context.settings->school_mailbox.address};
  }
  auto queued = QueueMail(store, context, text, envelope, now);
  if (!queued) return queued.status();
  return queued->outcome == EnqueueOutcome::kQueued;
}

Result<MailContext> ContextFor(const Settings& settings) {
  auto templates = LoadTemplateSet(settings.school);
  if (!templates) return templates.status();
  return MailContext{&settings, std::move(*templates)};
}

// Queues the briefings of `classes`' teachers under "briefing:<tag>:<id>".
Result<int> QueueBriefings(Store& store, const MailContext& context,
                           const Roster& roster,
                           const std::vector<std::string>& classes,
                           const std::string& tag, std::int64_t now) {
  int queued = 0;
  const SchoolInfo school = SchoolInfoOf(*context.settings);
  for (const BriefingMail& mail : BriefingsFor(classes, roster, context)) {
    auto text = RenderBriefing(context.templates, school, mail.facts);
    if (!text) return text.status();
    auto done = QueueOnce(store, context, *text, "briefing",
                          "briefing:" + tag + ":" + mail.teacher_id, mail.to,
                          now);
    if (!done) return done.status();
    queued += *done ? 1 : 0;
  }
  return queued;
}

}  // namespace

std::vector<WelcomeMail> WelcomeMailsFor(
    const std::vector<DistancePeriod>& periods, const Roster& roster,
    const std::vector<TimetableEntry>& timetable, const MailContext& context) {
  std::map<std::string, WelcomeClass> parts;  // by class
  for (const DistancePeriod& p : periods) {
    parts.emplace(p.class_name, ClassPart(p, roster, timetable, context));
  }
  std::vector<WelcomeMail> mails;
  for (const Pupil& pupil : roster.pupils) {
    auto part = parts.find(pupil.class_name);
    if (part == parts.end() || pupil.addresses.empty()) continue;
    WelcomeMail mail{pupil.id, AddressesOf(pupil.name, pupil.addresses),
                     CommonFacts(context)};
    mail.facts.recipient_name = pupil.name.FirstLast();
    mail.facts.classes = {part->second};
    mails.push_back(std::move(mail));
  }
  for (const Parent& parent : roster.parents) {
    if (parent.addresses.empty()) continue;
    std::map<std::string, WelcomeClass> theirs;
    for (const std::string& id : parent.children) {
      for (const Pupil& pupil : roster.pupils) {
        auto part = parts.find(pupil.class_name);
        if (pupil.id != id || part == parts.end()) continue;
        auto [at, added] = theirs.emplace(pupil.class_name, part->second);
        at->second.children.push_back(pupil.name.FirstLast());
      }
    }
    if (theirs.empty()) continue;
    WelcomeMail mail{parent.id, AddressesOf(parent.name, parent.addresses),
                     CommonFacts(context)};
    mail.facts.recipient_name = parent.name.FirstMiddleLast();
    mail.facts.parent = true;
    for (auto& [name, part] : theirs) mail.facts.classes.push_back(part);
    mails.push_back(std::move(mail));
  }
  return mails;
}

std::vector<BriefingMail> BriefingsFor(const std::vector<std::string>& classes,
                                       const Roster& roster,
                                       const MailContext& context) {
  const Settings& settings = *context.settings;
  const bool russian = Russian(context);
  std::vector<BriefingMail> mails;
  for (const Teacher& t : roster.teachers) {
    bool theirs = classes.empty() ||
                  std::find(classes.begin(), classes.end(),
                            t.class_teacher_of) != classes.end();
    for (const std::string& c : t.classes) {
      theirs = theirs ||
               std::find(classes.begin(), classes.end(), c) != classes.end();
    }
    const std::string address = WorkAddress(t, settings);
    if (!theirs || address.empty()) continue;
    BriefingFacts f;
    f.teacher_name = t.name.middle.empty() ? t.name.FirstMiddleLast()
                                           : t.name.first + " " + t.name.middle;
    f.mailbox = address;
    f.queue_root = settings.intake.queue_root;
    f.deadline_local = settings.school.deadline.ToString();
    f.school_mailbox = settings.school_mailbox.address;
    const std::string klass = t.classes.empty() ? "7А" : t.classes.front();
    const std::string subject =
        t.subjects.empty() ? "Алгебра" : t.subjects.front();
    f.tag_example = "#задание " + klass + " " + subject + " до 30.11: §12 №1-5";
    const GradeScale& scale = settings.grades.scale;
    f.grade_example = std::string(russian ? "Оценка: " : "Grade: ") +
                      (scale.pass_fail ? (russian ? "зачёт" : "pass")
                                       : std::to_string(scale.high));
    f.scale = scale.pass_fail ? (russian ? "зачёт/незачёт" : "pass/fail")
                              : std::to_string(scale.low) + "–" +
                                    std::to_string(scale.high);
    f.grading_list_local = settings.schedule.grading_list.ToString();
    f.morning_local = settings.schedule.morning_mail.ToString();
    f.digest_local = settings.schedule.parent_digest.ToString();
    f.class_list_local = settings.schedule.class_teacher_list.ToString();
    f.class_teacher_of = t.class_teacher_of;
    for (const std::string& c : t.classes) {
      f.classes.push_back(c + ": " + Join(t.subjects, ", "));
    }
    mails.push_back({t.id, AddressesOf(t.name, {address}), std::move(f)});
  }
  return mails;
}

int QueueDistanceStartMail(Store& store, const Settings& settings,
                           const std::vector<std::string>& classes,
                           const Date& first, std::int64_t now,
                           std::ostream& out, std::ostream& err) {
  auto fail = [&](const Status& s) {
    err << "welcome mail: " << s.message() << "\n";
    return 1;
  };
  auto context = ContextFor(settings);
  if (!context) return fail(context.status());
  auto roster = store.LoadRoster();
  if (!roster) return fail(roster.status());
  auto timetable = store.LoadTimetable();
  if (!timetable) return fail(timetable.status());
  auto periods = store.ListDistancePeriods();
  if (!periods) return fail(periods.status());
  std::vector<DistancePeriod> starting;
  for (const DistancePeriod& p : *periods) {
    if (p.first_day == first && std::find(classes.begin(), classes.end(),
                                          p.class_name) != classes.end()) {
      starting.push_back(p);
    }
  }
  const SchoolInfo school = SchoolInfoOf(settings);
  int welcomes = 0;
  for (const WelcomeMail& mail :
       WelcomeMailsFor(starting, *roster, *timetable, *context)) {
    auto text = RenderWelcome(context->templates, school, mail.facts);
    if (!text) return fail(text.status());
    auto done = QueueOnce(store, *context, *text, "welcome",
                          "welcome:" + FormatDate(first) + ":" + mail.person_id,
                          mail.to, now);
    if (!done) return fail(done.status());
    welcomes += *done ? 1 : 0;
  }
  auto briefings = QueueBriefings(store, *context, *roster, classes,
                                  FormatDate(first), now);
  if (!briefings) return fail(briefings.status());
  out << "welcome mail: " << welcomes << " queued to pupils and parents, "
      << *briefings << " teacher briefing(s); the daemon sends them\n";
  return 0;
}

int BriefTeachersCommand(Store& store, const Settings& settings,
                         const std::vector<std::string>& classes,
                         std::int64_t now, std::ostream& out,
                         std::ostream& err) {
  auto context = ContextFor(settings);
  if (!context) {
    err << context.status().message() << "\n";
    return 1;
  }
  auto roster = store.LoadRoster();
  if (!roster) {
    err << roster.status().message() << "\n";
    return 1;
  }
  auto briefings = QueueBriefings(store, *context, *roster, classes,
                                  std::to_string(now), now);
  if (!briefings) {
    err << briefings.status().message() << "\n";
    return 1;
  }
  out << *briefings << " teacher briefing(s) queued; the daemon sends them\n";
  return 0;
}

}  // namespace schoolmail
