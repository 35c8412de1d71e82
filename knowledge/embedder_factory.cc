// MakeEmbedder: the config's choice of embedder (declared in knowledge/knowledge_lake.h).
#include "knowledge/builtin_embedder.h"
#include "knowledge/http_embedder.h"
#include "knowledge/knowledge_lake.h"

namespace rh::knowledge {

Result<std::unique_ptr<Embedder>> MakeEmbedder(const EmbedderConfig& config, Clock& clock) {
  if (config.kind == "builtin")
    return std::unique_ptr<Embedder>(std::make_unique<BuiltinEmbedder>());
  if (config.kind == "http") {
    HttpEmbedderOptions options;
    options.url = config.url;
    options.model = config.model;
    options.api_key = config.api_key;
    options.batch = config.batch;
    RH_ASSIGN_OR_RETURN(auto embedder, HttpEmbedder::Create(std::move(options), clock));
    return std::unique_ptr<Embedder>(std::move(embedder));
  }
  return InvalidArgument("knowledge.embedder",
                         "must be builtin or http, got '" + config.kind + "'");
}

}  // namespace rh::knowledge
