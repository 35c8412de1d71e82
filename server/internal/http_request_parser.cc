#include "server/internal/http_request_parser.h"

#include <algorithm>
#include <charconv>

namespace rh::server::internal {
namespace {

constexpr size_t kMaxChunkLineBytes = 1024;

// tchar of RFC 9110: the characters of a method or a header name.
bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return IsTokenChar(c); });
}

// A field value may hold visible characters, spaces, tabs and obs-text; no other control byte.
bool IsFieldValue(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte == '\t' || (byte >= 0x20 && byte != 0x7f);
  });
}

std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string ToLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && ToLower(text.substr(0, prefix.size())) == prefix;
}

// Calls `visit` with each trimmed, lower-cased, non-empty element of a comma-separated list.
template <typename Visit>
void ForEachListElement(std::string_view list, Visit visit) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view element = TrimWhitespace(list.substr(0, comma));
    if (!element.empty()) visit(ToLower(element));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits the next line off `input` at `from`: returns the line without its CRLF (or bare LF)
// and sets `next` to the offset after it, or returns false when no full line is there yet.
bool NextLine(const std::string& input, size_t from, std::string_view& line, size_t& next) {
  const size_t newline = input.find('\n', from);
  if (newline == std::string::npos) return false;
  size_t end = newline;
  if (end > from && input[end - 1] == '\r') --end;
  line = std::string_view(input).substr(from, end - from);
  next = newline + 1;
  return true;
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

bool HttpRequest::HasHeader(std::string_view lower_name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& header) { return header.first == lower_name; });
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t char_idx = 0; char_idx < text.size(); ++char_idx) {
    const char c = text[char_idx];
    if (c == '%' && char_idx + 2 < text.size()) {
      const int high = HexValue(text[char_idx + 1]);
      const int low = HexValue(text[char_idx + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        char_idx += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

HttpRequestParser::Step HttpRequestParser::Fail(int status, std::string message) {
  state_ = State::kError;
  error_status_ = status;
  error_message_ = std::move(message);
  return Step::kError;
}

HttpRequestParser::Step HttpRequestParser::Parse(std::string& input) {
  switch (state_) {
    case State::kStart:
    case State::kHead:
      return ParseHead(input);
    case State::kFixedBody: {
      const size_t take = std::min(body_remaining_, input.size());
      request_.body.append(input, 0, take);
      input.erase(0, take);
      body_remaining_ -= take;
      if (body_remaining_ > 0) return Step::kNeedMore;
      state_ = State::kDone;
      return Step::kComplete;
    }
    case State::kChunkSize:
    case State::kChunkData:
    case State::kChunkDataEnd:
    case State::kTrailers:
      return ParseChunked(input);
    case State::kDone:
      return Step::kComplete;
    case State::kError:
      return Step::kError;
  }
  return Step::kError;
}

HttpRequestParser::Step HttpRequestParser::ParseHead(std::string& input) {
  std::string_view line;
  size_t next = 0;
  while (NextLine(input, line_start_, line, next)) {
    if (next > limits_.max_head_bytes) break;
    line_start_ = next;
    if (state_ == State::kStart) {
      if (line.empty()) continue;  // empty lines before a request line are ignored (RFC 9112)
      state_ = State::kHead;
      if (ParseRequestLine(line) == Step::kError) return Step::kError;
      continue;
    }
    if (line.empty()) {
      input.erase(0, next);
      line_start_ = 0;
      return FinishHead();
    }
    if (ParseHeaderLine(line) == Step::kError) return Step::kError;
  }
  if (input.size() > limits_.max_head_bytes) {
    return Fail(431, "the request head is larger than " + std::to_string(limits_.max_head_bytes) +
                         " bytes");
  }
  return Step::kNeedMore;
}

HttpRequestParser::Step HttpRequestParser::ParseRequestLine(std::string_view line) {
  const size_t first_space = line.find(' ');
  const size_t second_space =
      first_space == std::string_view::npos ? first_space : line.find(' ', first_space + 1);
  if (second_space == std::string_view::npos) {
    return Fail(400, "malformed request line; expected 'METHOD /path HTTP/1.1'");
  }
  const std::string_view method = line.substr(0, first_space);
  const std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
  const std::string_view version = line.substr(second_space + 1);
  if (!IsToken(method)) return Fail(400, "malformed request method");
  if (target.empty() || !std::all_of(target.begin(), target.end(), [](char c) {
        return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
      })) {
    return Fail(400, "malformed request target");
  }
  if (version == "HTTP/1.1") {
    request_.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    request_.minor_version = 0;
  } else if (version.size() == 8 && version.starts_with("HTTP/") && IsDigit(version[5]) &&
             version[6] == '.' && IsDigit(version[7])) {
    return Fail(
        505, "HTTP version " + std::string(version.substr(5)) + " is not supported; use HTTP/1.1");
  } else {
    return Fail(400, "malformed HTTP version");
  }
  request_.method = std::string(method);
  request_.target = std::string(target);

  std::string_view path_and_query;
  if (target.front() == '/') {
    path_and_query = target;
  } else if (StartsWithNoCase(target, "http://") || StartsWithNoCase(target, "https://")) {
    // absolute-form: its authority is the Host (RFC 9112 section 3.2.2).
    const std::string_view rest = target.substr(target.find("//") + 2);
    const size_t authority_end = rest.find_first_of("/?");
    request_.host = std::string(rest.substr(0, authority_end));
    absolute_form_ = true;
    if (request_.host.empty()) return Fail(400, "malformed request target");
    path_and_query = authority_end == std::string_view::npos ? "/" : rest.substr(authority_end);
  } else if (target == "*" && method == "OPTIONS") {
    request_.path = "*";
    return Step::kNeedMore;
  } else {
    return Fail(400, "malformed request target; expected a path starting with '/'");
  }
  path_and_query = path_and_query.substr(0, path_and_query.find('#'));
  const size_t question = path_and_query.find('?');
  std::string raw_path(path_and_query.substr(0, question));
  if (raw_path.empty()) raw_path = "/";
  request_.path = PercentDecode(raw_path, false);
  if (question == std::string_view::npos) return Step::kNeedMore;
  std::string_view query = path_and_query.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (!pair.empty()) {
      const size_t equals = pair.find('=');
      request_.query.emplace_back(
          PercentDecode(pair.substr(0, equals), true),
          equals == std::string_view::npos ? "" : PercentDecode(pair.substr(equals + 1), true));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return Step::kNeedMore;
}

HttpRequestParser::Step HttpRequestParser::ParseHeaderLine(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') {
    return Fail(400, "obsolete header line folding is not accepted");
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
    return Fail(400, "malformed header line");
  }
  const std::string_view value = TrimWhitespace(line.substr(colon + 1));
  if (!IsFieldValue(value)) return Fail(400, "malformed header value");
  if (request_.headers.size() >= kMaxHeaders) {
    return Fail(431, "more than " + std::to_string(kMaxHeaders) + " header fields");
  }
  request_.headers.emplace_back(ToLower(line.substr(0, colon)), std::string(value));
  return Step::kNeedMore;
}

HttpRequestParser::Step HttpRequestParser::FinishHead() {
  int host_headers = 0;
  bool has_length = false;
  bool has_transfer_encoding = false;
  unsigned long long length = 0;
  std::vector<std::string> codings;
  bool connection_close = false;
  bool connection_keep_alive = false;
  for (const auto& [name, value] : request_.headers) {
    if (name == "host") {
      ++host_headers;
      if (!absolute_form_) request_.host = value;
    } else if (name == "content-length") {
      unsigned long long parsed = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), parsed);
      const bool digits_only = !value.empty() && std::all_of(value.begin(), value.end(), IsDigit);
      if (!digits_only) return Fail(400, "malformed Content-Length");
      if (error != std::errc() || end != value.data() + value.size()) {
        return Fail(413, "the declared body is larger than server.max_body_bytes (" +
                             std::to_string(limits_.max_body_bytes) + " bytes)");
      }
      if (has_length && parsed != length) return Fail(400, "conflicting Content-Length headers");
      has_length = true;
      length = parsed;
    } else if (name == "transfer-encoding") {
      has_transfer_encoding = true;
      ForEachListElement(value, [&](std::string coding) { codings.push_back(std::move(coding)); });
    } else if (name == "connection") {
      ForEachListElement(value, [&](const std::string& option) {
        connection_close = connection_close || option == "close";
        connection_keep_alive = connection_keep_alive || option == "keep-alive";
      });
    } else if (name == "expect") {
      const std::string expectation = ToLower(value);
      if (expectation == "100-continue") {
        expects_continue_ = request_.minor_version == 1;
      } else {
        return Fail(417, "Expect '" + value + "' is not supported; only 100-continue is");
      }
    }
  }
  const bool http11 = request_.minor_version == 1;
  if (http11 && host_headers != 1) {
    return Fail(400, host_headers == 0 ? "an HTTP/1.1 request needs a Host header"
                                       : "more than one Host header");
  }
  request_.keep_alive = !connection_close && (http11 || connection_keep_alive);
  if (has_transfer_encoding) {
    if (!http11) return Fail(400, "Transfer-Encoding in an HTTP/1.0 request");
    if (has_length) return Fail(400, "both Content-Length and Transfer-Encoding");
    if (codings.empty() || codings.back() != "chunked") {
      return Fail(400, "the final transfer coding of a request must be chunked");
    }
    if (codings.size() > 1) {
      return Fail(501, "transfer coding '" + codings.front() +
                           "' is not supported; send the body as it is or chunked");
    }
    state_ = State::kChunkSize;
    return Step::kHeadComplete;
  }
  if (length > limits_.max_body_bytes) {
    return Fail(413, "the declared body of " + std::to_string(length) +
                         " bytes is larger than server.max_body_bytes (" +
                         std::to_string(limits_.max_body_bytes) + " bytes)");
  }
  if (length == 0) {
    expects_continue_ = false;
    state_ = State::kDone;
    return Step::kComplete;
  }
  body_remaining_ = static_cast<size_t>(length);
  request_.body.reserve(body_remaining_);
  state_ = State::kFixedBody;
  return Step::kHeadComplete;
}

HttpRequestParser::Step HttpRequestParser::ParseChunked(std::string& input) {
  while (true) {
    switch (state_) {
      case State::kChunkSize: {
        std::string_view line;
        size_t next = 0;
        if (!NextLine(input, 0, line, next)) {
          if (input.size() > kMaxChunkLineBytes) return Fail(400, "malformed chunk size line");
          return Step::kNeedMore;
        }
        if (next > kMaxChunkLineBytes) return Fail(400, "malformed chunk size line");
        size_t digits = 0;
        unsigned long long size = 0;
        while (digits < line.size() && HexValue(line[digits]) >= 0) {
          if (digits == 15) return Fail(413, "a chunk is larger than server.max_body_bytes");
          size = size * 16 + static_cast<unsigned long long>(HexValue(line[digits]));
          ++digits;
        }
        const std::string_view rest = TrimWhitespace(line.substr(digits));
        if (digits == 0 || (!rest.empty() && rest.front() != ';')) {
          return Fail(400, "malformed chunk size line");
        }
        input.erase(0, next);
        if (size == 0) {
          state_ = State::kTrailers;
          break;
        }
        if (size > limits_.max_body_bytes - request_.body.size()) {
          return Fail(413, "the chunked body is larger than server.max_body_bytes (" +
                               std::to_string(limits_.max_body_bytes) + " bytes)");
        }
        body_remaining_ = static_cast<size_t>(size);
        state_ = State::kChunkData;
        break;
      }
      case State::kChunkData: {
        const size_t take = std::min(body_remaining_, input.size());
        request_.body.append(input, 0, take);
        input.erase(0, take);
        body_remaining_ -= take;
        if (body_remaining_ > 0) return Step::kNeedMore;
        state_ = State::kChunkDataEnd;
        break;
      }
      case State::kChunkDataEnd: {
        if (input.empty()) return Step::kNeedMore;
        if (input[0] == '\n') {
          input.erase(0, 1);
        } else if (input[0] == '\r') {
          if (input.size() < 2) return Step::kNeedMore;
          if (input[1] != '\n') return Fail(400, "malformed chunk: no CRLF after the data");
          input.erase(0, 2);
        } else {
          return Fail(400, "malformed chunk: no CRLF after the data");
        }
        state_ = State::kChunkSize;
        break;
      }
      case State::kTrailers: {
        std::string_view line;
        size_t next = 0;
        if (!NextLine(input, 0, line, next)) {
          if (trailer_bytes_ + input.size() > limits_.max_head_bytes) {
            return Fail(431, "the trailer section is larger than " +
                                 std::to_string(limits_.max_head_bytes) + " bytes");
          }
          return Step::kNeedMore;
        }
        trailer_bytes_ += next;
        if (trailer_bytes_ > limits_.max_head_bytes) {
          return Fail(431, "the trailer section is larger than " +
                               std::to_string(limits_.max_head_bytes) + " bytes");
        }
        const bool last = line.empty();
        input.erase(0, next);
        if (last) {
          state_ = State::kDone;
          return Step::kComplete;
        }
        break;
      }
      default:
        return Parse(input);
    }
  }
}

HttpRequest HttpRequestParser::TakeRequest() {
  HttpRequest request = std::move(request_);
  request_ = HttpRequest{};
  state_ = State::kStart;
  line_start_ = 0;
  body_remaining_ = 0;
  trailer_bytes_ = 0;
  absolute_form_ = false;
  expects_continue_ = false;
  return request;
}

}  // namespace rh::server::internal
