#include "net/http_transport.h"

#include <cctype>

#include "core/url.h"

namespace rh::net {
namespace {

bool SameNameIgnoringCase(std::string_view lower_name, std::string_view name) {
  if (lower_name.size() != name.size()) return false;
  for (size_t char_idx = 0; char_idx < name.size(); ++char_idx) {
    if (lower_name[char_idx] != std::tolower(static_cast<unsigned char>(name[char_idx]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string_view HttpMethodName(HttpMethod method) {
  switch (method) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kPost:
      return "POST";
  }
  return "POST";
}

std::string_view HttpFailureKindName(HttpFailureKind kind) {
  switch (kind) {
    case HttpFailureKind::kTimeout:
      return "timeout";
    case HttpFailureKind::kConnection:
      return "connection";
    case HttpFailureKind::kRequest:
      return "request";
  }
  return "connection";
}

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [header_name, value] : headers) {
    if (SameNameIgnoringCase(header_name, name)) return value;
  }
  return std::nullopt;
}

std::string WithQuery(std::string_view url, const QueryParameters& parameters) {
  std::string out(url);
  if (parameters.empty()) return out;
  std::string_view separator = out.find('?') == std::string::npos ? "?" : "&";
  if (out.ends_with('?') || out.ends_with('&')) separator = "";
  for (const auto& [name, value] : parameters) {
    out += separator;
    AppendPercentEncoded(name, out);
    out += '=';
    AppendPercentEncoded(value, out);
    separator = "&";
  }
  return out;
}

}  // namespace rh::net
