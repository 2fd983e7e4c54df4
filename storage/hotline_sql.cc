#include "storage/hotline_sql.h"

namespace schoolmail::hotline_sql {
namespace {

using sqlite::Database;
using sqlite::Statement;

constexpr const char* kColumns =
    "SELECT id, message_key, sender, who, subject, message_id, received_at, "
    "answer_due_at, forward_message_id, COALESCE(answered_at, 0), "
    "COALESCE(answered_by, ''), COALESCE(answer_message_id, '') "
    "FROM hotline_questions ";

HotlineQuestion Read(const Statement& s) {
  HotlineQuestion q;
  q.id = s.Int(0);
  q.message_key = s.Text(1);
  q.sender = s.Text(2);
  q.who = s.Text(3);
  q.subject = s.Text(4);
  q.message_id = s.Text(5);
  q.received_at = s.Int(6);
  q.answer_due_at = s.Int(7);
  q.forward_message_id = s.Text(8);
  q.answered_at = s.Int(9);
  q.answered_by = s.Text(10);
  q.answer_message_id = s.Text(11);
  return q;
}

std::optional<HotlineQuestion> One(Database& db, const std::string& where,
                                   const std::string& value) {
  Statement s(db, std::string(kColumns) + where);
  s.Bind(value);
  if (!s.Step()) return std::nullopt;
  return Read(s);
}

}  // namespace

HotlineQuestion Record(Database& db, const HotlineQuestion& q) {
  Statement insert(db,
                   "INSERT INTO hotline_questions(message_key, sender, who, "
                   "subject, message_id, received_at, answer_due_at, "
                   "forward_message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                   "ON CONFLICT(message_key) DO NOTHING");
  insert.Bind(q.message_key).Bind(q.sender).Bind(q.who).Bind(q.subject)
      .Bind(q.message_id).Bind(q.received_at).Bind(q.answer_due_at)
      .Bind(q.forward_message_id)
      .Run();
  return *One(db, "WHERE message_key = ?", q.message_key);
}

std::optional<HotlineQuestion> FindByForward(Database& db,
                                             const std::string& message_id) {
  return One(db, "WHERE forward_message_id = ?", message_id);
}

void MarkAnswered(Database& db, std::int64_t id, std::int64_t at,
                  const std::string& by, const std::string& answer_message_id) {
  Statement s(db,
              "UPDATE hotline_questions SET answered_at = ?, answered_by = ?, "
              "answer_message_id = ? WHERE id = ? AND answered_at IS NULL");
  s.Bind(at).Bind(by).Bind(answer_message_id).Bind(id).Run();
}

std::vector<HotlineQuestion> List(Database& db, bool open_only) {
  Statement s(db, std::string(kColumns) +
                      (open_only ? "WHERE answered_at IS NULL " : "") +
                      "ORDER BY received_at, id");
  std::vector<HotlineQuestion> out;
  while (s.Step()) out.push_back(Read(s));
  return out;
}

}  // namespace schoolmail::hotline_sql
