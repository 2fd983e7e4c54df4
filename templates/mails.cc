#include "templates/mails.h"

#include <algorithm>
#include <array>

#include "config/text.h"
#include "templates/render.h"

namespace schoolmail {
namespace {

constexpr char kFooterText[] = "footer.txt.mustache";
constexpr char kFooterHtml[] = "footer.html.mustache";
constexpr char kSizeFile[] = "size.mustache";
constexpr char kTagProblemsFile[] = "tag_problems.mustache";

// A value shown on one line: valid UTF-8, no line breaks.
std::string Line(std::string_view text) { return OneLine(ToValidUtf8(text)); }

// A value that may span lines: valid UTF-8, LF line ends, trimmed.
std::string Block(std::string_view text) {
  const std::string valid = ToValidUtf8(text);
  std::string out;
  out.reserve(valid.size());
  for (std::size_t i = 0; i < valid.size(); ++i) {
    if (valid[i] == '\r') {
      out += '\n';
      if (i + 1 < valid.size() && valid[i + 1] == '\n') ++i;
    } else {
      out += valid[i];
    }
  }
  return std::string(Trim(out));
}

// Only web addresses become links in HTML; anything else (javascript:,
// data:) is shown as text.
std::string WebHref(std::string_view address) {
  const std::string line = Line(address);
  const std::string lower = LowerAscii(line);
  if (lower.starts_with("https://") || lower.starts_with("http://")) {
    return line;
  }
  return "";
}

Result<const std::string*> FileText(const TemplateSet& set,
                                    const std::string& file_name) {
  auto found = set.files.find(file_name);
  if (found == set.files.end()) {
    return Status::Error("template file " + file_name +
                         " is missing from the \"" + set.language +
                         "\" template set");
  }
  return &found->second;
}

// Text bodies are forgiving about the blank lines that sections leave: at
// most one blank line in a row, none at the end, one final newline.
std::string TidyText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  int blank_lines = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (Trim(line).empty()) {
      ++blank_lines;
      continue;
    }
    if (!out.empty() && blank_lines > 0) out += '\n';
    blank_lines = 0;
    out.append(line);
    out += '\n';
  }
  return out;
}

std::string TidyHtml(std::string_view html) {
  std::string out(html.substr(0, html.find_last_not_of(" \t\r\n") + 1));
  out += '\n';
  return out;
}

// Renders `file_name` with {{> footer}} bound to `footer_file`.
Result<std::string> RenderFile(const TemplateSet& set,
                               const std::string& file_name,
                               const TemplateValues& values, Escape escape,
                               const std::string& footer_file) {
  auto text = FileText(set, file_name);
  if (!text.ok()) return text.status();
  TemplatePartials partials;
  if (!footer_file.empty()) {
    auto footer = FileText(set, footer_file);
    if (!footer.ok()) return footer.status();
    partials.emplace("footer", TemplatePartial{footer_file, **footer});
  }
  return RenderTemplate(file_name, **text, values, escape, partials);
}

// Renders "<mail>.subject", "<mail>.txt" and, when `with_html`,
// "<mail>.html" from the set.
Result<MailText> RenderMail(const TemplateSet& set, const std::string& mail,
                            const TemplateValues& values, bool with_html) {
  MailText out;
  auto subject =
      RenderFile(set, mail + ".subject.mustache", values, Escape::kNone, "");
  if (!subject.ok()) return subject.status();
  out.subject = OneLine(*subject);
  auto text = RenderFile(set, mail + ".txt.mustache", values, Escape::kNone,
                         kFooterText);
  if (!text.ok()) return text.status();
  out.text = TidyText(*text);
  if (with_html) {
    auto html = RenderFile(set, mail + ".html.mustache", values, Escape::kHtml,
                           kFooterHtml);
    if (!html.ok()) return html.status();
    out.html = TidyHtml(*html);
  }
  return out;
}

TemplateValues SchoolValues(const SchoolInfo& school) {
  return {
      {"school_name", Line(school.name)},
      {"school_site", Line(school.site)},
      {"school_site_href", WebHref(school.site)},
      {"hotline", Line(school.hotline)},
      {"school_address", Line(school.school_address)},
  };
}

TemplateList LineList(const std::vector<std::string>& lines,
                      const std::string& name) {
  TemplateList list;
  for (const std::string& line : lines) {
    std::string value = Line(line);
    if (!value.empty()) list.push_back({{name, std::move(value)}});
  }
  return list;
}

// Sets `name` and the flag `has_<name>`, so a template can put a heading
// above a list only when the list has items.
void SetList(TemplateValues& values, const std::string& name,
             TemplateList list) {
  values["has_" + name] = !list.empty();
  values[name] = std::move(list);
}

bool IsRussian(const std::string& language) {
  return LowerAscii(language).starts_with("ru");
}

// CLDR plural categories of a whole number, as template flags.
void AddPluralFlags(const std::string& language, std::uint64_t n,
                    TemplateValues& values) {
  const char* category = "other";
  if (IsRussian(language)) {
    const std::uint64_t mod10 = n % 10, mod100 = n % 100;
    if (mod10 == 1 && mod100 != 11) {
      category = "one";
    } else if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) {
      category = "few";
    } else {
      category = "many";
    }
  } else if (n == 1) {
    category = "one";
  }
  values[category] = true;
}

std::string ShortHash(std::string_view sha256) {
  return Line(sha256.substr(0, std::min<std::size_t>(12, sha256.size())));
}

}  // namespace

const std::vector<std::string>& RequiredTemplateFiles() {
  static const std::vector<std::string> kFiles = {
      kFooterText,
      kFooterHtml,
      kSizeFile,
      kTagProblemsFile,
      "receipt.subject.mustache",
      "receipt.txt.mustache",
      "assignment.subject.mustache",
      "assignment.txt.mustache",
      "assignment_confirmation.subject.mustache",
      "assignment_confirmation.txt.mustache",
      "assignment_rejection.subject.mustache",
      "assignment_rejection.txt.mustache",
      "morning.subject.mustache",
      "morning.txt.mustache",
      "morning.html.mustache",
      "grading_list.subject.mustache",
      "grading_list.txt.mustache",
      "grading_list.html.mustache",
      "delivery_failure.subject.mustache",
      "delivery_failure.txt.mustache",
      "status_reply.subject.mustache",
      "status_reply.txt.mustache",
      "grade_notice.subject.mustache",
      "grade_notice.txt.mustache",
      "hotline_forward.subject.mustache",
      "hotline_forward.txt.mustache",
      "hotline_receipt.subject.mustache",
      "hotline_receipt.txt.mustache",
      "hotline_answer.subject.mustache",
      "hotline_answer.txt.mustache",
      "welcome.subject.mustache",
      "welcome.txt.mustache",
      "briefing.subject.mustache",
      "briefing.txt.mustache",
      "grade_by_mail.subject.mustache",
      "grade_by_mail.txt.mustache",
      // The class teacher's list and illness records (issue 6).
      "class_list.subject.mustache",
      "class_list.txt.mustache",
      "class_list.html.mustache",
      "illness_reply.subject.mustache",
      "illness_reply.txt.mustache",
      // The parent's evening digest.
      "parent_digest.subject.mustache",
      "parent_digest.txt.mustache",
      "parent_digest.html.mustache",
      // The administration's control report.
      "admin_report.subject.mustache",
      "admin_report.txt.mustache",
      "admin_report.html.mustache",
  };
  return kFiles;
}

const std::vector<std::string>& TagProblemCodes() {
  static const std::vector<std::string> kCodes = {
      "no_class",      "no_subject",      "bad_date",
      "due_in_past",   "no_title",        "bad_time",
      "unknown_class", "unknown_subject", "not_your_subject",
  };
  return kCodes;
}

std::string OneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  auto put_space = [&] { pending_space = !out.empty(); };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == ' ' || c == 0x7f) {
      put_space();
      continue;
    }
    // U+0085 NEL, U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR.
    if (c == 0xc2 && i + 1 < text.size() &&
        static_cast<unsigned char>(text[i + 1]) == 0x85) {
      ++i;
      put_space();
      continue;
    }
    if (c == 0xe2 && i + 2 < text.size() &&
        static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(text[i + 2]) == 0xa8 ||
         static_cast<unsigned char>(text[i + 2]) == 0xa9)) {
      i += 2;
      put_space();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += static_cast<char>(c);
  }
  return out;
}

Result<std::string> FormatSize(const TemplateSet& set, std::uint64_t bytes) {
  static constexpr std::array<const char*, 4> kUnits = {"bytes", "kb", "mb",
                                                        "gb"};
  std::size_t unit_index = 0;
  std::uint64_t unit = 1;
  while (unit_index + 1 < kUnits.size() && bytes >= unit * 1024) {
    unit *= 1024;
    ++unit_index;
  }
  std::uint64_t whole = bytes;
  int tenth = -1;  // none
  while (unit_index > 0) {
    const std::uint64_t quotient = bytes / unit, remainder = bytes % unit;
    const std::uint64_t tenths =
        quotient * 10 + (remainder * 10 + unit / 2) / unit;
    if (tenths < 100) {
      whole = tenths / 10;
      tenth = tenths % 10 == 0 ? -1 : static_cast<int>(tenths % 10);
    } else {
      whole = quotient + (remainder >= unit - remainder ? 1 : 0);
      tenth = -1;
    }
    // 1023.8 KB rounds to 1024 KB: say 1 MB instead.
    if (whole < 1024 || unit_index + 1 == kUnits.size()) break;
    unit *= 1024;
    ++unit_index;
  }
  TemplateValues values;
  values[kUnits[unit_index]] = true;
  values["whole"] = std::to_string(whole);
  values["fraction"] = tenth < 0 ? std::string() : std::to_string(tenth);
  if (tenth < 0) {
    AddPluralFlags(set.language, whole, values);
  } else {
    values["other"] = true;
  }
  auto text = RenderFile(set, kSizeFile, values, Escape::kNone, "");
  if (!text.ok()) return text.status();
  return OneLine(*text);
}

Result<MailText> RenderReceipt(const TemplateSet& set, const SchoolInfo& school,
                               const ReceiptFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["pupil_name"] = Line(facts.pupil_name);
  values["teacher_name"] = Line(facts.teacher_name);
  values["mail_subject"] = Line(facts.mail_subject);
  values["matched"] = facts.matched;
  values["assignment_code"] = Line(facts.assignment_code);
  values["assignment_title"] = Line(facts.assignment_title);
  values["school_subject"] = Line(facts.school_subject);
  values["due_local"] = Line(facts.due_local);
  values["received_local"] = Line(facts.received_local);
  values["late"] = facts.late;
  values["attempt"] = std::to_string(facts.attempt);
  values["repeated"] = facts.attempt > 1;
  TemplateList attachments;
  for (const AttachmentLine& attachment : facts.attachments) {
    auto size = FormatSize(set, attachment.size);
    if (!size.ok()) return size.status();
    attachments.push_back({{"name", Line(attachment.name)},
                           {"size", std::move(*size)},
                           {"sha256", ShortHash(attachment.sha256)}});
  }
  values["attachment_count"] = std::to_string(attachments.size());
  SetList(values, "attachments", std::move(attachments));
  values["warn_no_attachment"] = facts.warn_no_attachment;
  values["warn_only_links"] = facts.warn_only_links;
  values["warn_empty_text"] = facts.warn_empty_text;
  values["warnings"] = facts.warn_no_attachment || facts.warn_only_links ||
                       facts.warn_empty_text;
  SetList(values, "open_codes", LineList(facts.open_codes, "line"));
  // "ДЗ-12 Алгебра: §12" names the work by its first word.
  std::string example_code;
  if (!facts.open_codes.empty()) {
    const std::string first = Line(facts.open_codes.front());
    example_code = first.substr(0, first.find(' '));
  }
  values["example_code"] = example_code;
  return RenderMail(set, "receipt", values, /*with_html=*/false);
}

namespace {

TemplateValues AssignmentValues(const SchoolInfo& school,
                                const AssignmentFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["code"] = Line(facts.code);
  values["class_name"] = Line(facts.class_name);
  values["school_subject"] = Line(facts.school_subject);
  values["title"] = Line(facts.title);
  values["instructions"] = Block(facts.instructions);
  SetList(values, "links", LineList(facts.links, "link"));
  SetList(values, "attachment_names", LineList(facts.attachment_names, "name"));
  values["teacher_name"] = Line(facts.teacher_name);
  values["teacher_address"] = Line(facts.teacher_address);
  values["set_local"] = Line(facts.set_local);
  values["due_local"] = Line(facts.due_local);
  return values;
}

}  // namespace

Result<MailText> RenderAssignment(const TemplateSet& set,
                                  const SchoolInfo& school,
                                  const AssignmentFacts& facts) {
  return RenderMail(set, "assignment", AssignmentValues(school, facts),
                    /*with_html=*/false);
}

Result<MailText> RenderAssignmentConfirmation(const TemplateSet& set,
                                              const SchoolInfo& school,
                                              const AssignmentFacts& facts,
                                              int pupils_mailed) {
  TemplateValues values = AssignmentValues(school, facts);
  values["pupils_mailed"] = std::to_string(pupils_mailed);
  values["no_pupils"] = pupils_mailed <= 0;
  return RenderMail(set, "assignment_confirmation", values,
                    /*with_html=*/false);
}

Result<std::string> RenderTagProblem(const TemplateSet& set,
                                     const std::string& code,
                                     const std::string& detail) {
  const auto& codes = TagProblemCodes();
  if (std::find(codes.begin(), codes.end(), code) == codes.end()) {
    return Status::Error("unknown assignment tag problem \"" + code + "\"");
  }
  TemplateValues values;
  values[code] = true;
  values["detail"] = Line(detail);
  auto text = RenderFile(set, kTagProblemsFile, values, Escape::kNone, "");
  if (!text.ok()) return text.status();
  std::string line = OneLine(*text);
  if (line.empty()) {
    return Status::Error("template " + std::string(kTagProblemsFile) +
                         ": no text for \"" + code + "\"");
  }
  return line;
}

Result<MailText> RenderAssignmentRejection(const TemplateSet& set,
                                           const SchoolInfo& school,
                                           const TagErrorFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["mail_subject"] = Line(facts.mail_subject);
  SetList(values, "problems", LineList(facts.problems, "line"));
  values["example"] = Line(facts.example);
  return RenderMail(set, "assignment_rejection", values,
                    /*with_html=*/false);
}

Result<MailText> RenderDeliveryFailure(const TemplateSet& set,
                                       const SchoolInfo& school,
                                       const DeliveryFailureFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["kind"] = Line(facts.kind);
  values["mail_subject"] = Line(facts.mail_subject);
  values["queued_local"] = Line(facts.queued_local);
  values["attempts"] = std::to_string(facts.attempts);
  TemplateList recipients;
  for (const FailedRecipientLine& r : facts.recipients) {
    recipients.push_back({{"address", Line(r.address)}, {"reply", Line(r.reply)}});
  }
  SetList(values, "recipients", std::move(recipients));
  return RenderMail(set, "delivery_failure", values, /*with_html=*/false);
}

namespace {

// The plural flags of `n` (AddPluralFlags) as `<prefix>one`, `<prefix>few`,
// ..., so one template can word two numbers.
void AddPrefixedPluralFlags(const std::string& language, std::uint64_t n,
                            const std::string& prefix, TemplateValues& values) {
  TemplateValues flags;
  AddPluralFlags(language, n, flags);
  for (auto& [name, flag] : flags) values[prefix + name] = std::move(flag);
}

// The template records of lessons, due lines and grade lines, as the
// morning mail, the status reply and the parent digest show them.
TemplateList LessonList(const std::vector<LessonLine>& lines) {
  TemplateList list;
  for (const LessonLine& lesson : lines) {
    list.push_back({{"start", Line(lesson.start)},
                    {"end", Line(lesson.end)},
                    {"subject", Line(lesson.subject)},
                    {"link", Line(lesson.link)},
                    {"href", WebHref(lesson.link)},
                    {"note", Line(lesson.note)}});
  }
  return list;
}

TemplateList DueList(const std::vector<DueLine>& lines) {
  TemplateList list;
  for (const DueLine& due : lines) {
    list.push_back({{"code", Line(due.code)},
                    {"school_subject", Line(due.school_subject)},
                    {"title", Line(due.title)},
                    {"due_local", Line(due.due_local)},
                    {"teacher_address", Line(due.teacher_address)}});
  }
  return list;
}

TemplateList GradeList(const std::vector<StatusGradeLine>& lines) {
  TemplateList list;
  for (const StatusGradeLine& g : lines) {
    list.push_back({{"code", Line(g.code)},
                    {"school_subject", Line(g.school_subject)},
                    {"title", Line(g.title)},
                    {"value", Line(g.value)},
                    {"comment", Line(g.comment)},
                    {"teacher_name", Line(g.teacher_name)},
                    {"graded_local", Line(g.graded_local)}});
  }
  return list;
}

}  // namespace

Result<MailText> RenderGradingList(const TemplateSet& set,
                                   const SchoolInfo& school,
                                   const GradingListFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["teacher_name"] = Line(facts.teacher_name);
  values["day_local"] = Line(facts.day_local);
  std::uint64_t count = 0, late_count = 0;
  TemplateList assignments;
  for (const WaitingAssignment& a : facts.assignments) {
    TemplateList work;
    for (const WaitingWork& w : a.work) {
      ++count;
      if (w.late) ++late_count;
      const std::string folder = Line(w.folder);
      work.push_back({{"pupil_name", Line(w.pupil_name)},
                      {"class_name", Line(w.class_name)},
                      {"received_local", Line(w.received_local)},
                      {"late", w.late},
                      {"attempt", std::to_string(w.attempt)},
                      {"repeated", w.attempt > 1},
                      {"folder", folder},
                      {"filed", !folder.empty()},
                      {"mailbox", Line(w.mailbox)}});
    }
    assignments.push_back({{"code", Line(a.code)},
                           {"school_subject", Line(a.school_subject)},
                           {"title", Line(a.title)},
                           {"class_name", Line(a.class_name)},
                           {"due_local", Line(a.due_local)},
                           {"work", std::move(work)}});
  }
  SetList(values, "assignments", std::move(assignments));
  values["count"] = std::to_string(count);
  values["late_count"] = std::to_string(late_count);
  values["has_late"] = late_count > 0;
  AddPrefixedPluralFlags(set.language, count, "count_", values);
  return RenderMail(set, "grading_list", values, /*with_html=*/true);
}

Result<MailText> RenderMorning(const TemplateSet& set, const SchoolInfo& school,
                               const MorningFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["pupil_name"] = Line(facts.pupil_name);
  values["class_name"] = Line(facts.class_name);
  values["day_local"] = Line(facts.day_local);
  values["next_day_local"] = Line(facts.next_day_local);
  values["deadline"] = Line(facts.deadline);
  SetList(values, "lessons", LessonList(facts.lessons));
  SetList(values, "due_today", DueList(facts.due_today));
  SetList(values, "due_next", DueList(facts.due_next));
  // An example code for "how to hand in": the first one the pupil has.
  std::string example_code;
  if (!facts.due_today.empty()) {
    example_code = Line(facts.due_today.front().code);
  } else if (!facts.due_next.empty()) {
    example_code = Line(facts.due_next.front().code);
  }
  values["example_code"] = example_code;
  return RenderMail(set, "morning", values, /*with_html=*/true);
}

namespace {

// A grade value for templates: `<prefix>numeric` with the number in
// `<prefix>value`, or the flag `<prefix>passed` / `<prefix>failed`.
void SetGradeValue(TemplateValues& values, const std::string& prefix,
                   const std::string& value) {
  const std::string stored = Line(value);
  values[prefix + "value"] = stored;
  values[prefix + "passed"] = stored == "pass";
  values[prefix + "failed"] = stored == "fail";
  values[prefix + "numeric"] =
      !stored.empty() && stored != "pass" && stored != "fail";
}

}  // namespace

Result<MailText> RenderGradeNotice(const TemplateSet& set,
                                   const SchoolInfo& school,
                                   const GradeNoticeFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["pupil_name"] = Line(facts.pupil_name);
  values["teacher_name"] = Line(facts.teacher_name);
  values["teacher_address"] = Line(facts.teacher_address);
  values["matched"] = facts.matched;
  values["assignment_code"] = Line(facts.assignment_code);
  values["school_subject"] = Line(facts.school_subject);
  values["assignment_title"] = Line(facts.assignment_title);
  values["mail_subject"] = Line(facts.mail_subject);
  values["received_local"] = Line(facts.received_local);
  values["late"] = facts.late;
  SetGradeValue(values, "", facts.value);
  SetGradeValue(values, "previous_", facts.previous_value);
  values["changed"] = !Line(facts.previous_value).empty();
  const std::string comment = Block(facts.comment);
  values["comment"] = comment;
  values["has_comment"] = !comment.empty();
  values["graded_local"] = Line(facts.graded_local);
  return RenderMail(set, "grade_notice", values, /*with_html=*/false);
}

Result<MailText> RenderStatusReply(const TemplateSet& set,
                                   const SchoolInfo& school,
                                   const StatusFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["recipient_name"] = Line(facts.recipient_name);
  values["now_local"] = Line(facts.now_local);
  TemplateList children;
  for (const StatusChild& child : facts.children) {
    TemplateValues c{{"name", Line(child.name)}, {"class_name", Line(child.class_name)}};
    TemplateList assignments;
    for (const StatusAssignmentLine& a : child.assignments) {
      assignments.push_back({{"code", Line(a.code)},
                             {"school_subject", Line(a.school_subject)},
                             {"title", Line(a.title)},
                             {"due_local", Line(a.due_local)},
                             {"handed_in", a.handed_in},
                             {"late", a.late},
                             {"attempts", std::to_string(a.attempts)},
                             {"overdue", a.overdue}});
    }
    SetList(c, "assignments", std::move(assignments));
    SetList(c, "grades", GradeList(child.grades));
    children.push_back(std::move(c));
  }
  SetList(values, "children", std::move(children));
  return RenderMail(set, "status_reply", values, /*with_html=*/false);
}

// --- The hotline ---

Result<MailText> RenderHotlineForward(const TemplateSet& set,
                                      const SchoolInfo& school,
                                      const HotlineForwardFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["number"] = std::to_string(facts.number);
  values["who"] = Line(facts.who);
  values["sender"] = Line(facts.sender);
  values["mail_subject"] = Line(facts.mail_subject);
  values["received_local"] = Line(facts.received_local);
  values["answer_by_local"] = Line(facts.answer_by_local);
  values["question"] = Block(facts.question);
  SetList(values, "attachments", LineList(facts.attachments, "name"));
  return RenderMail(set, "hotline_forward", values, /*with_html=*/false);
}

Result<MailText> RenderHotlineReceipt(const TemplateSet& set,
                                      const SchoolInfo& school,
                                      const HotlineReceiptFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["number"] = std::to_string(facts.number);
  values["recipient_name"] = Line(facts.recipient_name);
  values["mail_subject"] = Line(facts.mail_subject);
  values["received_local"] = Line(facts.received_local);
  values["answer_by_local"] = Line(facts.answer_by_local);
  values["hours"] = std::to_string(facts.hours);
  AddPluralFlags(set.language, static_cast<std::uint64_t>(facts.hours),
                 values);
  return RenderMail(set, "hotline_receipt", values, /*with_html=*/false);
}

Result<MailText> RenderHotlineAnswer(const TemplateSet& set,
                                     const SchoolInfo& school,
                                     const HotlineAnswerFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["number"] = std::to_string(facts.number);
  values["recipient_name"] = Line(facts.recipient_name);
  values["mail_subject"] = Line(facts.mail_subject);
  values["answer"] = Block(facts.answer);
  return RenderMail(set, "hotline_answer", values, /*with_html=*/false);
}

// --- Distance mode starts ---

Result<MailText> RenderWelcome(const TemplateSet& set, const SchoolInfo& school,
                               const WelcomeFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["recipient_name"] = Line(facts.recipient_name);
  values["parent"] = facts.parent;
  values["deadline_local"] = Line(facts.deadline_local);
  values["morning_local"] = Line(facts.morning_local);
  values["digest_local"] = Line(facts.digest_local);
  values["school_mailbox"] = Line(facts.school_mailbox);
  SetList(values, "platforms", LineList(facts.platforms, "platform"));
  TemplateList classes;
  for (const WelcomeClass& c : facts.classes) {
    TemplateValues v{{"class_name", Line(c.class_name)},
                     {"first_day", Line(c.first_day)},
                     {"last_day", Line(c.last_day)},
                     {"order_text", Line(c.order_text)},
                     {"class_teacher_name", Line(c.class_teacher_name)},
                     {"class_teacher_address", Line(c.class_teacher_address)}};
    SetList(v, "children", LineList(c.children, "name"));
    TemplateList teachers;
    for (const WelcomeTeacherLine& t : c.teachers) {
      teachers.push_back({{"subject", Line(t.subject)},
                          {"name", Line(t.name)},
                          {"address", Line(t.address)}});
    }
    SetList(v, "teachers", std::move(teachers));
    TemplateList lessons;
    for (const WelcomeLessonLine& l : c.lessons) {
      lessons.push_back({{"when", Line(l.when)},
                         {"subject", Line(l.subject)},
                         {"link", Line(l.link)},
                         {"note", Line(l.note)}});
    }
    SetList(v, "lessons", std::move(lessons));
    classes.push_back(std::move(v));
  }
  values["classes"] = std::move(classes);
  return RenderMail(set, "welcome", values, /*with_html=*/false);
}

Result<MailText> RenderBriefing(const TemplateSet& set,
                                const SchoolInfo& school,
                                const BriefingFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["teacher_name"] = Line(facts.teacher_name);
  values["mailbox"] = Line(facts.mailbox);
  values["queue_root"] = Line(facts.queue_root);
  values["deadline_local"] = Line(facts.deadline_local);
  values["school_mailbox"] = Line(facts.school_mailbox);
  values["tag_example"] = Line(facts.tag_example);
  values["grade_example"] = Line(facts.grade_example);
  values["scale"] = Line(facts.scale);
  values["grading_list_local"] = Line(facts.grading_list_local);
  values["morning_local"] = Line(facts.morning_local);
  values["digest_local"] = Line(facts.digest_local);
  values["class_list_local"] = Line(facts.class_list_local);
  values["class_teacher_of"] = Line(facts.class_teacher_of);
  SetList(values, "classes", LineList(facts.classes, "line"));
  return RenderMail(set, "briefing", values, /*with_html=*/false);
}

// --- The class teacher's daily list and illness records (issue 6) ---

Result<MailText> RenderClassList(const TemplateSet& set,
                                 const SchoolInfo& school,
                                 const ClassListFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["teacher_name"] = Line(facts.teacher_name);
  values["class_name"] = Line(facts.class_name);
  values["day_local"] = Line(facts.day_local);
  values["reply_address"] = Line(facts.reply_address);
  values["example"] = Line(facts.example);
  TemplateList due;
  for (const ClassListDue& d : facts.due) {
    due.push_back({{"code", Line(d.code)},
                   {"school_subject", Line(d.school_subject)},
                   {"title", Line(d.title)},
                   {"due_local", Line(d.due_local)}});
  }
  SetList(values, "due", std::move(due));
  std::map<std::string, std::uint64_t> count;  // by status
  std::uint64_t works = 0, ill = 0, no_activity = 0;
  TemplateList pupils;
  for (const ClassListPupil& p : facts.pupils) {
    TemplateList lines;
    for (const ClassListWork& w : p.works) {
      ++works;
      ++count[w.status];
      lines.push_back({{"code", Line(w.code)},
                       {"school_subject", Line(w.school_subject)},
                       {"on_time", w.status == "on_time"},
                       {"late", w.status == "late"},
                       {"missing", w.status == "missing"},
                       {"pending", w.status == "pending"},
                       {"ill", w.status == "ill"},
                       {"received_local", Line(w.received_local)},
                       {"due_local", Line(w.due_local)}});
    }
    if (!p.ill_until.empty()) ++ill;
    if (p.no_activity) ++no_activity;
    TemplateValues pupil{{"name", Line(p.name)},
                         {"duty_group", Line(p.duty_group)},
                         {"ill_until", Line(p.ill_until)},
                         {"no_activity", p.no_activity}};
    SetList(pupil, "works", std::move(lines));
    pupils.push_back(std::move(pupil));
  }
  SetList(values, "pupils", std::move(pupils));
  values["pupil_count"] = std::to_string(facts.pupils.size());
  values["work_count"] = std::to_string(works);
  values["on_time_count"] = std::to_string(count["on_time"]);
  values["late_count"] = std::to_string(count["late"]);
  values["missing_count"] = std::to_string(count["missing"]);
  values["pending_count"] = std::to_string(count["pending"]);
  values["has_pending"] = count["pending"] > 0;
  values["ill_count"] = std::to_string(ill);
  values["no_activity_count"] = std::to_string(no_activity);
  values["has_trouble"] = count["missing"] + count["late"] + no_activity > 0;
  return RenderMail(set, "class_list", values, /*with_html=*/true);
}

Result<MailText> RenderIllnessReply(const TemplateSet& set,
                                    const SchoolInfo& school,
                                    const IllnessReplyFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["teacher_name"] = Line(facts.teacher_name);
  values["class_name"] = Line(facts.class_name);
  values["mail_subject"] = Line(facts.mail_subject);
  values["example"] = Line(facts.example);
  TemplateList recorded;
  for (const RecordedIllnessLine& r : facts.recorded) {
    recorded.push_back({{"pupil_name", Line(r.pupil_name)},
                        {"class_name", Line(r.class_name)},
                        {"first_local", Line(r.first_local)},
                        {"last_local", Line(r.last_local)},
                        {"one_day", r.first_local == r.last_local}});
  }
  TemplateList problems;
  for (const IllnessProblemLine& p : facts.problems) {
    problems.push_back({{"line", std::to_string(p.line)},
                        {"written", Line(p.written)},
                        {"detail", Line(p.detail)},
                        {"bad_date", p.code == "bad_date"},
                        {"past_date", p.code == "past_date"},
                        {"no_name", p.code == "no_name"},
                        {"too_many", p.code == "too_many"},
                        {"unknown_name", p.code == "unknown_name"},
                        {"ambiguous_name", p.code == "ambiguous_name"}});
  }
  values["recorded_count"] = std::to_string(recorded.size());
  values["problem_count"] = std::to_string(problems.size());
  SetList(values, "recorded", std::move(recorded));
  SetList(values, "problems", std::move(problems));
  return RenderMail(set, "illness_reply", values, /*with_html=*/false);
}

}  // namespace schoolmail

// --- The parent's evening digest ---

namespace schoolmail {

Result<MailText> RenderParentDigest(const TemplateSet& set,
                                    const SchoolInfo& school,
                                    const ParentDigestFacts& facts) {
  using State = DigestWorkLine::State;
  TemplateValues values = SchoolValues(school);
  values["parent_name"] = Line(facts.parent_name);
  values["day_local"] = Line(facts.day_local);
  values["next_day_local"] = Line(facts.next_day_local);
  values["grades_since_local"] = Line(facts.grades_since_local);
  TemplateList children;
  for (std::size_t i = 0; i < facts.children.size(); ++i) {
    const DigestChild& child = facts.children[i];
    TemplateValues c{{"name", Line(child.name)},
                     {"class_name", Line(child.class_name)},
                     {"last", i + 1 == facts.children.size()}};
    TemplateList today;
    for (const DigestWorkLine& w : child.today) {
      today.push_back({{"code", Line(w.code)},
                       {"school_subject", Line(w.school_subject)},
                       {"title", Line(w.title)},
                       {"due_local", Line(w.due_local)},
                       {"received_local", Line(w.received_local)},
                       {"on_time", w.state == State::kOnTime},
                       {"late", w.state == State::kLate},
                       {"missing", w.state == State::kMissing},
                       {"ill", w.state == State::kIll},
                       {"open", w.state == State::kOpen}});
    }
    SetList(c, "today", std::move(today));
    SetList(c, "grades", GradeList(child.grades));
    SetList(c, "due_next", DueList(child.due_next));
    SetList(c, "lessons_next", LessonList(child.lessons_next));
    children.push_back(std::move(c));
  }
  SetList(values, "children", std::move(children));
  // The notices as paragraphs of lines.
  TemplateList paragraphs;
  TemplateList paragraph;
  auto end_paragraph = [&] {
    if (!paragraph.empty()) paragraphs.push_back({{"lines", paragraph}});
    paragraph.clear();
  };
  const std::string notices = Block(facts.notices);
  for (std::size_t start = 0; start < notices.size();) {
    std::size_t end = std::min(notices.find('\n', start), notices.size());
    const std::string line =
        Line(std::string_view(notices).substr(start, end - start));
    start = end + 1;
    if (line.empty()) {
      end_paragraph();
    } else {
      paragraph.push_back({{"line", line}, {"first", paragraph.empty()}});
    }
  }
  end_paragraph();
  values["has_notices"] = !paragraphs.empty();
  values["notice_paragraphs"] = std::move(paragraphs);
  return RenderMail(set, "parent_digest", values, /*with_html=*/true);
}

// --- The administration's control report ---

int RoundedPercent(int part, int whole) {
  if (whole <= 0) return 0;
  return static_cast<int>((200LL * part + whole) / (2LL * whole));
}

Result<MailText> RenderAdminReport(const TemplateSet& set,
                                   const SchoolInfo& school,
                                   const AdminReportFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["first_day"] = Line(facts.first_day_local);
  values["last_day"] = Line(facts.last_day_local);
  values["weekly"] = facts.weekly;
  values["now_local"] = Line(facts.now_local);
  values["ungraded_days"] = std::to_string(facts.ungraded_days);
  AddPrefixedPluralFlags(set.language,
                         static_cast<std::uint64_t>(facts.ungraded_days),
                         "ungraded_days_", values);

  TemplateList subjects;
  for (const ReportSubjectLine& l : facts.subjects) {
    subjects.push_back(
        {{"class_name", Line(l.class_name)},
         {"school_subject", Line(l.school_subject)},
         {"set", std::to_string(l.set)},
         {"planned", std::to_string(l.planned)},
         {"behind_plan", l.set < l.planned},
         {"has_owed", l.owed > 0},
         {"owed", std::to_string(l.owed)},
         {"handed_in", std::to_string(l.handed_in)},
         {"on_time", std::to_string(l.on_time)},
         {"hand_in_percent", std::to_string(RoundedPercent(l.handed_in, l.owed))},
         {"on_time_percent", std::to_string(RoundedPercent(l.on_time, l.owed))}});
  }
  SetList(values, "subjects", std::move(subjects));

  TemplateList ungraded;
  for (const ReportUngradedLine& l : facts.ungraded) {
    TemplateValues line{{"teacher_name", Line(l.teacher_name)},
                        {"count", std::to_string(l.count)},
                        {"oldest_received", Line(l.oldest_received_local)},
                        {"oldest_days", std::to_string(l.oldest_days)},
                        {"oldest_work", Line(l.oldest_work)}};
    AddPrefixedPluralFlags(set.language, static_cast<std::uint64_t>(l.count),
                           "count_", line);
    AddPrefixedPluralFlags(set.language,
                           static_cast<std::uint64_t>(l.oldest_days), "days_",
                           line);
    ungraded.push_back(std::move(line));
  }
  SetList(values, "ungraded", std::move(ungraded));

  TemplateList inactive;
  for (const ReportInactiveLine& l : facts.inactive) {
    TemplateValues line{{"pupil_name", Line(l.pupil_name)},
                        {"class_name", Line(l.class_name)},
                        {"days", std::to_string(l.days)},
                        {"last_mail", Line(l.last_mail_local)}};
    AddPrefixedPluralFlags(set.language, static_cast<std::uint64_t>(l.days),
                           "days_", line);
    inactive.push_back(std::move(line));
  }
  SetList(values, "inactive", std::move(inactive));

  TemplateList failed;
  for (const ReportFailedLine& l : facts.failed) {
    failed.push_back({{"kind", Line(l.kind)},
                      {"recipient", Line(l.recipient)},
                      {"summary", Line(l.summary)},
                      {"reply", Line(l.reply)},
                      {"failed_local", Line(l.failed_local)}});
  }
  SetList(values, "failed", std::move(failed));

  TemplateList parents;
  for (const ReportParentLine& p : facts.parents) {
    TemplateList days;
    for (const ReportDigestDay& d : p.days) {
      using State = ReportDigestDay::State;
      days.push_back({{"day_local", Line(d.day_local)},
                      {"sent", d.state == State::kSent},
                      {"failed", d.state == State::kFailed},
                      {"pending", d.state == State::kPending},
                      {"not_sent", d.state == State::kNotSent},
                      {"at_local", Line(d.at_local)},
                      {"reply", Line(d.reply)}});
    }
    parents.push_back({{"parent_name", Line(p.parent_name)},
                       {"children", Line(p.children)},
                       {"days", std::move(days)}});
  }
  SetList(values, "parents", std::move(parents));

  TemplateList questions;
  for (const ReportQuestionLine& q : facts.questions) {
    questions.push_back({{"who", Line(q.who)},
                         {"sender", Line(q.sender)},
                         {"subject", Line(q.subject)},
                         {"received_local", Line(q.received_local)}});
  }
  SetList(values, "questions", std::move(questions));
  return RenderMail(set, "admin_report", values, /*with_html=*/true);
}

// --- Grades by mail to the school mailbox ---

Result<MailText> RenderGradeByMail(const TemplateSet& set,
                                   const SchoolInfo& school,
                                   const GradeByMailFacts& facts) {
  TemplateValues values = SchoolValues(school);
  values["teacher_name"] = Line(facts.teacher_name);
  values["mail_subject"] = Line(facts.mail_subject);
  values["recorded"] = facts.recorded;
  for (const char* problem : {"not_authenticated", "bad_grade", "no_work",
                              "not_yours", "not_recorded"}) {
    values[problem] = facts.problem == problem;
  }
  values["grade_line"] = Line(facts.grade_line);
  values["pupil_name"] = Line(facts.pupil_name);
  values["work"] = Line(facts.work);
  values["value"] = Line(facts.value);
  return RenderMail(set, "grade_by_mail", values, /*with_html=*/false);
}

}  // namespace schoolmail
