// cuBLAS handle and its settings: create/destroy, stream, pointer/atomics/math modes, versions,
// status names. Behaviour from the cuBLAS documentation (cuBLAS 12.6, "cuBLAS Helper Function
// Reference"): every handle call returns CUBLAS_STATUS_NOT_INITIALIZED for a handle that is not a
// live one, CUBLAS_STATUS_INVALID_VALUE for a NULL out-parameter or an enum value out of range.
#include "cublas_types.h"
#include "sim_api.h"

#include <cstring>
#include <mutex>
#include <unordered_set>

namespace {
std::mutex mu;
std::unordered_set<cublasHandle_t> live;  // handles from cublasCreate_v2 not yet destroyed
}

bool cublas_live(cublasHandle_t h) {
    std::lock_guard<std::mutex> g(mu);
    return h != nullptr && live.count(h) != 0;
}

float cublas_round_tf32(float x) {
    uint32_t u;
    std::memcpy(&u, &x, 4);
    if ((u & 0x7f800000u) == 0x7f800000u) return x;  // Inf and NaN unchanged
    uint32_t lsb = (u >> 13) & 1u;
    u += 0x0fffu + lsb;  // round to nearest even on the 13 dropped bits
    u &= 0xffffe000u;
    std::memcpy(&x, &u, 4);
    return x;
}

CUBLAS_EXPORT cublasStatus_t cublasCreate_v2(cublasHandle_t* handle) {
    jgsim_count("cublasCreate", 1);
    if (handle == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    cublasHandle_t h = new cublasContext();
    std::lock_guard<std::mutex> g(mu);
    live.insert(h);
    *handle = h;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_EXPORT cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
    jgsim_count("cublasDestroy", 1);
    {
        std::lock_guard<std::mutex> g(mu);
        if (handle == nullptr || live.erase(handle) == 0) return CUBLAS_STATUS_NOT_INITIALIZED;
    }
    delete handle;
    return CUBLAS_STATUS_SUCCESS;
}

// cuBLAS 12: the version of the library, CUBLAS_VERSION of the headers it was built from.
CUBLAS_EXPORT cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int* version) {
    if (!cublas_live(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (version == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    *version = CUBLAS_VERSION;
    return CUBLAS_STATUS_SUCCESS;
}

// No handle needed (cuBLAS documentation: cublasGetProperty).
CUBLAS_EXPORT cublasStatus_t cublasGetProperty(libraryPropertyType type, int* value) {
    if (value == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    switch (type) {
    case MAJOR_VERSION: *value = CUBLAS_VER_MAJOR; return CUBLAS_STATUS_SUCCESS;
    case MINOR_VERSION: *value = CUBLAS_VER_MINOR; return CUBLAS_STATUS_SUCCESS;
    case PATCH_LEVEL: *value = CUBLAS_VER_PATCH; return CUBLAS_STATUS_SUCCESS;
    }
    return CUBLAS_STATUS_INVALID_VALUE;
}

// The CUDA runtime cuBLAS was built against; 12.6 as CUDART_VERSION encodes it (12060).
CUBLAS_EXPORT size_t cublasGetCudartVersion(void) { return 12060; }

// Streams are not checked here: the simulated driver runs every stream's work in issue order, and
// a library call runs when it is made, which is that order.
CUBLAS_EXPORT cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId) {
    if (!cublas_live(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    handle->stream = streamId;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_EXPORT cublasStatus_t cublasGetStream_v2(cublasHandle_t handle, cudaStream_t* streamId) {
    if (!cublas_live(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (streamId == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    *streamId = handle->stream;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_EXPORT cublasStatus_t cublasSetPointerMode_v2(cublasHandle_t handle, cublasPointerMode_t mode) {
    if (!cublas_live(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (mode != CUBLAS_POINTER_MODE_HOST && mode != CUBLAS_POINTER_MODE_DEVICE) return CUBLAS_STATUS_INVALID_VALUE;
    handle->pointerMode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_EXPORT cublasStatus_t cublasGetPointerMode_v2(cublasHandle_t handle, cublasPointerMode_t* mode) {
    if (!cublas_live(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (mode == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    *mode = handle->pointerMode;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_EXPORT cublasStatus_t cublasSetAtomicsMode(cublasHandle_t handle, cublasAtomicsMode_t mode) {
    if (!cublas_live(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (mode != CUBLAS_ATOMICS_NOT_ALLOWED && mode != CUBLAS_ATOMICS_ALLOWED) return CUBLAS_STATUS_INVALID_VALUE;
    handle->atomicsMode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_EXPORT cublasStatus_t cublasGetAtomicsMode(cublasHandle_t handle, cublasAtomicsMode_t* mode) {
    if (!cublas_live(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (mode == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    *mode = handle->atomicsMode;
    return CUBLAS_STATUS_SUCCESS;
}

// A mode is one of DEFAULT, TENSOR_OP (deprecated), PEDANTIC, TF32_TENSOR_OP, optionally or-ed
// with CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION.
CUBLAS_EXPORT cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) {
    if (!cublas_live(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    int base = mode & ~CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION;
    if (base < CUBLAS_DEFAULT_MATH || base > CUBLAS_TF32_TENSOR_OP_MATH) return CUBLAS_STATUS_INVALID_VALUE;
    handle->mathMode = mode;
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_EXPORT cublasStatus_t cublasGetMathMode(cublasHandle_t handle, cublasMath_t* mode) {
    if (!cublas_live(handle)) return CUBLAS_STATUS_NOT_INITIALIZED;
    if (mode == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
    *mode = static_cast<cublasMath_t>(handle->mathMode);
    return CUBLAS_STATUS_SUCCESS;
}

CUBLAS_EXPORT const char* cublasGetStatusName(cublasStatus_t status) {
    switch (status) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    case CUBLAS_STATUS_LICENSE_ERROR: return "CUBLAS_STATUS_LICENSE_ERROR";
    }
    return "CUBLAS_STATUS_UNKNOWN";
}

CUBLAS_EXPORT const char* cublasGetStatusString(cublasStatus_t status) {
    switch (status) {
    case CUBLAS_STATUS_SUCCESS: return "success";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "the library was not initialized";
    case CUBLAS_STATUS_ALLOC_FAILED: return "the resource allocation failed";
    case CUBLAS_STATUS_INVALID_VALUE: return "an invalid numeric value was used as an argument";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "an absent device architectural feature is required";
    case CUBLAS_STATUS_MAPPING_ERROR: return "an access to GPU memory space failed";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "the GPU program failed to execute";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "an internal operation failed";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "the functionality requested is not supported";
    case CUBLAS_STATUS_LICENSE_ERROR: return "an error was detected when checking the current licensing";
    }
    return "unknown error";
}
