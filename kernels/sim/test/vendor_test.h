// Shared harness of the vendor-library test (vendor_test*.cpp): checks, device buffers through the
// simulated driver API, reproducible random data.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

extern int g_failures;
extern int g_checks;

#define CHECK(cond, ...)                                                 \
    do {                                                                 \
        g_checks++;                                                      \
        if (!(cond)) {                                                   \
            g_failures++;                                                \
            std::fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);    \
            std::fprintf(stderr, __VA_ARGS__);                           \
            std::fputc('\n', stderr);                                    \
        }                                                                \
    } while (0)

// |got - want| <= tol * max(1, |want|) for every element; reports the first mismatch.
bool close_all(const char* what, const std::vector<float>& got, const std::vector<double>& want, double tol);
// |a - b| <= tol * max(1, |b|).
bool close(double a, double b, double tol);

// A device buffer of floats (cuMemAlloc_v2 / cuMemcpy*_v2 of the simulated libcuda.so.1).
struct DevBuf {
    uint64_t p = 0;
    size_t n = 0;
    explicit DevBuf(const std::vector<float>& host);
    DevBuf(size_t count, float fill);
    ~DevBuf();
    DevBuf(const DevBuf&) = delete;
    DevBuf& operator=(const DevBuf&) = delete;
    std::vector<float> get() const;
    void set(const std::vector<float>& host) const;
    void* ptr() const { return reinterpret_cast<void*>(p); }
};

// Raw device allocation in bytes (workspaces), freed by dev_free.
uint64_t dev_alloc(size_t bytes);
void dev_free(uint64_t p);
std::vector<unsigned char> dev_bytes(uint64_t p, size_t bytes);

std::vector<float> randv(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f);

// The simulator's last recorded failure message (jgsim_last_error).
std::string last_sim_error();

// Runs `body` in a forked child and returns what it returned (false if it crashed). For calls that
// make the simulator record a fault: the driver makes such an error sticky for the context, as a
// GPU's illegal address is, so they must not run in the process that goes on testing.
bool in_child(bool (*body)());

void test_cublas();
void test_cudnn_conv();
void test_cudnn_other();
void test_nvml();
