// Who sent a message, whether it is a submission, and for which assignment.
// Pure: the parsed message and the school's data in, a decision out.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/school.h"
#include "parsers/mime_message.h"

namespace schoolmail {

enum class Intake {
  kNotSubmission,  // auto-reply, delivery report, bulk, our own mail
  kUnknownSender,  // no pupil has this address: the teacher's to judge
  kReview,         // the school's server says the sender failed checks
  kUnmatched,      // a pupil's mail that fits no assignment
  kSubmission,     // a pupil's work for `assignment`
};
const char* IntakeName(Intake intake);

struct Classification {
  Intake intake = Intake::kUnmatched;
  std::string reason;  // for logs and `schoolmail submissions`
  std::optional<Pupil> pupil;
  std::optional<Assignment> assignment;
  std::string matched_by;  // "reply", "code", "only open", "subject"
};

// What the rules need to know about the school.
struct IntakeContext {
  const Roster* roster = nullptr;
  std::vector<Assignment> assignments;  // of the mailbox's teacher
  std::string teacher_id;               // the mailbox's owner
  std::vector<std::string> own_addresses;  // schoolmail's sender, the school box
  std::string authserv_id;  // the school's receiving server; empty: ignore
  int late_window_days = 7;  // late work still matches for this long
};

// Decides on one message received at `received_day` (school time).
// Sender: the first From address, exact normalised match only (never the
// display name). Assignment, in order: In-Reply-To/References naming the
// assignment's mail; its code in the subject ("ДЗ-12", "DZ 12", "дз12");
// the only assignment of this teacher for the pupil's class that is open
// (set on or before the day, due no more than late_window_days before
// it); the only open one whose subject name appears in the mail's subject.
Classification ClassifySubmission(const ParsedMessage& message,
                                  const Date& received_day,
                                  const IntakeContext& context);

// The verdict of the topmost Authentication-Results header whose
// authserv-id is `authserv_id` (headers below a forged one are ignored):
// "fail" when dmarc=fail, or when spf=fail and no dkim=pass; "pass" when it
// has dmarc=pass, spf=pass or dkim=pass; "none" otherwise or when absent.
std::string AuthenticationVerdict(const ParsedMessage& message,
                                  const std::string& authserv_id);

// What a receipt should warn about while there is still time to send the
// work again, comma-separated: "no_attachment" (nothing attached),
// "only_links" (nothing attached and the text is only web links: the
// teacher may not be able to open them), "empty_text" (no text at all).
std::string SubmissionWarnings(const ParsedMessage& message);

// The assignment code in a subject ("Re: [ДЗ-12] алгебра" -> "ДЗ-12").
std::optional<std::string> FindAssignmentCode(const std::string& subject);

}  // namespace schoolmail
