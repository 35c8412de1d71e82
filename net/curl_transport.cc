#include "net/curl_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <string_view>

namespace rh::net {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// The body of a streamed answer: kept, and handed on as it arrives once the status is 2xx.
struct StreamedBody {
  CURL* handle = nullptr;
  std::string* body = nullptr;
  const std::function<void(std::string_view)>* on_body = nullptr;
};

size_t StreamBody(char* data, size_t size, size_t count, void* user) {
  auto* streamed = static_cast<StreamedBody*>(user);
  streamed->body->append(data, size * count);
  long status = 0;
  curl_easy_getinfo(streamed->handle, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) (*streamed->on_body)(std::string_view(data, size * count));
  return size * count;
}

// Called once per header line, status lines included. A new status line (after a 100 Continue,
// say) starts a fresh header set, so only the final answer's headers are kept.
size_t AppendHeader(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<HttpHeaders*>(user);
  std::string_view line(data, size * count);
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.starts_with("HTTP/")) {
    headers->clear();
    return size * count;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  headers->emplace_back(std::move(name), std::string(value));
  return size * count;
}

HttpFailureKind Classify(CURLcode code) {
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return HttpFailureKind::kTimeout;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
      return HttpFailureKind::kRequest;
    default:
      return HttpFailureKind::kConnection;
  }
}

long Millis(std::chrono::milliseconds duration) {
  return static_cast<long>(std::max<long long>(1, duration.count()));
}

bool HasHeader(const HttpHeaders& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& header) {
    const std::string& name = header.first;
    return name.size() == lower_name.size() &&
           std::equal(name.begin(), name.end(), lower_name.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == b;
           });
  });
}

}  // namespace

std::unique_ptr<HttpTransport> MakeDefaultHttpTransport() {
  return std::make_unique<CurlTransport>();
}

CurlTransport::CurlTransport() { InitCurlOnce(); }

HttpResult CurlTransport::Send(const HttpRequest& request) {
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) {
    return tl::unexpected(HttpFailure{HttpFailureKind::kConnection, "curl_easy_init failed"});
  }
  std::unique_ptr<curl_slist, SlistDeleter> header_list;
  auto append = [&](const std::string& line) {
    curl_slist* appended = curl_slist_append(header_list.get(), line.c_str());
    if (!appended) return false;
    // curl_slist_append returned the same list, one longer (or a new one when it was empty).
    static_cast<void>(header_list.release());
    header_list.reset(appended);
    return true;
  };
  for (const auto& [name, value] : request.headers) {
    // "Name;" is curl's way of sending a header with an empty value ("Name:" would remove it).
    if (!append(value.empty() ? name + ";" : name + ": " + value)) {
      return tl::unexpected(HttpFailure{HttpFailureKind::kConnection, "out of memory"});
    }
  }
  // No "Expect: 100-continue" round trip for large bodies.
  if (!append("Expect:")) {
    return tl::unexpected(HttpFailure{HttpFailureKind::kConnection, "out of memory"});
  }

  HttpResponse response;
  char error_buffer[CURL_ERROR_SIZE] = {};
  CURL* handle = easy.get();
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  switch (request.method) {
    case HttpMethod::kGet:
      curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
      break;
    case HttpMethod::kPost:
      curl_easy_setopt(handle, CURLOPT_POST, 1L);
      curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      break;
  }
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list.get());
  if (!HasHeader(request.headers, "user-agent")) {
    curl_easy_setopt(handle, CURLOPT_USERAGENT, kUserAgent);
  }
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, Millis(request.connect_timeout));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, Millis(request.total_timeout));
  StreamedBody streamed{handle, &response.body, &request.on_body};
  if (request.on_body) {
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &StreamBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &streamed);
  } else {
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &AppendBody);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response.body);
  }
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &AppendHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);

  const CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    std::string message = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
    return tl::unexpected(HttpFailure{Classify(code), std::move(message)});
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace rh::net
