// Tests of the simulated driver (libcuda.so.1), run by run-driver-test.sh:
//   driver_test main KERNELS.PTX   (JGRAD_SIM_COUNTERS set, JGRAD_SIM_MEMORY unset)
//   driver_test oom                (JGRAD_SIM_MEMORY=1M)
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cuda_subset.h"
#include "sim_api.h"

extern "C" {
CUresult cuInit(unsigned);
CUresult cuDriverGetVersion(int*);
CUresult cuDeviceGetCount(int*);
CUresult cuDeviceGet(CUdevice*, int);
CUresult cuDeviceGetName(char*, int, CUdevice);
CUresult cuDeviceTotalMem_v2(size_t*, CUdevice);
CUresult cuDeviceGetAttribute(int*, CUdevice_attribute, CUdevice);
CUresult cuDevicePrimaryCtxRetain(CUcontext*, CUdevice);
CUresult cuDevicePrimaryCtxRelease_v2(CUdevice);
CUresult cuCtxSetCurrent(CUcontext);
CUresult cuCtxGetCurrent(CUcontext*);
CUresult cuCtxSynchronize(void);
CUresult cuMemAlloc_v2(CUdeviceptr*, size_t);
CUresult cuMemFree_v2(CUdeviceptr);
CUresult cuMemGetInfo_v2(size_t*, size_t*);
CUresult cuMemAllocHost_v2(void**, size_t);
CUresult cuMemFreeHost(void*);
CUresult cuMemcpyHtoD_v2(CUdeviceptr, const void*, size_t);
CUresult cuMemcpyDtoH_v2(void*, CUdeviceptr, size_t);
CUresult cuMemcpyDtoD_v2(CUdeviceptr, CUdeviceptr, size_t);
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr, const void*, size_t, CUstream);
CUresult cuMemcpyDtoHAsync_v2(void*, CUdeviceptr, size_t, CUstream);
CUresult cuMemsetD32_v2(CUdeviceptr, unsigned, size_t);
CUresult cuStreamCreate(CUstream*, unsigned);
CUresult cuStreamDestroy_v2(CUstream);
CUresult cuStreamSynchronize(CUstream);
CUresult cuEventCreate(CUevent*, unsigned);
CUresult cuEventRecord(CUevent, CUstream);
CUresult cuEventSynchronize(CUevent);
CUresult cuEventElapsedTime(float*, CUevent, CUevent);
CUresult cuEventDestroy_v2(CUevent);
CUresult cuModuleLoadData(CUmodule*, const void*);
CUresult cuModuleGetFunction(CUfunction*, CUmodule, const char*);
CUresult cuModuleUnload(CUmodule);
CUresult cuFuncSetAttribute(CUfunction, CUfunction_attribute, int);
CUresult cuLaunchKernel(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, CUstream, void**,
                        void**);
CUresult cuGetErrorName(CUresult, const char**);
CUresult cuGetErrorString(CUresult, const char**);
CUresult jcuda_like_launch(CUfunction f, int n);
}

static int g_failures = 0;
static int g_checks = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        g_checks++;                                                                  \
        if (!(cond)) {                                                               \
            g_failures++;                                                            \
            fprintf(stdout, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
        }                                                                            \
    } while (0)

// rc == want, and the last error message contains `text` (when given).
#define EXPECT_ERR(call, want, text)                                                                     \
    do {                                                                                                 \
        CUresult rc_ = (call);                                                                           \
        g_checks++;                                                                                      \
        const char* e_ = jgsim_last_error();                                                             \
        if (rc_ != (want) || (*(text) != '\0' && strstr(e_, (text)) == nullptr)) {                      \
            g_failures++;                                                                                \
            fprintf(stdout, "FAIL %s:%d: %s returned %d (want %d), last error \"%s\" (want \"%s\")\n", \
                    __FILE__, __LINE__, #call, rc_, (want), e_, (text));                                 \
        }                                                                                                \
    } while (0)

#define OK(call) EXPECT_ERR(call, CUDA_SUCCESS, "")

static std::string read_file(const char* path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Runs f with stderr captured; returns what it printed.
template <typename F>
static std::string capture_stderr(F f) {
    fflush(stderr);
    char path[] = "/tmp/driver_test_stderr_XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(2);
    dup2(fd, 2);
    f();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    std::string s = read_file(path);
    unlink(path);
    fputs(s.c_str(), stderr);  // still show it
    return s;
}

static int attr(CUdevice_attribute a) {
    int v = -1;
    OK(cuDeviceGetAttribute(&v, a, 0));
    return v;
}

static void launch_checks(CUfunction fill, CUmodule mod, CUdeviceptr buf) {
    uint64_t p = buf;
    uint32_t n = 10;
    float v = 1.5f;
    void* params[] = {&p, &n, &v};
    EXPECT_ERR(cuLaunchKernel(fill, 1, 1, 1, 1025, 1, 1, 0, nullptr, params, nullptr), CUDA_ERROR_INVALID_VALUE, "exceeds the device's");
    EXPECT_ERR(cuLaunchKernel(fill, 1, 1, 1, 1, 1, 65, 0, nullptr, params, nullptr), CUDA_ERROR_INVALID_VALUE, "exceeds the device's");
    EXPECT_ERR(cuLaunchKernel(fill, 1, 1, 1, 32, 32, 2, 0, nullptr, params, nullptr), CUDA_ERROR_INVALID_VALUE, "2048 threads per block");
    EXPECT_ERR(cuLaunchKernel(fill, 1, 65536, 1, 32, 1, 1, 0, nullptr, params, nullptr), CUDA_ERROR_INVALID_VALUE, "grid (1,65536,1)");
    EXPECT_ERR(cuLaunchKernel(fill, 0, 1, 1, 32, 1, 1, 0, nullptr, params, nullptr), CUDA_ERROR_INVALID_VALUE, "empty launch");
    EXPECT_ERR(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 48 * 1024 + 1, nullptr, params, nullptr), CUDA_ERROR_INVALID_VALUE,
               "dynamic shared memory");
    EXPECT_ERR(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, nullptr, nullptr, nullptr), CUDA_ERROR_INVALID_VALUE, "kernelParams is null");
    EXPECT_ERR(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, nullptr, params, params), CUDA_ERROR_NOT_SUPPORTED, "`extra`");
    EXPECT_ERR(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, reinterpret_cast<CUstream>(&p), params, nullptr), CUDA_ERROR_INVALID_HANDLE,
               "is not a stream");
    // Opting in to more dynamic shared memory, up to 227 KiB.
    OK(cuFuncSetAttribute(fill, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, 100 * 1024));
    OK(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 64 * 1024, nullptr, params, nullptr));
    EXPECT_ERR(cuFuncSetAttribute(fill, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, 228 * 1024), CUDA_ERROR_INVALID_VALUE,
               "opt-in limit");

    CUfunction small, big, six;
    OK(cuModuleGetFunction(&small, mod, "small"));
    OK(cuModuleGetFunction(&big, mod, "big_shared"));
    OK(cuModuleGetFunction(&six, mod, "six"));
    OK(cuLaunchKernel(small, 1, 1, 1, 128, 1, 1, 0, nullptr, nullptr, nullptr));
    EXPECT_ERR(cuLaunchKernel(small, 1, 1, 1, 256, 1, 1, 0, nullptr, nullptr, nullptr), CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, ".maxntid");
    OK(cuLaunchKernel(big, 1, 1, 1, 32, 1, 1, 8 * 1024, nullptr, nullptr, nullptr));
    EXPECT_ERR(cuLaunchKernel(big, 1, 1, 1, 32, 1, 1, 8 * 1024 + 1, nullptr, nullptr, nullptr), CUDA_ERROR_INVALID_VALUE, "40960 static");

    // JCuda's kernelParams (new void*[n]): too few pointers for the .params is reported.
    OK(jcuda_like_launch(six, 6));
    EXPECT_ERR(jcuda_like_launch(six, 3), CUDA_ERROR_INVALID_VALUE, "holds at most 3 pointers");
}

static int main_tests(const char* ptx_path) {
    int count = -1;
    CUdeviceptr d = 0;
    CHECK(cuDeviceGetCount(&count) == CUDA_ERROR_NOT_INITIALIZED);
    CHECK(cuMemAlloc_v2(&d, 16) == CUDA_ERROR_NOT_INITIALIZED);
    CHECK(jgsim_is_simulator() == 1);

    OK(cuInit(0));
    int version = 0;
    OK(cuDriverGetVersion(&version));
    CHECK(version == 12060);
    OK(cuDeviceGetCount(&count));
    CHECK(count == 1);
    CUdevice dev = -1;
    OK(cuDeviceGet(&dev, 0));
    CHECK(dev == 0);
    EXPECT_ERR(cuDeviceGet(&dev, 1), CUDA_ERROR_INVALID_DEVICE, "no device 1");
    char name[256];
    OK(cuDeviceGetName(name, sizeof name, 0));
    CHECK(strcmp(name, "jgrad CUDA simulator (sm_90)") == 0);
    size_t total = 0;
    OK(cuDeviceTotalMem_v2(&total, 0));
    CHECK(total == (16ull << 30));
    CHECK(attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR) == 9);
    CHECK(attr(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR) == 0);
    CHECK(attr(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT) == 132);
    CHECK(attr(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK) == 1024);
    CHECK(attr(CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z) == 64);
    CHECK(attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X) == 2147483647);
    CHECK(attr(CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y) == 65535);
    CHECK(attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK) == 48 * 1024);
    CHECK(attr(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN) == 227 * 1024);
    CHECK(attr(CU_DEVICE_ATTRIBUTE_WARP_SIZE) == 32);
    CHECK(attr(CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING) == 1);
    int v = 0;
    EXPECT_ERR(cuDeviceGetAttribute(&v, CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE1D_WIDTH, 0), CUDA_ERROR_INVALID_VALUE, "attribute 21 is not simulated");
    EXPECT_ERR(cuDeviceGetAttribute(&v, static_cast<CUdevice_attribute>(100000), 0), CUDA_ERROR_INVALID_VALUE, "not simulated");

    // No current context yet.
    EXPECT_ERR(cuMemAlloc_v2(&d, 16), CUDA_ERROR_INVALID_CONTEXT, "no current context");
    CUcontext ctx = nullptr, cur = nullptr;
    OK(cuDevicePrimaryCtxRetain(&ctx, 0));
    OK(cuCtxSetCurrent(ctx));
    OK(cuCtxGetCurrent(&cur));
    CHECK(cur == ctx);

    // Allocation: synthetic, 256-byte aligned, bump-allocated.
    CUdeviceptr a = 0, b = 0;
    OK(cuMemAlloc_v2(&a, 1000));
    OK(cuMemAlloc_v2(&b, 4096));
    CHECK(a == JGSIM_DEVICE_BASE);
    CHECK(b == a + 1024);
    EXPECT_ERR(cuMemAlloc_v2(&d, 0), CUDA_ERROR_INVALID_VALUE, "size 0");
    size_t free_b = 0, total_b = 0;
    OK(cuMemGetInfo_v2(&free_b, &total_b));
    CHECK(total_b == (16ull << 30) && free_b == total_b - 1024 - 4096);

    // Round trip: HtoD, DtoD, DtoH, memset, async copies on a stream.
    std::vector<float> src(250), dst(250, 0.0f);
    for (int i = 0; i < 250; i++) src[i] = static_cast<float>(i) * 0.5f;
    OK(cuMemcpyHtoD_v2(a, src.data(), 1000));
    OK(cuMemcpyDtoD_v2(b + 96, a, 1000));
    OK(cuMemcpyDtoH_v2(dst.data(), b + 96, 1000));
    CHECK(memcmp(src.data(), dst.data(), 1000) == 0);
    OK(cuMemsetD32_v2(b, 0x3f800000u, 4));
    float ones[4] = {0, 0, 0, 0};
    OK(cuMemcpyDtoH_v2(ones, b, 16));
    CHECK(ones[0] == 1.0f && ones[3] == 1.0f);
    CUstream s = nullptr;
    OK(cuStreamCreate(&s, 0));
    OK(cuMemcpyHtoDAsync_v2(a, src.data() + 10, 40, s));
    float back[10];
    OK(cuMemcpyDtoHAsync_v2(back, a, 40, s));
    OK(cuStreamSynchronize(s));
    CHECK(back[0] == src[10] && back[9] == src[19]);

    // Copies outside allocations.
    EXPECT_ERR(cuMemcpyHtoD_v2(a, src.data(), 1004), CUDA_ERROR_INVALID_VALUE, "runs 4 bytes past the end of a 1000-byte allocation");
    EXPECT_ERR(cuMemcpyDtoH_v2(dst.data(), a + 1000, 4), CUDA_ERROR_INVALID_VALUE, "0 bytes past the end of a 1000-byte allocation");
    EXPECT_ERR(cuMemcpyDtoH_v2(dst.data(), 0x1234, 4), CUDA_ERROR_INVALID_VALUE, "0x1234 is not device memory");
    EXPECT_ERR(cuMemcpyDtoD_v2(b, a + 900, 200), CUDA_ERROR_INVALID_VALUE, "source");

    // Page-locked host memory.
    void* pinned = nullptr;
    OK(cuMemAllocHost_v2(&pinned, 1000));
    CHECK(reinterpret_cast<uintptr_t>(pinned) % 4096 == 0);
    OK(cuMemcpyDtoH_v2(pinned, a, 1000));
    EXPECT_ERR(cuMemcpyDtoH_v2(static_cast<char*>(pinned) + 800, a, 400), CUDA_ERROR_INVALID_VALUE, "page-locked block");
    OK(cuMemFreeHost(pinned));
    EXPECT_ERR(cuMemFreeHost(src.data()), CUDA_ERROR_INVALID_VALUE, "not a live block from cuMemAllocHost");

    // Free misuse; addresses are never reused.
    EXPECT_ERR(cuMemFree_v2(b + 16), CUDA_ERROR_INVALID_VALUE, "16 bytes into the 4096-byte allocation");
    EXPECT_ERR(cuMemFree_v2(0x1234), CUDA_ERROR_INVALID_VALUE, "is not device memory");
    OK(cuMemFree_v2(a));
    EXPECT_ERR(cuMemFree_v2(a), CUDA_ERROR_INVALID_VALUE, "double free of the 1000-byte allocation");
    EXPECT_ERR(cuMemcpyDtoH_v2(dst.data(), a + 8, 4), CUDA_ERROR_INVALID_VALUE, "freed memory");
    CUdeviceptr c = 0;
    OK(cuMemAlloc_v2(&c, 1000));
    CHECK(c == b + 4096);

    // Events.
    CUevent e0, e1, nt;
    OK(cuEventCreate(&e0, 0));
    OK(cuEventCreate(&e1, 0));
    OK(cuEventCreate(&nt, CU_EVENT_DISABLE_TIMING));
    OK(cuEventRecord(e0, s));
    OK(cuEventRecord(e1, s));
    OK(cuEventSynchronize(e1));
    float ms = -1;
    OK(cuEventElapsedTime(&ms, e0, e1));
    CHECK(ms >= 0);
    OK(cuEventRecord(nt, s));
    EXPECT_ERR(cuEventElapsedTime(&ms, e0, nt), CUDA_ERROR_INVALID_HANDLE, "CU_EVENT_DISABLE_TIMING");
    OK(cuEventDestroy_v2(nt));
    EXPECT_ERR(cuEventRecord(nt, s), CUDA_ERROR_INVALID_HANDLE, "was destroyed");

    // Modules.
    CUmodule bad = nullptr, mod = nullptr;
    EXPECT_ERR(cuModuleLoadData(&bad, ".version 8.0\n.target sm_90\n.address_size 64\n.visible .entry k()\n{\n    bogus.u32 %r1;\n}\n"),
               CUDA_ERROR_INVALID_PTX, "bogus");
    std::string ptx = read_file(ptx_path);
    OK(cuModuleLoadData(&mod, ptx.c_str()));
    CUfunction fill = nullptr, missing = nullptr;
    OK(cuModuleGetFunction(&fill, mod, "fill"));
    EXPECT_ERR(cuModuleGetFunction(&missing, mod, "nope"), CUDA_ERROR_NOT_FOUND, "no .entry nope");

    // A launch that stays in bounds.
    uint64_t p = c;
    uint32_t n = 250;
    float val = 2.5f;
    void* params[] = {&p, &n, &val};
    OK(cuLaunchKernel(fill, 2, 1, 1, 128, 1, 1, 0, s, params, nullptr));
    OK(cuMemcpyDtoH_v2(dst.data(), c, 1000));
    CHECK(dst[0] == 2.5f && dst[249] == 2.5f);

    launch_checks(fill, mod, c);

    // Counters: from a reset, a known sequence.
    jgsim_counters_reset();
    OK(cuMemcpyHtoD_v2(c, src.data(), 400));
    OK(cuMemcpyDtoH_v2(dst.data(), c, 400));
    OK(cuMemcpyDtoD_v2(b, c, 100));
    OK(cuCtxSynchronize());
    OK(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, s, params, nullptr));
    jgsim_count("cublasSgemm", 2);
    std::string json = jgsim_counters_json();
    printf("counters: %s", json.c_str());
    CHECK(json.find("\"launches\": {\"fill\": 1}") != std::string::npos);
    CHECK(json.find("\"bytes_htod\": 400, \"bytes_dtoh\": 400, \"bytes_dtod\": 100, \"host_syncs\": 2") != std::string::npos);
    CHECK(json.find("\"library_calls\": {\"cublasSgemm\": 2}, \"allocations\": 0") != std::string::npos);
    CHECK(json.find("\"instructions\": 0,") == std::string::npos);

    // Unloading invalidates the module's functions; destroyed streams are invalid handles.
    OK(cuModuleUnload(mod));
    EXPECT_ERR(cuLaunchKernel(fill, 1, 1, 1, 32, 1, 1, 0, nullptr, params, nullptr), CUDA_ERROR_INVALID_HANDLE, "was unloaded");
    OK(cuStreamDestroy_v2(s));
    EXPECT_ERR(cuStreamSynchronize(s), CUDA_ERROR_INVALID_HANDLE, "was destroyed");

    // A fault inside a kernel is sticky.
    OK(cuModuleLoadData(&mod, ptx.c_str()));
    OK(cuModuleGetFunction(&fill, mod, "fill"));
    n = 251;  // one element past the 1000-byte allocation
    EXPECT_ERR(cuLaunchKernel(fill, 1, 1, 1, 256, 1, 1, 0, nullptr, params, nullptr), CUDA_ERROR_ILLEGAL_ADDRESS, "past the end");
    CHECK(strstr(jgsim_last_error(), "fill") != nullptr);
    CHECK(cuMemAlloc_v2(&d, 16) == CUDA_ERROR_ILLEGAL_ADDRESS);
    CHECK(cuCtxSynchronize() == CUDA_ERROR_ILLEGAL_ADDRESS);
    CHECK(cuMemcpyDtoH_v2(dst.data(), c, 4) == CUDA_ERROR_ILLEGAL_ADDRESS);

    // Releasing the primary context reports what is still allocated and frees it; retaining it
    // again gives a fresh context without the sticky error.
    std::string err = capture_stderr([] { OK(cuDevicePrimaryCtxRelease_v2(0)); });
    CHECK(err.find("leak: 2 device allocations (5096 bytes) still allocated when the primary context was released") != std::string::npos);
    const char* counters_path = getenv("JGRAD_SIM_COUNTERS");
    CHECK(counters_path != nullptr && read_file(counters_path).find("\"launches\": {\"fill\": 2}") != std::string::npos);
    EXPECT_ERR(cuMemAlloc_v2(&d, 16), CUDA_ERROR_INVALID_CONTEXT, "released");
    EXPECT_ERR(cuMemcpyDtoH_v2(dst.data(), c, 4), CUDA_ERROR_INVALID_CONTEXT, "");
    OK(cuDevicePrimaryCtxRetain(&ctx, 0));
    OK(cuMemAlloc_v2(&d, 16));
    EXPECT_ERR(cuMemFree_v2(c), CUDA_ERROR_INVALID_VALUE, "freed when its context was released");

    // jgsim_device_range (the cuBLAS / cuDNN way in): a live range resolves, a bad one is a sticky fault.
    float x = 7.0f;
    OK(cuMemcpyHtoD_v2(d, &x, 4));
    auto* h = static_cast<float*>(jgsim_device_range(d, 16, "cublasSgemm"));
    CHECK(h != nullptr && *h == 7.0f);
    CHECK(jgsim_device_range(d, 17, "cublasSgemm") == nullptr);
    CHECK(strstr(jgsim_last_error(), "cublasSgemm") != nullptr && strstr(jgsim_last_error(), "runs 1 bytes past the end") != nullptr);
    CHECK(cuCtxSynchronize() == CUDA_ERROR_ILLEGAL_ADDRESS);

    const char* s1 = nullptr;
    OK(cuGetErrorName(CUDA_ERROR_ILLEGAL_ADDRESS, &s1));
    CHECK(s1 != nullptr && strcmp(s1, "CUDA_ERROR_ILLEGAL_ADDRESS") == 0);
    OK(cuGetErrorString(CUDA_ERROR_OUT_OF_MEMORY, &s1));
    CHECK(s1 != nullptr && strcmp(s1, "out of memory") == 0);
    OK(cuGetErrorName(CUDA_ERROR_INVALID_PTX, &s1));
    CHECK(strcmp(s1, "CUDA_ERROR_INVALID_PTX") == 0);
    return 0;
}

static int oom_tests() {
    OK(cuInit(0));
    CUcontext ctx;
    OK(cuDevicePrimaryCtxRetain(&ctx, 0));
    OK(cuCtxSetCurrent(ctx));
    size_t total = 0, free_b = 0;
    OK(cuDeviceTotalMem_v2(&total, 0));
    CHECK(total == 1048576);
    CUdeviceptr a = 0, b = 0;
    OK(cuMemAlloc_v2(&a, 512 * 1024));
    EXPECT_ERR(cuMemAlloc_v2(&b, 600 * 1024), CUDA_ERROR_OUT_OF_MEMORY, "out of memory: 614400 bytes requested, 524288 of 1048576");
    OK(cuMemGetInfo_v2(&free_b, &total));
    CHECK(free_b == 512 * 1024);
    OK(cuMemFree_v2(a));
    OK(cuMemAlloc_v2(&b, 600 * 1024));  // the failed allocation left nothing behind; not sticky
    OK(cuMemFree_v2(b));
    OK(cuDevicePrimaryCtxRelease_v2(0));
    return 0;
}

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "main" && argc > 2) {
        main_tests(argv[2]);
    } else if (mode == "oom") {
        oom_tests();
    } else {
        fprintf(stderr, "usage: driver_test main KERNELS.PTX | driver_test oom\n");
        return 2;
    }
    printf("driver_test %s: %d checks, %d failed\n", mode.c_str(), g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}
