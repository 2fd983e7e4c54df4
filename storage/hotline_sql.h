// The hotline queries of the SQLite store, private to storage/. Each
// function runs inside the caller's try block (SqliteError).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/sqlite.h"
#include "storage/store.h"

namespace schoolmail::hotline_sql {

// Inserts `question` unless its message key is known; the stored row.
HotlineQuestion Record(sqlite::Database& db, const HotlineQuestion& question);
std::optional<HotlineQuestion> FindByForward(sqlite::Database& db,
                                             const std::string& message_id);
void MarkAnswered(sqlite::Database& db, std::int64_t id, std::int64_t at,
                  const std::string& by, const std::string& answer_message_id);
std::vector<HotlineQuestion> List(sqlite::Database& db, bool open_only);

}  // namespace schoolmail::hotline_sql
