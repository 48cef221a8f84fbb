#include "shared_readings.hpp"

#include <sys/mman.h>

#include <cstring>
#include <stdexcept>

#include "intern.hpp"

namespace svfix {

namespace {

constexpr int kMaxProbes = 64;
constexpr uint64_t kTagBits = 16;

// An entry, written and read with memcpy (no alignment needed inside it):
//   u32 token length, u8 compounds, token (char32 each), u32 readings, then per reading
//   u32 word length, u32 edits, word, edits (char16 each), f64 fuzzy_q, i32 key,
//   u8 parts, u8 fuzzy, u8 unknown_head, and per part u32 start, u32 length, i32 key.
class Writer {
public:
    explicit Writer(unsigned char* at) : at_(at) {}
    template <class T>
    void put(const T& value) { put_bytes(&value, sizeof value); }
    void put_bytes(const void* p, size_t n) {
        if (at_ != nullptr) std::memcpy(at_ + size_, p, n);
        size_ += n;
    }
    size_t size() const { return size_; }

private:
    unsigned char* at_;  // null: only measure
    size_t size_ = 0;
};

class Reader {
public:
    explicit Reader(const unsigned char* at) : at_(at) {}
    template <class T>
    T get() {
        T value;
        std::memcpy(&value, at_, sizeof value);
        at_ += sizeof value;
        return value;
    }
    const unsigned char* skip(size_t n) {
        const unsigned char* here = at_;
        at_ += n;
        return here;
    }

private:
    const unsigned char* at_;
};

void write_entry(Writer& w, uview token, bool compounds, const std::vector<Reading>& found) {
    w.put(static_cast<uint32_t>(token.size()));
    w.put(static_cast<uint8_t>(compounds));
    w.put_bytes(token.data(), token.size() * sizeof(char32_t));
    w.put(static_cast<uint32_t>(found.size()));
    for (const Reading& r : found) {
        w.put(static_cast<uint32_t>(r.word.size()));
        w.put(static_cast<uint32_t>(r.edits.size()));
        w.put_bytes(r.word.data(), r.word.size() * sizeof(char32_t));
        w.put_bytes(r.edits.data(), r.edits.size() * sizeof(char16_t));
        w.put(r.fuzzy_q);
        w.put(r.key);
        w.put(r.n_parts);
        w.put(static_cast<uint8_t>(r.fuzzy));
        w.put(static_cast<uint8_t>(r.unknown_head));
        for (size_t k = 0; k < r.n_parts; ++k) {
            w.put(r.part_start[k]);
            w.put(r.part_len[k]);
            w.put(r.part_key[k]);
        }
    }
}

uint64_t hash_of(uview token, bool compounds) {
    return hash_view(token) ^ (compounds ? 0x9E3779B97F4A7C15ull : 0);
}

}  // namespace

SharedReadings::SharedReadings(size_t bytes) {
    size_t n_slots = 1024;
    while (n_slots * 2 * sizeof(uint64_t) <= bytes / 8) n_slots *= 2;  // half full when the arena is
    const size_t head = (sizeof(Header) + 63) / 64 * 64;
    arena_bytes_ = bytes > head + n_slots * sizeof(uint64_t) + 4096 ? bytes - head - n_slots * sizeof(uint64_t) : 4096;
    map_bytes_ = head + n_slots * sizeof(uint64_t) + arena_bytes_;
    // Anonymous and shared: zero-filled, survives fork as the same pages; untouched pages cost
    // nothing, so the size is a bound, not an allocation.
    map_ = mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map_ == MAP_FAILED) {
        map_ = nullptr;
        throw std::runtime_error("svfix engine: cannot map memory for the shared readings");
    }
    unsigned char* base = static_cast<unsigned char*>(map_);
    header_ = new (base) Header{};
    header_->used.store(8);  // offset 0 would make a slot of tag 0 look free
    slots_ = reinterpret_cast<std::atomic<uint64_t>*>(base + head);
    mask_ = n_slots - 1;
    arena_ = base + head + n_slots * sizeof(uint64_t);
}

SharedReadings::~SharedReadings() {
    if (map_ != nullptr) munmap(map_, map_bytes_);
}

bool SharedReadings::matches(uint64_t slot, uint16_t tag, uview token, bool compounds) const {
    if ((slot & ((1u << kTagBits) - 1)) != tag) return false;
    Reader r(entry((slot >> kTagBits) * 8));
    uint32_t len = r.get<uint32_t>();
    if (len != token.size() || r.get<uint8_t>() != static_cast<uint8_t>(compounds)) return false;
    return std::memcmp(r.skip(len * sizeof(char32_t)), token.data(), len * sizeof(char32_t)) == 0;
}

bool SharedReadings::find(uview token, bool compounds, std::vector<Reading>& out) const {
    const uint64_t h = hash_of(token, compounds);
    const uint16_t tag = static_cast<uint16_t>(h >> 48);
    for (int probe = 0; probe < kMaxProbes; ++probe) {
        const uint64_t slot = slots_[(h + probe) & mask_].load(std::memory_order_acquire);
        if (slot == 0) return false;
        if (!matches(slot, tag, token, compounds)) continue;
        Reader r(entry((slot >> kTagBits) * 8));
        r.skip(sizeof(uint32_t) + sizeof(uint8_t) + token.size() * sizeof(char32_t));
        const uint32_t n = r.get<uint32_t>();
        out.clear();
        out.reserve(n);
        for (uint32_t i = 0; i < n; ++i) {
            Reading& reading = out.emplace_back();
            const uint32_t word_len = r.get<uint32_t>();
            const uint32_t n_edits = r.get<uint32_t>();
            reading.word.resize(word_len);
            std::memcpy(reading.word.data(), r.skip(word_len * sizeof(char32_t)), word_len * sizeof(char32_t));
            reading.edits.resize(n_edits);
            std::memcpy(reading.edits.data(), r.skip(n_edits * sizeof(char16_t)), n_edits * sizeof(char16_t));
            reading.fuzzy_q = r.get<double>();
            reading.key = r.get<int32_t>();
            const uint8_t n_parts = r.get<uint8_t>();
            reading.fuzzy = r.get<uint8_t>() != 0;
            reading.unknown_head = r.get<uint8_t>() != 0;
            for (uint8_t k = 0; k < n_parts; ++k) {
                const uint32_t start = r.get<uint32_t>();
                const uint32_t len = r.get<uint32_t>();
                reading.add_part(start, len, r.get<int32_t>());
            }
        }
        header_->hits.fetch_add(1, std::memory_order_relaxed);
        return true;
    }
    return false;
}

void SharedReadings::publish(uview token, bool compounds, const std::vector<Reading>& found) {
    Writer measure(nullptr);
    write_entry(measure, token, compounds, found);
    const uint64_t size = (measure.size() + 7) / 8 * 8;
    if (header_->used.load(std::memory_order_relaxed) + size > arena_bytes_) return;  // full
    const uint64_t offset = header_->used.fetch_add(size, std::memory_order_relaxed);
    if (offset + size > arena_bytes_) return;  // another worker filled it first
    Writer write(arena_ + offset);
    write_entry(write, token, compounds, found);

    const uint64_t h = hash_of(token, compounds);
    const uint16_t tag = static_cast<uint16_t>(h >> 48);
    const uint64_t value = (offset / 8) << kTagBits | tag;
    for (int probe = 0; probe < kMaxProbes; ++probe) {
        std::atomic<uint64_t>& slot = slots_[(h + probe) & mask_];
        uint64_t seen = slot.load(std::memory_order_acquire);
        // release: whoever sees the slot sees the whole entry written above
        if (seen == 0 && slot.compare_exchange_strong(seen, value, std::memory_order_acq_rel)) {
            header_->entries.fetch_add(1, std::memory_order_relaxed);
            return;
        }
        if (matches(seen, tag, token, compounds)) return;  // another worker published it first
    }
}

SharedReadings::Stats SharedReadings::stats() const {
    return Stats{header_->entries.load(), header_->hits.load(), header_->used.load(), arena_bytes_};
}

}  // namespace svfix
