#include "storage/digest_sql.h"

namespace schoolmail::digest_sql {

std::optional<std::int64_t> LastQueuedAt(sqlite::Database& db,
                                         const std::string& key_prefix,
                                         const std::string& key_before) {
  // Every key in [prefix, before) starts with the prefix when `before` does,
  // and the range is read from the dedup key's unique index.
  sqlite::Statement s(db,
                      "SELECT MAX(created_at) FROM outbox WHERE dedup_key >= ? "
                      "AND dedup_key < ? AND state <> 'failed'");
  s.Bind(key_prefix).Bind(key_before);
  if (!s.Step() || s.IsNull(0)) return std::nullopt;
  return s.Int(0);
}

}  // namespace schoolmail::digest_sql
