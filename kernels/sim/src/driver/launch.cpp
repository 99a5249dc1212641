// cuLaunchKernel: the launch checks a real driver makes (dimensions, threads per block, .maxntid,
// shared memory), a check of kernelParams' length where it can be known, then the interpreter runs
// the whole grid before the call returns. A fault inside the kernel makes the context's error sticky
// (CUDA_ERROR_ILLEGAL_ADDRESS from then on), as on a real device.
#include <dlfcn.h>
#include <malloc.h>

#include <cinttypes>
#include <cstring>

#include "driver.h"

namespace jgsim::drv {
namespace {

// Global memory for the interpreter: the allocation table, read without locking because the launch
// holds TableReadLock for the whole run.
class TableMemory final : public ptx::GlobalMemory {
public:
    uint8_t* resolve(uint64_t addr, uint32_t bytes, bool write, std::string* why) override {
        return resolve_locked(addr, bytes, why);
    }
    // The interpreter's fast path (GlobalMemory::allocation, added to ptx.h on the sim-ptx branch;
    // without `override` so this file also builds against the ptx.h that lacks it): valid for the
    // whole run, since nothing is allocated or freed while the launch holds TableReadLock.
    bool allocation(uint64_t addr, uint64_t* begin, uint64_t* end, uint8_t** host) {
        return allocation_locked(addr, begin, end, host);
    }
};

// True when the code at `ret` is JCuda's driver natives (libJCudaDriver-<version>-<os>-<arch>.so).
bool from_jcuda(void* ret) {
    Dl_info info;
    if (dladdr(ret, &info) == 0 || info.dli_fname == nullptr) return false;
    const char* slash = strrchr(info.dli_fname, '/');
    return strncmp(slash ? slash + 1 : info.dli_fname, "libJCudaDriver", 14) == 0;
}

// JCuda's cuLaunchKernelNative hands over the array its PointersArrayPointerData allocated with
// `new void*[n]` (n = the Java Pointer.to(...)'s element count; jgrad's byteOffset is 0), so the
// heap block's usable size bounds n from above: malloc_usable_size >= 8n. A kernel with more
// .params than that would read past the array. (Too many pointers cannot be told apart from the
// allocator's rounding, so only too few is reported.)
CUresult check_jcuda_params(void** params, const ptx::KernelInfo& k, void* ret) {
    if (params == nullptr || k.params.empty() || reinterpret_cast<uintptr_t>(params) % 16 != 0 || !from_jcuda(ret)) {
        return CUDA_SUCCESS;
    }
    size_t most = malloc_usable_size(params) / sizeof(void*);
    if (k.params.size() > most) {
        return api_error(CUDA_ERROR_INVALID_VALUE,
                         "cuLaunchKernel: kernel %s has %zu .param entries but JCuda's kernelParams array holds at most %zu "
                         "pointers: the Pointer.to(...) argument list is too short",
                         k.name.c_str(), k.params.size(), most);
    }
    return CUDA_SUCCESS;
}

CUresult check_dims(const Function& f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                    unsigned shared) {
    const char* n = f.name.c_str();
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0) {
        return api_error(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel: %s: empty launch, grid (%u,%u,%u) block (%u,%u,%u)", n, gx,
                         gy, gz, bx, by, bz);
    }
    if (bx > 1024 || by > 1024 || bz > 64) {
        return api_error(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel: %s: block (%u,%u,%u) exceeds the device's (1024,1024,64)", n,
                         bx, by, bz);
    }
    uint64_t threads = static_cast<uint64_t>(bx) * by * bz;
    if (threads > 1024) {
        return api_error(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel: %s: %" PRIu64 " threads per block, the device allows 1024", n,
                         threads);
    }
    if (f.info->max_threads != 0 && threads > f.info->max_threads) {
        return api_error(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES,
                         "cuLaunchKernel: %s: %" PRIu64 " threads per block, its .maxntid/.reqntid allows %u", n, threads,
                         f.info->max_threads);
    }
    if (gx > 2147483647u || gy > 65535 || gz > 65535) {
        return api_error(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel: %s: grid (%u,%u,%u) exceeds the device's (2147483647,65535,65535)",
                         n, gx, gy, gz);
    }
    uint32_t st = f.info->static_shared_bytes;
    if (st > kSharedPerBlock) {
        return api_error(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "cuLaunchKernel: %s: %u bytes of static shared memory, at most %u",
                         n, st, kSharedPerBlock);
    }
    if (shared > f.max_dynamic_shared) {
        return api_error(CUDA_ERROR_INVALID_VALUE,
                         "cuLaunchKernel: %s: %u bytes of dynamic shared memory (plus %u static) exceed its limit of %u "
                         "(48 KiB in all unless raised with cuFuncSetAttribute(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES), "
                         "up to 227 KiB)",
                         n, shared, st, f.max_dynamic_shared);
    }
    return CUDA_SUCCESS;
}

}  // namespace
}  // namespace jgsim::drv

using namespace jgsim::drv;

CUAPI cuLaunchKernel(CUfunction h, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,
                     unsigned int bz, unsigned int sharedMemBytes, CUstream hStream, void** kernelParams, void** extra) {
    void* ret = __builtin_return_address(0);
    if (CUresult rc = need_context("cuLaunchKernel")) return rc;
    Function f{};
    std::shared_ptr<const ptx::Module> code;
    {
        std::lock_guard<std::recursive_mutex> lock(g_api_mutex);
        Function* p = nullptr;
        if (CUresult rc = check_function(h, "cuLaunchKernel", &p)) return rc;
        f = *p;
        code = p->module->code;
    }
    if (CUresult rc = check_stream(hStream, "cuLaunchKernel")) return rc;
    if (extra != nullptr) {
        return api_error(CUDA_ERROR_NOT_SUPPORTED, "cuLaunchKernel: %s: `extra` (packed parameter buffers) is not simulated; pass kernelParams",
                         f.name.c_str());
    }
    if (CUresult rc = check_dims(f, gx, gy, gz, bx, by, bz, sharedMemBytes)) return rc;
    if (kernelParams == nullptr && !f.info->params.empty()) {
        return api_error(CUDA_ERROR_INVALID_VALUE, "cuLaunchKernel: %s takes %zu parameters but kernelParams is null",
                         f.name.c_str(), f.info->params.size());
    }
    if (CUresult rc = check_jcuda_params(kernelParams, *f.info, ret)) return rc;

    ptx::Launch launch;
    launch.kernel = f.info;
    launch.grid = {gx, gy, gz};
    launch.block = {bx, by, bz};
    launch.dynamic_shared_bytes = sharedMemBytes;
    launch.params = kernelParams;
    std::string error;
    uint64_t instructions = 0;
    bool ok;
    {
        TableReadLock lock;
        TableMemory memory;
        ok = ptx::run(*code, launch, memory, &error, &instructions);
    }
    count_launch(f.name, instructions);
    if (!ok) return fault(CUDA_ERROR_ILLEGAL_ADDRESS, "%s", error.c_str());
    return CUDA_SUCCESS;
}
