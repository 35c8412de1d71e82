// Safe FTS5 queries from arbitrary text.
//
// FtsTokenizer is SQLite's own FTS5 tokenizer ("porter unicode61 remove_diacritics 2", the
// one the lake's index uses), reached through the fts5_api of a private in-memory connection:
// it shows a query's terms exactly as the index stores them, so their document frequencies can
// be looked up.
//
// QueryPieces() turns user or model text into FTS5 phrases: the text is split at whitespace,
// each piece loses its outer punctuation, pieces without any token are dropped, and each
// remaining piece becomes a double-quoted phrase (inner quotes doubled). Quoted phrases are
// never operators, column filters or prefixes, so no input can produce an FTS5 syntax error;
// an identifier such as `tablet_max_versions` or `kube-system/coredns` stays one phrase that
// matches its tokens in sequence. MatchExpression() joins phrases with OR (BM25 ranks them).
//
// Thread-safety: FtsTokenizer::Tokenize is safe from several threads (a mutex guards the
// tokenizer, whose instance state is not re-entrant).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace rh::knowledge::internal {

class FtsTokenizer {
 public:
  static Result<std::unique_ptr<FtsTokenizer>> Create();
  ~FtsTokenizer();
  FtsTokenizer(const FtsTokenizer&) = delete;
  FtsTokenizer& operator=(const FtsTokenizer&) = delete;

  struct Token {
    std::string term;
    size_t start = 0;  // byte offsets of the token in the text
    size_t end = 0;
  };
  // The index terms of `text`, in order (duplicates kept).
  std::vector<std::string> Tokenize(std::string_view text) const;
  std::vector<Token> TokenizeWithOffsets(std::string_view text) const;

 private:
  struct State;
  explicit FtsTokenizer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
  mutable std::mutex mutex_;
};

struct FtsPiece {
  std::string phrase;               // the quoted FTS5 phrase, e.g. "\"tablet_max_versions\""
  std::vector<std::string> tokens;  // its index terms
};

inline constexpr size_t kMaxQueryPieces = 32;

// At most kMaxQueryPieces distinct pieces, in query order.
std::vector<FtsPiece> QueryPieces(std::string_view query, const FtsTokenizer& tokenizer);

// "\"a\" OR \"b\"" (empty for no pieces).
std::string MatchExpression(const std::vector<FtsPiece>& pieces);

// A short extract of `body` (about `max_tokens` tokens) around the densest run of query
// terms, each match wrapped in [brackets] and cuts marked with "…"; the leading words when
// nothing matches. Matching is on index terms, so it agrees with what FTS5 matched.
std::string Snippet(std::string_view body, const std::vector<FtsPiece>& pieces,
                    const FtsTokenizer& tokenizer, size_t max_tokens);

}  // namespace rh::knowledge::internal
