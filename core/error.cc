#include "core/error.h"

namespace rh {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kDeadlineExceeded: return "deadline_exceeded";
    case ErrorCode::kResourceExhausted: return "resource_exhausted";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kDataLoss: return "data_loss";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kConflict: return "conflict";
  }
  return "internal";
}

std::string Error::ToString() const {
  std::string out(ErrorCodeName(code));
  out += ": ";
  if (!context.empty()) {
    out += context;
    out += ": ";
  }
  out += message;
  return out;
}

Error Error::WithContext(std::string_view outer) const {
  Error copy = *this;
  if (outer.empty()) return copy;
  copy.context = context.empty() ? std::string(outer) : std::string(outer) + ": " + context;
  return copy;
}

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 2;
    case ErrorCode::kNotFound: return 3;
    case ErrorCode::kUnavailable: return 4;
    case ErrorCode::kDeadlineExceeded: return 5;
    case ErrorCode::kResourceExhausted: return 6;
    case ErrorCode::kPermissionDenied: return 7;
    case ErrorCode::kDataLoss: return 8;
    case ErrorCode::kInternal: return 1;
    case ErrorCode::kConflict: return 9;
  }
  return 1;
}

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kDeadlineExceeded: return 504;
    case ErrorCode::kResourceExhausted: return 429;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kDataLoss: return 500;
    case ErrorCode::kInternal: return 500;
    case ErrorCode::kConflict: return 409;
  }
  return 500;
}

}  // namespace rh
