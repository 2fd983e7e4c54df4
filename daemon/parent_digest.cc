#include "daemon/parent_digest.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "config/text.h"
#include "daemon/assignments.h"
#include "daemon/morning.h"
#include "daemon/rules/school_time.h"
#include "parsers/grade_line.h"

namespace schoolmail {
namespace {

constexpr std::int64_t kFirstDigestWindow = 7 * 24 * 60 * 60;

// The class's assignments set by `day` and due on `due`, by deadline and
// code, with their deadlines.
std::vector<std::pair<std::int64_t, const Assignment*>> DueOn(
    const std::vector<Assignment>& assignments, const std::string& class_name,
    const Date& day, const Date& due, const std::string& zone) {
  std::vector<std::pair<std::int64_t, const Assignment*>> out;
  for (const Assignment& a : assignments) {
    if (a.class_name != class_name || a.set_day > day || a.due_day != due) {
      continue;
    }
    auto deadline = DeadlineFor(a.due_day, a.due_time, zone);
    if (!deadline) continue;
    out.emplace_back(*deadline, &a);
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) {
    return std::tie(x.first, x.second->code) <
           std::tie(y.first, y.second->code);
  });
  return out;
}

// How each pupil's hand-ins of each assignment stand, by (pupil id, code):
// the first on-time one, else the first late one.
std::map<std::pair<std::string, std::string>, const SubmissionRow*> BestHandIns(
    const std::vector<SubmissionRow>& submissions) {
  auto rank = [](const SubmissionRow& s) {
    return std::make_tuple(s.status == "on_time" ? 0 : 1, s.received_at, s.id);
  };
  std::map<std::pair<std::string, std::string>, const SubmissionRow*> best;
  for (const SubmissionRow& s : submissions) {
    if (s.status != "on_time" && s.status != "late") continue;
    const SubmissionRow*& b = best[{s.pupil_id, s.assignment_code}];
    if (b == nullptr || rank(s) < rank(*b)) b = &s;
  }
  return best;
}

bool NothingToSay(const ParentDigestFacts& facts) {
  if (!Trim(facts.notices).empty()) return false;
  for (const DigestChild& c : facts.children) {
    if (!c.today.empty() || !c.grades.empty() || !c.due_next.empty() ||
        !c.lessons_next.empty()) {
      return false;
    }
  }
  return true;
}

// The notices file's text; "" without a file; an error naming the file.
Result<std::string> ReadNotices(const std::string& path) {
  if (path.empty()) return std::string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::Error("school notices file " + path +
                         " cannot be read: " + std::strerror(errno));
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  std::string text = bytes.str();
  if (text.size() > kMaxNoticesBytes) {
    return Status::Error(
        "school notices file " + path + " is " + std::to_string(text.size()) +
        " bytes, more than the " + std::to_string(kMaxNoticesBytes) +
        " a mail can carry");
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);  // a BOM
  if (!IsValidUtf8(text)) {
    return Status::Error("school notices file " + path +
                         " is not UTF-8 text: save it as UTF-8");
  }
  return text;
}

}  // namespace

std::string DigestKeyPrefix(const std::string& parent_id) {
  return "digest:" + parent_id + ":";
}

std::vector<ParentDigestMail> DigestsFor(
    const Date& day, std::int64_t now, const DigestSources& sources,
    const std::function<bool(const std::string& pupil_id, const Date& day)>&
        ill,
    const std::string& notices, const MailContext& context) {
  using State = DigestWorkLine::State;
  const Settings& settings = *context.settings;
  const std::string& zone = settings.school.time_zone;
  const bool russian = context.templates.language == "ru";
  const Date next = NextSchoolDay(day, settings.school);
  const std::set<std::string> distance(sources.classes.begin(),
                                       sources.classes.end());
  const std::set<std::string> distance_next(sources.classes_next.begin(),
                                            sources.classes_next.end());
  const auto best = BestHandIns(sources.submissions);

  std::vector<ParentDigestMail> mails;
  for (const Parent& parent : sources.roster.parents) {
    if (parent.addresses.empty()) continue;
    std::vector<const Pupil*> children;
    for (const std::string& id : parent.children) {
      for (const Pupil& p : sources.roster.pupils) {
        if (p.id == id && distance.count(p.class_name)) children.push_back(&p);
      }
    }
    if (children.empty()) continue;

    auto previous = sources.previous_digest.find(parent.id);
    const std::int64_t since = previous != sources.previous_digest.end()
                                   ? previous->second
                                   : now - kFirstDigestWindow;
    ParentDigestMail mail;
    mail.parent_id = parent.id;
    for (const std::string& address : parent.addresses) {
      mail.to.push_back({parent.name.FirstMiddleLast(), address});
    }
    ParentDigestFacts& f = mail.facts;
    f.parent_name = parent.name.FirstMiddleLast();
    f.day_local = HumanDay(day, context);
    f.next_day_local = DayLocal(next, context);
    f.grades_since_local = HumanTime(since, context);
    f.notices = notices;
    for (const Pupil* pupil : children) {
      DigestChild child;
      child.name = pupil->name.FirstLast();
      child.class_name = pupil->class_name;
      for (const auto& [deadline, a] :
           DueOn(sources.assignments, pupil->class_name, day, day, zone)) {
        DigestWorkLine line;
        line.code = a->code;
        line.school_subject = a->subject;
        line.title = a->title;
        line.due_local = HumanTime(deadline, context);
        auto handed_in = best.find({pupil->id, a->code});
        if (handed_in != best.end()) {
          const SubmissionRow* s = handed_in->second;
          line.state = s->status == "on_time" ? State::kOnTime : State::kLate;
          line.received_local = HumanTime(s->received_at, context, true);
        } else if (ill(pupil->id, day)) {
          line.state = State::kIll;
        } else if (now <= deadline) {
          line.state = State::kOpen;
        } else {
          line.state = State::kMissing;
        }
        child.today.push_back(std::move(line));
      }
      std::vector<const GradeRow*> grades;
      for (const GradeRow& g : sources.grades) {
        if (g.replaced_by == 0 && g.submission.pupil_id == pupil->id &&
            g.graded_at > since && g.graded_at <= now) {
          grades.push_back(&g);
        }
      }
      std::sort(grades.begin(), grades.end(), [](const auto* x, const auto* y) {
        return std::tie(x->graded_at, x->id) < std::tie(y->graded_at, y->id);
      });
      for (const GradeRow* g : grades) {
        const GradeTarget& s = g->submission;
        child.grades.push_back(
            {s.assignment_code, s.school_subject,
             s.assignment_code.empty() ? s.mail_subject : s.assignment_title,
             GradeValueText(g->value, russian), g->comment, g->teacher_name,
             HumanTime(g->graded_at, context)});
      }
      for (const auto& [deadline, a] :
           DueOn(sources.assignments, pupil->class_name, day, next, zone)) {
        DueLine line{a->code, a->subject, a->title,
                     HumanTime(deadline, context), ""};
        if (const Teacher* t = TeacherWithId(sources.roster, a->teacher_id)) {
          line.teacher_address = HandInAddress(*t, settings);
        }
        child.due_next.push_back(std::move(line));
      }
      if (distance_next.count(pupil->class_name)) {
        child.lessons_next =
            LessonLinesOn(sources.timetable, pupil->class_name, next);
      }
      f.children.push_back(std::move(child));
    }
    mail.nothing_to_say = NothingToSay(f);
    mails.push_back(std::move(mail));
  }
  return mails;
}

Result<ParentDigestReport> RunParentDigest(Store& store,
                                           const MailContext& context,
                                           std::int64_t now) {
  const Settings& settings = *context.settings;
  ParentDigestReport report;
  auto due = DailyJobDue(store, settings, kParentDigestJob,
                         settings.schedule.parent_digest, now);
  if (!due) return due.status();
  if (!due->day) {
    report.skipped = due->skipped;
    return report;
  }
  const Date today = *due->day;
  const std::string day_text = FormatDate(today);

  report.ran = true;
  DigestSources sources;
  auto classes = store.ClassesInDistance(today);
  if (!classes) return classes.status();
  sources.classes = std::move(*classes);
  if (!sources.classes.empty()) {
    auto classes_next =
        store.ClassesInDistance(NextSchoolDay(today, settings.school));
    if (!classes_next) return classes_next.status();
    sources.classes_next = std::move(*classes_next);
    auto roster = store.LoadRoster();
    if (!roster) return roster.status();
    sources.roster = std::move(*roster);
    auto assignments = store.LoadAssignments();
    if (!assignments) return assignments.status();
    sources.assignments = std::move(*assignments);
    auto timetable = store.LoadTimetable();
    if (!timetable) return timetable.status();
    sources.timetable = std::move(*timetable);
    std::int64_t earliest = now - kFirstDigestWindow;
    for (const Parent& parent : sources.roster.parents) {
      const std::string prefix = DigestKeyPrefix(parent.id);
      auto previous = store.LastQueuedAt(prefix, prefix + day_text);
      if (!previous) return previous.status();
      if (*previous) {
        sources.previous_digest[parent.id] = **previous;
        earliest = std::min(earliest, **previous);
      }
    }
    for (const std::string& class_name : sources.classes) {
      SubmissionFilter filter;
      filter.class_name = class_name;
      auto submissions = store.ListSubmissions(filter);
      if (!submissions) return submissions.status();
      sources.submissions.insert(sources.submissions.end(),
                                 submissions->begin(), submissions->end());
    }
    GradeFilter grades;
    grades.graded_from = earliest;
    auto graded = store.ListGrades(grades);
    if (!graded) return graded.status();
    sources.grades = std::move(*graded);
  }

  auto notices = ReadNotices(settings.digest.notices_file);
  if (!notices) {
    report.notices_error = notices.status().message();
    spdlog::error("{}; the digests of {} go without notices",
                  report.notices_error, day_text);
  }
  // Pupils recorded ill today are excused (the digest speaks of today).
  auto illnesses = store.ListIllnesses(today, today);
  if (!illnesses) return illnesses.status();
  auto ill = [&](const std::string& pupil_id, const Date& day) {
    return IllOn(*illnesses, pupil_id, day);
  };
  const SchoolInfo school = SchoolInfoOf(settings);
  for (const ParentDigestMail& mail :
       DigestsFor(today, now, sources, ill, notices ? *notices : std::string(),
                  context)) {
    ++report.parents;
    if (mail.nothing_to_say && !settings.digest.send_when_empty) {
      ++report.empty;
      continue;
    }
    auto text = RenderParentDigest(context.templates, school, mail.facts);
    if (!text) return text.status();  // the school's templates: stop
    Envelope envelope;
    envelope.kind = "parent_digest";
    envelope.dedup_key = DigestKeyPrefix(mail.parent_id) + day_text;
    envelope.to = mail.to;
    auto outcome = QueueDailyMail(store, context, *text, envelope, now,
                                  "digest to parent " + mail.parent_id);
    if (!outcome) return outcome.status();
    CountDailyMail(*outcome, report);
  }
  if (Status s = store.MarkJobDone(kParentDigestJob, today, now); !s.ok()) {
    return s;
  }
  return report;
}

}  // namespace schoolmail
