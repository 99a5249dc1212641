// Test of the simulated libcublas.so.12, libcudnn.so.9 and libnvidia-ml.so.1 against reference
// computations written independently in the test (naive loops, adjoint identities, finite
// differences). Built and run by run-vendor-test.sh, linked against kernels/sim/build/lib.
#include "vendor_test.h"

#include <cmath>
#include <cstdlib>
#include <random>
#include <sys/wait.h>
#include <unistd.h>

extern "C" {
int cuInit(unsigned flags);
int cuDeviceGet(int* device, int ordinal);
int cuDevicePrimaryCtxRetain(void** ctx, int device);
int cuCtxSetCurrent(void* ctx);
int cuMemAlloc_v2(uint64_t* p, size_t bytes);
int cuMemFree_v2(uint64_t p);
int cuMemcpyHtoD_v2(uint64_t dst, const void* src, size_t bytes);
int cuMemcpyDtoH_v2(void* dst, uint64_t src, size_t bytes);
const char* jgsim_last_error(void);
}

int g_failures = 0;
int g_checks = 0;

namespace {
void must(int status, const char* what) {
    if (status != 0) {
        std::fprintf(stderr, "vendor_test: %s failed with CUresult %d\n", what, status);
        std::exit(2);
    }
}
}  // namespace

bool close(double a, double b, double tol) {
    return std::fabs(a - b) <= tol * std::fmax(1.0, std::fabs(b));
}

bool close_all(const char* what, const std::vector<float>& got, const std::vector<double>& want, double tol) {
    if (got.size() != want.size()) {
        std::fprintf(stderr, "  %s: %zu values, expected %zu\n", what, got.size(), want.size());
        return false;
    }
    for (size_t i = 0; i < got.size(); i++) {
        if (!(std::fabs(got[i] - want[i]) <= tol * std::fmax(1.0, std::fabs(want[i])))) {
            std::fprintf(stderr, "  %s: element %zu is %.9g, expected %.9g\n", what, i, got[i], want[i]);
            return false;
        }
    }
    return true;
}

uint64_t dev_alloc(size_t bytes) {
    uint64_t p = 0;
    must(cuMemAlloc_v2(&p, bytes), "cuMemAlloc_v2");
    return p;
}

// After a fault the context is dead (sticky CUDA_ERROR_ILLEGAL_ADDRESS, 700, as on a GPU) and every
// free fails with it: the fault tests run in a child process that then exits, so that is not an error.
void dev_free(uint64_t p) {
    int r = cuMemFree_v2(p);
    if (r != 700) must(r, "cuMemFree_v2");
}

std::vector<unsigned char> dev_bytes(uint64_t p, size_t bytes) {
    std::vector<unsigned char> h(bytes);
    must(cuMemcpyDtoH_v2(h.data(), p, bytes), "cuMemcpyDtoH_v2");
    return h;
}

// An empty buffer is the null device pointer (cuMemAlloc refuses 0 bytes, as the real driver does).
DevBuf::DevBuf(const std::vector<float>& host) : n(host.size()) {
    p = n == 0 ? 0 : dev_alloc(n * sizeof(float));
    if (n > 0) set(host);
}

DevBuf::DevBuf(size_t count, float fill) : DevBuf(std::vector<float>(count, fill)) {}

DevBuf::~DevBuf() {
    if (p != 0) dev_free(p);
}

std::vector<float> DevBuf::get() const {
    std::vector<float> h(n);
    must(cuMemcpyDtoH_v2(h.data(), p, n * sizeof(float)), "cuMemcpyDtoH_v2");
    return h;
}

void DevBuf::set(const std::vector<float>& host) const {
    must(cuMemcpyHtoD_v2(p, host.data(), host.size() * sizeof(float)), "cuMemcpyHtoD_v2");
}

std::vector<float> randv(size_t n, uint32_t seed, float lo, float hi) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = d(gen);
    return v;
}

std::string last_sim_error() {
    const char* e = jgsim_last_error();
    return e == nullptr ? "" : e;
}

bool in_child(bool (*body)()) {
    std::fflush(stdout);
    std::fflush(stderr);
    std::fprintf(stderr, "vendor_test: a simulator fault report follows on purpose:\n");
    pid_t pid = fork();
    if (pid == 0) {
        bool ok = body();
        std::fflush(stdout);
        std::fflush(stderr);
        _exit(ok ? 0 : 1);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid) return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main() {
    must(cuInit(0), "cuInit");
    int dev = 0;
    must(cuDeviceGet(&dev, 0), "cuDeviceGet");
    void* ctx = nullptr;
    must(cuDevicePrimaryCtxRetain(&ctx, dev), "cuDevicePrimaryCtxRetain");
    must(cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
    struct {
        const char* name;
        void (*run)();
    } suites[] = {{"cuBLAS", test_cublas},
                  {"cuDNN convolution", test_cudnn_conv},
                  {"cuDNN pooling, batch norm, tensors", test_cudnn_other},
                  {"NVML", test_nvml}};
    for (auto& s : suites) {
        int before = g_failures, checks = g_checks;
        s.run();
        std::printf("vendor_test: %-36s %3d checks, %d failed\n", s.name, g_checks - checks, g_failures - before);
    }
    std::printf("vendor_test: %s (%d checks, %d failed)\n", g_failures == 0 ? "PASS" : "FAIL", g_checks, g_failures);
    return g_failures == 0 ? 0 : 1;
}
