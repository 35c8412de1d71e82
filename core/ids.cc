#include "core/ids.h"

#include <openssl/sha.h>

#include <mutex>
#include <random>

namespace rh {
namespace {
constexpr char kCrockford[] = "0123456789abcdefghjkmnpqrstvwxyz";
}

std::string NewId(std::string_view prefix, TimePoint now) {
  static std::mutex mutex;
  static std::mt19937_64 rng{std::random_device{}()};
  auto millis = static_cast<unsigned long long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  std::string out(prefix);
  out.push_back('_');
  char time_part[10];
  for (int char_idx = 9; char_idx >= 0; --char_idx) {
    time_part[char_idx] = kCrockford[millis & 31];
    millis >>= 5;
  }
  out.append(time_part, 10);
  unsigned long long random_bits[2];
  {
    std::lock_guard<std::mutex> lock(mutex);
    random_bits[0] = rng();
    random_bits[1] = rng();
  }
  for (int char_idx = 0; char_idx < 16; ++char_idx) {
    unsigned long long& bits = random_bits[char_idx / 8];
    out.push_back(kCrockford[bits & 31]);
    bits >>= 5;
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char byte : digest) {
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 15]);
  }
  return out;
}

bool IsValidResourceId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

}  // namespace rh
