#include "tools/input_schema.h"

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <vector>

namespace rh::tools {
namespace {

constexpr size_t kMaxReportedProblems = 5;
constexpr size_t kMaxShownValueChars = 60;

// Compiled patterns, shared by every validation (std::regex construction is slow).
const std::regex* CompiledPattern(const std::string& pattern) {
  static std::mutex mutex;
  static std::map<std::string, std::unique_ptr<std::regex>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto found = cache.find(pattern);
  if (found != cache.end()) return found->second.get();
  try {
    auto compiled = std::make_unique<std::regex>(pattern, std::regex::ECMAScript);
    const std::regex* raw = compiled.get();
    cache.emplace(pattern, std::move(compiled));
    return raw;
  } catch (const std::regex_error&) {
    return nullptr;
  }
}

std::string Shown(const Json& value) {
  std::string text = DumpJson(value);
  if (text.size() > kMaxShownValueChars) text = text.substr(0, kMaxShownValueChars) + "...";
  return text;
}

std::string TypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::boolean:
      return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "integer";
    case Json::value_t::number_float:
      return "number";
    case Json::value_t::string:
      return "string";
    case Json::value_t::array:
      return "array";
    case Json::value_t::object:
      return "object";
    default:
      return "value";
  }
}

std::string JoinKeys(const Json& object) {
  std::string out;
  for (auto item = object.begin(); item != object.end(); ++item) {
    if (!out.empty()) out += ", ";
    out += item.key();
  }
  return out;
}

std::string EnumText(const Json& values) {
  std::string out;
  for (const Json& value : values) {
    if (!out.empty()) out += ", ";
    out += value.is_string() ? value.get<std::string>() : DumpJson(value);
  }
  return out;
}

class Validator {
 public:
  // Validates `value` at `path`, normalising it in place.
  void Check(const Json& schema, Json& value, const std::string& path) {
    if (problems_.size() >= kMaxReportedProblems) return;
    std::string type = JsonString(schema, "type");
    if (type == "object") return CheckObject(schema, value, path);
    if (type == "array") return CheckArray(schema, value, path);
    if (type == "string") return CheckString(schema, value, path);
    if (type == "integer" || type == "number") return CheckNumber(schema, value, path, type);
    if (type == "boolean") {
      if (!value.is_boolean()) Problem(path, "must be true or false", value);
      return;
    }
  }

  const std::vector<std::string>& problems() const { return problems_; }

 private:
  void Problem(const std::string& path, const std::string& what, const Json& value) {
    if (problems_.size() >= kMaxReportedProblems) return;
    problems_.push_back((path.empty() ? "input" : path) + ": " + what + "; got " + TypeName(value) +
                        " " + Shown(value));
  }
  void Problem(const std::string& path, const std::string& what) {
    if (problems_.size() >= kMaxReportedProblems) return;
    problems_.push_back((path.empty() ? "input" : path) + ": " + what);
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  void CheckObject(const Json& schema, Json& value, const std::string& path) {
    const Json empty = Json::object();
    const Json& properties = schema.contains("properties") ? schema["properties"] : empty;
    if (!value.is_object()) {
      std::string expected = "must be a JSON object";
      if (!properties.empty()) expected += " with properties " + JoinKeys(properties);
      Problem(path, expected, value);
      return;
    }
    bool closed = schema.contains("additionalProperties") &&
                  schema["additionalProperties"].is_boolean() &&
                  !schema["additionalProperties"].get<bool>();
    if (closed) {
      for (auto item = value.begin(); item != value.end(); ++item) {
        if (!properties.contains(item.key())) {
          Problem(Join(path, item.key()),
                  "unknown property; the allowed properties are " + JoinKeys(properties));
        }
      }
    }
    if (schema.contains("required")) {
      for (const Json& name : schema["required"]) {
        const std::string key = name.get<std::string>();
        if (!value.contains(key)) {
          std::string hint;
          const Json& property = properties.contains(key) ? properties[key] : empty;
          if (property.contains("examples") && property["examples"].is_array() &&
              !property["examples"].empty()) {
            hint = " (e.g. " + DumpJson(property["examples"][0]) + ")";
          }
          Problem(Join(path, key), "required property is missing" + hint);
        }
      }
    }
    for (auto item = properties.begin(); item != properties.end(); ++item) {
      if (value.contains(item.key())) {
        Check(item.value(), value[item.key()], Join(path, item.key()));
      } else if (item.value().contains("default")) {
        value[item.key()] = item.value()["default"];
      }
    }
  }

  void CheckArray(const Json& schema, Json& value, const std::string& path) {
    if (!value.is_array()) {
      Problem(path, "must be an array", value);
      return;
    }
    if (schema.contains("minItems") && value.size() < schema["minItems"].get<size_t>()) {
      Problem(path, "needs at least " + std::to_string(schema["minItems"].get<size_t>()) + " items",
              value);
    }
    if (schema.contains("maxItems") && value.size() > schema["maxItems"].get<size_t>()) {
      Problem(path, "takes at most " + std::to_string(schema["maxItems"].get<size_t>()) + " items",
              value);
      return;
    }
    if (!schema.contains("items")) return;
    for (size_t item_idx = 0; item_idx < value.size(); ++item_idx) {
      Check(schema["items"], value[item_idx], path + "[" + std::to_string(item_idx) + "]");
    }
  }

  void CheckString(const Json& schema, Json& value, const std::string& path) {
    if (!value.is_string()) {
      Problem(path, "must be a string", value);
      return;
    }
    const std::string& text = value.get_ref<const std::string&>();
    if (schema.contains("enum")) {
      for (const Json& allowed : schema["enum"]) {
        if (allowed == value) return;
      }
      Problem(path, "must be one of " + EnumText(schema["enum"]), value);
      return;
    }
    if (schema.contains("minLength") && text.size() < schema["minLength"].get<size_t>()) {
      Problem(
          path,
          "must be at least " + std::to_string(schema["minLength"].get<size_t>()) + " characters",
          value);
      return;
    }
    if (schema.contains("maxLength") && text.size() > schema["maxLength"].get<size_t>()) {
      Problem(path, "must be at most " + std::to_string(schema["maxLength"].get<size_t>()) +
                        " characters (it has " + std::to_string(text.size()) + ")");
      return;
    }
    if (schema.contains("pattern")) {
      const std::string pattern = schema["pattern"].get<std::string>();
      const std::regex* regex = CompiledPattern(pattern);
      if (regex == nullptr || !std::regex_search(text, *regex)) {
        if (pattern == kResourceIdPattern) {
          Problem(path,
                  "ids are 1 to 64 lower-case letters, digits and '-' (e.g. "
                  "\"c-1a2b3c4d\")",
                  value);
        } else {
          Problem(path, "must match " + pattern, value);
        }
      }
    }
  }

  void CheckNumber(const Json& schema, Json& value, const std::string& path,
                   const std::string& type) {
    if (!value.is_number()) {
      Problem(path, "must be " + std::string(type == "integer" ? "an integer" : "a number"), value);
      return;
    }
    if (type == "integer" && value.is_number_float()) {
      double number = value.get<double>();
      if (!std::isfinite(number) || std::floor(number) != number || std::fabs(number) > 9.0e15) {
        Problem(path, "must be an integer", value);
        return;
      }
      value = static_cast<int64_t>(number);
    }
    double number = value.get<double>();
    if (schema.contains("minimum") && number < schema["minimum"].get<double>()) {
      Problem(path, "must be >= " + DumpJson(schema["minimum"]), value);
      return;
    }
    if (schema.contains("maximum") && number > schema["maximum"].get<double>()) {
      Problem(path, "must be <= " + DumpJson(schema["maximum"]), value);
      return;
    }
    if (schema.contains("enum")) {
      for (const Json& allowed : schema["enum"]) {
        if (allowed.is_number() && allowed.get<double>() == number) return;
      }
      Problem(path, "must be one of " + EnumText(schema["enum"]), value);
    }
  }

  std::vector<std::string> problems_;
};

Status CheckSchemaNode(const Json& schema, const std::string& path) {
  static const std::set<std::string> kAnnotations = {"description", "default", "examples", "title"};
  static const std::map<std::string, std::set<std::string>> kKeywords = {
      {"object", {"properties", "required", "additionalProperties"}},
      {"string", {"enum", "pattern", "minLength", "maxLength"}},
      {"integer", {"minimum", "maximum", "enum"}},
      {"number", {"minimum", "maximum", "enum"}},
      {"boolean", {}},
      {"array", {"items", "minItems", "maxItems"}},
  };
  auto bad = [&](const std::string& what) {
    return InvalidArgument("schema" + (path.empty() ? "" : "." + path), what);
  };
  if (!schema.is_object()) return bad("must be an object");
  std::string type = JsonString(schema, "type");
  auto keywords = kKeywords.find(type);
  if (keywords == kKeywords.end())
    return bad(
        "type must be one of object, string, integer, "
        "number, boolean, array");
  for (auto item = schema.begin(); item != schema.end(); ++item) {
    if (item.key() == "type" || kAnnotations.count(item.key())) continue;
    if (!keywords->second.count(item.key())) {
      return bad("keyword '" + item.key() + "' is not supported for type " + type);
    }
  }
  if (schema.contains("additionalProperties") && !(schema["additionalProperties"].is_boolean() &&
                                                   !schema["additionalProperties"].get<bool>())) {
    return bad("additionalProperties must be false");
  }
  if (schema.contains("pattern")) {
    if (!schema["pattern"].is_string() || !CompiledPattern(schema["pattern"].get<std::string>())) {
      return bad("pattern must be a valid ECMAScript regex");
    }
    // std::regex recurses per character: bound the input it may see.
    if (!schema.contains("maxLength") || !schema["maxLength"].is_number() ||
        schema["maxLength"].get<double>() > 1000) {
      return bad("a pattern needs a maxLength of at most 1000");
    }
  }
  for (const char* count : {"minLength", "maxLength", "minItems", "maxItems"}) {
    if (schema.contains(count) && !schema[count].is_number_unsigned() &&
        !(schema[count].is_number_integer() && schema[count].get<int64_t>() >= 0)) {
      return bad(std::string(count) + " must be a non-negative integer");
    }
  }
  for (const char* bound : {"minimum", "maximum"}) {
    if (schema.contains(bound) && !schema[bound].is_number()) {
      return bad(std::string(bound) + " must be a number");
    }
  }
  if (schema.contains("enum") && (!schema["enum"].is_array() || schema["enum"].empty())) {
    return bad("enum must be a non-empty array");
  }
  if (schema.contains("required")) {
    if (!schema["required"].is_array()) return bad("required must be an array of names");
    for (const Json& name : schema["required"]) {
      if (!name.is_string()) return bad("required must be an array of names");
    }
  }
  if (schema.contains("properties")) {
    if (!schema["properties"].is_object()) return bad("properties must be an object");
    for (auto item = schema["properties"].begin(); item != schema["properties"].end(); ++item) {
      RH_RETURN_IF_ERROR(
          CheckSchemaNode(item.value(), path.empty() ? item.key() : path + "." + item.key()));
    }
  }
  if (schema.contains("items")) RH_RETURN_IF_ERROR(CheckSchemaNode(schema["items"], path + "[]"));
  return {};
}

}  // namespace

Result<Json> ValidateInput(const Json& schema, const Json& input) {
  Json normalised = input;
  Validator validator;
  validator.Check(schema, normalised, "");
  if (validator.problems().empty()) return normalised;
  std::string message;
  for (const std::string& problem : validator.problems()) {
    if (!message.empty()) message += "; ";
    message += problem;
  }
  return InvalidArgument("input", message);
}

Status CheckSchemaSupported(const Json& schema) {
  if (JsonString(schema, "type") != "object") {
    return InvalidArgument("schema", "a tool's input schema must be of type object");
  }
  return CheckSchemaNode(schema, "");
}

}  // namespace rh::tools
