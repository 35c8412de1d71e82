// Documents and chunks: what the Knowledge Lake ingests and what it stores and searches.
//
// A Document is one unit of knowledge with one identity (`key`): a Markdown or text file, or
// one row of a JSONL file ("<path>#<row key>"). Re-ingesting a key with the same content hash
// does nothing; with a different hash it replaces the document's chunks; `kb remove --source`
// deletes by key or source. Metadata:
//   kind     oncall_log | known_bug | guideline | resolution | doc
//   version  known_bug: the version(s) that FIXED the bug, comma-separated ("3.2.3,3.1.8");
//            the bug affects the earlier patches of each of those minor lines.
//            other kinds: "3.2.1" (that version), "3.2" (the whole line), "3.1.0-3.2.2"
//            (inclusive range), "3.2+" or ">=3.2.0" (from then on); empty = every version.
//   source   where it came from (a path, a URL, a release-notes file), shown in results.
//
// Chunking is heading-aware: Markdown is split at headings (the title path "A > B > C" is kept
// with each chunk), then each section into chunks of about kTargetWords words with
// kOverlapWords of overlap, preferring paragraph boundaries.
//
// Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace rh::knowledge {

inline constexpr const char* kKnownKinds[] = {"oncall_log", "known_bug", "guideline", "resolution",
                                              "doc"};
bool IsKnownKind(std::string_view kind);

struct Document {
  std::string key;     // identity: path, or "<path>#<row key>" for a JSONL row
  std::string source;  // shown in results; defaults to key
  std::string kind = "doc";
  std::string version;  // see above
  std::string title;    // document title (first heading, front-matter title, or file name)
  std::string text;     // Markdown or plain text body
  bool markdown = true;
};

struct Chunk {
  std::string title;  // title path, e.g. "Disk full > Free space"
  std::string body;
};

inline constexpr int kTargetWords = 300;  // a section longer than kMaxWords is split ...
inline constexpr int kMaxWords = 400;     // ... into pieces of about kTargetWords words
inline constexpr int kOverlapWords = 40;  // repeated at the start of the next piece

// Splits a document into chunks (never empty for a non-blank text).
std::vector<Chunk> ChunkDocument(const Document& document);

// The content hash of a document (text and metadata): what "unchanged" means on re-ingest.
std::string DocumentHash(const Document& document);

// Reads documents from a file or a directory (recursively: *.md, *.markdown, *.txt, *.jsonl).
// Markdown may open with a front-matter block ("---\nkind: resolution\nversion: 3.2\n---").
// JSONL rows: text|body|content (required), title, kind, version, source, id|_id, section,
// prs. Rows of release notes (a `section` of "Bug Fixes") become known_bug; rows that share
// their PR numbers (the same fix on several minor lines) merge into one document whose version
// lists every fixing version. `kind`/`version` override what the files say when not empty.
// Errors: not_found (no such path), invalid_argument (unreadable JSON, naming file and line,
// an unknown kind, a malformed version).
Result<std::vector<Document>> LoadDocuments(const std::string& path, const std::string& kind = "",
                                            const std::string& version = "");

// Parses Markdown front matter; returns the body without it.
struct FrontMatter {
  std::string kind, version, title, source;
};
std::string_view SplitFrontMatter(std::string_view text, FrontMatter* front_matter);

// ---- Versions ---------------------------------------------------------------------------

// A StarRocks version a.b.c encoded as a * 1'000'000 + b * 1'000 + c ("3.3" is 3.3.0).
std::optional<int64_t> EncodeVersion(std::string_view text);

// An inclusive range of encoded versions.
struct VersionRange {
  int64_t low = 0;
  int64_t high = 0;
};

// The ranges a chunk covers for the version filter, from its kind and version text:
// known_bug "3.3.6,3.2.10" -> [3.3.0, 3.3.5], [3.2.0, 3.2.9]; "3.2" -> [3.2.0, 3.2.999];
// "3.1.0-3.2.2"; "3.2+"; empty -> no ranges. invalid_argument for a malformed version.
Result<std::vector<VersionRange>> VersionRanges(std::string_view kind, std::string_view version);

}  // namespace rh::knowledge
