#include "agent/internal/openai_strict_schema.h"

#include <set>
#include <string>

namespace rh::agent::internal {
namespace {

Json Nullable(Json schema) {
  if (schema.contains("enum") && schema["enum"].is_array()) {
    bool has_null = false;
    for (const Json& value : schema["enum"]) has_null = has_null || value.is_null();
    if (!has_null) schema["enum"].push_back(nullptr);
  }
  if (auto type = schema.find("type"); type != schema.end()) {
    if (type->is_string()) {
      if (*type != "null") *type = Json::array({type->get<std::string>(), "null"});
    } else if (type->is_array()) {
      bool has_null = false;
      for (const Json& name : *type) has_null = has_null || name == "null";
      if (!has_null) type->push_back("null");
    }
    return schema;
  }
  if (schema.contains("enum")) return schema;
  return Json{{"anyOf", Json::array({std::move(schema), Json{{"type", "null"}}})}};
}

std::set<std::string> RequiredOf(const Json& schema) {
  std::set<std::string> required;
  if (auto list = schema.find("required"); list != schema.end() && list->is_array()) {
    for (const Json& name : *list) {
      if (name.is_string()) required.insert(name.get<std::string>());
    }
  }
  return required;
}

}  // namespace

Json OpenAiStrictSchema(const Json& schema) {
  if (!schema.is_object()) return schema;
  Json out = schema;
  if (auto properties = out.find("properties");
      properties != out.end() && properties->is_object()) {
    const std::set<std::string> required = RequiredOf(schema);
    Json all = Json::array();
    for (auto& [name, property] : properties->items()) {
      property = OpenAiStrictSchema(property);
      if (!required.contains(name)) property = Nullable(std::move(property));
      all.push_back(name);
    }
    out["required"] = std::move(all);
    out["additionalProperties"] = false;
  }
  if (auto items = out.find("items"); items != out.end()) *items = OpenAiStrictSchema(*items);
  for (const char* key : {"anyOf", "oneOf"}) {
    if (auto list = out.find(key); list != out.end() && list->is_array()) {
      for (Json& option : *list) option = OpenAiStrictSchema(option);
    }
  }
  return out;
}

Json DropNullOptionals(const Json& value, const Json& schema) {
  if (!schema.is_object()) return value;
  if (value.is_object()) {
    const std::set<std::string> required = RequiredOf(schema);
    const Json properties = schema.value("properties", Json::object());
    Json out = Json::object();
    for (const auto& [name, member] : value.items()) {
      if (member.is_null() && !required.contains(name)) continue;
      out[name] = properties.contains(name) ? DropNullOptionals(member, properties[name]) : member;
    }
    return out;
  }
  if (value.is_array() && schema.contains("items")) {
    Json out = Json::array();
    for (const Json& item : value) out.push_back(DropNullOptionals(item, schema["items"]));
    return out;
  }
  return value;
}

}  // namespace rh::agent::internal
