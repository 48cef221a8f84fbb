// A small hash map for the engine's hot lookups: open addressing with linear probing over one
// array of (key, value) slots, at most half full, no erasing. A node-based std::unordered_map
// costs a division and a cache miss or two a question; these are asked for every occurrence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace svfix {

// `Hash` must spread its bits evenly: the table keeps the low bits of the hash.
template <class Key, class Value, class Hash>
class FlatMap {
public:
    void reserve(size_t n) {  // room for n keys; only before the first insert
        size_t capacity = 8;
        while (capacity < 2 * n) capacity *= 2;
        slots_.assign(capacity, Slot{});
    }
    // The value of `key`, or null.
    const Value* find(const Key& key) const {
        if (slots_.empty()) return nullptr;
        const size_t mask = slots_.size() - 1;
        for (size_t k = Hash()(key) & mask;; k = (k + 1) & mask) {
            const Slot& slot = slots_[k];
            if (!slot.used) return nullptr;
            if (slot.key == key) return &slot.value;
        }
    }
    // Set `key` to `value` (a key already there gets the new value).
    void insert(const Key& key, Value value) {
        if (2 * (used_ + 1) > slots_.size()) grow();
        if (place(key, value)) ++used_;
    }
    size_t size() const { return used_; }
    void clear() {  // and give the memory back
        slots_ = std::vector<Slot>();
        used_ = 0;
    }

private:
    struct Slot {
        Key key{};
        bool used = false;
        Value value{};
    };
    bool place(const Key& key, Value value) {  // true when the key is new
        const size_t mask = slots_.size() - 1;
        size_t k = Hash()(key) & mask;
        while (slots_[k].used && !(slots_[k].key == key)) k = (k + 1) & mask;
        const bool added = !slots_[k].used;
        slots_[k] = Slot{key, true, value};
        return added;
    }
    void grow() {
        std::vector<Slot> old(std::move(slots_));
        slots_.assign(old.empty() ? 8 : old.size() * 2, Slot{});
        for (const Slot& slot : old)
            if (slot.used) place(slot.key, slot.value);
    }
    std::vector<Slot> slots_;
    size_t used_ = 0;
};

}  // namespace svfix
