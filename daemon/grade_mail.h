// Grading by mail to the school mailbox: a teacher who cannot reply from
// the mailbox the work came to (or prefers to) sends the school mailbox a
// mail that quotes the pupil's submission, with the grade in its first
// lines as in a reply ("Оценка: 5", parsers/grade_line.h).
//
// Which work: the first of, in order, the mail's In-Reply-To/References,
// the Message-ID of a message attached to it (message/rfc822: "forward as
// attachment"), or the header block of an inline forward or quote ("From:
// / От:" with the pupil's address and "Subject: / Тема:"), naming a stored
// submission (for the header block: the latest from that address with that
// subject).
//
// Who (RELIABILITY 28): the sender must be a roster teacher, the school
// server must have checked the mail and said pass (Authentication-Results
// under [intake] authserv_id: without that check, or with any other
// verdict, the From proves nothing and no grade is taken), and the teacher
// must be allowed to grade the work (daemon/grades.h: GradeRefusal). The
// teacher gets an answer either way (automatic: capped): the grade
// recorded, or why not. The pupil's notice follows as for any grade.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.h"
#include "daemon/outgoing.h"
#include "parsers/mime_message.h"
#include "storage/store.h"

namespace schoolmail {

// The header block of a forwarded or quoted original in `text`: its sender
// address (normalised) and subject; nullopt when there is none. Pure.
struct QuotedOriginal {
  std::string sender;
  std::string subject;
};
std::optional<QuotedOriginal> QuotedOriginalIn(std::string_view text);

// The Message-IDs that may name the graded work, in order: In-Reply-To,
// References, then those of attached messages. Pure.
std::vector<std::string> QuotedMessageIds(const ParsedMessage& mail,
                                          const Limits& limits);

// True when `mail` (to the school mailbox) is a roster teacher's mail with
// a grade line.
bool IsGradeMail(const ParsedMessage& mail, const Roster& roster,
                 const GradeScale& scale);

// Handles a grade mail (see above); returns the outcome to record.
Result<std::string> HandleGradeMail(const Settings& settings, Store& store,
                                    const MailContext& context,
                                    const ParsedMessage& mail,
                                    const std::string& message_key,
                                    std::int64_t now);

}  // namespace schoolmail
