#include "daemon/parse_mail_command.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace schoolmail {
namespace {

using Json = nlohmann::ordered_json;

Json Optional(const std::optional<std::string>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json Addresses(const std::vector<MailAddress>& list) {
  Json out = Json::array();
  for (const MailAddress& a : list) {
    out.push_back({{"name", a.name}, {"address", a.address}, {"valid", a.valid}});
  }
  return out;
}

}  // namespace

nlohmann::ordered_json ParseToJson(const MimeParse& parse) {
  Json out;
  if (!parse.message) {
    out["rejected"] = {{"limit", parse.rejection->limit},
                       {"reason", parse.rejection->detail}};
    return out;
  }
  const ParsedMessage& m = *parse.message;
  out["from"] = Addresses(m.from);
  out["sender"] = Addresses(m.sender);
  out["reply_to"] = Addresses(m.reply_to);
  out["to"] = Addresses(m.to);
  out["cc"] = Addresses(m.cc);
  out["return_path"] = Optional(m.return_path);
  out["subject"] = Optional(m.subject);
  out["date"] = Optional(m.date);
  out["message_id"] = Optional(m.message_id);
  out["in_reply_to"] = m.in_reply_to;
  out["references"] = m.references;
  out["auto_submitted"] = Optional(m.auto_submitted);
  out["precedence"] = Optional(m.precedence);
  Json lists = Json::array();
  for (const auto& [name, value] : m.list_headers) {
    lists.push_back({{"name", name}, {"value", value}});
  }
  out["list_headers"] = lists;
  out["auth_results"] = m.authentication_results;
  out["kind"] = MessageKindName(m.kind);
  out["kind_reason"] = m.kind_reason;
  out["text"] = m.text;
  out["text_from_html"] = m.text_from_html;
  Json attachments = Json::array();
  for (const Attachment& a : m.attachments) {
    attachments.push_back({{"name", a.name},
                           {"type", a.content_type},
                           {"size", a.size},
                           {"sha256", a.sha256},
                           {"inline", a.inline_part}});
  }
  out["attachments"] = attachments;
  out["defects"] = m.defects;
  out["rejected"] = nullptr;
  return out;
}

int ParseMailFile(const std::string& path, const Limits& limits,
                  std::ostream& out, std::ostream& err) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    err << path << ": cannot read: " << std::strerror(errno) << "\n";
    return 1;
  }
  std::stringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) {
    err << path << ": read error\n";
    return 1;
  }
  MimeParse parse = ParseMessage(bytes.str(), limits);
  out << ParseToJson(parse).dump(2, ' ', false,
                                 nlohmann::json::error_handler_t::replace)
      << "\n";
  return 0;
}

}  // namespace schoolmail
