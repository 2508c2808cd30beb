// Status and Result<T>: how every expected failure crosses a module boundary.
//
// A function that can fail for reasons outside the program's control (bad input, a missing
// object, a permission, the environment) returns Status or Result<T>; a broken invariant is an
// assert instead. Codes are canonical and map to HTTP statuses in exactly one place
// (taxii/http_errors.cc). Both types are [[nodiscard]]: ignoring a failure is a compile warning.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tabadul {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // malformed input: bad JSON, bad STIX, bad query parameter
  kNotFound,            // no such collection, object, user, ...
  kAlreadyExists,       // a unique name is taken (not used for identical STIX re-posts)
  kPermissionDenied,    // authenticated but not allowed
  kUnauthenticated,     // no or wrong credentials
  kFailedPrecondition,  // the request is valid but the state forbids it (e.g. revoked object)
  kResourceExhausted,   // too large, too many
  kUnsupported,         // a media type or feature we do not implement
  kUnprocessable,       // well-formed but semantically refused (TAXII 422)
  kInternal,            // environment failure: disk, database, I/O
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "InvalidArgument: message" for logs and CLI output.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status Unauthenticated(std::string m) { return {StatusCode::kUnauthenticated, std::move(m)}; }
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status Unsupported(std::string m) { return {StatusCode::kUnsupported, std::move(m)}; }
inline Status Unprocessable(std::string m) { return {StatusCode::kUnprocessable, std::move(m)}; }
inline Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

// Result<T> holds either a value or a non-OK Status. Accessing value() of a failed result is a
// broken invariant (asserted).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & { assert(ok()); return std::get<T>(v_); }
  const T& value() const& { assert(ok()); return std::get<T>(v_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tabadul

// Propagates a non-OK Status from an expression returning Status.
#define TABADUL_RETURN_IF_ERROR(expr)            \
  do {                                           \
    ::tabadul::Status _st = (expr);              \
    if (!_st.ok()) return _st;                   \
  } while (0)

#define TABADUL_CONCAT_INNER(a, b) a##b
#define TABADUL_CONCAT(a, b) TABADUL_CONCAT_INNER(a, b)
// `TABADUL_ASSIGN_OR_RETURN(auto x, Expr());` assigns the value or returns the failed Status.
#define TABADUL_ASSIGN_OR_RETURN(lhs, expr)                          \
  auto TABADUL_CONCAT(_res_, __LINE__) = (expr);                     \
  if (!TABADUL_CONCAT(_res_, __LINE__).ok())                         \
    return TABADUL_CONCAT(_res_, __LINE__).status();                 \
  lhs = std::move(TABADUL_CONCAT(_res_, __LINE__)).value()
