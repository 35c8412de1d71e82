#include "tests/fakes/json_schema_validator.h"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

namespace rh::testing {
namespace {

constexpr int kMaxDepth = 256;

const std::set<std::string>& AnnotationKeywords() {
  static const std::set<std::string> kKeywords = {
      "title",      "description",   "examples",         "example",         "default",
      "deprecated", "format",        "readOnly",         "writeOnly",       "$comment",
      "$schema",    "discriminator", "contentMediaType", "contentEncoding", "externalDocs",
      "xml",        "nullable"};
  return kKeywords;
}

const std::set<std::string>& ValidationKeywords() {
  static const std::set<std::string> kKeywords = {"$ref",
                                                  "type",
                                                  "const",
                                                  "enum",
                                                  "properties",
                                                  "required",
                                                  "additionalProperties",
                                                  "items",
                                                  "prefixItems",
                                                  "minItems",
                                                  "maxItems",
                                                  "minLength",
                                                  "maxLength",
                                                  "pattern",
                                                  "minimum",
                                                  "maximum",
                                                  "exclusiveMinimum",
                                                  "exclusiveMaximum",
                                                  "anyOf",
                                                  "oneOf",
                                                  "allOf",
                                                  "not",
                                                  "$defs"};
  return kKeywords;
}

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string Where(const std::string& path) { return path.empty() ? "(root)" : path; }

std::string Short(const Json& value) {
  std::string text = DumpJson(value);
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

std::string TypeName(const Json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return "boolean";
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  if (value.is_string()) return "string";
  if (value.is_array()) return "array";
  return "object";
}

bool HasType(const Json& instance, const std::string& type) {
  if (type == "null") return instance.is_null();
  if (type == "boolean") return instance.is_boolean();
  if (type == "string") return instance.is_string();
  if (type == "array") return instance.is_array();
  if (type == "object") return instance.is_object();
  if (type == "number") return instance.is_number();
  if (type == "integer") {
    if (instance.is_number_integer()) return true;
    if (!instance.is_number_float()) return false;
    const double value = instance.get<double>();
    return std::isfinite(value) && std::floor(value) == value;
  }
  return false;
}

size_t CodePoints(const std::string& text) {
  size_t count = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++count;
  }
  return count;
}

std::string EnumText(const Json& values) {
  std::string text = "[";
  for (size_t value_idx = 0; value_idx < values.size(); ++value_idx) {
    if (value_idx) text += ", ";
    text += values[value_idx].is_string() ? "'" + values[value_idx].get<std::string>() + "'"
                                          : Short(values[value_idx]);
  }
  return text + "]";
}

}  // namespace

Result<JsonSchemaValidator> JsonSchemaValidator::Create(std::shared_ptr<const Json> document,
                                                        const std::string& root_pointer) {
  if (!document) return InvalidArgument("json schema", "no document");
  JsonSchemaValidator validator;
  validator.document_ = std::move(document);
  validator.root_ = validator.Resolve("#" + root_pointer);
  if (!validator.root_) {
    return NotFound("json schema", "no schema at '" + root_pointer + "' in the document");
  }
  std::map<const Json*, bool> seen;
  RH_RETURN_IF_ERROR(validator.CheckSchema(*validator.root_, root_pointer, seen));
  return validator;
}

Result<JsonSchemaValidator> JsonSchemaValidator::FromOpenApiFile(const std::string& path,
                                                                 const std::string& schema_name) {
  std::ifstream file(path);
  if (!file) return NotFound(path, "cannot open the OpenAPI file");
  std::stringstream text;
  text << file.rdbuf();
  RH_ASSIGN_OR_RETURN(Json document, ParseJson(text.str(), path));
  return Create(std::make_shared<const Json>(std::move(document)),
                "/components/schemas/" + schema_name);
}

const Json* JsonSchemaValidator::Resolve(const std::string& ref) const {
  if (ref.empty() || ref[0] != '#') return nullptr;
  try {
    const std::string pointer = ref.substr(1);
    if (pointer.empty()) return document_.get();
    const Json::json_pointer json_pointer(pointer);
    if (!document_->contains(json_pointer)) return nullptr;
    return &document_->at(json_pointer);
  } catch (const nlohmann::json::exception&) {
    return nullptr;
  }
}

Status JsonSchemaValidator::CheckSchema(const Json& schema, const std::string& where,
                                        std::map<const Json*, bool>& seen) {
  if (schema.is_boolean()) return {};
  if (!schema.is_object()) return InvalidArgument(where, "a schema must be an object or boolean");
  if (seen.count(&schema)) return {};
  seen[&schema] = true;
  for (const auto& [keyword, value] : schema.items()) {
    if (keyword.rfind("x-", 0) == 0 || AnnotationKeywords().count(keyword)) continue;
    if (!ValidationKeywords().count(keyword)) {
      return InvalidArgument(where, "unsupported JSON Schema keyword '" + keyword + "'");
    }
    const std::string here = where + "/" + keyword;
    if (keyword == "$ref") {
      const Json* target = value.is_string() ? Resolve(value.get<std::string>()) : nullptr;
      if (!target) return InvalidArgument(here, "unresolvable $ref " + Short(value));
      RH_RETURN_IF_ERROR(CheckSchema(*target, value.get<std::string>(), seen));
    } else if (keyword == "properties" || keyword == "$defs") {
      if (!value.is_object()) return InvalidArgument(here, "must be an object");
      for (const auto& [name, sub] : value.items()) {
        RH_RETURN_IF_ERROR(CheckSchema(sub, here + "/" + name, seen));
      }
    } else if (keyword == "anyOf" || keyword == "oneOf" || keyword == "allOf" ||
               keyword == "prefixItems") {
      if (!value.is_array() || value.empty())
        return InvalidArgument(here, "must be a non-empty array");
      for (size_t branch_idx = 0; branch_idx < value.size(); ++branch_idx) {
        RH_RETURN_IF_ERROR(
            CheckSchema(value[branch_idx], here + "/" + std::to_string(branch_idx), seen));
      }
    } else if (keyword == "items" || keyword == "not" ||
               (keyword == "additionalProperties" && value.is_object())) {
      RH_RETURN_IF_ERROR(CheckSchema(value, here, seen));
    } else if (keyword == "pattern") {
      if (!value.is_string()) return InvalidArgument(here, "must be a string");
      const std::string pattern = value.get<std::string>();
      if (!patterns_.count(pattern)) {
        try {
          patterns_[pattern] = std::make_shared<const std::regex>(pattern, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          return InvalidArgument(here, "pattern '" + pattern + "' does not compile: " + e.what());
        }
      }
    }
  }
  return {};
}

std::vector<std::string> JsonSchemaValidator::Validate(const Json& instance) const {
  std::vector<std::string> errors;
  ValidateNode(*root_, instance, "", errors, 0);
  return errors;
}

void JsonSchemaValidator::ValidateNode(const Json& schema, const Json& instance,
                                       const std::string& path, std::vector<std::string>& errors,
                                       int depth) const {
  if (depth > kMaxDepth) {
    errors.push_back(Where(path) + ": nested too deeply to validate");
    return;
  }
  if (schema.is_boolean()) {
    if (!schema.get<bool>()) errors.push_back(Where(path) + ": no value is allowed here");
    return;
  }
  if (auto ref = schema.find("$ref"); ref != schema.end()) {
    ValidateNode(*Resolve(ref->get<std::string>()), instance, path, errors, depth + 1);
  }
  if (auto type = schema.find("type"); type != schema.end()) {
    bool matches = false;
    if (type->is_string()) {
      matches = HasType(instance, type->get<std::string>());
    } else {
      for (const auto& option : *type)
        matches = matches || HasType(instance, option.get<std::string>());
    }
    if (!matches) {
      errors.push_back(Where(path) + ": Input should be of type " + Short(*type) + ", got " +
                       TypeName(instance));
      return;  // the other keywords would only repeat the type mismatch
    }
  }
  if (auto value = schema.find("const"); value != schema.end() && instance != *value) {
    errors.push_back(Where(path) + ": Input should be " + Short(*value) + ", got " +
                     Short(instance));
  }
  if (auto values = schema.find("enum"); values != schema.end()) {
    bool found = false;
    for (const auto& option : *values) found = found || option == instance;
    if (!found) {
      errors.push_back(Where(path) + ": " + Short(instance) + " is not one of " +
                       EnumText(*values));
    }
  }

  if (instance.is_object()) {
    const auto properties = schema.find("properties");
    if (auto required = schema.find("required"); required != schema.end()) {
      for (const auto& name : *required) {
        if (!instance.contains(name.get<std::string>())) {
          errors.push_back(Join(path, name.get<std::string>()) + ": Field required");
        }
      }
    }
    const auto additional = schema.find("additionalProperties");
    for (const auto& [name, value] : instance.items()) {
      if (properties != schema.end() && properties->contains(name)) {
        ValidateNode((*properties)[name], value, Join(path, name), errors, depth + 1);
      } else if (additional != schema.end()) {
        if (additional->is_boolean() && !additional->get<bool>()) {
          errors.push_back(Join(path, name) + ": Extra inputs are not permitted");
        } else if (additional->is_object()) {
          ValidateNode(*additional, value, Join(path, name), errors, depth + 1);
        }
      }
    }
  }

  if (instance.is_array()) {
    size_t first_item = 0;
    if (auto prefix = schema.find("prefixItems"); prefix != schema.end()) {
      for (; first_item < prefix->size() && first_item < instance.size(); ++first_item) {
        ValidateNode((*prefix)[first_item], instance[first_item],
                     Join(path, std::to_string(first_item)), errors, depth + 1);
      }
    }
    if (auto items = schema.find("items"); items != schema.end()) {
      for (size_t item_idx = first_item; item_idx < instance.size(); ++item_idx) {
        ValidateNode(*items, instance[item_idx], Join(path, std::to_string(item_idx)), errors,
                     depth + 1);
      }
    }
    if (auto min_items = schema.find("minItems");
        min_items != schema.end() && instance.size() < min_items->get<size_t>()) {
      errors.push_back(Where(path) + ": List should have at least " + min_items->dump() +
                       " item(s)");
    }
    if (auto max_items = schema.find("maxItems");
        max_items != schema.end() && instance.size() > max_items->get<size_t>()) {
      errors.push_back(Where(path) + ": List should have at most " + max_items->dump() +
                       " item(s)");
    }
  }

  if (instance.is_string()) {
    const std::string& text = instance.get_ref<const std::string&>();
    if (auto min_length = schema.find("minLength");
        min_length != schema.end() && CodePoints(text) < min_length->get<size_t>()) {
      errors.push_back(Where(path) + ": String should have at least " + min_length->dump() +
                       " character(s)");
    }
    if (auto max_length = schema.find("maxLength");
        max_length != schema.end() && CodePoints(text) > max_length->get<size_t>()) {
      errors.push_back(Where(path) + ": String should have at most " + max_length->dump() +
                       " character(s)");
    }
    if (auto pattern = schema.find("pattern"); pattern != schema.end()) {
      const auto& regex = patterns_.at(pattern->get<std::string>());
      if (!std::regex_search(text, *regex)) {
        errors.push_back(Where(path) + ": String should match pattern '" +
                         pattern->get<std::string>() + "'");
      }
    }
  }

  if (instance.is_number()) {
    const double value = instance.get<double>();
    auto bound = [&](const char* keyword, auto violates, const char* words) {
      if (auto limit = schema.find(keyword);
          limit != schema.end() && limit->is_number() && violates(value, limit->get<double>())) {
        errors.push_back(Where(path) + ": Input should be " + words + " " + limit->dump());
      }
    };
    bound(
        "minimum", [](double v, double l) { return v < l; }, "greater than or equal to");
    bound(
        "maximum", [](double v, double l) { return v > l; }, "less than or equal to");
    bound(
        "exclusiveMinimum", [](double v, double l) { return v <= l; }, "greater than");
    bound(
        "exclusiveMaximum", [](double v, double l) { return v >= l; }, "less than");
  }

  if (auto all_of = schema.find("allOf"); all_of != schema.end()) {
    for (const auto& branch : *all_of) ValidateNode(branch, instance, path, errors, depth + 1);
  }
  if (auto any_of = schema.find("anyOf"); any_of != schema.end()) {
    ValidateBranches(schema, *any_of, false, instance, path, errors, depth);
  }
  if (auto one_of = schema.find("oneOf"); one_of != schema.end()) {
    ValidateBranches(schema, *one_of, true, instance, path, errors, depth);
  }
  if (auto negated = schema.find("not"); negated != schema.end()) {
    std::vector<std::string> inner;
    ValidateNode(*negated, instance, path, inner, depth + 1);
    if (inner.empty()) errors.push_back(Where(path) + ": Input matches a forbidden shape");
  }
}

void JsonSchemaValidator::ValidateBranches(const Json& schema, const Json& branches,
                                           bool exactly_one, const Json& instance,
                                           const std::string& path,
                                           std::vector<std::string>& errors, int depth) const {
  // An OpenAPI discriminator with a mapping picks the one branch to check by the tag property.
  if (auto discriminator = schema.find("discriminator");
      discriminator != schema.end() && discriminator->contains("mapping") && instance.is_object()) {
    const std::string property = JsonString(*discriminator, "propertyName");
    const Json& mapping = (*discriminator)["mapping"];
    auto tag = instance.find(property);
    if (tag != instance.end() && tag->is_string()) {
      if (!mapping.contains(tag->get<std::string>())) {
        std::vector<std::string> tags;
        for (const auto& [name, target] : mapping.items()) tags.push_back("'" + name + "'");
        std::string expected;
        for (size_t tag_idx = 0; tag_idx < tags.size(); ++tag_idx) {
          expected += (tag_idx ? ", " : "") + tags[tag_idx];
        }
        errors.push_back(Join(path, property) + ": Input tag '" + tag->get<std::string>() +
                         "' does not match any of the expected tags: " + expected);
        return;
      }
      const Json* target = Resolve(mapping[tag->get<std::string>()].get<std::string>());
      if (target) {
        ValidateNode(*target, instance, path, errors, depth + 1);
        return;
      }
    }
  }

  int matches = 0;
  std::vector<std::string> best;
  long best_score = -1;
  for (const auto& branch : branches) {
    std::vector<std::string> branch_errors;
    ValidateNode(branch, instance, path, branch_errors, depth + 1);
    if (branch_errors.empty()) {
      ++matches;
      if (!exactly_one) return;
      continue;
    }
    // The closest branch: fewest errors, and never one whose very type is wrong.
    const bool wrong_type =
        branch_errors.size() == 1 &&
        branch_errors[0].rfind(Where(path) + ": Input should be of type", 0) == 0;
    const long score = static_cast<long>(branch_errors.size()) + (wrong_type ? 1000000 : 0);
    if (best_score < 0 || score < best_score) {
      best_score = score;
      best = std::move(branch_errors);
    }
  }
  if (matches == 1 || (!exactly_one && matches > 0)) return;
  if (matches > 1) {
    errors.push_back(Where(path) + ": Input matches " + std::to_string(matches) +
                     " shapes where exactly one is allowed");
    return;
  }
  if (best.empty()) {
    errors.push_back(Where(path) + ": Input matches none of the allowed shapes");
    return;
  }
  errors.insert(errors.end(), best.begin(), best.end());
}

}  // namespace rh::testing
