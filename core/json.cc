#include "core/json.h"

namespace rh {
namespace {

template <typename J>
Result<J> ParseImpl(std::string_view text, std::string_view what) {
  try {
    return J::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    return InvalidArgument(std::string(what),
                           "not valid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument(std::string(what), std::string("not valid JSON: ") + e.what());
  }
}

}  // namespace

Result<Json> ParseJson(std::string_view text, std::string_view what) {
  return ParseImpl<Json>(text, what);
}
Result<OrderedJson> ParseOrderedJson(std::string_view text, std::string_view what) {
  return ParseImpl<OrderedJson>(text, what);
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
