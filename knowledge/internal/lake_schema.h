// The Knowledge Lake's SQLite schema (its own file, not the fleet or memory database) and its
// migrations, recorded in kb_meta('schema_version').
//
// kb_documents   one row per document key (path, or "<path>#<row key>"), with its hash.
// kb_chunks      chunk text and metadata; ids are never reused (kb_meta 'next_chunk_id').
// kb_chunk_refs  which documents contain which chunk: identical chunks (same kind, version,
//                title and text) are stored once and deleted with their last reference.
// kb_chunk_versions  the version ranges a chunk covers (document.h VersionRanges).
// kb_vectors     one vector per chunk (float32 BLOB) and the id of the embedder that made it.
// kb_models      the built-in embedder's fitted model.
// kb_chunks_fts  FTS5 external-content index over (title, body), kept in sync by triggers.
// kb_chunks_vocab  fts5vocab 'row' view of it (document frequency per term).
// Thread-safety: functions over a Database, which serialises its own calls.
#pragma once

#include "core/error.h"
#include "store/database.h"

namespace rh::knowledge::internal {

inline constexpr int kLakeSchemaVersion = 1;

// Creates or migrates the schema; data_loss when the file belongs to something else.
Status MigrateLake(store::Database& db);

}  // namespace rh::knowledge::internal
