// Error and Result<T>: how every fallible operation in Rockhound reports failure.
//
// An Error is a small value: a code from a fixed set, a message that says what went wrong and
// what to do about it, and the context (the subject: a path, a cluster id, a table) so that
// "InvalidArgument(\"fleet.db\", \"must be a SQLite path or a mysql:// URL\")" prints as
// "invalid_argument: fleet.db: must be a SQLite path or a mysql:// URL".
// Each code maps to exactly one CLI exit code and one HTTP status (ExitCodeFor, HttpStatusFor).
// Thread-safety: plain values, safe to copy between threads.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace rh {

enum class ErrorCode {
  kInvalidArgument,    // the caller's input is wrong; retrying will not help
  kNotFound,           // the subject does not exist
  kUnavailable,        // a dependency is down or busy; retrying later may help
  kDeadlineExceeded,   // ran out of time
  kResourceExhausted,  // a budget, quota or rate limit was hit
  kPermissionDenied,   // not allowed (auth, read-only guard)
  kDataLoss,           // stored data is corrupt or inconsistent
  kInternal,           // a bug or an unexpected third-party failure
  kConflict,           // the subject's current state does not allow this (a lifecycle step)
};

std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string context;

  // "<code>: <context>: <message>" (context omitted when empty).
  std::string ToString() const;
  bool retryable() const { return code == ErrorCode::kUnavailable; }

  // Returns a copy whose context is "<outer>: <context>", to add the caller's subject.
  Error WithContext(std::string_view outer) const;
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = tl::expected<void, Error>;

inline tl::unexpected<Error> MakeError(ErrorCode code, std::string context, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message), std::move(context)});
}
inline tl::unexpected<Error> InvalidArgument(std::string context, std::string message) {
  return MakeError(ErrorCode::kInvalidArgument, std::move(context), std::move(message));
}
inline tl::unexpected<Error> NotFound(std::string context, std::string message) {
  return MakeError(ErrorCode::kNotFound, std::move(context), std::move(message));
}
inline tl::unexpected<Error> Unavailable(std::string context, std::string message) {
  return MakeError(ErrorCode::kUnavailable, std::move(context), std::move(message));
}
inline tl::unexpected<Error> DeadlineExceeded(std::string context, std::string message) {
  return MakeError(ErrorCode::kDeadlineExceeded, std::move(context), std::move(message));
}
inline tl::unexpected<Error> ResourceExhausted(std::string context, std::string message) {
  return MakeError(ErrorCode::kResourceExhausted, std::move(context), std::move(message));
}
inline tl::unexpected<Error> PermissionDenied(std::string context, std::string message) {
  return MakeError(ErrorCode::kPermissionDenied, std::move(context), std::move(message));
}
inline tl::unexpected<Error> DataLoss(std::string context, std::string message) {
  return MakeError(ErrorCode::kDataLoss, std::move(context), std::move(message));
}
inline tl::unexpected<Error> Internal(std::string context, std::string message) {
  return MakeError(ErrorCode::kInternal, std::move(context), std::move(message));
}
inline tl::unexpected<Error> Conflict(std::string context, std::string message) {
  return MakeError(ErrorCode::kConflict, std::move(context), std::move(message));
}
inline tl::unexpected<Error> Fail(Error error) { return tl::unexpected<Error>(std::move(error)); }

// The one mapping from error codes to process exit codes (0 is success, 1 unexpected failure).
//   invalid_argument 2, not_found 3, unavailable 4, deadline_exceeded 5, resource_exhausted 6,
//   permission_denied 7, data_loss 8, conflict 9, internal 1.
int ExitCodeFor(ErrorCode code);
// The one mapping from error codes to HTTP statuses:
//   400, 404, 503, 504, 429, 403, 500 (data_loss), 500 (internal).
int HttpStatusFor(ErrorCode code);

}  // namespace rh

// Propagates an error from an expression returning Result<T>/Status; yields nothing.
#define RH_RETURN_IF_ERROR(expr)                          \
  do {                                                    \
    auto _rh_status = (expr);                             \
    if (!_rh_status) return ::rh::Fail(std::move(_rh_status.error())); \
  } while (false)

#define RH_CONCAT_INNER(a, b) a##b
#define RH_CONCAT(a, b) RH_CONCAT_INNER(a, b)
// RH_ASSIGN_OR_RETURN(auto value, Expr()): binds the value or returns the error.
#define RH_ASSIGN_OR_RETURN(lhs, expr) RH_ASSIGN_OR_RETURN_IMPL(RH_CONCAT(_rh_result_, __LINE__), lhs, expr)
#define RH_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)          \
  auto tmp = (expr);                                      \
  if (!tmp) return ::rh::Fail(std::move(tmp.error()));    \
  lhs = std::move(*tmp)
