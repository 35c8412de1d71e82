// ResponseStream: the body of a response written while it is produced (Server-Sent Events). A
// route answers with a producer (ApiResponse::stream / HttpResponse::stream); the listener sends
// the head (no Content-Length, "Connection: close"), then runs the producer on the handler
// thread that served the request, and closes the connection when it returns. The producer must
// return soon after Write fails or Stopped is true (the client went away, a write took longer
// than server.write_timeout, or the server is stopping); it holds a handler thread while it runs.
// Thread-safety: used only by the producer's thread.
#pragma once

#include <string_view>

namespace rh::server::internal {

class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // Sends `bytes` now, waiting at most server.write_timeout for the client to take them. False
  // when they could not be sent: stop producing.
  virtual bool Write(std::string_view bytes) = 0;
  // Whether producing should stop: the client closed its side, a write failed, or the server is
  // stopping. Never blocks.
  virtual bool Stopped() = 0;
};

}  // namespace rh::server::internal
