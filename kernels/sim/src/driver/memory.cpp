// Device memory: a table of allocations at synthetic addresses (JGSIM_DEVICE_BASE upwards, 256-byte
// aligned, bump-allocated and never reused) backed by host memory, plus page-locked host memory.
//
// The table only ever grows: a freed allocation keeps its entry (without host memory) so a later
// access is named as use after free. Readers (copies, kernel runs, jgsim_device_range) hold the
// table's shared lock; cuMemAlloc / cuMemFree / context release hold it exclusively, so a free
// waits for a kernel that is running, as a real cuMemFree synchronizes with the device.
#include <sys/mman.h>

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <shared_mutex>
#include <vector>

#include "driver.h"

namespace jgsim::drv {
namespace {

constexpr uint64_t kAlign = 256;
constexpr uint64_t kMmapThreshold = 64 * 1024;

enum class State : uint8_t { live, freed, released };

struct Alloc {
    uint64_t base;
    uint64_t size;      // as requested
    uint64_t reserved;  // size rounded up to kAlign: what the device's free memory loses
    uint8_t* host;      // nullptr once freed
    State state;
    Context* ctx;
};

struct Table {
    std::shared_mutex mutex;
    std::vector<Alloc> allocs;  // sorted by base (bump allocation appends in address order)
    uint64_t next = JGSIM_DEVICE_BASE;
    uint64_t live_bytes = 0;
    uint64_t live_count = 0;
};

Table& table() {
    static Table* t = new Table();  // never destroyed: used from exit handlers and other threads
    return *t;
}

struct Pinned {
    std::mutex mutex;
    std::map<uintptr_t, size_t> blocks;  // page-locked host memory: start -> bytes
};

Pinned& pinned() {
    static Pinned* p = new Pinned();
    return *p;
}

// Parses "1048576", "512K", "1M", "16G", "16GiB", "2T" (binary multiples).
bool parse_size(const char* s, uint64_t* out) {
    char* end = nullptr;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno != 0) return false;
    uint64_t mult = 1;
    switch (toupper(static_cast<unsigned char>(*end))) {
    case 'K': mult = 1ull << 10; end++; break;
    case 'M': mult = 1ull << 20; end++; break;
    case 'G': mult = 1ull << 30; end++; break;
    case 'T': mult = 1ull << 40; end++; break;
    default: break;
    }
    if (mult != 1 && *end == 'i') end++;
    if (toupper(static_cast<unsigned char>(*end)) == 'B') end++;
    if (*end != '\0' || v == 0 || v > UINT64_MAX / mult) return false;
    *out = v * mult;
    return true;
}

bool fill_nan() {
    static const bool on = [] {
        const char* s = getenv("JGRAD_SIM_FILL");
        return s != nullptr && strcmp(s, "nan") == 0;
    }();
    return on;
}

// The entry whose [base, base + reserved) holds addr, or nullptr.
const Alloc* find_locked(uint64_t addr) {
    static thread_local size_t last = 0;  // entries are only appended: an index stays valid
    const auto& v = table().allocs;
    if (last < v.size() && addr - v[last].base < v[last].reserved) return &v[last];
    auto it = std::upper_bound(v.begin(), v.end(), addr, [](uint64_t a, const Alloc& x) { return a < x.base; });
    if (it == v.begin()) return nullptr;
    --it;
    if (addr - it->base >= it->reserved) return nullptr;
    last = static_cast<size_t>(it - v.begin());
    return &*it;
}

Alloc* find_mut_locked(uint64_t addr) { return const_cast<Alloc*>(find_locked(addr)); }

const char* state_text(State s) {
    return s == State::freed ? "freed by cuMemFree" : "freed when its context was released";
}

void free_host(Alloc& a) {
    if (a.reserved >= kMmapThreshold) {
        munmap(a.host, a.reserved);
    } else {
        free(a.host);
    }
    a.host = nullptr;
}

// Host range check for page-locked memory: a copy that starts inside a cuMemAllocHost block must
// end inside it. Pageable host memory cannot be checked.
CUresult check_host(const void* p, uint64_t bytes, const char* who, const char* side) {
    if (p == nullptr) return api_error(CUDA_ERROR_INVALID_VALUE, "%s: %s host pointer is null", who, side);
    uintptr_t a = reinterpret_cast<uintptr_t>(p);
    std::lock_guard<std::mutex> lock(pinned().mutex);
    auto& m = pinned().blocks;
    auto it = m.upper_bound(a);
    if (it == m.begin()) return CUDA_SUCCESS;
    --it;
    if (a - it->first >= it->second) return CUDA_SUCCESS;
    if (a + bytes > it->first + it->second) {
        return api_error(CUDA_ERROR_INVALID_VALUE,
                         "%s: %s host range of %" PRIu64 " bytes at %p runs %" PRIu64
                         " bytes past the end of the %zu-byte page-locked block at %p (cuMemAllocHost)",
                         who, side, bytes, p, a + bytes - (it->first + it->second), it->second,
                         reinterpret_cast<void*>(it->first));
    }
    return CUDA_SUCCESS;
}

// Host address of a device range for a copy (caller holds the shared lock), or nullptr after
// recording the API error.
uint8_t* device_side(uint64_t addr, uint64_t bytes, const char* who, const char* side, CUresult* rc) {
    std::string why;
    uint8_t* p = resolve_locked(addr, bytes, &why);
    if (p == nullptr) *rc = api_error(CUDA_ERROR_INVALID_VALUE, "%s: %s %s", who, side, why.c_str());
    return p;
}

}  // namespace

std::string hex(uint64_t v) {
    char buf[32];
    snprintf(buf, sizeof buf, "0x%" PRIx64, v);
    return buf;
}

uint64_t device_memory_bytes() {
    static const uint64_t bytes = [] {
        const char* s = getenv("JGRAD_SIM_MEMORY");
        uint64_t v = 16ull << 30;
        if (s != nullptr && *s != '\0' && !parse_size(s, &v)) {
            fprintf(stderr, "jgrad CUDA simulator: JGRAD_SIM_MEMORY=%s is not a size (bytes, or with a K/M/G/T suffix)\n", s);
            abort();
        }
        return v;
    }();
    return bytes;
}

TableReadLock::TableReadLock() { table().mutex.lock_shared(); }
TableReadLock::~TableReadLock() { table().mutex.unlock_shared(); }

std::string describe_address_locked(uint64_t addr, uint64_t bytes) {
    char buf[512];
    std::string range = bytes == 1 ? hex(addr) : "[" + hex(addr) + ", " + hex(addr + bytes) + ")";
    if (addr == 0) return "the null device pointer";
    const Alloc* a = find_locked(addr);
    if (a == nullptr) {
        snprintf(buf, sizeof buf, "%s is not device memory (%s)", hex(addr).c_str(),
                 addr < JGSIM_DEVICE_BASE ? "below every device allocation: a host pointer or a small integer?"
                                          : "beyond every allocation made so far");
        return buf;
    }
    if (a->state != State::live) {
        snprintf(buf, sizeof buf, "%s is in freed memory: %" PRIu64 " bytes into the %" PRIu64
                 "-byte allocation at %s, %s", hex(addr).c_str(), addr - a->base, a->size,
                 hex(a->base).c_str(), state_text(a->state));
        return buf;
    }
    uint64_t end = a->base + a->size;
    if (addr >= end) {
        snprintf(buf, sizeof buf, "%s is %" PRIu64 " bytes past the end of a %" PRIu64 "-byte allocation at %s",
                 hex(addr).c_str(), addr - end, a->size, hex(a->base).c_str());
    } else if (addr + bytes > end) {
        snprintf(buf, sizeof buf, "%s runs %" PRIu64 " bytes past the end of a %" PRIu64 "-byte allocation at %s",
                 range.c_str(), addr + bytes - end, a->size, hex(a->base).c_str());
    } else {
        snprintf(buf, sizeof buf, "%s is inside a live %" PRIu64 "-byte allocation at %s", range.c_str(), a->size,
                 hex(a->base).c_str());
    }
    return buf;
}

uint8_t* resolve_locked(uint64_t addr, uint64_t bytes, std::string* why) {
    const Alloc* a = find_locked(addr);
    if (a != nullptr && a->state == State::live && addr + bytes <= a->base + a->size && addr + bytes >= addr) {
        return a->host + (addr - a->base);
    }
    // An empty range just past the end is fine (e.g. a zero-length copy at the end of a buffer).
    if (bytes == 0 && addr != 0) {
        const Alloc* b = find_locked(addr - 1);
        if (b != nullptr && b->state == State::live && addr == b->base + b->size) return b->host + b->size;
    }
    if (why != nullptr) *why = describe_address_locked(addr, bytes);
    return nullptr;
}

bool allocation_locked(uint64_t addr, uint64_t* begin, uint64_t* end, uint8_t** host) {
    const Alloc* a = find_locked(addr);
    if (a == nullptr || a->state != State::live || addr >= a->base + a->size) return false;
    *begin = a->base;
    *end = a->base + a->size;
    *host = a->host;
    return true;
}

size_t release_context_memory(Context* ctx, const char* when) {
    Table& t = table();
    std::unique_lock lock(t.mutex);
    size_t n = 0;
    uint64_t bytes = 0;
    std::string list;
    for (Alloc& a : t.allocs) {
        if (a.state != State::live || a.ctx != ctx) continue;
        if (n < 8) list += (n ? ", " : "") + std::to_string(a.size) + " bytes at " + hex(a.base);
        n++;
        bytes += a.size;
        free_host(a);
        a.state = State::released;
        t.live_bytes -= a.reserved;
        t.live_count--;
    }
    if (n > 0) {
        fprintf(stderr, "jgrad CUDA simulator: leak: %zu device allocation%s (%" PRIu64 " bytes) still allocated %s: %s%s\n",
                n, n == 1 ? "" : "s", bytes, when, list.c_str(), n > 8 ? ", ..." : "");
        fflush(stderr);
    }
    note_live_bytes(t.live_bytes);
    return n;
}

void report_leaks_at_exit() {
    Table& t = table();
    if (!t.mutex.try_lock_shared()) return;  // a kernel still running on another thread: say nothing
    size_t n = 0;
    uint64_t bytes = 0;
    std::string list;
    for (const Alloc& a : t.allocs) {
        if (a.state != State::live) continue;
        if (n < 8) list += (n ? ", " : "") + std::to_string(a.size) + " bytes at " + hex(a.base);
        n++;
        bytes += a.size;
    }
    t.mutex.unlock_shared();
    if (n > 0) {
        fprintf(stderr, "jgrad CUDA simulator: leak: %zu device allocation%s (%" PRIu64 " bytes) still allocated at process exit: %s%s\n",
                n, n == 1 ? "" : "s", bytes, list.c_str(), n > 8 ? ", ..." : "");
        fflush(stderr);
    }
}

}  // namespace jgsim::drv

using namespace jgsim::drv;

JGSIM_EXPORT void* jgsim_device_range(uint64_t addr, uint64_t bytes, const char* who) {
    static uint8_t empty;
    Table& t = table();
    std::string why;
    uint8_t* p;
    {
        std::shared_lock lock(t.mutex);
        p = resolve_locked(addr, bytes, &why);
    }
    if (p != nullptr) return p;
    if (bytes == 0) return &empty;  // nothing is read or written
    jgsim_fail("%s: device range of %" PRIu64 " bytes at %s: %s", who ? who : "?", bytes, hex(addr).c_str(), why.c_str());
    return nullptr;
}

// Declared in sim_query.h (for the simulated NVML): bytes of live device allocations (total - free
// of cuMemGetInfo) and the device size. Needs no context.
JGSIM_EXPORT void jgsim_memory_info(uint64_t* used, uint64_t* total) {
    std::shared_lock lock(table().mutex);
    if (used != nullptr) *used = table().live_bytes;
    if (total != nullptr) *total = device_memory_bytes();
}

CUAPI cuMemAlloc_v2(CUdeviceptr* dptr, size_t bytesize) {
    Context* ctx = nullptr;
    if (CUresult rc = need_context("cuMemAlloc", &ctx)) return rc;
    if (dptr == nullptr) return api_error(CUDA_ERROR_INVALID_VALUE, "cuMemAlloc: dptr is null");
    if (bytesize == 0) return api_error(CUDA_ERROR_INVALID_VALUE, "cuMemAlloc: size 0");
    uint64_t reserved = (static_cast<uint64_t>(bytesize) + kAlign - 1) / kAlign * kAlign;
    Table& t = table();
    std::unique_lock lock(t.mutex);
    uint64_t total = device_memory_bytes();
    if (reserved > total - t.live_bytes || reserved < bytesize) {
        uint64_t free_bytes = total - t.live_bytes;
        lock.unlock();
        return api_error(CUDA_ERROR_OUT_OF_MEMORY,
                         "cuMemAlloc: out of memory: %zu bytes requested, %" PRIu64 " of %" PRIu64
                         " bytes free (JGRAD_SIM_MEMORY sets the device's size)", bytesize, free_bytes, total);
    }
    uint8_t* host;
    if (reserved >= kMmapThreshold) {
        void* m = mmap(nullptr, reserved, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        host = m == MAP_FAILED ? nullptr : static_cast<uint8_t*>(m);
    } else {
        host = static_cast<uint8_t*>(aligned_alloc(kAlign, reserved));
        if (host != nullptr) memset(host, 0, reserved);
    }
    if (host == nullptr) {
        lock.unlock();
        return api_error(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc: the host cannot back %zu more bytes of device memory", bytesize);
    }
    if (fill_nan()) memset(host, 0xff, reserved);
    uint64_t base = t.next;
    t.next += reserved;
    t.allocs.push_back(Alloc{base, bytesize, reserved, host, State::live, ctx});
    t.live_bytes += reserved;
    t.live_count++;
    count_allocation(t.live_bytes);
    *dptr = base;
    return CUDA_SUCCESS;
}

CUAPI cuMemFree_v2(CUdeviceptr dptr) {
    if (CUresult rc = need_context("cuMemFree")) return rc;
    if (dptr == 0) return CUDA_SUCCESS;
    Table& t = table();
    std::unique_lock lock(t.mutex);
    Alloc* a = find_mut_locked(dptr);
    if (a == nullptr) {
        std::string why = describe_address_locked(dptr, 1);
        lock.unlock();
        return api_error(CUDA_ERROR_INVALID_VALUE, "cuMemFree: %s", why.c_str());
    }
    if (a->state != State::live) {
        uint64_t base = a->base, size = a->size;
        State s = a->state;
        lock.unlock();
        if (dptr == base) {
            return api_error(CUDA_ERROR_INVALID_VALUE, "cuMemFree: double free of the %" PRIu64 "-byte allocation at %s (already %s)",
                             size, hex(base).c_str(), state_text(s));
        }
        return api_error(CUDA_ERROR_INVALID_VALUE, "cuMemFree: %s is inside the %" PRIu64 "-byte allocation at %s, already %s",
                         hex(dptr).c_str(), size, hex(base).c_str(), state_text(s));
    }
    if (dptr != a->base) {
        uint64_t base = a->base, size = a->size;
        lock.unlock();
        return api_error(CUDA_ERROR_INVALID_VALUE,
                         "cuMemFree: %s is %" PRIu64 " bytes into the %" PRIu64
                         "-byte allocation at %s; cuMemFree takes the address cuMemAlloc returned",
                         hex(dptr).c_str(), static_cast<uint64_t>(dptr - base), size, hex(base).c_str());
    }
    free_host(*a);
    a->state = State::freed;
    t.live_bytes -= a->reserved;
    t.live_count--;
    note_live_bytes(t.live_bytes);
    return CUDA_SUCCESS;
}

CUAPI cuMemGetInfo_v2(size_t* free_bytes, size_t* total_bytes) {
    if (CUresult rc = need_context("cuMemGetInfo")) return rc;
    if (free_bytes == nullptr || total_bytes == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::shared_lock lock(table().mutex);
    *total_bytes = device_memory_bytes();
    *free_bytes = device_memory_bytes() - table().live_bytes;
    return CUDA_SUCCESS;
}

CUAPI cuMemGetAddressRange_v2(CUdeviceptr* pbase, size_t* psize, CUdeviceptr dptr) {
    if (CUresult rc = need_context("cuMemGetAddressRange")) return rc;
    std::shared_lock lock(table().mutex);
    const Alloc* a = find_locked(dptr);
    if (a == nullptr || a->state != State::live || dptr >= a->base + a->size) {
        std::string why = describe_address_locked(dptr, 1);
        lock.unlock();
        return api_error(CUDA_ERROR_NOT_FOUND, "cuMemGetAddressRange: %s", why.c_str());
    }
    if (pbase != nullptr) *pbase = a->base;
    if (psize != nullptr) *psize = a->size;
    return CUDA_SUCCESS;
}

// ---- page-locked host memory

CUAPI cuMemAllocHost_v2(void** pp, size_t bytesize) {
    if (CUresult rc = need_context("cuMemAllocHost")) return rc;
    if (pp == nullptr) return api_error(CUDA_ERROR_INVALID_VALUE, "cuMemAllocHost: pp is null");
    if (bytesize == 0) return api_error(CUDA_ERROR_INVALID_VALUE, "cuMemAllocHost: size 0");
    void* m = mmap(nullptr, bytesize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return api_error(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAllocHost: cannot map %zu bytes", bytesize);
    std::lock_guard<std::mutex> lock(pinned().mutex);
    pinned().blocks[reinterpret_cast<uintptr_t>(m)] = bytesize;
    *pp = m;
    return CUDA_SUCCESS;
}

CUAPI cuMemFreeHost(void* p) {
    if (CUresult rc = need_context("cuMemFreeHost")) return rc;
    size_t bytes;
    {
        std::lock_guard<std::mutex> lock(pinned().mutex);
        auto it = pinned().blocks.find(reinterpret_cast<uintptr_t>(p));
        if (it == pinned().blocks.end()) {
            return api_error(CUDA_ERROR_INVALID_VALUE, "cuMemFreeHost: %p is not a live block from cuMemAllocHost", p);
        }
        bytes = it->second;
        pinned().blocks.erase(it);
    }
    munmap(p, bytes);
    return CUDA_SUCCESS;
}

// ---- copies and sets: synchronous, in issue order; the Async forms check their stream and do the same.

namespace {

CUresult htod(CUdeviceptr dst, const void* src, size_t n, const char* who) {
    if (n == 0) return CUDA_SUCCESS;
    if (CUresult rc = check_host(src, n, who, "source")) return rc;
    std::shared_lock lock(table().mutex);
    CUresult rc = CUDA_SUCCESS;
    uint8_t* d = device_side(dst, n, who, "destination", &rc);
    if (d == nullptr) return rc;
    memcpy(d, src, n);
    count_bytes_htod(n);
    return CUDA_SUCCESS;
}

CUresult dtoh(void* dst, CUdeviceptr src, size_t n, const char* who) {
    if (n == 0) return CUDA_SUCCESS;
    if (CUresult rc = check_host(dst, n, who, "destination")) return rc;
    std::shared_lock lock(table().mutex);
    CUresult rc = CUDA_SUCCESS;
    const uint8_t* s = device_side(src, n, who, "source", &rc);
    if (s == nullptr) return rc;
    memcpy(dst, s, n);
    count_bytes_dtoh(n);
    return CUDA_SUCCESS;
}

CUresult dtod(CUdeviceptr dst, CUdeviceptr src, size_t n, const char* who) {
    if (n == 0) return CUDA_SUCCESS;
    std::shared_lock lock(table().mutex);
    CUresult rc = CUDA_SUCCESS;
    const uint8_t* s = device_side(src, n, who, "source", &rc);
    if (s == nullptr) return rc;
    uint8_t* d = device_side(dst, n, who, "destination", &rc);
    if (d == nullptr) return rc;
    memmove(d, s, n);
    count_bytes_dtod(n);
    return CUDA_SUCCESS;
}

template <typename T>
CUresult set(CUdeviceptr dst, T value, size_t count, const char* who) {
    if (dst % sizeof(T) != 0) {
        return api_error(CUDA_ERROR_INVALID_VALUE, "%s: %s is not %zu-byte aligned", who, hex(dst).c_str(), sizeof(T));
    }
    if (count == 0) return CUDA_SUCCESS;
    std::shared_lock lock(table().mutex);
    CUresult rc = CUDA_SUCCESS;
    uint8_t* d = device_side(dst, count * sizeof(T), who, "destination", &rc);
    if (d == nullptr) return rc;
    for (size_t i = 0; i < count; i++) memcpy(d + i * sizeof(T), &value, sizeof(T));
    return CUDA_SUCCESS;
}

}  // namespace

CUAPI cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t n) {
    if (CUresult rc = need_context("cuMemcpyHtoD")) return rc;
    return htod(dst, src, n, "cuMemcpyHtoD");
}

CUAPI cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t n) {
    if (CUresult rc = need_context("cuMemcpyDtoH")) return rc;
    CUresult rc = dtoh(dst, src, n, "cuMemcpyDtoH");
    if (rc == CUDA_SUCCESS) count_host_sync();  // a synchronous copy to the host waits for the device
    return rc;
}

CUAPI cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n) {
    if (CUresult rc = need_context("cuMemcpyDtoD")) return rc;
    return dtod(dst, src, n, "cuMemcpyDtoD");
}

CUAPI cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, CUstream s) {
    if (CUresult rc = need_context("cuMemcpyHtoDAsync")) return rc;
    if (CUresult rc = check_stream(s, "cuMemcpyHtoDAsync")) return rc;
    return htod(dst, src, n, "cuMemcpyHtoDAsync");
}

CUAPI cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, CUstream s) {
    if (CUresult rc = need_context("cuMemcpyDtoHAsync")) return rc;
    if (CUresult rc = check_stream(s, "cuMemcpyDtoHAsync")) return rc;
    return dtoh(dst, src, n, "cuMemcpyDtoHAsync");
}

CUAPI cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s) {
    if (CUresult rc = need_context("cuMemcpyDtoDAsync")) return rc;
    if (CUresult rc = check_stream(s, "cuMemcpyDtoDAsync")) return rc;
    return dtod(dst, src, n, "cuMemcpyDtoDAsync");
}

CUAPI cuMemsetD8_v2(CUdeviceptr dst, unsigned char v, size_t n) {
    if (CUresult rc = need_context("cuMemsetD8")) return rc;
    return set<uint8_t>(dst, v, n, "cuMemsetD8");
}

CUAPI cuMemsetD16_v2(CUdeviceptr dst, unsigned short v, size_t n) {
    if (CUresult rc = need_context("cuMemsetD16")) return rc;
    return set<uint16_t>(dst, v, n, "cuMemsetD16");
}

CUAPI cuMemsetD32_v2(CUdeviceptr dst, unsigned int v, size_t n) {
    if (CUresult rc = need_context("cuMemsetD32")) return rc;
    return set<uint32_t>(dst, v, n, "cuMemsetD32");
}

CUAPI cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, CUstream s) {
    if (CUresult rc = need_context("cuMemsetD8Async")) return rc;
    if (CUresult rc = check_stream(s, "cuMemsetD8Async")) return rc;
    return set<uint8_t>(dst, v, n, "cuMemsetD8Async");
}

CUAPI cuMemsetD16Async(CUdeviceptr dst, unsigned short v, size_t n, CUstream s) {
    if (CUresult rc = need_context("cuMemsetD16Async")) return rc;
    if (CUresult rc = check_stream(s, "cuMemsetD16Async")) return rc;
    return set<uint16_t>(dst, v, n, "cuMemsetD16Async");
}

CUAPI cuMemsetD32Async(CUdeviceptr dst, unsigned int v, size_t n, CUstream s) {
    if (CUresult rc = need_context("cuMemsetD32Async")) return rc;
    if (CUresult rc = check_stream(s, "cuMemsetD32Async")) return rc;
    return set<uint32_t>(dst, v, n, "cuMemsetD32Async");
}
