// The readings of searched tokens, shared by the forked workers of one batch.
//
// Each worker of a batch meets most of the same damaged tokens, and the candidate search is
// the dearest thing the engine does for a new one (a third of a worker's engine time on the
// speed archive). Workers are separate processes, so each used to search the ~20 % of tokens
// the other had already searched. The batch's parent makes this table, in one anonymous
// MAP_SHARED mapping, before it forks the workers; every worker then looks a token up here
// before searching it and publishes what it found.
//
// Lock-free and append-only: an entry is written in full into the arena (whose end is claimed
// with one atomic add) and only then published by a compare-and-swap of its slot, so a reader
// sees either nothing or a whole entry, and a worker killed mid-write leaves unpublished bytes
// behind, never a torn entry. When the arena or the table is full, workers stop publishing and
// search for themselves. A search depends on the token and the engine's data alone, which the
// forked workers share, so a hit gives exactly what the search would have.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "search.hpp"

namespace svfix {

class SharedReadings {
public:
    // A mapping of about `bytes` (an eighth for the slots, the rest for entries); throws
    // std::runtime_error if the system refuses it.
    explicit SharedReadings(size_t bytes);
    ~SharedReadings();
    SharedReadings(const SharedReadings&) = delete;
    SharedReadings& operator=(const SharedReadings&) = delete;

    // The published readings of (token, compounds) into `out`; false when none are published.
    bool find(uview token, bool compounds, std::vector<Reading>& out) const;
    // Publish what a search found (nothing when full, or when another worker was first).
    void publish(uview token, bool compounds, const std::vector<Reading>& found);

    struct Stats {
        uint64_t entries, hits, bytes_used, bytes;
    };
    Stats stats() const;

private:
    struct Header {
        std::atomic<uint64_t> used;     // bytes of the arena claimed
        std::atomic<uint64_t> entries;  // published
        std::atomic<uint64_t> hits;
    };
    const unsigned char* entry(uint64_t offset) const { return arena_ + offset; }
    bool matches(uint64_t slot, uint16_t tag, uview token, bool compounds) const;

    void* map_ = nullptr;
    size_t map_bytes_ = 0;
    Header* header_ = nullptr;
    std::atomic<uint64_t>* slots_ = nullptr;  // 0: free; else arena offset / 8 << 16 | hash tag
    size_t mask_ = 0;
    unsigned char* arena_ = nullptr;
    size_t arena_bytes_ = 0;
};

}  // namespace svfix
