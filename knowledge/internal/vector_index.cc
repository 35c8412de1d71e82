#include "knowledge/internal/vector_index.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <faiss/utils/distances.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include "core/json.h"
#include "knowledge/internal/text.h"

namespace rh::knowledge::internal {
namespace {

constexpr char kMagic[8] = {'R', 'H', 'K', 'B', 'I', 'X', '0', '1'};
constexpr uint64_t kIvfSeed = 1234;

using faiss_idx_t = faiss::Index::idx_t;

// Alive (and optionally allowed) positions.
struct PositionSelector final : faiss::IDSelector {
  const std::vector<uint8_t>* alive = nullptr;
  const std::vector<uint8_t>* allowed = nullptr;
  bool is_member(faiss_idx_t id) const override {
    return (*alive)[id] != 0 && (allowed == nullptr || (*allowed)[id] != 0);
  }
};

template <typename T>
void AppendRaw(std::string& out, const T* data, size_t count) {
  out.append(reinterpret_cast<const char*>(data), count * sizeof(T));
}

std::string SerializeIndex(const faiss::Index* index) {
  if (index == nullptr) return {};
  faiss::VectorIOWriter writer;
  faiss::write_index(index, &writer);
  return std::string(reinterpret_cast<const char*>(writer.data.data()), writer.data.size());
}

std::string Hex64(uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

}  // namespace

VectorIndex::VectorIndex(int dims, int64_t approximate_above, int nprobe)
    : dims_(dims),
      approximate_above_(approximate_above),
      nprobe_(nprobe),
      flat_(std::make_unique<faiss::IndexFlatIP>(dims)) {}

VectorIndex::~VectorIndex() = default;

std::string VectorIndex::type() const {
  if (live_ == 0) return "empty";
  if (ivf_) return "ivf" + std::to_string(ivf_->nlist);
  return "flat";
}

Status VectorIndex::Add(const std::vector<int64_t>& chunk_ids, const std::vector<float>& vectors) {
  if (vectors.size() != chunk_ids.size() * static_cast<size_t>(dims_)) {
    return Internal("vector index", "vector count does not match chunk count");
  }
  if (chunk_ids.empty()) return {};
  std::vector<int64_t> replaced;
  for (int64_t chunk_id : chunk_ids) {
    if (position_of_.count(chunk_id)) replaced.push_back(chunk_id);
  }
  Remove(replaced);
  try {
    const int64_t first = positions();
    flat_->add(static_cast<faiss_idx_t>(chunk_ids.size()), vectors.data());
    for (size_t item_idx = 0; item_idx < chunk_ids.size(); ++item_idx) {
      chunk_ids_.push_back(chunk_ids[item_idx]);
      alive_.push_back(1);
      position_of_[chunk_ids[item_idx]] = first + static_cast<int64_t>(item_idx);
    }
    live_ += static_cast<int64_t>(chunk_ids.size());
    if (ivf_ && live_ <= 4 * ivf_trained_on_ && live_ > approximate_above_) {
      std::vector<faiss_idx_t> ids(chunk_ids.size());
      std::iota(ids.begin(), ids.end(), first);
      ivf_->add_with_ids(static_cast<faiss_idx_t>(ids.size()), vectors.data(), ids.data());
    } else if (live_ > approximate_above_) {
      RH_RETURN_IF_ERROR(RebuildIvf());
    }
  } catch (const std::exception& error) {
    return Internal("vector index", std::string("FAISS add failed: ") + error.what());
  }
  return {};
}

void VectorIndex::Remove(const std::vector<int64_t>& chunk_ids) {
  for (int64_t chunk_id : chunk_ids) {
    auto found = position_of_.find(chunk_id);
    if (found == position_of_.end()) continue;
    alive_[found->second] = 0;
    position_of_.erase(found);
    --live_;
  }
  if (ivf_ && live_ <= approximate_above_ / 2) {
    ivf_.reset();
    ivf_trained_on_ = 0;
  }
}

bool VectorIndex::NeedsCompaction() const {
  const int64_t dead = positions() - live_;
  return dead > 0 && dead * 5 > positions();
}

Status VectorIndex::Compact() {
  std::vector<int64_t> ids;
  std::vector<float> vectors;
  ids.reserve(live_);
  vectors.reserve(static_cast<size_t>(live_) * dims_);
  const float* data = flat_->get_xb();
  for (int64_t position = 0; position < positions(); ++position) {
    if (!alive_[position]) continue;
    ids.push_back(chunk_ids_[position]);
    vectors.insert(vectors.end(), data + position * dims_, data + (position + 1) * dims_);
  }
  flat_ = std::make_unique<faiss::IndexFlatIP>(dims_);
  ivf_.reset();
  ivf_trained_on_ = 0;
  chunk_ids_.clear();
  alive_.clear();
  position_of_.clear();
  live_ = 0;
  return Add(ids, vectors);
}

Status VectorIndex::RebuildIvf() {
  const int64_t count = live_;
  const int nlist = std::max(16, static_cast<int>(std::sqrt(static_cast<double>(count))));
  std::vector<int64_t> live_positions;
  live_positions.reserve(count);
  for (int64_t position = 0; position < positions(); ++position) {
    if (alive_[position]) live_positions.push_back(position);
  }
  // Train on a seeded sample of at most 64 points per list.
  std::vector<int64_t> sample = live_positions;
  const size_t sample_size = std::min<size_t>(sample.size(), static_cast<size_t>(nlist) * 64);
  std::mt19937_64 rng(kIvfSeed);
  std::shuffle(sample.begin(), sample.end(), rng);
  sample.resize(sample_size);
  const float* data = flat_->get_xb();
  std::vector<float> training(sample_size * dims_);
  for (size_t sample_idx = 0; sample_idx < sample_size; ++sample_idx) {
    std::memcpy(training.data() + sample_idx * dims_, data + sample[sample_idx] * dims_,
                sizeof(float) * dims_);
  }
  auto quantizer = std::make_unique<faiss::IndexFlatIP>(dims_);
  auto ivf = std::make_unique<faiss::IndexIVFFlat>(quantizer.get(), dims_, nlist,
                                                   faiss::METRIC_INNER_PRODUCT);
  ivf->own_fields = true;
  quantizer.release();
  ivf->cp.seed = static_cast<int>(kIvfSeed);
  ivf->train(static_cast<faiss_idx_t>(sample_size), training.data());
  std::vector<float> vectors(live_positions.size() * dims_);
  for (size_t item_idx = 0; item_idx < live_positions.size(); ++item_idx) {
    std::memcpy(vectors.data() + item_idx * dims_, data + live_positions[item_idx] * dims_,
                sizeof(float) * dims_);
  }
  ivf->add_with_ids(static_cast<faiss_idx_t>(live_positions.size()), vectors.data(),
                    live_positions.data());
  ivf_ = std::move(ivf);
  ivf_trained_on_ = count;
  return {};
}

const float* VectorIndex::VectorOf(int64_t chunk_id) const {
  auto found = position_of_.find(chunk_id);
  if (found == position_of_.end()) return nullptr;
  return flat_->get_xb() + found->second * dims_;
}

Result<std::vector<VectorHit>> VectorIndex::Search(const float* query, int k,
                                                   const std::vector<uint8_t>* allowed) const {
  std::vector<VectorHit> hits;
  if (live_ == 0 || k <= 0) return hits;
  try {
    std::vector<float> distances;
    std::vector<faiss_idx_t> labels;
    int64_t allowed_count = live_;
    if (allowed != nullptr) {
      allowed_count = 0;
      for (int64_t position = 0; position < positions(); ++position) {
        if ((*allowed)[position] && alive_[position]) ++allowed_count;
      }
      if (allowed_count == 0) return hits;
    }
    const int64_t want = std::min<int64_t>(k, allowed_count);
    distances.assign(want, 0.0f);
    labels.assign(want, -1);
    const bool few = allowed != nullptr && (allowed_count <= 4096 || allowed_count * 20 <= live_);
    if (few) {
      // Exact over the allowed subset.
      std::vector<int64_t> subset;
      subset.reserve(allowed_count);
      for (int64_t position = 0; position < positions(); ++position) {
        if ((*allowed)[position] && alive_[position]) subset.push_back(position);
      }
      faiss::knn_inner_products_by_idx(query, flat_->get_xb(), subset.data(), dims_, 1,
                                       subset.size(), want, distances.data(), labels.data());
    } else {
      PositionSelector selector;
      selector.alive = &alive_;
      selector.allowed = allowed;
      const bool all_alive = allowed == nullptr && live_ == positions();
      if (ivf_) {
        faiss::SearchParametersIVF params;
        params.nprobe = static_cast<size_t>(std::min<int>(nprobe_, static_cast<int>(ivf_->nlist)));
        params.sel = all_alive ? nullptr : &selector;
        ivf_->search(1, query, want, distances.data(), labels.data(), &params);
      } else {
        faiss::SearchParameters params;
        params.sel = all_alive ? nullptr : &selector;
        flat_->search(1, query, want, distances.data(), labels.data(), &params);
      }
    }
    for (int64_t hit_idx = 0; hit_idx < want; ++hit_idx) {
      faiss_idx_t position = labels[hit_idx];
      if (position < 0 || position >= positions() || !alive_[position]) continue;
      hits.push_back(VectorHit{chunk_ids_[position], distances[hit_idx]});
    }
  } catch (const std::exception& error) {
    return Internal("vector index", std::string("FAISS search failed: ") + error.what());
  }
  return hits;
}

Status VectorIndex::Save(const std::string& path, const IndexFileHeader& header) const {
  std::string payload;
  try {
    std::string flat_bytes = SerializeIndex(flat_.get());
    std::string ivf_bytes = SerializeIndex(ivf_.get());
    payload.reserve(chunk_ids_.size() * 9 + flat_bytes.size() + ivf_bytes.size());
    AppendRaw(payload, chunk_ids_.data(), chunk_ids_.size());
    AppendRaw(payload, alive_.data(), alive_.size());
    payload += flat_bytes;
    payload += ivf_bytes;
    Json json = {{"generation", header.generation},
                 {"embedder", header.embedder},
                 {"dims", dims_},
                 {"positions", chunk_ids_.size()},
                 {"flat_bytes", flat_bytes.size()},
                 {"ivf_bytes", ivf_bytes.size()},
                 {"ivf_trained_on", ivf_trained_on_},
                 {"checksum", Hex64(FastHash64(payload.data(), payload.size()))}};
    std::string header_text = DumpJson(json);
    std::string tmp = path + ".tmp";
    std::error_code ec;
    auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
      return Unavailable(tmp, std::string("cannot write the index file: ") + std::strerror(errno));
    auto write_all = [&](const void* data, size_t size) {
      const char* bytes = static_cast<const char*>(data);
      while (size > 0) {
        ssize_t written = ::write(fd, bytes, size);
        if (written < 0) {
          if (errno == EINTR) continue;
          return false;
        }
        bytes += written;
        size -= static_cast<size_t>(written);
      }
      return true;
    };
    uint64_t header_size = header_text.size();
    bool ok = write_all(kMagic, sizeof(kMagic)) && write_all(&header_size, sizeof(header_size)) &&
              write_all(header_text.data(), header_text.size()) &&
              write_all(payload.data(), payload.size()) && ::fsync(fd) == 0;
    int saved_errno = errno;
    ::close(fd);
    if (!ok) {
      std::filesystem::remove(tmp, ec);
      return ResourceExhausted(
          tmp, std::string("cannot write the index file: ") + std::strerror(saved_errno));
    }
    std::filesystem::rename(tmp, path, ec);
    if (ec) return Unavailable(path, "cannot replace the index file: " + ec.message());
  } catch (const std::exception& error) {
    return Internal(path, std::string("cannot serialise the FAISS index: ") + error.what());
  }
  return {};
}

Result<std::unique_ptr<VectorIndex>> VectorIndex::Load(const std::string& path,
                                                       const IndexFileHeader& expected,
                                                       int64_t approximate_above, int nprobe) {
  std::ifstream input(path, std::ios::binary);
  if (!input) return NotFound(path, "no index file");
  std::ostringstream buffer;
  buffer << input.rdbuf();
  const std::string content = buffer.str();
  auto corrupt = [&](const std::string& why) {
    return DataLoss(path, "index file unusable: " + why);
  };
  if (content.size() < sizeof(kMagic) + 8 ||
      std::memcmp(content.data(), kMagic, sizeof(kMagic)) != 0) {
    return corrupt("bad magic");
  }
  uint64_t header_size = 0;
  std::memcpy(&header_size, content.data() + sizeof(kMagic), 8);
  const size_t header_start = sizeof(kMagic) + 8;
  if (header_size > content.size() - header_start) return corrupt("truncated header");
  auto header = ParseJson(std::string_view(content).substr(header_start, header_size), path);
  if (!header || !header->is_object()) return corrupt("unreadable header");
  if (JsonInt(*header, "generation", -1) != expected.generation) return corrupt("stale generation");
  if (JsonString(*header, "embedder") != expected.embedder) return corrupt("another embedder");
  const int dims = static_cast<int>(JsonInt(*header, "dims", 0));
  if (dims != expected.dims || dims <= 0) return corrupt("another dimension");
  const size_t positions = static_cast<size_t>(JsonInt(*header, "positions", -1));
  const size_t flat_bytes = static_cast<size_t>(JsonInt(*header, "flat_bytes", -1));
  const size_t ivf_bytes = static_cast<size_t>(JsonInt(*header, "ivf_bytes", -1));
  std::string_view payload = std::string_view(content).substr(header_start + header_size);
  if (payload.size() != positions * 9 + flat_bytes + ivf_bytes) return corrupt("truncated payload");
  if (Hex64(FastHash64(payload.data(), payload.size())) != JsonString(*header, "checksum")) {
    return corrupt("checksum mismatch");
  }
  auto index = std::make_unique<VectorIndex>(dims, approximate_above, nprobe);
  try {
    index->chunk_ids_.resize(positions);
    std::memcpy(index->chunk_ids_.data(), payload.data(), positions * 8);
    index->alive_.assign(payload.begin() + positions * 8, payload.begin() + positions * 9);
    faiss::VectorIOReader flat_reader;
    flat_reader.data.assign(payload.begin() + positions * 9,
                            payload.begin() + positions * 9 + flat_bytes);
    std::unique_ptr<faiss::Index> flat(faiss::read_index(&flat_reader));
    auto* flat_ip = dynamic_cast<faiss::IndexFlatIP*>(flat.get());
    if (flat_ip == nullptr || flat_ip->d != dims ||
        flat_ip->ntotal != static_cast<faiss_idx_t>(positions)) {
      return corrupt("flat index does not match");
    }
    flat.release();
    index->flat_.reset(flat_ip);
    if (ivf_bytes > 0) {
      faiss::VectorIOReader ivf_reader;
      ivf_reader.data.assign(payload.end() - static_cast<ptrdiff_t>(ivf_bytes), payload.end());
      std::unique_ptr<faiss::Index> ivf(faiss::read_index(&ivf_reader));
      auto* ivf_flat = dynamic_cast<faiss::IndexIVFFlat*>(ivf.get());
      if (ivf_flat == nullptr || ivf_flat->d != dims) return corrupt("IVF index does not match");
      ivf.release();
      index->ivf_.reset(ivf_flat);
      index->ivf_trained_on_ = JsonInt(*header, "ivf_trained_on", 0);
    }
  } catch (const std::exception& error) {
    return corrupt(std::string("FAISS could not read it: ") + error.what());
  }
  for (size_t position = 0; position < positions; ++position) {
    if (!index->alive_[position]) continue;
    index->position_of_[index->chunk_ids_[position]] = static_cast<int64_t>(position);
    ++index->live_;
  }
  return index;
}

}  // namespace rh::knowledge::internal
