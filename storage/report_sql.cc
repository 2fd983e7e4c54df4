#include "storage/report_sql.h"

#include <string>

namespace schoolmail::report_sql {

using sqlite::Database;
using sqlite::Statement;

std::vector<PlannedLesson> ListPlannedLessons(Database& db, const Date& first,
                                              const Date& last) {
  Statement s(db,
              "SELECT l.day, c.name, j.name, l.topic FROM lesson_plan l "
              "JOIN classes c ON c.id = l.class_id "
              "JOIN subjects j ON j.id = l.subject_id "
              "WHERE l.day BETWEEN ? AND ? ORDER BY l.day, c.name, j.name, "
              "l.topic");
  s.Bind(FormatDate(first)).Bind(FormatDate(last));
  std::vector<PlannedLesson> out;
  while (s.Step()) {
    PlannedLesson p;
    p.day = ParseDate(s.Text(0)).value_or(Date{});
    p.class_name = s.Text(1);
    p.subject = s.Text(2);
    p.topic = s.Text(3);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<DeliveryRow> ListDeliveries(Database& db,
                                        const DeliveryFilter& filter) {
  // A recipient without any event yet is one row with NULL event columns;
  // its time is the outbox entry's. Only the filters in use are in the
  // WHERE clause, so that SQLite can use the indexes on the address, the
  // kind and the event time.
  const bool by_event = !filter.event.empty();
  const std::string time = by_event ? "l.at" : "COALESCE(l.at, o.created_at)";
  std::string where = " WHERE 1";
  if (!filter.address.empty()) where += " AND r.address = ?";
  if (!filter.kind.empty()) where += " AND o.kind = ?";
  if (by_event) where += " AND l.event = ?";
  if (filter.from != 0) where += " AND " + time + " >= ?";
  if (filter.to != 0) where += " AND " + time + " < ?";
  Statement s(db,
              "SELECT o.id, o.kind, COALESCE(o.dedup_key, ''), o.summary, "
              "o.created_at, r.address, COALESCE(l.event, ''), "
              "COALESCE(l.reply, ''), COALESCE(l.at, 0) FROM outbox o "
              "JOIN outbox_recipients r ON r.outbox_id = o.id " +
                  std::string(by_event ? "JOIN" : "LEFT JOIN") +
                  " delivery_log l ON l.outbox_id = o.id AND l.address = "
                  "r.address" +
                  where + " ORDER BY " + time + ", o.id, l.id");
  if (!filter.address.empty()) s.Bind(filter.address);
  if (!filter.kind.empty()) s.Bind(filter.kind);
  if (by_event) s.Bind(filter.event);
  if (filter.from != 0) s.Bind(filter.from);
  if (filter.to != 0) s.Bind(filter.to);
  std::vector<DeliveryRow> out;
  while (s.Step()) {
    DeliveryRow d;
    d.outbox_id = s.Int(0);
    d.kind = s.Text(1);
    d.dedup_key = s.Text(2);
    d.summary = s.Text(3);
    d.queued_at = s.Int(4);
    d.address = s.Text(5);
    d.event = s.Text(6);
    d.reply = s.Text(7);
    d.at = s.Int(8);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace schoolmail::report_sql
