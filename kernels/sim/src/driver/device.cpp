// cuInit, the driver version and the one simulated device: an sm_90 (H100-like) GPU whose memory
// size comes from JGRAD_SIM_MEMORY.
#include <cstdio>
#include <cstring>

#include "driver.h"


namespace jgsim::drv {

std::atomic<bool> g_initialized{false};

CUresult need_init() { return g_initialized.load() ? CUDA_SUCCESS : CUDA_ERROR_NOT_INITIALIZED; }

uint64_t device_memory_bytes();  // memory.cpp

}  // namespace jgsim::drv

using namespace jgsim::drv;

namespace {

constexpr const char* kDeviceName = "jgrad CUDA simulator (sm_90)";
// Driver API version reported: CUDA 12.6, the version the JCuda 12.6 natives are built against.
constexpr int kDriverVersion = 12060;

CUresult check_device(CUdevice dev, const char* who) {
    if (CUresult rc = need_init()) return rc;
    if (dev != 0) return api_error(CUDA_ERROR_INVALID_DEVICE, "%s: device %d does not exist (the simulator has device 0 only)", who, dev);
    return CUDA_SUCCESS;
}

struct Attribute {
    CUdevice_attribute id;
    int value;
};

// H100 SXM-like values. An attribute not listed here is CUDA_ERROR_INVALID_VALUE, never a guess.
constexpr Attribute kAttributes[] = {
    {CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, 1024},
    {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X, 1024},
    {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y, 1024},
    {CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z, 64},
    {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X, 2147483647},
    {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y, 65535},
    {CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z, 65535},
    {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK, 48 * 1024},
    {CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY, 64 * 1024},
    {CU_DEVICE_ATTRIBUTE_WARP_SIZE, 32},
    {CU_DEVICE_ATTRIBUTE_MAX_PITCH, 2147483647},
    {CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK, 65536},
    {CU_DEVICE_ATTRIBUTE_CLOCK_RATE, 1980000},  // kHz
    {CU_DEVICE_ATTRIBUTE_TEXTURE_ALIGNMENT, 512},
    {CU_DEVICE_ATTRIBUTE_GPU_OVERLAP, 1},
    {CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, 132},
    {CU_DEVICE_ATTRIBUTE_KERNEL_EXEC_TIMEOUT, 0},
    {CU_DEVICE_ATTRIBUTE_INTEGRATED, 0},
    {CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY, 1},
    {CU_DEVICE_ATTRIBUTE_COMPUTE_MODE, CU_COMPUTEMODE_DEFAULT},
    {CU_DEVICE_ATTRIBUTE_SURFACE_ALIGNMENT, 512},
    {CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS, 1},
    {CU_DEVICE_ATTRIBUTE_ECC_ENABLED, 0},
    {CU_DEVICE_ATTRIBUTE_PCI_BUS_ID, 0},  // bus id 00000000:00:00.0, as the simulated NVML says
    {CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID, 0},
    {CU_DEVICE_ATTRIBUTE_TCC_DRIVER, 0},
    {CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE, 2619000},  // kHz
    {CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH, 5120},
    {CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, 50 * 1024 * 1024},
    {CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR, 2048},
    {CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT, 3},
    {CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING, 1},
    {CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID, 0},
    {CU_DEVICE_ATTRIBUTE_TEXTURE_PITCH_ALIGNMENT, 32},
    {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 9},
    {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, 0},
    {CU_DEVICE_ATTRIBUTE_STREAM_PRIORITIES_SUPPORTED, 1},
    {CU_DEVICE_ATTRIBUTE_GLOBAL_L1_CACHE_SUPPORTED, 1},
    {CU_DEVICE_ATTRIBUTE_LOCAL_L1_CACHE_SUPPORTED, 1},
    {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR, 228 * 1024},
    {CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR, 65536},
    {CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY, 0},  // cuMemAllocManaged is not simulated
    {CU_DEVICE_ATTRIBUTE_MULTI_GPU_BOARD, 0},
    {CU_DEVICE_ATTRIBUTE_MULTI_GPU_BOARD_GROUP_ID, 0},
    {CU_DEVICE_ATTRIBUTE_HOST_NATIVE_ATOMIC_SUPPORTED, 0},
    {CU_DEVICE_ATTRIBUTE_SINGLE_TO_DOUBLE_PRECISION_PERF_RATIO, 2},
    {CU_DEVICE_ATTRIBUTE_PAGEABLE_MEMORY_ACCESS, 0},
    {CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS, 0},
    {CU_DEVICE_ATTRIBUTE_COMPUTE_PREEMPTION_SUPPORTED, 1},
    {CU_DEVICE_ATTRIBUTE_CAN_USE_HOST_POINTER_FOR_REGISTERED_MEM, 0},
    {CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH, 0},  // cuLaunchCooperativeKernel is not simulated
    {CU_DEVICE_ATTRIBUTE_COOPERATIVE_MULTI_DEVICE_LAUNCH, 0},
    {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN, 227 * 1024},
    {CU_DEVICE_ATTRIBUTE_CAN_FLUSH_REMOTE_WRITES, 0},
    {CU_DEVICE_ATTRIBUTE_HOST_REGISTER_SUPPORTED, 0},
    {CU_DEVICE_ATTRIBUTE_PAGEABLE_MEMORY_ACCESS_USES_HOST_PAGE_TABLES, 0},
    {CU_DEVICE_ATTRIBUTE_DIRECT_MANAGED_MEM_ACCESS_FROM_HOST, 0},
    {CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED, 0},
    {CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR, 32},
    {CU_DEVICE_ATTRIBUTE_GENERIC_COMPRESSION_SUPPORTED, 0},
    {CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK, 1024},
    {CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED, 0},  // cuMemAllocAsync is not simulated
    {CU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_SUPPORTED, 0},
    {CU_DEVICE_ATTRIBUTE_CLUSTER_LAUNCH, 0},
    {CU_DEVICE_ATTRIBUTE_IPC_EVENT_SUPPORTED, 0},
    {CU_DEVICE_ATTRIBUTE_MPS_ENABLED, 0},
};

}  // namespace

CUAPI cuInit(unsigned int flags) {
    if (flags != 0) return api_error(CUDA_ERROR_INVALID_VALUE, "cuInit: flags must be 0, got %u", flags);
    g_initialized = true;
    return CUDA_SUCCESS;
}

CUAPI cuDriverGetVersion(int* version) {
    if (version == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *version = kDriverVersion;
    return CUDA_SUCCESS;
}

CUAPI cuDeviceGetCount(int* count) {
    if (CUresult rc = need_init()) return rc;
    if (count == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *count = 1;
    return CUDA_SUCCESS;
}

CUAPI cuDeviceGet(CUdevice* device, int ordinal) {
    if (CUresult rc = need_init()) return rc;
    if (device == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal != 0) return api_error(CUDA_ERROR_INVALID_DEVICE, "cuDeviceGet: no device %d (the simulator has device 0 only)", ordinal);
    *device = 0;
    return CUDA_SUCCESS;
}

CUAPI cuDeviceGetName(char* name, int len, CUdevice dev) {
    if (CUresult rc = check_device(dev, "cuDeviceGetName")) return rc;
    if (name == nullptr || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, static_cast<size_t>(len), "%s", kDeviceName);
    return CUDA_SUCCESS;
}

CUAPI cuDeviceTotalMem_v2(size_t* bytes, CUdevice dev) {
    if (CUresult rc = check_device(dev, "cuDeviceTotalMem")) return rc;
    if (bytes == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *bytes = device_memory_bytes();
    return CUDA_SUCCESS;
}

CUAPI cuDeviceGetAttribute(int* value, CUdevice_attribute attrib, CUdevice dev) {
    if (CUresult rc = check_device(dev, "cuDeviceGetAttribute")) return rc;
    if (value == nullptr) return CUDA_ERROR_INVALID_VALUE;
    for (const Attribute& a : kAttributes) {
        if (a.id == attrib) {
            *value = a.value;
            return CUDA_SUCCESS;
        }
    }
    return api_error(CUDA_ERROR_INVALID_VALUE, "cuDeviceGetAttribute: attribute %d is not simulated", static_cast<int>(attrib));
}

CUAPI cuDeviceComputeCapability(int* major, int* minor, CUdevice dev) {
    if (CUresult rc = check_device(dev, "cuDeviceComputeCapability")) return rc;
    if (major == nullptr || minor == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *major = 9;
    *minor = 0;
    return CUDA_SUCCESS;
}

CUAPI cuDeviceGetUuid(CUuuid* uuid, CUdevice dev) {
    if (CUresult rc = check_device(dev, "cuDeviceGetUuid")) return rc;
    if (uuid == nullptr) return CUDA_ERROR_INVALID_VALUE;
    static const unsigned char kUuid[16] = {'j', 'g', 'r', 'a', 'd', '-', 's', 'i', 'm', 0, 0, 0, 0, 0, 0, 1};
    memcpy(uuid->bytes, kUuid, 16);
    return CUDA_SUCCESS;
}

CUAPI cuDeviceGetPCIBusId(char* pciBusId, int len, CUdevice dev) {
    if (CUresult rc = check_device(dev, "cuDeviceGetPCIBusId")) return rc;
    if (pciBusId == nullptr || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(pciBusId, static_cast<size_t>(len), "0000:00:00.0");
    return CUDA_SUCCESS;
}
