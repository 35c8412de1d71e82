#include "knowledge/internal/fts_query.h"

#include <sqlite3.h>

#include <set>

#include "knowledge/internal/text.h"

namespace rh::knowledge::internal {

struct FtsTokenizer::State {
  sqlite3* db = nullptr;
  fts5_tokenizer module{};
  Fts5Tokenizer* tokenizer = nullptr;

  ~State() {
    if (tokenizer != nullptr && module.xDelete != nullptr) module.xDelete(tokenizer);
    if (db != nullptr) sqlite3_close_v2(db);
  }
};

namespace {

fts5_api* Fts5Api(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &stmt, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(stmt, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(stmt);
  }
  sqlite3_finalize(stmt);
  return api;
}

int CollectTokenWithOffsets(void* context, int flags, const char* token, int size, int start,
                            int end) {
  if (flags & FTS5_TOKEN_COLOCATED) return SQLITE_OK;
  static_cast<std::vector<FtsTokenizer::Token>*>(context)->push_back(FtsTokenizer::Token{
      std::string(token, size), static_cast<size_t>(start), static_cast<size_t>(end)});
  return SQLITE_OK;
}

int CollectToken(void* context, int flags, const char* token, int size, int /*start*/,
                 int /*end*/) {
  if (flags & FTS5_TOKEN_COLOCATED) return SQLITE_OK;
  static_cast<std::vector<std::string>*>(context)->emplace_back(token, size);
  return SQLITE_OK;
}

bool HasWordCharacter(std::string_view text) {
  for (char character : text) {
    unsigned char byte = static_cast<unsigned char>(character);
    if (std::isalnum(byte) || byte >= 0x80) return true;
  }
  return false;
}

std::string_view StripOuterPunctuation(std::string_view piece) {
  auto is_word = [](char character) {
    unsigned char byte = static_cast<unsigned char>(character);
    return std::isalnum(byte) || byte >= 0x80 || byte == '_';
  };
  while (!piece.empty() && !is_word(piece.front())) piece.remove_prefix(1);
  while (!piece.empty() && !is_word(piece.back())) piece.remove_suffix(1);
  return piece;
}

}  // namespace

Result<std::unique_ptr<FtsTokenizer>> FtsTokenizer::Create() {
  auto state = std::make_unique<State>();
  if (sqlite3_open_v2(":memory:", &state->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    return Internal("fts5 tokenizer", "cannot open an in-memory SQLite connection");
  }
  fts5_api* api = Fts5Api(state->db);
  if (api == nullptr) {
    return Internal("fts5 tokenizer", "this SQLite library has no FTS5 (Debian's libsqlite3 has)");
  }
  void* user_data = nullptr;
  if (api->xFindTokenizer(api, "porter", &user_data, &state->module) != SQLITE_OK) {
    return Internal("fts5 tokenizer", "FTS5 has no porter tokenizer");
  }
  const char* arguments[] = {"unicode61", "remove_diacritics", "2"};
  if (state->module.xCreate(user_data, arguments, 3, &state->tokenizer) != SQLITE_OK) {
    return Internal("fts5 tokenizer", "cannot create the porter unicode61 tokenizer");
  }
  return std::unique_ptr<FtsTokenizer>(new FtsTokenizer(std::move(state)));
}

FtsTokenizer::FtsTokenizer(std::unique_ptr<State> state) : state_(std::move(state)) {}
FtsTokenizer::~FtsTokenizer() = default;

std::vector<std::string> FtsTokenizer::Tokenize(std::string_view text) const {
  std::vector<std::string> tokens;
  if (text.empty()) return tokens;
  std::lock_guard<std::mutex> lock(mutex_);
  state_->module.xTokenize(state_->tokenizer, &tokens, FTS5_TOKENIZE_DOCUMENT, text.data(),
                           static_cast<int>(text.size()), CollectToken);
  return tokens;
}

std::vector<FtsTokenizer::Token> FtsTokenizer::TokenizeWithOffsets(std::string_view text) const {
  std::vector<Token> tokens;
  if (text.empty()) return tokens;
  std::lock_guard<std::mutex> lock(mutex_);
  state_->module.xTokenize(state_->tokenizer, &tokens, FTS5_TOKENIZE_DOCUMENT, text.data(),
                           static_cast<int>(text.size()), CollectTokenWithOffsets);
  return tokens;
}

std::vector<FtsPiece> QueryPieces(std::string_view query, const FtsTokenizer& tokenizer) {
  std::vector<FtsPiece> pieces;
  std::set<std::vector<std::string>> seen;
  // Control characters (NUL included: FTS5 reads its query as a C string) become spaces.
  std::string cleaned(query);
  for (char& character : cleaned) {
    unsigned char byte = static_cast<unsigned char>(character);
    if (byte < 0x20 || byte == 0x7f) character = ' ';
  }
  for (std::string_view raw : SplitWhitespace(cleaned)) {
    std::string_view piece = StripOuterPunctuation(raw);
    if (piece.empty() || !HasWordCharacter(piece)) continue;
    std::vector<FtsTokenizer::Token> tokens = tokenizer.TokenizeWithOffsets(piece);
    if (tokens.empty()) continue;
    // The whole piece as a phrase (identifiers match in sequence), then, for a piece of several
    // tokens, each token alone too: "IL-6" or "0-dimensional" in natural language should not
    // require the exact sequence, and a phrase match then simply scores higher.
    std::vector<std::pair<std::string_view, std::vector<std::string>>> candidates;
    std::vector<std::string> terms;
    for (const auto& token : tokens) terms.push_back(token.term);
    candidates.emplace_back(piece, terms);
    if (tokens.size() > 1) {
      for (const auto& token : tokens) {
        candidates.emplace_back(piece.substr(token.start, token.end - token.start),
                                std::vector<std::string>{token.term});
      }
    }
    for (auto& [text, candidate_terms] : candidates) {
      if (!seen.insert(candidate_terms).second) continue;
      std::string phrase = "\"";
      for (char character : text) {
        if (character == '"') phrase += '"';
        phrase += character;
      }
      phrase += '"';
      pieces.push_back(FtsPiece{std::move(phrase), std::move(candidate_terms)});
      if (pieces.size() >= kMaxQueryPieces) return pieces;
    }
  }
  return pieces;
}

std::string MatchExpression(const std::vector<FtsPiece>& pieces) {
  std::string out;
  for (const FtsPiece& piece : pieces) {
    if (!out.empty()) out += " OR ";
    out += piece.phrase;
  }
  return out;
}

}  // namespace rh::knowledge::internal

namespace rh::knowledge::internal {

std::string Snippet(std::string_view body, const std::vector<FtsPiece>& pieces,
                    const FtsTokenizer& tokenizer, size_t max_tokens) {
  std::vector<FtsTokenizer::Token> tokens = tokenizer.TokenizeWithOffsets(body);
  if (tokens.empty() || max_tokens == 0) return std::string(Trim(body.substr(0, 200)));
  std::set<std::string> wanted;
  for (const FtsPiece& piece : pieces) wanted.insert(piece.tokens.begin(), piece.tokens.end());
  std::vector<bool> hit(tokens.size());
  for (size_t token_idx = 0; token_idx < tokens.size(); ++token_idx) {
    hit[token_idx] = wanted.count(tokens[token_idx].term) > 0;
  }
  // The window with the most distinct matched terms (then the most matches), earliest first.
  size_t best_start = 0;
  size_t best_distinct = 0;
  size_t best_hits = 0;
  const size_t window = std::min(max_tokens, tokens.size());
  for (size_t start = 0; start + window <= tokens.size(); ++start) {
    if (!hit[start] && start != 0) continue;  // windows start at a match (or at the top)
    std::set<std::string_view> distinct;
    size_t hits = 0;
    for (size_t token_idx = start; token_idx < start + window; ++token_idx) {
      if (!hit[token_idx]) continue;
      ++hits;
      distinct.insert(tokens[token_idx].term);
    }
    if (distinct.size() > best_distinct || (distinct.size() == best_distinct && hits > best_hits)) {
      best_start = start;
      best_distinct = distinct.size();
      best_hits = hits;
    }
  }
  // Start a little before the first match so it reads in context.
  if (best_start > 0) best_start -= std::min<size_t>(best_start, 3);
  const size_t best_end = std::min(tokens.size(), best_start + window);
  std::string out;
  if (best_start > 0) out += "…";
  size_t cursor = tokens[best_start].start;
  for (size_t token_idx = best_start; token_idx < best_end; ++token_idx) {
    const FtsTokenizer::Token& token = tokens[token_idx];
    out.append(body.substr(cursor, token.start - cursor));
    if (hit[token_idx]) {
      out += '[';
      out.append(body.substr(token.start, token.end - token.start));
      out += ']';
    } else {
      out.append(body.substr(token.start, token.end - token.start));
    }
    cursor = token.end;
  }
  if (best_end < tokens.size()) out += "…";
  for (char& character : out) {
    if (character == '\n' || character == '\r' || character == '\t') character = ' ';
  }
  return out;
}

}  // namespace rh::knowledge::internal
