// NVML: the simulated device as jgrad's `devices` command reads it (cli/.../NvmlReader.java).
#include "nvml/nvml_types.h"
#include "vendor_test.h"

#include <cstring>
#include <string>

extern "C" {
nvmlReturn_t nvmlInit_v2(void);
nvmlReturn_t nvmlShutdown(void);
const char* nvmlErrorString(nvmlReturn_t r);
nvmlReturn_t nvmlSystemGetDriverVersion(char* version, unsigned int length);
nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int* v);
nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* count);
nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t* device);
nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t d, char* name, unsigned int length);
nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t d, char* uuid, unsigned int length);
nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t d, nvmlPciInfo_t* pci);
nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t d, nvmlMemory_t* memory);
nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t d, int* major, int* minor);
nvmlReturn_t nvmlDeviceGetComputeMode(nvmlDevice_t d, unsigned int* mode);
nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t d, unsigned int sensor, unsigned int* temp);
nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t d, unsigned int* mw);
nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t d, void* util);
nvmlReturn_t nvmlDeviceGetMaxClockInfo(nvmlDevice_t d, unsigned int type, unsigned int* clock);
nvmlReturn_t nvmlDeviceGetPersistenceMode(nvmlDevice_t d, unsigned int* mode);
nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int* count, nvmlProcessInfo_t* infos);
nvmlReturn_t nvmlDeviceGetGraphicsRunningProcesses_v3(nvmlDevice_t d, unsigned int* count, nvmlProcessInfo_t* infos);
}

void test_nvml() {
    unsigned count = 0;
    CHECK(nvmlDeviceGetCount_v2(&count) == NVML_ERROR_UNINITIALIZED, "calls before nvmlInit are Uninitialized");
    CHECK(nvmlInit_v2() == NVML_SUCCESS, "nvmlInit_v2");
    CHECK(std::strcmp(nvmlErrorString(NVML_ERROR_NOT_SUPPORTED), "Not Supported") == 0, "error string");
    char buf[96];
    CHECK(nvmlSystemGetDriverVersion(buf, 80) == 0 && std::string(buf).find("(simulated)") != std::string::npos,
          "driver version '%s' says simulated", buf);
    CHECK(nvmlSystemGetDriverVersion(buf, 4) == NVML_ERROR_INSUFFICIENT_SIZE, "short buffer");
    int cuda = 0;
    CHECK(nvmlSystemGetCudaDriverVersion_v2(&cuda) == 0 && cuda >= 12000, "CUDA driver version %d", cuda);
    CHECK(nvmlDeviceGetCount_v2(&count) == 0 && count == 1, "one device, got %u", count);
    nvmlDevice_t d = nullptr;
    CHECK(nvmlDeviceGetHandleByIndex_v2(0, &d) == 0 && d != nullptr, "handle 0");
    nvmlDevice_t none;
    CHECK(nvmlDeviceGetHandleByIndex_v2(1, &none) == NVML_ERROR_INVALID_ARGUMENT, "no device 1");
    CHECK(nvmlDeviceGetName(d, buf, 96) == 0 && std::string(buf) == "jgrad CUDA simulator (sm_90)", "name '%s'", buf);
    CHECK(nvmlDeviceGetUUID(d, buf, 96) == 0 && std::string(buf).rfind("GPU-00000000-jgsim", 0) == 0, "uuid '%s'", buf);
    nvmlPciInfo_t pci;
    CHECK(sizeof pci == 68 && nvmlDeviceGetPciInfo_v3(d, &pci) == 0 && std::string(pci.busId) == "00000000:00:00.0",
          "pci bus id '%s'", pci.busId);
    int major = 0, minor = -1;
    CHECK(nvmlDeviceGetCudaComputeCapability(d, &major, &minor) == 0 && major == 9 && minor == 0, "cc %d.%d", major,
          minor);
    unsigned mode = 99;
    CHECK(nvmlDeviceGetComputeMode(d, &mode) == 0 && mode == 0, "compute mode Default");
    nvmlMemory_t m0, m1;
    CHECK(nvmlDeviceGetMemoryInfo(d, &m0) == 0 && m0.total > 0 && m0.used + m0.free == m0.total, "memory %llu/%llu",
          m0.used, m0.total);
    uint64_t p = dev_alloc(3 << 20);
    nvmlDeviceGetMemoryInfo(d, &m1);
    CHECK(m1.used >= m0.used + (3u << 20) && m1.total == m0.total, "a 3 MiB allocation shows in used (%llu -> %llu)",
          m0.used, m1.used);
    dev_free(p);
    unsigned v = 0;
    char util[8];
    CHECK(nvmlDeviceGetTemperature(d, 0, &v) == NVML_ERROR_NOT_SUPPORTED, "no temperature sensor");
    CHECK(nvmlDeviceGetPowerUsage(d, &v) == NVML_ERROR_NOT_SUPPORTED, "no power sensor");
    CHECK(nvmlDeviceGetUtilizationRates(d, util) == NVML_ERROR_NOT_SUPPORTED, "no utilisation");
    CHECK(nvmlDeviceGetMaxClockInfo(d, 1, &v) == NVML_ERROR_NOT_SUPPORTED, "no clocks");
    CHECK(nvmlDeviceGetPersistenceMode(d, &v) == NVML_ERROR_NOT_SUPPORTED, "no persistence mode");
    unsigned n = 0;
    CHECK(nvmlDeviceGetComputeRunningProcesses_v3(d, &n, nullptr) == 0 && n == 0, "no compute processes");
    n = 5;
    nvmlProcessInfo_t infos[5];
    CHECK(nvmlDeviceGetGraphicsRunningProcesses_v3(d, &n, infos) == 0 && n == 0, "no graphics processes");
    CHECK(nvmlShutdown() == 0 && nvmlShutdown() == NVML_ERROR_UNINITIALIZED, "shutdown is reference counted");
}
