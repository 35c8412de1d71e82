#include "core/json.h"

#include "core/redact.h"

namespace rh {
namespace {

template <typename J>
Result<J> ParseImpl(std::string_view text, std::string_view what, int max_depth) {
  RH_RETURN_IF_ERROR(CheckJsonDepth(text, what, max_depth));
  try {
    return J::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // The parser quotes what it last read, which may be part of a secret.
    return InvalidArgument(std::string(what), "not valid JSON at byte " + std::to_string(e.byte) +
                                                  ": " + RedactSecrets(e.what()));
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string(what),
                           std::string("not valid JSON: ") + RedactSecrets(e.what()));
  }
}

}  // namespace

Status CheckJsonDepth(std::string_view text, std::string_view what, int max_depth) {
  // Outside strings every bracket is structure; inside, only '"' ends the string and '\\' skips
  // the next byte. Text that is not JSON may be miscounted, but then the parser refuses it anyway:
  // for text the parser accepts, this count is exact.
  int depth = 0;
  bool in_string = false;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (in_string) {
      if (c == '\\') {
        ++pos;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) {
          return InvalidArgument(std::string(what), "nesting deeper than " +
                                                        std::to_string(max_depth) +
                                                        " levels at byte " +
                                                        std::to_string(pos + 1));
        }
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return {};
}

Result<Json> ParseJson(std::string_view text, std::string_view what, int max_depth) {
  return ParseImpl<Json>(text, what, max_depth);
}
Result<OrderedJson> ParseOrderedJson(std::string_view text, std::string_view what, int max_depth) {
  return ParseImpl<OrderedJson>(text, what, max_depth);
}

std::string DumpJson(const Json& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}
std::string DumpJson(const OrderedJson& value, int indent) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string JsonString(const Json& object, std::string_view key, std::string_view fallback) {
  if (!object.is_object()) return std::string(fallback);
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return std::string(fallback);
  return it->get<std::string>();
}

double JsonNumber(const Json& object, std::string_view key, double fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return fallback;
  return it->get<double>();
}

long long JsonInt(const Json& object, std::string_view key, long long fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return fallback;
  return it->is_number_integer() ? it->get<long long>() : static_cast<long long>(it->get<double>());
}

bool JsonBool(const Json& object, std::string_view key, bool fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || !it->is_boolean()) return fallback;
  return it->get<bool>();
}

}  // namespace rh
