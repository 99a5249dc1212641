// Error reporting: jgsim_fail / jgsim_last_error / jgsim_not_simulated, the sticky context error,
// cuGetErrorName / cuGetErrorString.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "driver.h"

namespace jgsim::drv {
namespace {

std::mutex g_error_mutex;
std::string* g_last_error = new std::string();  // never destroyed: read from exit handlers too

}  // namespace

void vrecord(bool sticky, CUresult code, const char* fmt, va_list ap) {
    char buf[4096];
    vsnprintf(buf, sizeof buf, fmt, ap);
    {
        std::lock_guard<std::mutex> lock(g_error_mutex);
        *g_last_error = buf;
    }
    fprintf(stderr, "jgrad CUDA simulator: %s\n", buf);
    fflush(stderr);
    if (sticky) {
        Context* ctx = current_context();
        if (ctx == nullptr || !ctx->alive) ctx = primary_context();
        CUresult none = CUDA_SUCCESS;
        ctx->sticky.compare_exchange_strong(none, code);
    }
}

CUresult api_error(CUresult code, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vrecord(false, code, fmt, ap);
    va_end(ap);
    return code;
}

CUresult fault(CUresult code, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vrecord(true, code, fmt, ap);
    va_end(ap);
    return code;
}

}  // namespace jgsim::drv

using namespace jgsim::drv;

JGSIM_EXPORT void jgsim_fail(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vrecord(true, CUDA_ERROR_ILLEGAL_ADDRESS, fmt, ap);
    va_end(ap);
}

JGSIM_EXPORT const char* jgsim_last_error(void) {
    thread_local std::string copy;
    std::lock_guard<std::mutex> lock(g_error_mutex);
    copy = *g_last_error;
    return copy.c_str();
}

JGSIM_EXPORT void jgsim_not_simulated(const char* name) {
    fprintf(stderr, "jgrad CUDA simulator: %s is not simulated\n", name);
    fflush(stderr);
    abort();
}

JGSIM_EXPORT int jgsim_is_simulator(void) { return 1; }

namespace {

struct ErrorName {
    int code;
    const char* name;
};

constexpr ErrorName kNames[] = {
#define ERR(name, code) {code, #name},
#include "error_names.inc"
#undef ERR
};

// The driver's own wording for the errors jgrad can meet; the rest fall back to the name.
const char* describe(int code) {
    switch (code) {
    case CUDA_SUCCESS: return "no error";
    case CUDA_ERROR_INVALID_VALUE: return "invalid argument";
    case CUDA_ERROR_OUT_OF_MEMORY: return "out of memory";
    case CUDA_ERROR_NOT_INITIALIZED: return "initialization error";
    case CUDA_ERROR_DEINITIALIZED: return "driver shutting down";
    case CUDA_ERROR_NO_DEVICE: return "no CUDA-capable device is detected";
    case CUDA_ERROR_INVALID_DEVICE: return "invalid device ordinal";
    case CUDA_ERROR_INVALID_IMAGE: return "device kernel image is invalid";
    case CUDA_ERROR_INVALID_CONTEXT: return "invalid device context";
    case CUDA_ERROR_INVALID_PTX: return "a PTX JIT compilation failed";
    case CUDA_ERROR_INVALID_HANDLE: return "invalid resource handle";
    case CUDA_ERROR_NOT_FOUND: return "named symbol not found";
    case CUDA_ERROR_NOT_READY: return "device not ready";
    case CUDA_ERROR_ILLEGAL_ADDRESS: return "an illegal memory access was encountered";
    case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES: return "too many resources requested for launch";
    case CUDA_ERROR_LAUNCH_FAILED: return "unspecified launch failure";
    case CUDA_ERROR_MISALIGNED_ADDRESS: return "misaligned address";
    case CUDA_ERROR_NOT_SUPPORTED: return "operation not supported";
    case CUDA_ERROR_UNKNOWN: return "unknown error";
    default: return nullptr;
    }
}

}  // namespace

CUAPI cuGetErrorName(CUresult error, const char** pStr) {
    if (pStr == nullptr) return CUDA_ERROR_INVALID_VALUE;
    for (const ErrorName& e : kNames) {
        if (e.code == static_cast<int>(error)) {
            *pStr = e.name;
            return CUDA_SUCCESS;
        }
    }
    *pStr = nullptr;
    return CUDA_ERROR_INVALID_VALUE;
}

CUAPI cuGetErrorString(CUresult error, const char** pStr) {
    if (pStr == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (const char* d = describe(error)) {
        *pStr = d;
        return CUDA_SUCCESS;
    }
    return cuGetErrorName(error, pStr);
}
