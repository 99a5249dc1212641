// Internal state of the simulated driver (libcuda.so.1), shared by the files of src/driver.
//
// One simulated device (ordinal 0) with one primary context. Every call executes synchronously in
// issue order on the calling thread: a kernel launch or an "async" copy has finished when the call
// returns, so streams and events only keep order that already holds (see README.md).
#pragma once

#include "cuda_subset.h"

#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "ptx/ptx.h"
#include "sim_api.h"

// Defines an exported driver entry point under its exact symbol name (the _v2 names where NVIDIA's
// libcuda.so.1 has them; see symbols/libcuda.so.1.txt).
#define CUAPI extern "C" __attribute__((visibility("default"))) CUresult

namespace jgsim::drv {

// A context: the primary context of device 0, or one made by cuCtxCreate_v2. Never deleted, so a
// stale handle is recognised (its `alive` is false) instead of being reused.
struct Context {
    uint32_t magic = 0x43747821;  // "Ctx!"
    bool primary = false;
    std::atomic<bool> alive{false};  // primary: retained at least once since the last release to 0
    int refs = 0;                    // primary: retain count (under g_api_mutex)
    // Set by a fault (from any thread); every later call that needs the context returns it.
    std::atomic<CUresult> sticky{CUDA_SUCCESS};
    unsigned flags = 0;
};

extern std::atomic<bool> g_initialized;
extern std::recursive_mutex g_api_mutex;  // guards contexts, streams, events, modules

Context* primary_context();
// The calling thread's current context (may be dead or null).
Context* current_context();
void set_current_context(Context* ctx);
bool is_context(const void* p);

// Checks that cuInit ran and a live context is current with no sticky error; returns the error a
// real driver returns otherwise (CUDA_ERROR_NOT_INITIALIZED, CUDA_ERROR_INVALID_CONTEXT, the sticky
// error). `who` names the API for the message.
CUresult need_context(const char* who, Context** out = nullptr);
// Just cuInit: CUDA_ERROR_NOT_INITIALIZED before it.
CUresult need_init();

// Records an API misuse: prints "jgrad CUDA simulator: <message>", keeps it as jgsim_last_error,
// returns `code`. Not sticky (a real driver returns such an error and carries on).
CUresult api_error(CUresult code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
// As api_error, and makes the current (else primary) context's error sticky with `code`.
CUresult fault(CUresult code, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void vrecord(bool sticky, CUresult code, const char* fmt, va_list ap);

// ---- memory (memory.cpp)
// Releases every allocation owned by ctx (a real driver frees them with the context), reporting
// them on stderr as a leak first. Returns how many there were.
size_t release_context_memory(Context* ctx, const char* when);
// Prints the leak summary for allocations still live at process exit.
void report_leaks_at_exit();
// Holds the memory table steady for a kernel run: allocations can neither appear nor disappear
// while a launch holds it, so the interpreter's resolve needs no further locking.
struct TableReadLock {
    TableReadLock();
    ~TableReadLock();
    TableReadLock(const TableReadLock&) = delete;
    TableReadLock& operator=(const TableReadLock&) = delete;
};
// Lock-free (caller holds TableReadLock): host address of [addr, addr + bytes) inside one live
// allocation, else nullptr and *why describes the address.
uint8_t* resolve_locked(uint64_t addr, uint64_t bytes, std::string* why);
// Lock-free (caller holds TableReadLock): the live allocation holding addr as [*begin, *end) and the
// host address of *begin; false when addr is in none.
bool allocation_locked(uint64_t addr, uint64_t* begin, uint64_t* end, uint8_t** host);
// Describes addr against the table ("is 16 bytes past the end of ...", "is in freed memory ...").
std::string describe_address_locked(uint64_t addr, uint64_t bytes);
std::string hex(uint64_t v);

// ---- counters (counters.cpp)
void count_launch(const std::string& kernel, uint64_t instructions);
void count_bytes_htod(uint64_t n);
void count_bytes_dtoh(uint64_t n);
void count_bytes_dtod(uint64_t n);
void count_host_sync();
void count_allocation(uint64_t live_bytes_after);
void note_live_bytes(uint64_t live_bytes);
// Writes the counters file named by JGRAD_SIM_COUNTERS (if set), atomically.
void write_counters_file();

// ---- modules (module.cpp); like contexts, handles are never deleted, only marked dead.
constexpr uint32_t kSharedPerBlock = 48 * 1024;        // without opt-in
constexpr uint32_t kSharedPerBlockOptin = 227 * 1024;  // CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN

struct Module;

struct Function {
    Module* module;
    std::string name;
    const ptx::KernelInfo* info;  // owned by module->code
    bool alive;
    uint32_t max_dynamic_shared;  // CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES
};

struct Module {
    Context* ctx;
    bool alive;
    std::shared_ptr<const ptx::Module> code;  // a launch holds a reference while it runs
    std::map<std::string, Function*> functions;
};

// Validates a function handle (live, its module loaded); caller holds g_api_mutex.
CUresult check_function(CUfunction f, const char* who, Function** out);
// Unloads every module loaded in ctx (its functions become invalid handles).
void module_context_destroyed(Context* ctx);

// ---- streams (context.cpp)
// Validates a stream handle (null, CU_STREAM_LEGACY, CU_STREAM_PER_THREAD or a live stream).
CUresult check_stream(CUstream s, const char* who);

}  // namespace jgsim::drv

namespace ptx = jgsim::ptx;
