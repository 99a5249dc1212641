// Harness of the PTX interpreter's standalone test (run-ptx-test.sh): a GlobalMemory over
// std::vector buffers at fake device addresses, kernel-argument packing, checks.
#pragma once

#include "ptx/ptx.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace ptxtest {

using namespace jgsim::ptx;

extern int failures, checks;

inline void check(bool ok, const std::string& what) {
    checks++;
    if (!ok) {
        failures++;
        std::printf("FAIL: %s\n", what.c_str());
    }
}

// n kernel inputs uniform in [lo, hi), from the caller's generator (each test file keeps its own seed).
inline std::vector<float> uniform(std::mt19937& rng, size_t n, float lo, float hi) {
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = d(rng);
    return v;
}

// CudaKernels.launchFor's grid: 256-thread blocks, one thread per element, at most 65 536 blocks.
inline Dim3 grid_for(long n) { return {(uint32_t)std::max(1L, std::min(65536L, (n + 255) / 256)), 1, 1}; }

// a and b equal bit for bit; otherwise *where names the first element that differs.
inline bool bitwise(const std::vector<float>& a, const std::vector<float>& b, std::string* where) {
    if (a.size() != b.size()) return *where = "size " + std::to_string(a.size()) + " vs " + std::to_string(b.size()), false;
    for (size_t i = 0; i < a.size(); i++) {
        if (std::memcmp(&a[i], &b[i], 4) != 0) {
            *where = "element " + std::to_string(i) + ": got " + std::to_string(a[i]) + ", want " + std::to_string(b[i]);
            return false;
        }
    }
    return true;
}

// Device memory: buffers at synthetic addresses with a gap between them, so a one-past-the-end
// address never lands in the next allocation.
class TestMemory final : public GlobalMemory {
public:
    bool allow_cache = true;  // false: every access goes through resolve
    uint64_t resolves = 0;

    uint64_t alloc(size_t bytes) {
        uint64_t addr = next_;
        next_ += (bytes + 0xFFFF) / 0x10000 * 0x10000 + 0x10000;
        bufs_[addr] = std::vector<uint8_t>(bytes);
        return addr;
    }
    template <class T>
    uint64_t upload(const std::vector<T>& v) {
        uint64_t a = alloc(v.size() * sizeof(T));
        std::memcpy(bufs_[a].data(), v.data(), v.size() * sizeof(T));
        return a;
    }
    template <class T>
    std::vector<T> download(uint64_t addr, size_t n) {
        std::vector<T> v(n);
        std::memcpy(v.data(), bufs_.at(addr).data(), n * sizeof(T));
        return v;
    }
    void free(uint64_t addr) {
        bufs_.erase(addr);
        freed_.push_back(addr);
    }

    uint8_t* resolve(uint64_t addr, uint32_t bytes, bool write, std::string* why) override {
        resolves++;
        auto it = bufs_.upper_bound(addr);
        if (it != bufs_.begin()) {
            --it;
            uint64_t size = it->second.size();
            if (addr < it->first + size || (addr == it->first + size && size > 0)) {
                if (addr + bytes <= it->first + size) return it->second.data() + (addr - it->first);
                *why = hex(addr) + " is " + std::to_string(addr + bytes - (it->first + size)) + " bytes past the end of a " +
                       std::to_string(size) + "-byte allocation at " + hex(it->first);
                return nullptr;
            }
            if (addr < it->first + size + 0x10000) {
                *why = hex(addr) + " is " + std::to_string(addr - (it->first + size)) + " bytes past the end of a " +
                       std::to_string(size) + "-byte allocation at " + hex(it->first);
                return nullptr;
            }
        }
        for (uint64_t f : freed_)
            if (addr >= f && addr < f + 0x10000) return *why = hex(addr) + " is in freed memory", nullptr;
        *why = hex(addr) + " is not device memory";
        return nullptr;
    }
    bool allocation(uint64_t addr, uint64_t* begin, uint64_t* end, uint8_t** host) override {
        if (!allow_cache) return false;
        auto it = bufs_.upper_bound(addr);
        if (it == bufs_.begin()) return false;
        --it;
        if (addr >= it->first + it->second.size()) return false;
        *begin = it->first;
        *end = it->first + it->second.size();
        *host = it->second.data();
        return true;
    }

    static std::string hex(uint64_t v) {
        char b[32];
        std::snprintf(b, sizeof b, "0x%llx", (unsigned long long)v);
        return b;
    }

private:
    uint64_t next_ = 0x300000000000ull;
    std::map<uint64_t, std::vector<uint8_t>> bufs_;
    std::vector<uint64_t> freed_;
};

// Kernel arguments as cuLaunchKernel takes them: one pointer per parameter to its value.
class Args {
public:
    Args& ptr(uint64_t a) { return add(&a, 8); }
    Args& u64(uint64_t v) { return add(&v, 8); }
    Args& i32(int32_t v) { return add(&v, 4); }
    Args& f32(float v) { return add(&v, 4); }
    Args& null() {
        ptrs_.push_back(nullptr);
        return *this;
    }
    void** get() { return ptrs_.data(); }

private:
    std::deque<uint64_t> vals_;  // stable addresses
    std::vector<void*> ptrs_;
    Args& add(const void* v, size_t n) {
        vals_.push_back(0);
        std::memcpy(&vals_.back(), v, n);
        ptrs_.push_back(&vals_.back());
        return *this;
    }
};

std::unique_ptr<Module> load_file(const std::string& name);  // a shipped .ptx by file name
std::string read_text(const std::string& path);

// Launches kernel `name` of m; returns the error ("" on success).
std::string launch(const Module& m, const std::string& name, Dim3 grid, Dim3 block, uint32_t shared, Args& args,
                   GlobalMemory& mem, uint64_t* instructions = nullptr);

// Max |got - want| / (atol + rtol |want|) <= 1, NaN where want is NaN.
bool close(const float* got, const double* want, size_t n, double atol, double rtol, std::string* where);

void test_load();
void test_float_edges();
void test_elementwise();
void test_reduce();
void test_gemm();
void test_nn();
void test_faults();
void test_more();

}  // namespace ptxtest
