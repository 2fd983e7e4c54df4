// The grade queries of the SQLite store, private to storage/. Each function
// runs inside the caller's try block (SqliteError); those that change state
// run inside the caller's transaction. Bad input (no such submission or
// teacher) comes back as a Status before anything is written.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/sqlite.h"
#include "storage/store.h"

namespace schoolmail::grades_sql {

std::optional<GradeTarget> LoadTarget(sqlite::Database& db, std::int64_t id);
std::optional<GradeTarget> FindByMessageId(sqlite::Database& db,
                                           const std::string& message_id,
                                           const std::string& mailbox);
// The submission a sent message answers, as Store::RecordSent links it:
// the first of `refers_to` that names a submission of `mailbox` (the latest
// with that Message-ID); 0 when none does.
std::int64_t RepliedSubmission(sqlite::Database& db, const std::string& mailbox,
                               const std::vector<std::string>& refers_to);
// Links a teacher's sent message to `submission_id` (the replies table).
void InsertReply(sqlite::Database& db, std::int64_t submission_id,
                 const SentRecord& record);

// REQUIRES: inside a transaction.
Result<RecordedGrade> InsertGrade(sqlite::Database& db, const NewGrade& grade);

std::vector<GradeRow> ListGrades(sqlite::Database& db,
                                 const GradeFilter& filter);
std::vector<GradeRow> ListPendingNotices(sqlite::Database& db, int limit);
void MarkNotice(sqlite::Database& db, std::int64_t grade_id, bool queued,
                std::int64_t at);

}  // namespace schoolmail::grades_sql
