// Background priority for the threads that investigate (workers, tool calls): people waiting on
// the web page and the API come first. In `serve`, the HTTP threads answer report reads and the
// fleet overview while the workers investigate on the same cores; at a lower CPU priority the
// workers use what the readers leave, so reads keep their latency under a busy queue
// (bench/server's mixed phase measures it), and a queue that is never empty still drains.
// Thread-safety: acts on the calling thread only.
#pragma once

namespace rh::agent {

// The nice value investigating threads run at (Linux nice: 0 normal, 19 lowest).
inline constexpr int kBackgroundNice = 10;

// Lowers the calling thread's priority to kBackgroundNice (never raises it: a thread already
// nicer stays as it is). Best effort: a refusal by the OS is ignored.
void LowerThisThreadPriority();

// The calling thread's nice value.
int ThisThreadNice();

}  // namespace rh::agent
