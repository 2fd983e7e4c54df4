// `schoolmail parse-mail FILE.eml`: how an operator sees why a mail was read
// as it was.
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "config/settings.h"
#include "parsers/mime_message.h"

namespace schoolmail {

// The parse as JSON: from, sender, reply_to, to, cc, return_path, subject,
// date, message_id, in_reply_to, references, auto_submitted, precedence,
// list_headers, auth_results, kind, kind_reason, text, text_from_html,
// attachments [{name, type, size, sha256, inline}], defects, rejected
// ({limit, reason} or null). Absent values are null.
nlohmann::ordered_json ParseToJson(const MimeParse& parse);

// Reads FILE and prints ParseToJson; exit 0 on a parse (also a rejection by
// a limit), 1 with a message on `err` when the file cannot be read.
int ParseMailFile(const std::string& path, const Limits& limits,
                  std::ostream& out, std::ostream& err);

}  // namespace schoolmail
