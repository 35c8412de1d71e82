#include "core/error.h"

#include <gtest/gtest.h>

namespace rh {
namespace {

Result<int> Half(int value) {
  if (value % 2) return InvalidArgument("value", "must be even");
  return value / 2;
}

Result<int> Quarter(int value) {
  RH_ASSIGN_OR_RETURN(int half, Half(value));
  RH_ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

TEST(ErrorTest, ToStringNamesCodeContextAndMessage) {
  Error error{ErrorCode::kNotFound, "no such cluster", "c-123"};
  EXPECT_EQ(error.ToString(), "not_found: c-123: no such cluster");
  EXPECT_EQ(error.WithContext("tool").ToString(), "not_found: tool: c-123: no such cluster");
  Error bare{ErrorCode::kInternal, "boom", ""};
  EXPECT_EQ(bare.ToString(), "internal: boom");
}

TEST(ErrorTest, AssignOrReturnPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  auto failed = Quarter(6);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, ErrorCode::kInvalidArgument);
}

TEST(ErrorTest, EveryCodeHasOneExitCodeAndHttpStatus) {
  EXPECT_EQ(ExitCodeFor(ErrorCode::kInvalidArgument), 2);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kNotFound), 3);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kUnavailable), 4);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kInternal), 1);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kConflict), 409);
  EXPECT_EQ(ExitCodeFor(ErrorCode::kConflict), 9);
  EXPECT_EQ(ErrorCodeName(ErrorCode::kConflict), "conflict");
  EXPECT_EQ(ErrorCodeName(ErrorCode::kDeadlineExceeded), "deadline_exceeded");
}

}  // namespace
}  // namespace rh
