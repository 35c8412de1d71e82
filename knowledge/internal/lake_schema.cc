#include "knowledge/internal/lake_schema.h"

#include <string>

namespace rh::knowledge::internal {
namespace {

constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE IF NOT EXISTS kb_meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kb_documents(
  id INTEGER PRIMARY KEY,
  doc_key TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  version TEXT NOT NULL,
  title TEXT NOT NULL,
  content_hash TEXT NOT NULL,
  chunk_count INTEGER NOT NULL,
  ingested_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS kb_documents_source ON kb_documents(source);
CREATE TABLE IF NOT EXISTS kb_chunks(
  id INTEGER PRIMARY KEY,
  doc_id INTEGER NOT NULL,
  ordinal INTEGER NOT NULL,
  kind TEXT NOT NULL,
  version TEXT NOT NULL,
  has_versions INTEGER NOT NULL,
  source TEXT NOT NULL,
  title TEXT NOT NULL,
  body TEXT NOT NULL,
  content_hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS kb_chunks_hash ON kb_chunks(content_hash);
CREATE INDEX IF NOT EXISTS kb_chunks_kind ON kb_chunks(kind);
CREATE TABLE IF NOT EXISTS kb_chunk_refs(
  doc_id INTEGER NOT NULL,
  chunk_id INTEGER NOT NULL,
  PRIMARY KEY (doc_id, chunk_id));
CREATE INDEX IF NOT EXISTS kb_chunk_refs_chunk ON kb_chunk_refs(chunk_id);
CREATE TABLE IF NOT EXISTS kb_chunk_versions(
  chunk_id INTEGER NOT NULL,
  low INTEGER NOT NULL,
  high INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS kb_chunk_versions_chunk ON kb_chunk_versions(chunk_id);
CREATE TABLE IF NOT EXISTS kb_vectors(
  chunk_id INTEGER PRIMARY KEY,
  embedder TEXT NOT NULL,
  vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS kb_models(name TEXT PRIMARY KEY, model BLOB NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS kb_chunks_fts USING fts5(
  title, body, content='kb_chunks', content_rowid='id',
  tokenize='porter unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE IF NOT EXISTS kb_chunks_vocab USING fts5vocab(kb_chunks_fts, 'row');
CREATE TRIGGER IF NOT EXISTS kb_chunks_ai AFTER INSERT ON kb_chunks BEGIN
  INSERT INTO kb_chunks_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
CREATE TRIGGER IF NOT EXISTS kb_chunks_ad AFTER DELETE ON kb_chunks BEGIN
  INSERT INTO kb_chunks_fts(kb_chunks_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
  DELETE FROM kb_vectors WHERE chunk_id = old.id;
  DELETE FROM kb_chunk_versions WHERE chunk_id = old.id;
END;
CREATE TRIGGER IF NOT EXISTS kb_chunks_au AFTER UPDATE OF title, body ON kb_chunks BEGIN
  INSERT INTO kb_chunks_fts(kb_chunks_fts, rowid, title, body)
    VALUES ('delete', old.id, old.title, old.body);
  INSERT INTO kb_chunks_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
END;
INSERT OR IGNORE INTO kb_meta(key, value) VALUES ('generation', '0');
INSERT OR IGNORE INTO kb_meta(key, value) VALUES ('next_chunk_id', '1');
INSERT OR IGNORE INTO kb_meta(key, value) VALUES ('embedder', '');
INSERT OR IGNORE INTO kb_meta(key, value) VALUES ('dims', '0');
)sql";

}  // namespace

Status MigrateLake(store::Database& db) {
  RH_ASSIGN_OR_RETURN(bool has_meta, db.TableExists("kb_meta"));
  int version = 0;
  if (has_meta) {
    auto rows = db.Query("SELECT value FROM kb_meta WHERE key = 'schema_version'");
    if (!rows) return Fail(rows.error());
    if (!rows->empty()) version = static_cast<int>(rows->front().GetInt(0));
  } else {
    // A non-empty file without our table is someone else's database.
    RH_ASSIGN_OR_RETURN(int64_t tables,
                        db.QueryInt("SELECT count(*) FROM sqlite_master WHERE type = 'table'"));
    if (tables > 0) {
      return DataLoss(db.description(),
                      "is not a Knowledge Lake (it has other tables); point knowledge.db at a "
                      "new file");
    }
  }
  if (version > kLakeSchemaVersion) {
    return DataLoss(db.description(), "was written by a newer Rockhound (lake schema " +
                                          std::to_string(version) + "); upgrade Rockhound");
  }
  if (version == kLakeSchemaVersion) return {};
  return db.Transaction([&]() -> Status {
    RH_RETURN_IF_ERROR(db.ExecuteScript(kSchemaV1));
    RH_RETURN_IF_ERROR(
        db.Execute("INSERT OR REPLACE INTO kb_meta(key, value) VALUES "
                   "('schema_version', ?)",
                   {store::Text(std::to_string(kLakeSchemaVersion))}));
    return {};
  });
}

}  // namespace rh::knowledge::internal
