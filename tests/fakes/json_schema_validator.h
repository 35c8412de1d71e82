// JsonSchemaValidator: checks a JSON value against a JSON Schema (draft 2020-12 subset) held in
// a larger document, such as one schema of an OpenAPI 3.1 description (the Anthropic API's own
// openapi.json: components/schemas/CreateMessageParams).
//
// Supported: $ref (local "#/..." pointers), type, const, enum, properties, required,
// additionalProperties, items, prefixItems, minItems, maxItems, minLength, maxLength (in code
// points), pattern, minimum, maximum, exclusiveMinimum, exclusiveMaximum, anyOf, oneOf (with
// OpenAPI discriminator mappings selecting the branch), allOf, not. Annotations (title,
// description, examples, format, deprecated, x-*, ...) are ignored. Create() walks every schema
// reachable from the root and refuses one that uses any other keyword, so a schema this
// validator does not fully understand fails loudly instead of passing everything.
// Violations read like the API's own 400 messages: "messages.0.role: 'system' is not one of
// ['user', 'assistant']".
// Thread-safety: Validate is const and safe to call from several threads.
#pragma once

#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace rh::testing {

class JsonSchemaValidator {
 public:
  // `root_pointer` is a JSON pointer into `document`, e.g. "/components/schemas/Foo".
  static Result<JsonSchemaValidator> Create(std::shared_ptr<const Json> document,
                                            const std::string& root_pointer);
  // Loads an OpenAPI (JSON) file and validates against components/schemas/<schema_name>.
  static Result<JsonSchemaValidator> FromOpenApiFile(const std::string& path,
                                                     const std::string& schema_name);

  // Every violation found, "<path>: <what>" ("(root)" for the top level); empty when valid.
  std::vector<std::string> Validate(const Json& instance) const;

 private:
  JsonSchemaValidator() = default;
  const Json* Resolve(const std::string& ref) const;
  Status CheckSchema(const Json& schema, const std::string& where,
                     std::map<const Json*, bool>& seen);
  void ValidateNode(const Json& schema, const Json& instance, const std::string& path,
                    std::vector<std::string>& errors, int depth) const;
  void ValidateBranches(const Json& schema, const Json& branches, bool exactly_one,
                        const Json& instance, const std::string& path,
                        std::vector<std::string>& errors, int depth) const;

  std::shared_ptr<const Json> document_;
  const Json* root_ = nullptr;
  std::map<std::string, std::shared_ptr<const std::regex>> patterns_;
};

}  // namespace rh::testing
