// Errors as values at module borders.
//
// A Status says what went wrong, how far the damage reaches (Scope) and when
// trying again may help (Retry). Result<T> holds either a value or a Status.
// Adapters (libcurl, SQLite, mimetic) convert their codes into these once.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace schoolmail {

// How far the damage reaches.
enum class Scope {
  kItem,     // one row, one message, one recipient
  kMailbox,  // one mailbox or one connection
  kAccount,  // credentials, certificates: needs the operator
  kProcess,  // the whole daemon cannot go on (database, disk, config)
};

// When another attempt may succeed.
enum class Retry {
  kNever,  // the input itself is bad
  kLater,  // transient: network, 4xx, busy database
  kNow,    // a dropped connection: reconnect once and repeat
};

class Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status Error(std::string message, Scope scope = Scope::kItem,
                      Retry retry = Retry::kNever) {
    Status s;
    s.error_ = Detail{std::move(message), scope, retry};
    return s;
  }

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }

  // REQUIRES: !ok() for scope() and retry(); message() is empty when ok().
  const std::string& message() const {
    static const std::string kEmpty;
    return error_ ? error_->message : kEmpty;
  }
  Scope scope() const { return error_.value().scope; }
  Retry retry() const { return error_.value().retry; }

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Error(context + ": " + error_->message, error_->scope,
                 error_->retry);
  }

 private:
  struct Detail {
    std::string message;
    Scope scope;
    Retry retry;
  };
  std::optional<Detail> error_;
};

template <typename T>
class Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(data_).ok() && "Result from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // The value, or `fallback` when !ok().
  T value_or(T fallback) const& {
    return ok() ? std::get<T>(data_) : std::move(fallback);
  }

  // OK status when ok().
  Status status() const {
    return ok() ? Status::Ok() : std::get<Status>(data_);
  }

 private:
  std::variant<T, Status> data_;
};

}  // namespace schoolmail
