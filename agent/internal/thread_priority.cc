#include "agent/internal/thread_priority.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace rh::agent {
namespace {

// Linux keeps a nice value per thread: PRIO_PROCESS with a thread id sets that thread's alone.
id_t ThisThreadId() { return static_cast<id_t>(syscall(SYS_gettid)); }

}  // namespace

int ThisThreadNice() {
  errno = 0;
  return getpriority(PRIO_PROCESS, ThisThreadId());
}

void LowerThisThreadPriority() {
  if (ThisThreadNice() >= kBackgroundNice) return;
  (void)setpriority(PRIO_PROCESS, ThisThreadId(), kBackgroundNice);
}

}  // namespace rh::agent
