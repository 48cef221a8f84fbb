// A string -> id table for the engine's interned words and separators: open addressing, with
// strings of up to 12 letters kept in the slot itself, so that a lookup touches one cache line
// (a node-based map costs three misses: bucket, node, heap string).
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "text.hpp"

namespace svfix {

inline uint64_t hash_view(uview s) {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (s.size() * 0xff51afd7ed558ccdull);
    for (char32_t c : s) {
        h ^= c;
        h *= 0xbf58476d1ce4e5b9ull;
        h ^= h >> 31;
    }
    return h;
}

class InternTable {
public:
    static constexpr uint32_t kNone = UINT32_MAX;
    InternTable() { clear(); }

    void clear() {
        slots_.assign(1024, Slot{});
        used_ = 0;
    }

    // The id of `s`, or kNone; `stored(id)` gives the string an id was given for (long ones).
    template <class Stored>
    uint32_t find(uview s, uint64_t h, const Stored& stored) const {
        size_t mask = slots_.size() - 1;
        for (size_t k = h & mask;; k = (k + 1) & mask) {
            const Slot& slot = slots_[k];
            if (slot.id == kNone) return kNone;
            if (slot.hash != h || slot.len != s.size()) continue;
            if (s.size() <= kInline ? std::memcmp(slot.chars, s.data(), s.size() * sizeof(char32_t)) == 0
                                    : stored(slot.id) == s)
                return slot.id;
        }
    }

    // Start loading the slot a lookup of hash `h` reads first (a table of a batch's words is
    // far larger than the cache, and the words of a page are known before they are looked up).
    void prefetch(uint64_t h) const { __builtin_prefetch(&slots_[h & (slots_.size() - 1)]); }

    void insert(uview s, uint64_t h, uint32_t id) {
        if (4 * (used_ + 1) > 3 * slots_.size()) grow();  // at most 3/4 full
        place(Slot{h, id, static_cast<uint32_t>(s.size()), {}}, s);
        ++used_;
    }

private:
    static constexpr size_t kInline = 12;
    struct Slot {
        uint64_t hash = 0;
        uint32_t id = kNone;
        uint32_t len = 0;
        char32_t chars[kInline];
    };
    void place(Slot slot, uview s) {
        if (s.size() <= kInline) std::memcpy(slot.chars, s.data(), s.size() * sizeof(char32_t));
        size_t mask = slots_.size() - 1;
        size_t k = slot.hash & mask;
        while (slots_[k].id != kNone) k = (k + 1) & mask;
        slots_[k] = slot;
    }
    void grow() {
        std::vector<Slot> old(std::move(slots_));
        slots_.assign(old.size() * 2, Slot{});
        size_t mask = slots_.size() - 1;
        for (const Slot& slot : old) {
            if (slot.id == kNone) continue;
            size_t k = slot.hash & mask;
            while (slots_[k].id != kNone) k = (k + 1) & mask;
            slots_[k] = slot;
        }
    }
    std::vector<Slot> slots_;
    size_t used_ = 0;
};

}  // namespace svfix
