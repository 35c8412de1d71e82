// VectorIndex: the lake's in-memory FAISS index over chunk vectors (a cache of SQLite).
//
// Vectors live at positions 0..n-1 of a faiss::IndexFlatIP (exact inner product; with unit
// vectors that is cosine); a position maps to a chunk id. Above `approximate_above` live
// vectors an IndexIVFFlat (inner product, nlist ~ sqrt(n), trained on a seeded sample) is
// built beside it and used for unfiltered and broadly filtered searches; filters that keep few
// vectors search those exactly. Removal tombstones a position (FAISS 1.7.3 cannot renumber
// safely); Compact() rebuilds without tombstones.
//
// The file format (Save/Load): magic, a JSON header (generation, embedder id, dims, counts,
// checksum of the payload), then chunk ids, alive flags and the FAISS indexes serialised with
// faiss::write_index. Save writes "<path>.tmp", fsyncs and renames, so a crash never leaves a
// torn file. Load refuses (data_loss / not_found / failed check) anything that does not match
// the expected generation, embedder and checksum; the lake then rebuilds from SQLite.
//
// Thread-safety: const methods may run concurrently; mutations need exclusive access (the lake
// holds its lock).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.h"

namespace faiss {
struct IndexFlatIP;
struct IndexIVFFlat;
}  // namespace faiss

namespace rh::knowledge::internal {

struct VectorHit {
  int64_t chunk_id = 0;
  float score = 0.0f;
};

struct IndexFileHeader {
  int64_t generation = 0;
  std::string embedder;
  int dims = 0;
};

class VectorIndex {
 public:
  VectorIndex(int dims, int64_t approximate_above, int nprobe);
  ~VectorIndex();
  VectorIndex(const VectorIndex&) = delete;
  VectorIndex& operator=(const VectorIndex&) = delete;

  int dims() const { return dims_; }
  int64_t live() const { return live_; }
  int64_t positions() const { return static_cast<int64_t>(chunk_ids_.size()); }
  bool Contains(int64_t chunk_id) const { return position_of_.count(chunk_id) > 0; }
  // "empty", "flat" or "ivf<nlist>".
  std::string type() const;

  // Adds vectors (row-major, count x dims, unit length). A chunk id already present is
  // replaced. Builds or rebuilds the IVF index when the size calls for it.
  Status Add(const std::vector<int64_t>& chunk_ids, const std::vector<float>& vectors);
  void Remove(const std::vector<int64_t>& chunk_ids);
  // True when tombstones exceed a fifth of the positions.
  bool NeedsCompaction() const;
  Status Compact();

  // Top k by inner product. `allowed` (by position, optional) restricts the search; positions()
  // and chunk_id_at() let the caller build it.
  Result<std::vector<VectorHit>> Search(const float* query, int k,
                                        const std::vector<uint8_t>* allowed = nullptr) const;
  int64_t chunk_id_at(int64_t position) const { return chunk_ids_[position]; }
  // The stored vector of a chunk (dims() floats), or nullptr when absent.
  const float* VectorOf(int64_t chunk_id) const;
  bool alive_at(int64_t position) const { return alive_[position] != 0; }

  Status Save(const std::string& path, const IndexFileHeader& header) const;
  static Result<std::unique_ptr<VectorIndex>> Load(const std::string& path,
                                                   const IndexFileHeader& expected,
                                                   int64_t approximate_above, int nprobe);

 private:
  Status RebuildIvf();

  int dims_;
  int64_t approximate_above_;
  int nprobe_;
  std::unique_ptr<faiss::IndexFlatIP> flat_;
  std::unique_ptr<faiss::IndexIVFFlat> ivf_;  // owns its quantizer
  int64_t ivf_trained_on_ = 0;
  std::vector<int64_t> chunk_ids_;  // by position
  std::vector<uint8_t> alive_;      // by position
  std::unordered_map<int64_t, int64_t> position_of_;
  int64_t live_ = 0;
};

}  // namespace rh::knowledge::internal
