// The hotline by mail: questions that parents, pupils or anyone send to the
// school mailbox (anything that is not a command) go to the duty
// administrator; the administrator answers by replying, and schoolmail
// relays the answer.
//
// A question: recorded once per message (its message key), forwarded to
// the duty administrator ([hotline] duty_address, else [school]
// admin_address) with the sender resolved against the roster (pupil and
// class, or parent and children), the promised answer time and the
// question's text; the forward carries Reply-To the school mailbox, so the
// administrator's reply comes back here. A sender the roster knows gets a
// receipt (automatic: capped) promising an answer within [hotline]
// answer_within_hours; unknown senders get none (no backscatter to forged
// addresses), but their question is still forwarded.
//
// An answer: a mail to the school mailbox whose In-Reply-To/References name
// a forward, from the duty or admin address, not failed by the school
// server's authentication check. Its own text (above the quote) goes to the
// question's sender, threaded under the question, and the question is
// marked answered. Anyone else replying to a forward is not relayed.
//
// Not questions: replies to an assignment mail (a pupil's reply-all when
// handing in: the teacher has the work) are recorded and left alone.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "config/school.h"
#include "config/settings.h"
#include "daemon/outgoing.h"
#include "parsers/mime_message.h"
#include "storage/store.h"

namespace schoolmail {

// The duty administrator's address; "" when neither key is set.
std::string DutyAddress(const Settings& settings);

// How the roster knows `address`: the name to greet and a description for
// the administrator ("Иванова Елена Викторовна, родитель: Иванов Пётр,
// 7А"). Both empty for an unknown address. Pure.
struct SenderInRoster {
  std::string name;
  std::string who;
};
SenderInRoster DescribeSender(const Roster& roster, const std::string& address,
                              bool russian);

// True when `mail` answers the mail of one of `assignments`.
bool RepliesToAssignmentMail(const ParsedMessage& mail,
                             const std::vector<Assignment>& assignments);

// Takes `mail` as a question (see above); returns the outcome to record.
Result<std::string> TakeHotlineQuestion(const Settings& settings, Store& store,
                                        const MailContext& context,
                                        const ParsedMessage& mail,
                                        const std::string& message_key,
                                        std::int64_t now);

// When `mail` replies to a forwarded question: relays it (or refuses to)
// and returns the outcome to record; nullopt when it answers no forward.
Result<std::optional<std::string>> RelayHotlineAnswer(
    const Settings& settings, Store& store, const MailContext& context,
    const ParsedMessage& mail, const std::string& message_key,
    std::int64_t now);

// `schoolmail hotline [--open]`: every question (or the open ones), with
// who asked, when, the promised time, and the answer's time or "OVERDUE".
int PrintHotlineQuestions(Store& store, const Settings& settings,
                          bool open_only, std::int64_t now, std::ostream& out,
                          std::ostream& err);

}  // namespace schoolmail
