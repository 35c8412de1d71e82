// The web page's files (server/web/), embedded in the binary at build time, so `rockhound serve`
// needs no files on disk and the page loads no external assets.
// Thread-safety: read-only data.
#pragma once

#include <optional>
#include <string_view>

namespace rh::server::internal {

struct WebAsset {
  std::string_view content;
  std::string_view content_type;
};

// "index.html", "app.js", "style.css", "favicon.svg"; nullopt for any other name.
std::optional<WebAsset> FindWebAsset(std::string_view name);

}  // namespace rh::server::internal
