// The number of set bits, inline: without -mpopcnt (the wheel runs on any x86-64) the compiler
// makes std::popcount a call into libgcc, and the trie and the fuzzy match count bits in
// their innermost loops.
#pragma once

#include <cstdint>

namespace svfix {

inline uint32_t count_bits(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return static_cast<uint32_t>((x * 0x0101010101010101ull) >> 56);
}

}  // namespace svfix
