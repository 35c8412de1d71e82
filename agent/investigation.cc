#include "agent/investigation.h"

namespace rh::agent {

Json TranscriptToJson(const std::vector<ToolCallRecord>& transcript) {
  Json out = Json::array();
  for (const ToolCallRecord& call : transcript) {
    out.push_back({{"id", call.id},
                   {"step", call.step},
                   {"tool", call.tool},
                   {"input", call.input},
                   {"output", call.output},
                   {"is_error", call.is_error},
                   {"started_ms", call.started_ms},
                   {"duration_ms", call.duration_ms}});
  }
  return out;
}

}  // namespace rh::agent
