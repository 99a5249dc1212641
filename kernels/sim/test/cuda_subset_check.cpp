// Compile-time check that src/driver/cuda_subset.h agrees with NVIDIA's cuda.h (compiled by
// run-driver-test.sh only where a CUDA toolkit is installed).
#include <cuda.h>

namespace sub {
#include "cuda_subset.h"
}

#define ERR(name, code) static_assert(static_cast<int>(::name) == code && static_cast<int>(sub::name) == code, #name);
#include "error_names.inc"
#undef ERR
#define ATTR(name, value) static_assert(static_cast<int>(::name) == value && static_cast<int>(sub::name) == value, #name);
#include "device_attributes.inc"
#undef ATTR

#define SAME(name) static_assert(static_cast<long>(::name) == static_cast<long>(sub::name), #name);
SAME(CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK)
SAME(CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES)
SAME(CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES)
SAME(CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES)
SAME(CU_FUNC_ATTRIBUTE_NUM_REGS)
SAME(CU_FUNC_ATTRIBUTE_PTX_VERSION)
SAME(CU_FUNC_ATTRIBUTE_BINARY_VERSION)
SAME(CU_FUNC_ATTRIBUTE_CACHE_MODE_CA)
SAME(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES)
SAME(CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT)
SAME(CU_FUNC_CACHE_PREFER_NONE)
SAME(CU_FUNC_CACHE_PREFER_SHARED)
SAME(CU_FUNC_CACHE_PREFER_L1)
SAME(CU_FUNC_CACHE_PREFER_EQUAL)
SAME(CU_JIT_MAX_REGISTERS)
SAME(CU_JIT_THREADS_PER_BLOCK)
SAME(CU_JIT_WALL_TIME)
SAME(CU_JIT_INFO_LOG_BUFFER)
SAME(CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES)
SAME(CU_JIT_ERROR_LOG_BUFFER)
SAME(CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES)
SAME(CU_STREAM_DEFAULT)
SAME(CU_STREAM_NON_BLOCKING)
SAME(CU_EVENT_DEFAULT)
SAME(CU_EVENT_BLOCKING_SYNC)
SAME(CU_EVENT_DISABLE_TIMING)
SAME(CU_EVENT_INTERPROCESS)
SAME(CU_COMPUTEMODE_DEFAULT)
SAME(CU_COMPUTEMODE_PROHIBITED)
SAME(CU_COMPUTEMODE_EXCLUSIVE_PROCESS)
static_assert(sizeof(::CUdeviceptr) == sizeof(sub::CUdeviceptr) && sizeof(::CUdevice) == sizeof(sub::CUdevice) &&
              sizeof(::CUuuid) == sizeof(sub::CUuuid));
