// A thin RAII layer over the SQLite C API, private to storage/.
// Failures throw SqliteError; the Store methods catch it at their border and
// return a Status, so nothing throws out of this module.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace schoolmail::sqlite {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class Database {
 public:
  // Opens or creates `path` (":memory:" for a private in-memory database).
  Database(const std::string& path, bool create);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void Execute(std::string_view sql);  // one or more statements, no results
  std::int64_t LastInsertId() const;
  int Changes() const;
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(Database& db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binds parameters 1..n in order; returns *this for chaining.
  Statement& Bind(std::int64_t value);
  Statement& Bind(std::string_view value);
  Statement& Bind(const char* value) { return Bind(std::string_view(value)); }
  Statement& Bind(const std::string& value) {
    return Bind(std::string_view(value));
  }
  Statement& BindNull();
  template <typename T>
  Statement& Bind(const std::optional<T>& value) {
    return value ? Bind(*value) : BindNull();
  }

  // Runs one step: true while a row is available.
  bool Step();
  // Runs to completion (for statements without results).
  void Run();
  void Reset();  // ready to run again with new bindings

  std::int64_t Int(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;

 private:
  Database& db_;
  sqlite3_stmt* statement_ = nullptr;
  int next_parameter_ = 1;
};

// BEGIN IMMEDIATE on construction; ROLLBACK unless Commit() was called.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void Commit();

 private:
  Database& db_;
  bool done_ = false;
};

}  // namespace schoolmail::sqlite
