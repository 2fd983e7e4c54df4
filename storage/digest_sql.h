// The parent digest's query of the SQLite store, private to storage/. Runs
// inside the caller's try block (SqliteError).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "storage/sqlite.h"

namespace schoolmail::digest_sql {

// Store::LastQueuedAt: the latest created_at of an outbox entry, not
// failed, whose dedup key starts with `key_prefix` and sorts before
// `key_before`; nullopt when there is none.
std::optional<std::int64_t> LastQueuedAt(sqlite::Database& db,
                                         const std::string& key_prefix,
                                         const std::string& key_before);

}  // namespace schoolmail::digest_sql
