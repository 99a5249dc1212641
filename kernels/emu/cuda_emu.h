// A CPU stand-in for the parts of CUDA that jgrad's kernels use, so kernels/src/main/cuda/*.cu
// compile as C++20 with g++ and run on a machine without a GPU (see kernels/README.md).
//
// Blocks run one after another, which is what lets __shared__ be a function-level static (one
// copy, used by one block at a time). Three schedules for the threads of a block:
//   Concurrent  blockDim real threads from a reused pool, all at once; __syncthreads is a
//               std::barrier.
//   Ascending   one thread at a time between barriers, in threadIdx order (descending): a thread
//   Descending  runs until it reaches __syncthreads or returns, then the next one runs. A kernel
//               whose result depends on which of two threads runs first in a barrier phase (a
//               missing barrier) gives different results in the two orders, deterministically.
//               The threads are fibers (ucontext) on the launching thread: switching OS threads
//               for every hand-off would make these schedules slow on a busy machine.
// Checks: static __shared__ memory and the dynamic buffer are filled with 0xFF bytes (NaN floats,
// -1 ints) before each block, so reading shared memory no thread wrote shows up; the ordered
// schedules abort when the threads of one phase wait at different __syncthreads (a divergent
// barrier); the launcher rejects configurations a GPU would reject. Build with
// -fsanitize=address,undefined (run.sh does) to turn out-of-bounds global or dynamic-shared
// accesses and misaligned float4 accesses into errors, as a GPU would.
//
// Not emulated, on purpose: warp shuffles/votes and __syncwarp (using them is a compile error:
// code that relies on 32 threads moving in lockstep cannot be checked by this model).
//
// One textual rewrite is needed before compiling a .cu (run.sh does it with sed): C++ has no
// storage class that is both `extern` and block-shared, so
//   extern __shared__ T name[];   becomes   T* name = (T*)::emu::dynamic_shared();
#pragma once

#include <algorithm>
#include <atomic>
#include <barrier>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <math.h>
#include <memory>
#include <sys/mman.h>
#include <ucontext.h>
#include <semaphore>
#include <thread>
#include <tuple>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>  // fiber switches must be announced to AddressSanitizer
#define EMU_ASAN 1
#else
#define EMU_ASAN 0
#endif

// ---- keywords ----
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
// One copy per program in the "emu_shared" section, so the launcher can poison all of it per block.
#define __shared__ static __attribute__((section("emu_shared"), aligned(16)))
#define __constant__ static

// ---- vector types ----
struct uint3 { unsigned x, y, z; };
struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct alignas(8) float2 { float x, y; };
struct alignas(16) float4 { float x, y, z, w; };
struct alignas(16) int4 { int x, y, z, w; };
struct alignas(16) double2 { double x, y; };
inline float2 make_float2(float x, float y) { return {x, y}; }
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline int4 make_int4(int x, int y, int z, int w) { return {x, y, z, w}; }

// ---- built-in variables: per OS thread, set by the launcher ----
inline thread_local uint3 threadIdx;
inline thread_local uint3 blockIdx;
inline thread_local dim3 blockDim;
inline thread_local dim3 gridDim;
constexpr int warpSize = 32;

// ---- intrinsics (same IEEE results as the GPU's unless noted) ----
inline float __int_as_float(int v) { return std::bit_cast<float>(v); }
inline int __float_as_int(float v) { return std::bit_cast<int>(v); }
inline float __uint_as_float(unsigned v) { return std::bit_cast<float>(v); }
inline unsigned __float_as_uint(float v) { return std::bit_cast<unsigned>(v); }
inline double __longlong_as_double(long long v) { return std::bit_cast<double>(v); }
inline long long __double_as_longlong(double v) { return std::bit_cast<long long>(v); }
// The GPU's rsqrtf and fast-math intrinsics are approximate; these are the exact values they approximate.
inline float rsqrtf(float v) { return 1.0f / sqrtf(v); }
inline double rsqrt(double v) { return 1.0 / sqrt(v); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __expf(float v) { return expf(v); }
inline float __logf(float v) { return logf(v); }
inline float __saturatef(float v) { return v != v ? 0.0f : fminf(fmaxf(v, 0.0f), 1.0f); }
inline float __fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline int min(int a, int b) { return a < b ? a : b; }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline float min(float a, float b) { return fminf(a, b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double max(double a, double b) { return fmax(a, b); }

// Atomics: exact read-modify-write under real concurrency (std::atomic_ref).
template <class T> inline T atomicAdd(T* p, T v) { return std::atomic_ref<T>(*p).fetch_add(v); }
template <class T> inline T atomicExch(T* p, T v) { return std::atomic_ref<T>(*p).exchange(v); }
template <class T> inline T atomicCAS(T* p, T expected, T desired) {
    std::atomic_ref<T>(*p).compare_exchange_strong(expected, desired);
    return expected;
}
template <class T> inline T atomicMax(T* p, T v) {
    std::atomic_ref<T> r(*p);
    T old = r.load();
    while (old < v && !r.compare_exchange_weak(old, v)) {}
    return old;
}
template <class T> inline T atomicMin(T* p, T v) {
    std::atomic_ref<T> r(*p);
    T old = r.load();
    while (v < old && !r.compare_exchange_weak(old, v)) {}
    return old;
}

template <class... T> constexpr bool emu_unsupported = false;
#define EMU_UNSUPPORTED(name) \
    template <class... T> inline void name(T...) { \
        static_assert(emu_unsupported<T...>, #name " is warp-synchronous: the CPU emulator cannot check it"); \
    }
EMU_UNSUPPORTED(__syncwarp)
EMU_UNSUPPORTED(__shfl_sync)
EMU_UNSUPPORTED(__shfl_up_sync)
EMU_UNSUPPORTED(__shfl_down_sync)
EMU_UNSUPPORTED(__shfl_xor_sync)
EMU_UNSUPPORTED(__ballot_sync)
EMU_UNSUPPORTED(__any_sync)
EMU_UNSUPPORTED(__all_sync)
#undef EMU_UNSUPPORTED

extern "C" char __start_emu_shared[] __attribute__((weak));
extern "C" char __stop_emu_shared[] __attribute__((weak));

namespace emu {

enum class Schedule { Concurrent, Ascending, Descending };

inline const char* name(Schedule s) {
    return s == Schedule::Concurrent ? "concurrent" : s == Schedule::Ascending ? "ascending" : "descending";
}

[[noreturn]] inline void fail(const char* what) {
    std::fprintf(stderr, "cuda_emu: %s\n", what);
    std::fflush(stderr);
    std::abort();
}

constexpr size_t STATIC_SHARED_LIMIT = 48 * 1024;  // what a kernel may declare without opt-in
constexpr unsigned MAX_THREADS = 1024;
constexpr size_t FIBER_STACK = 256 * 1024;

// Runs the blocks of a launch one after another. Concurrent: a pool of worker threads, worker t
// plays the thread with linear index t. Ascending/Descending: the block's threads are fibers on the
// launching thread, switched at __syncthreads and at return (a hand-off between OS threads costs a
// scheduler round trip; a fiber switch does not, and the order is exactly the one asked for).
class Runner {
public:
    static Runner& get() {
        static Runner r;
        return r;
    }

    Schedule schedule = Schedule::Concurrent;

    void launch(dim3 grid, dim3 block, size_t sharedBytes, std::function<void()> body) {
        unsigned n = block.x * block.y * block.z;
        if (n == 0 || n > MAX_THREADS || block.z > 64) fail("invalid block size");
        if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.y > 65535 || grid.z > 65535)
            fail("invalid grid size");
        size_t staticBytes = __start_emu_shared ? (size_t)(__stop_emu_shared - __start_emu_shared) : 0;
        if (staticBytes > STATIC_SHARED_LIMIT) fail("static __shared__ memory over 48 KiB");
        if (staticBytes + sharedBytes > 227 * 1024) fail("shared memory over 227 KiB per block");
        // Exact size, so AddressSanitizer catches an access past the requested dynamic memory.
        std::unique_ptr<char[]> dyn(sharedBytes ? new char[sharedBytes] : nullptr);
        job_ = {std::move(body), grid, block, {}, dyn.get(), n};
        for (unsigned z = 0; z < grid.z; z++) {
            for (unsigned y = 0; y < grid.y; y++) {
                for (unsigned x = 0; x < grid.x; x++) {
                    job_.blockIdx = {x, y, z};
                    // Shared memory starts as garbage on a GPU; all-ones bytes (NaN, -1) make a
                    // read of a slot no thread wrote visible.
                    if (staticBytes) std::memset(__start_emu_shared, 0xFF, staticBytes);
                    if (sharedBytes) std::memset(job_.dynamicShared, 0xFF, sharedBytes);
                    if (schedule == Schedule::Concurrent) runThreads();
                    else runFibers();
                }
            }
        }
        job_ = {};
    }

    void* dynamicShared() const { return job_.dynamicShared; }

    // __syncthreads; site names the call for the divergence check of the ordered schedules.
    void sync(const char* site) {
        if (schedule == Schedule::Concurrent) {
            barrier_->arrive_and_wait();
            return;
        }
        if (phaseSite_ == nullptr) {
            phaseSite_ = site;
        } else if (std::strcmp(phaseSite_, site) != 0) {
            std::fprintf(stderr, "cuda_emu: divergent __syncthreads: %s and %s in one phase\n", phaseSite_, site);
            fail("divergent barrier");
        }
        toScheduler(false);
    }

    ~Runner() {
        quit_ = true;
        for (size_t t = 0; t < workers_.size(); t++) start_[t]->release();
        for (auto& t : workers_) t.join();
        for (Fiber& f : fibers_) munmap(f.stack, FIBER_STACK);
    }

private:
    struct Job {
        std::function<void()> body;
        dim3 grid, block;
        uint3 blockIdx;
        char* dynamicShared;
        unsigned threads;
    };

    struct Fiber {
        ucontext_t ctx;
        char* stack;
        bool done;
        void* fakeStack;  // AddressSanitizer's bookkeeping across switches
    };

    Job job_{};
    // Concurrent schedule.
    std::vector<std::thread> workers_;
    std::vector<std::unique_ptr<std::binary_semaphore>> start_;
    std::counting_semaphore<> done_{0};
    std::unique_ptr<std::barrier<>> barrier_;
    std::atomic<bool> quit_{false};
    // Ordered schedules.
    std::vector<Fiber> fibers_;
    ucontext_t schedulerCtx_;
    const void* schedulerStack_ = nullptr;
    size_t schedulerStackSize_ = 0;
    int current_ = -1;
    const char* phaseSite_ = nullptr;

    Runner() {
        // Created once for the largest block: workers index these while more workers start.
        for (unsigned t = 0; t < MAX_THREADS; t++) start_.push_back(std::make_unique<std::binary_semaphore>(0));
    }

    void setBuiltins(int t) {
        const Job& j = job_;
        threadIdx = {t % j.block.x, (t / j.block.x) % j.block.y, t / (j.block.x * j.block.y)};
        blockIdx = j.blockIdx;
        blockDim = j.block;
        gridDim = j.grid;
    }

    void runThreads() {
        unsigned n = job_.threads;
        while (workers_.size() < n) {
            int t = (int)workers_.size();
            workers_.emplace_back([this, t] { work(t); });
        }
        barrier_ = std::make_unique<std::barrier<>>(n);
        for (unsigned t = 0; t < n; t++) start_[t]->release();
        for (unsigned t = 0; t < n; t++) done_.acquire();
        barrier_.reset();
    }

    void work(int t) {
        for (;;) {
            start_[t]->acquire();
            if (quit_) return;
            setBuiltins(t);
            job_.body();
            barrier_->arrive_and_drop();  // an exited thread no longer holds up __syncthreads
            done_.release();
        }
    }

    // One phase at a time: every live thread, in schedule order, runs until __syncthreads or return.
    void runFibers() {
        unsigned n = job_.threads;
        while (fibers_.size() < n) {
            void* stack = mmap(nullptr, FIBER_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                               -1, 0);
            if (stack == MAP_FAILED) fail("cannot map a fiber stack");
            mprotect(stack, 4096, PROT_NONE);  // guard page: an overflow faults instead of corrupting
            fibers_.push_back({{}, (char*)stack, false, nullptr});
        }
        std::vector<int> order(n);
        for (unsigned i = 0; i < n; i++) order[i] = schedule == Schedule::Ascending ? (int)i : (int)(n - 1 - i);
        for (unsigned t = 0; t < n; t++) {
            Fiber& f = fibers_[t];
            getcontext(&f.ctx);
            f.ctx.uc_stack.ss_sp = f.stack;
            f.ctx.uc_stack.ss_size = FIBER_STACK;
            f.ctx.uc_link = nullptr;
            makecontext(&f.ctx, &Runner::fiberMain, 0);
            // makecontext has put the stack into the saved registers; with uc_stack cleared,
            // AddressSanitizer's swapcontext hook no longer wipes the shadow of the whole stack on
            // every switch (a fiber's frames are unpoisoned as they return, so nothing stale stays).
            f.ctx.uc_stack.ss_sp = nullptr;
            f.ctx.uc_stack.ss_size = 0;
            f.done = false;
        }
        while (!order.empty()) {
            phaseSite_ = nullptr;
            std::vector<int> next;
            for (int t : order) {
                current_ = t;
                setBuiltins(t);
                Fiber& f = fibers_[t];
                void* fake = nullptr;
                startSwitch(&fake, f.stack, FIBER_STACK);
                swapcontext(&schedulerCtx_, &f.ctx);
                finishSwitch(fake, nullptr, nullptr);
                if (!f.done) next.push_back(t);
            }
            order.swap(next);
        }
        current_ = -1;
    }

    static void fiberMain() {
        Runner& r = get();
        r.finishSwitch(nullptr, &r.schedulerStack_, &r.schedulerStackSize_);
        r.job_.body();
        r.toScheduler(true);
    }

    // From the running fiber back to the scheduler loop; a finished fiber never comes back.
    void toScheduler(bool finished) {
        Fiber& f = fibers_[current_];
        f.done = finished;
        startSwitch(finished ? nullptr : &f.fakeStack, schedulerStack_, schedulerStackSize_);
        swapcontext(&f.ctx, &schedulerCtx_);
        finishSwitch(f.fakeStack, &schedulerStack_, &schedulerStackSize_);
    }

    static void startSwitch(void** fake, const void* bottom, size_t size) {
#if EMU_ASAN
        __sanitizer_start_switch_fiber(fake, bottom, size);
#else
        (void)fake, (void)bottom, (void)size;
#endif
    }

    static void finishSwitch(void* fake, const void** bottom, size_t* size) {
#if EMU_ASAN
        __sanitizer_finish_switch_fiber(fake, bottom, size);
#else
        (void)fake, (void)bottom, (void)size;
#endif
    }
};

inline void* dynamic_shared() { return Runner::get().dynamicShared(); }

inline void set_schedule(Schedule s) { Runner::get().schedule = s; }

}  // namespace emu

#define EMU_STR2(x) #x
#define EMU_STR(x) EMU_STR2(x)
#define __syncthreads() ::emu::Runner::get().sync(__FILE__ ":" EMU_STR(__LINE__))

// kernel<<<grid, block, sharedBytes>>>(args...): arguments are converted to the kernel's parameter
// types first, as cuLaunchKernel copies them by the kernel's signature.
template <class... P, class... A>
void emu_launch(void (*kernel)(P...), dim3 grid, dim3 block, size_t sharedBytes, A&&... args) {
    static_assert(sizeof...(P) == sizeof...(A), "argument count differs from the kernel's parameters");
    std::tuple<P...> params(static_cast<P>(args)...);
    emu::Runner::get().launch(grid, block, sharedBytes, [&] { std::apply(kernel, params); });
}
