// The simulated NVML: one device, the simulated sm_90 GPU of libcuda.so.1, described honestly.
//   name "jgrad CUDA simulator (sm_90)", compute capability 9.0, UUID
//   "GPU-00000000-jgsim-0000-000000000000", PCI bus id 00000000:00:00.0 (no PCI device id),
//   compute mode Default, memory total/used/free from the driver's device memory table
//   (jgsim_memory_info, the numbers cuMemGetInfo gives), the CUDA driver version from
//   cuDriverGetVersion, the driver version string "jgrad-sim <CUDA version> (simulated)".
// Everything that would be a sensor or hardware property — temperature, power draw and cap,
// utilisation, performance state, clocks, memory bus width, PCIe link, persistence mode — is
// NVML_ERROR_NOT_SUPPORTED rather than an invented value; the process lists are empty.
// NVML's rules kept: every call but nvmlInit*/nvmlErrorString needs nvmlInit first
// (NVML_ERROR_UNINITIALIZED), init/shutdown are reference counted, NULL outputs and unknown
// devices are NVML_ERROR_INVALID_ARGUMENT, a too-short string buffer NVML_ERROR_INSUFFICIENT_SIZE.
#include "nvml_types.h"
#include "sim_query.h"

#include <cstdio>
#include <cstring>
#include <mutex>

extern "C" int cuDriverGetVersion(int* version);  // libcuda.so.1 (CUresult 0 is CUDA_SUCCESS)

// Weak, so a libcuda.so.1 without this sim_query.h function still loads NVML and lets every other
// query work; nvmlDeviceGetMemoryInfo then says NVML_ERROR_FUNCTION_NOT_FOUND.
#pragma weak jgsim_memory_info

namespace {

std::mutex mu;
int init_count = 0;
nvmlDevice_st device0{0};

const char* const NAME = "jgrad CUDA simulator (sm_90)";
const char* const UUID = "GPU-00000000-jgsim-0000-000000000000";

bool initialised() {
    std::lock_guard<std::mutex> g(mu);
    return init_count > 0;
}

// The common precondition of device queries.
nvmlReturn_t check(nvmlDevice_t d, const void* out) {
    if (!initialised()) return NVML_ERROR_UNINITIALIZED;
    if (d != &device0 || out == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    return NVML_SUCCESS;
}

nvmlReturn_t copy(const char* s, char* buf, unsigned int length) {
    if (buf == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    if (std::strlen(s) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
    std::memcpy(buf, s, std::strlen(s) + 1);
    return NVML_SUCCESS;
}

int cuda_version() {
    int v = 0;
    return cuDriverGetVersion(&v) == 0 ? v : 0;
}

}  // namespace

NVML_EXPORT nvmlReturn_t nvmlInitWithFlags(unsigned int flags) {
    std::lock_guard<std::mutex> g(mu);
    init_count++;
    return NVML_SUCCESS;
}

NVML_EXPORT nvmlReturn_t nvmlInit_v2(void) { return nvmlInitWithFlags(0); }

NVML_EXPORT nvmlReturn_t nvmlInit(void) { return nvmlInitWithFlags(0); }

NVML_EXPORT nvmlReturn_t nvmlShutdown(void) {
    std::lock_guard<std::mutex> g(mu);
    if (init_count == 0) return NVML_ERROR_UNINITIALIZED;
    init_count--;
    return NVML_SUCCESS;
}

// The texts of nvml.h's return-code documentation, as nvmlErrorString gives them.
NVML_EXPORT const char* nvmlErrorString(nvmlReturn_t result) {
    switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NO_PERMISSION: return "Insufficient Permissions";
    case NVML_ERROR_ALREADY_INITIALIZED: return "Already Initialized";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_INSUFFICIENT_POWER: return "Insufficient External Power";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    case NVML_ERROR_TIMEOUT: return "Timeout";
    case NVML_ERROR_IRQ_ISSUE: return "Interrupt Request Issue";
    case NVML_ERROR_LIBRARY_NOT_FOUND: return "NVML Shared Library Not Found";
    case NVML_ERROR_FUNCTION_NOT_FOUND: return "Function Not Found";
    case NVML_ERROR_CORRUPTED_INFOROM: return "Corrupted infoROM";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    case NVML_ERROR_RESET_REQUIRED: return "GPU requires reset";
    case NVML_ERROR_OPERATING_SYSTEM: return "GPU access blocked by the operating system";
    case NVML_ERROR_LIB_RM_VERSION_MISMATCH: return "Driver/library version mismatch";
    case NVML_ERROR_IN_USE: return "In use by another client";
    case NVML_ERROR_MEMORY: return "Insufficient Memory";
    case NVML_ERROR_NO_DATA: return "No data";
    case NVML_ERROR_VGPU_ECC_NOT_SUPPORTED: return "vGPU ECC not supported";
    case NVML_ERROR_INSUFFICIENT_RESOURCES: return "Insufficient resources";
    case NVML_ERROR_FREQ_NOT_SUPPORTED: return "Frequency not supported";
    case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "Argument version mismatch";
    case NVML_ERROR_DEPRECATED: return "Deprecated";
    case NVML_ERROR_NOT_READY: return "Not ready";
    case NVML_ERROR_GPU_NOT_FOUND: return "GPU not found";
    case NVML_ERROR_INVALID_STATE: return "Invalid state";
    case NVML_ERROR_UNKNOWN: return "Unknown Error";
    }
    return "Unknown Error";
}

// ---- system ----

NVML_EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char* version, unsigned int length) {
    if (!initialised()) return NVML_ERROR_UNINITIALIZED;
    int v = cuda_version();
    char text[80];
    std::snprintf(text, sizeof text, "jgrad-sim %d.%d (simulated)", v / 1000, (v % 1000) / 10);
    return copy(text, version, length);
}

NVML_EXPORT nvmlReturn_t nvmlSystemGetNVMLVersion(char* version, unsigned int length) {
    if (!initialised()) return NVML_ERROR_UNINITIALIZED;
    return copy("12.jgrad-sim (simulated)", version, length);
}

NVML_EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int* cudaDriverVersion) {
    if (!initialised()) return NVML_ERROR_UNINITIALIZED;
    if (cudaDriverVersion == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *cudaDriverVersion = cuda_version();
    return NVML_SUCCESS;
}

NVML_EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion(int* cudaDriverVersion) {
    return nvmlSystemGetCudaDriverVersion_v2(cudaDriverVersion);
}

// No process ever appears in the (empty) process lists, so no pid has a name here.
NVML_EXPORT nvmlReturn_t nvmlSystemGetProcessName(unsigned int pid, char* name, unsigned int length) {
    if (!initialised()) return NVML_ERROR_UNINITIALIZED;
    if (name == nullptr || length == 0) return NVML_ERROR_INVALID_ARGUMENT;
    return NVML_ERROR_NOT_FOUND;
}

// ---- devices ----

NVML_EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* deviceCount) {
    if (!initialised()) return NVML_ERROR_UNINITIALIZED;
    if (deviceCount == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *deviceCount = 1;
    return NVML_SUCCESS;
}

NVML_EXPORT nvmlReturn_t nvmlDeviceGetCount(unsigned int* deviceCount) { return nvmlDeviceGetCount_v2(deviceCount); }

NVML_EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t* device) {
    if (!initialised()) return NVML_ERROR_UNINITIALIZED;
    if (device == nullptr || index != 0) return NVML_ERROR_INVALID_ARGUMENT;
    *device = &device0;
    return NVML_SUCCESS;
}

NVML_EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int index, nvmlDevice_t* device) {
    return nvmlDeviceGetHandleByIndex_v2(index, device);
}

NVML_EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char* name, unsigned int length) {
    nvmlReturn_t r = check(d, name);
    return r != NVML_SUCCESS ? r : copy(NAME, name, length);
}

NVML_EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char* uuid, unsigned int length) {
    nvmlReturn_t r = check(d, uuid);
    return r != NVML_SUCCESS ? r : copy(UUID, uuid, length);
}

NVML_EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t* pci) {
    nvmlReturn_t r = check(d, pci);
    if (r != NVML_SUCCESS) return r;
    std::memset(pci, 0, sizeof *pci);
    std::snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "%04X:%02X:%02X.0", 0, 0, 0);
    std::snprintf(pci->busId, sizeof pci->busId, "%08X:%02X:%02X.0", 0, 0, 0);
    return NVML_SUCCESS;
}

NVML_EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t* memory) {
    nvmlReturn_t r = check(d, memory);
    if (r != NVML_SUCCESS) return r;
    if (&jgsim_memory_info == nullptr) return NVML_ERROR_FUNCTION_NOT_FOUND;
    uint64_t used = 0, total = 0;
    jgsim_memory_info(&used, &total);
    memory->total = total;
    memory->used = used;
    memory->free = total - used;
    return NVML_SUCCESS;
}

NVML_EXPORT nvmlReturn_t nvmlDeviceGetComputeMode(nvmlDevice_t d, unsigned int* mode) {
    nvmlReturn_t r = check(d, mode);
    if (r != NVML_SUCCESS) return r;
    *mode = NVML_COMPUTEMODE_DEFAULT;
    return NVML_SUCCESS;
}

NVML_EXPORT nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t d, int* major, int* minor) {
    nvmlReturn_t r = check(d, major);
    if (r != NVML_SUCCESS) return r;
    if (minor == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *major = 9;
    *minor = 0;
    return NVML_SUCCESS;
}

// Two-call pattern: with *infoCount 0 (or any count) and nothing running, the answer is 0 entries.
static nvmlReturn_t no_processes(nvmlDevice_t d, unsigned int* infoCount) {
    nvmlReturn_t r = check(d, infoCount);
    if (r != NVML_SUCCESS) return r;
    *infoCount = 0;
    return NVML_SUCCESS;
}

NVML_EXPORT nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int* infoCount,
                                                                 nvmlProcessInfo_t* infos) {
    return no_processes(d, infoCount);
}

NVML_EXPORT nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses_v3(nvmlDevice_t d, unsigned int* infoCount,
                                                                  nvmlProcessInfo_t* infos) {
    return no_processes(d, infoCount);
}

// ---- sensors and hardware properties a simulator does not have ----

#define NOT_SUPPORTED_1(fn, T)                                    \
    NVML_EXPORT nvmlReturn_t fn(nvmlDevice_t d, T* out) {         \
        nvmlReturn_t r = check(d, out);                           \
        return r != NVML_SUCCESS ? r : NVML_ERROR_NOT_SUPPORTED;  \
    }
#define NOT_SUPPORTED_2(fn, A, T)                                 \
    NVML_EXPORT nvmlReturn_t fn(nvmlDevice_t d, A, T* out) {      \
        nvmlReturn_t r = check(d, out);                           \
        return r != NVML_SUCCESS ? r : NVML_ERROR_NOT_SUPPORTED;  \
    }

NOT_SUPPORTED_1(nvmlDeviceGetPersistenceMode, unsigned int)
NOT_SUPPORTED_2(nvmlDeviceGetTemperature, unsigned int sensorType, unsigned int)
NOT_SUPPORTED_1(nvmlDeviceGetPerformanceState, unsigned int)
NOT_SUPPORTED_1(nvmlDeviceGetPowerUsage, unsigned int)
NOT_SUPPORTED_1(nvmlDeviceGetEnforcedPowerLimit, unsigned int)
NOT_SUPPORTED_1(nvmlDeviceGetPowerManagementLimit, unsigned int)
NOT_SUPPORTED_1(nvmlDeviceGetUtilizationRates, void)
NOT_SUPPORTED_1(nvmlDeviceGetFanSpeed, unsigned int)
NOT_SUPPORTED_2(nvmlDeviceGetMaxClockInfo, unsigned int type, unsigned int)
NOT_SUPPORTED_2(nvmlDeviceGetClockInfo, unsigned int type, unsigned int)
NOT_SUPPORTED_1(nvmlDeviceGetMemoryBusWidth, unsigned int)
NOT_SUPPORTED_1(nvmlDeviceGetMaxPcieLinkGeneration, unsigned int)
NOT_SUPPORTED_1(nvmlDeviceGetMaxPcieLinkWidth, unsigned int)
