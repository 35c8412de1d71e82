// Starter knowledge: what this team wrote for the lake, compiled into the binary from the
// Markdown files in knowledge/starter/ — monitoring guidelines (the thresholds of
// store/metric_catalog.h and what each metric means), proven resolutions for the common
// StarRocks failure modes (disk full, compaction backlog / too many versions, memory exceed
// limit, BE down, slow queries, load failures, FE checkpoint issues), and a handful of real known
// bugs paraphrased from the StarRocks release notes with their fixing version and PR.
// Each file opens with front matter giving kind, version, title and source.
// `rockhound demo` loads it; re-loading is a no-op unless the files changed.
// Thread-safety: StarterDocuments() is pure; ingesting follows KnowledgeLake's rules.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"
#include "knowledge/document.h"
#include "knowledge/knowledge_lake.h"

namespace rh::knowledge {

// The embedded starter documents (keys "starter/<file name>").
Result<std::vector<Document>> StarterDocuments();

// Ingests StarterDocuments(), plus every file under `extra_dir` when it is not empty
// (config knowledge.starter_dir).
Result<IngestStats> IngestStarterKnowledge(KnowledgeLake& lake, const std::string& extra_dir = "");

}  // namespace rh::knowledge
