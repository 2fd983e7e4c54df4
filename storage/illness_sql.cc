#include "storage/illness_sql.h"

#include <optional>

namespace schoolmail::illness_sql {

using sqlite::Database;
using sqlite::Statement;

Result<std::int64_t> InsertIllness(Database& db, const Illness& illness) {
  const std::string what =
      "recording the illness of pupil \"" + illness.pupil_id + "\"";
  if (illness.source != "reply" && illness.source != "mail" &&
      illness.source != "cli") {
    return Status::Error(what + ": unknown source \"" + illness.source + "\"");
  }
  if (illness.last_day < illness.first_day) {
    return Status::Error(
        what + ": the last day " + FormatDate(illness.last_day) +
        " is before the first day " + FormatDate(illness.first_day));
  }
  Statement pupil(db,
                  "SELECT id FROM people WHERE external_id = ? AND "
                  "role = 'pupil'");
  pupil.Bind(illness.pupil_id);
  if (!pupil.Step()) return Status::Error(what + ": no such pupil");
  const std::int64_t pupil_row = pupil.Int(0);
  std::optional<std::int64_t> teacher_row;
  if (!illness.recorded_by.empty()) {
    Statement teacher(db,
                      "SELECT id FROM people WHERE external_id = ? AND "
                      "role = 'teacher'");
    teacher.Bind(illness.recorded_by);
    if (!teacher.Step()) {
      return Status::Error(what + ": \"" + illness.recorded_by +
                           "\" is not a teacher's id");
    }
    teacher_row = teacher.Int(0);
  }
  Statement known(db,
                  "SELECT id FROM illnesses WHERE pupil_id = ? AND "
                  "first_day = ? AND last_day = ?");
  known.Bind(pupil_row)
      .Bind(FormatDate(illness.first_day))
      .Bind(FormatDate(illness.last_day));
  if (known.Step()) return known.Int(0);
  Statement insert(
      db,
      "INSERT INTO illnesses(pupil_id, first_day, last_day, "
      "source, recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?)");
  insert.Bind(pupil_row)
      .Bind(FormatDate(illness.first_day))
      .Bind(FormatDate(illness.last_day))
      .Bind(illness.source)
      .Bind(teacher_row)
      .Bind(illness.recorded_at)
      .Run();
  return db.LastInsertId();
}

std::vector<Illness> ListIllnesses(Database& db, const Date& from,
                                   const Date& to) {
  Statement s(db,
              "SELECT i.id, p.external_id, i.first_day, i.last_day, i.source, "
              "COALESCE(t.external_id, ''), i.recorded_at FROM illnesses i "
              "JOIN people p ON p.id = i.pupil_id "
              "LEFT JOIN people t ON t.id = i.recorded_by "
              "WHERE i.first_day <= ? AND i.last_day >= ? "
              "ORDER BY p.external_id, i.first_day, i.id");
  s.Bind(FormatDate(to)).Bind(FormatDate(from));
  std::vector<Illness> out;
  while (s.Step()) {
    Illness i;
    i.id = s.Int(0);
    i.pupil_id = s.Text(1);
    i.first_day = ParseDate(s.Text(2)).value_or(Date{});
    i.last_day = ParseDate(s.Text(3)).value_or(Date{});
    i.source = s.Text(4);
    i.recorded_by = s.Text(5);
    i.recorded_at = s.Int(6);
    out.push_back(std::move(i));
  }
  return out;
}

}  // namespace schoolmail::illness_sql
