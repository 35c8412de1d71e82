// Rng: the simulator's only source of randomness, a small seeded PRNG (xoshiro256**, seeded
// through SplitMix64) with the handful of distributions the fleet model needs.
//
// Everything is implemented here rather than with <random>'s distributions, whose output is
// implementation-defined: the same seed must give byte-identical fleets on every standard
// library. Independent streams (one per cluster and purpose) come from Rng(seed, stream, sub),
// so one cluster's data never depends on how many random numbers another cluster drew.
// Thread-safety: an Rng is a plain value; use one per thread.
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

namespace rh::simulator::internal {

inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// A well-mixed 64-bit hash of a few integers (stream derivation, stable ids).
inline uint64_t MixHash(uint64_t a, uint64_t b, uint64_t c = 0) {
  uint64_t state = a;
  uint64_t h = SplitMix64(state);
  state = h ^ (b * 0xD6E8FEB86659FD93ULL);
  h = SplitMix64(state);
  state = h ^ (c * 0xA0761D6478BD642FULL);
  return SplitMix64(state);
}

class Rng {
 public:
  explicit Rng(uint64_t seed, uint64_t stream = 0, uint64_t substream = 0) {
    uint64_t state = MixHash(seed, stream, substream);
    for (uint64_t& word : state_) word = SplitMix64(state);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [lo, hi] (inclusive).
  int UniformInt(int lo, int hi) {
    if (hi <= lo) return lo;
    const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    return lo + static_cast<int>(static_cast<uint64_t>(Uniform() * static_cast<double>(span)));
  }
  bool Bernoulli(double probability) { return Uniform() < probability; }

  // Standard normal (Box-Muller; the second value of each pair is kept for the next call).
  double Normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u1 = Uniform();
    while (u1 <= 1e-300) u1 = Uniform();
    const double u2 = Uniform();
    const double radius = std::sqrt(-2.0 * std::log(u1));
    const double angle = 2.0 * std::numbers::pi * u2;
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }
  // exp(sigma * N(0,1)): a multiplicative noise factor around 1.
  double LogNormalFactor(double sigma) { return std::exp(sigma * Normal()); }

  // Poisson (Knuth's method; fine for the small rates the model uses).
  int Poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda > 30) {
      const double value = std::round(lambda + std::sqrt(lambda) * Normal());
      return value < 0 ? 0 : static_cast<int>(value);
    }
    const double limit = std::exp(-lambda);
    double product = Uniform();
    int count = 0;
    while (product > limit) {
      ++count;
      product *= Uniform();
    }
    return count;
  }

  // An index drawn with probability proportional to weights[index].
  size_t PickWeighted(const std::vector<double>& weights) {
    double total = 0;
    for (double weight : weights) total += weight;
    double target = Uniform() * total;
    for (size_t weight_idx = 0; weight_idx < weights.size(); ++weight_idx) {
      target -= weights[weight_idx];
      if (target < 0) return weight_idx;
    }
    return weights.empty() ? 0 : weights.size() - 1;
  }

  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(UniformInt(0, static_cast<int>(items.size()) - 1))];
  }

  // `length` characters of [a-z0-9].
  std::string Alnum(int length) {
    static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    out.reserve(static_cast<size_t>(length));
    for (int char_idx = 0; char_idx < length; ++char_idx) out.push_back(kAlphabet[Next() % 36]);
    return out;
  }

  // `length` lower-case hex digits.
  std::string Hex(int length) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(static_cast<size_t>(length));
    for (int char_idx = 0; char_idx < length; ++char_idx) out.push_back(kDigits[Next() & 15]);
    return out;
  }

  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (size_t item_idx = items.size(); item_idx > 1; --item_idx) {
      const size_t other = static_cast<size_t>(Next() % item_idx);
      std::swap(items[item_idx - 1], items[other]);
    }
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t state_[4];
  double spare_ = 0;
  bool has_spare_ = false;
};

}  // namespace rh::simulator::internal
