// Illness records by mail to the school mailbox: a class teacher's mail
// (a reply to the class list, which has Reply-To the school mailbox, or any
// mail) with lines such as "Болеет: Иванов Пётр до 05.12"
// (parsers/illness_line.h). Each named pupil is looked up in that
// teacher's own class only and recorded ill from today to the given day
// (source "reply" when the mail answers a class list mail, else "mail").
// The teacher gets one answer (automatic, threaded under their mail, once
// per message) saying what was recorded and, for each line that was not,
// why (unknown name, ambiguous name, bad or past date) with an example.
//
// Refused, recorded with outcome "ill_refused: ..." and answered by
// nothing: a sender who is not a roster teacher who is a class teacher, and
// mail that failed the school server's authentication check.
#pragma once

#include <cstdint>
#include <string>

#include "config/settings.h"
#include "daemon/outgoing.h"
#include "daemon/school_mailbox.h"
#include "parsers/mime_message.h"
#include "storage/store.h"

namespace schoolmail {

// True when the mail's own text (above the quote) has an illness line.
bool IsIllnessMail(const ParsedMessage& mail);

// Handles such a mail (see above); returns the outcome to record.
Result<std::string> HandleIllnessMail(const Settings& settings, Store& store,
                                      const MailContext& context,
                                      const ParsedMessage& mail,
                                      const std::string& message_key,
                                      SchoolMailboxReport* report,
                                      std::int64_t now);

}  // namespace schoolmail
