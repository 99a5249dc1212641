// cuBLAS types and enum values the simulated libcublas.so.12 needs, copied by value from NVIDIA's
// cublas_api.h and library_types.h of CUDA 12.6 (cuBLAS 12.6.4.1). Only what this library uses.
#pragma once

#include <cstddef>
#include <cstdint>

#define CUBLAS_EXPORT extern "C" __attribute__((visibility("default")))

// cublas_api.h: CUBLAS_VER_MAJOR/MINOR/PATCH/BUILD and CUBLAS_VERSION (major*10000 + minor*100 + patch).
constexpr int CUBLAS_VER_MAJOR = 12;
constexpr int CUBLAS_VER_MINOR = 6;
constexpr int CUBLAS_VER_PATCH = 4;
constexpr int CUBLAS_VERSION = CUBLAS_VER_MAJOR * 10000 + CUBLAS_VER_MINOR * 100 + CUBLAS_VER_PATCH;

// cublas_api.h: cublasStatus_t.
typedef enum {
    CUBLAS_STATUS_SUCCESS = 0,
    CUBLAS_STATUS_NOT_INITIALIZED = 1,
    CUBLAS_STATUS_ALLOC_FAILED = 3,
    CUBLAS_STATUS_INVALID_VALUE = 7,
    CUBLAS_STATUS_ARCH_MISMATCH = 8,
    CUBLAS_STATUS_MAPPING_ERROR = 11,
    CUBLAS_STATUS_EXECUTION_FAILED = 13,
    CUBLAS_STATUS_INTERNAL_ERROR = 14,
    CUBLAS_STATUS_NOT_SUPPORTED = 15,
    CUBLAS_STATUS_LICENSE_ERROR = 16
} cublasStatus_t;

// cublas_api.h: cublasOperation_t (CUBLAS_OP_HERMITAN is a synonym of CUBLAS_OP_C; CONJG is a
// placeholder "not supported in the current release").
typedef enum { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1, CUBLAS_OP_C = 2, CUBLAS_OP_CONJG = 3 } cublasOperation_t;

// cublas_api.h: cublasPointerMode_t, cublasAtomicsMode_t.
typedef enum { CUBLAS_POINTER_MODE_HOST = 0, CUBLAS_POINTER_MODE_DEVICE = 1 } cublasPointerMode_t;
typedef enum { CUBLAS_ATOMICS_NOT_ALLOWED = 0, CUBLAS_ATOMICS_ALLOWED = 1 } cublasAtomicsMode_t;

// cublas_api.h: cublasMath_t. DISALLOW_REDUCED_PRECISION_REDUCTION is a flag or-ed onto a mode.
typedef enum {
    CUBLAS_DEFAULT_MATH = 0,
    CUBLAS_TENSOR_OP_MATH = 1,
    CUBLAS_PEDANTIC_MATH = 2,
    CUBLAS_TF32_TENSOR_OP_MATH = 3,
    CUBLAS_MATH_DISALLOW_REDUCED_PRECISION_REDUCTION = 16,
} cublasMath_t;

// library_types.h: libraryPropertyType.
typedef enum libraryPropertyType_t { MAJOR_VERSION, MINOR_VERSION, PATCH_LEVEL } libraryPropertyType;

// cuda_runtime_api.h / driver_types.h: cudaStream_t is an opaque CUstream_st pointer.
typedef struct CUstream_st* cudaStream_t;

// The simulator's handle (cublas_api.h only declares struct cublasContext).
struct cublasContext {
    cudaStream_t stream = nullptr;
    cublasPointerMode_t pointerMode = CUBLAS_POINTER_MODE_HOST;
    cublasAtomicsMode_t atomicsMode = CUBLAS_ATOMICS_NOT_ALLOWED;
    int mathMode = CUBLAS_DEFAULT_MATH;
};
typedef struct cublasContext* cublasHandle_t;

// handle.cpp: whether h came from cublasCreate_v2 and was not destroyed since.
bool cublas_live(cublasHandle_t h);

// handle.cpp, used by sgemm.cpp: rounds a float to TF32 (10 explicit mantissa bits,
// round to nearest even), as the TF32 tensor-op math mode converts GEMM inputs.
float cublas_round_tf32(float x);
