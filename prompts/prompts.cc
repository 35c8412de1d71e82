#include "prompts/prompts.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace rh::prompts {
namespace embedded {
std::string_view EmbeddedFile(std::string_view name);
const std::vector<std::string_view>& EmbeddedFileNames();
}  // namespace embedded

Result<std::string> LoadPrompt(std::string_view name, std::string_view override_dir) {
  if (name.find('/') != std::string_view::npos || name.find("..") != std::string_view::npos) {
    return InvalidArgument(std::string(name), "prompt names are plain file names");
  }
  if (!override_dir.empty()) {
    std::filesystem::path path = std::filesystem::path(override_dir) / std::string(name);
    if (std::filesystem::exists(path)) {
      std::ifstream in(path, std::ios::binary);
      if (!in) return Unavailable(path.string(), "cannot read the prompt override");
      std::ostringstream text;
      text << in.rdbuf();
      return text.str();
    }
  }
  std::string_view text = embedded::EmbeddedFile(name);
  if (text.empty()) return NotFound(std::string(name), "no such prompt file in prompts/text/");
  return std::string(text);
}

std::vector<std::string> EmbeddedPromptNames() {
  std::vector<std::string> names;
  for (std::string_view name : embedded::EmbeddedFileNames()) names.emplace_back(name);
  return names;
}

}  // namespace rh::prompts
