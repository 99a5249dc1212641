// The jgrad CUDA simulator's internal contract between its four libraries.
//
// libcuda.so.1 (src/driver + src/ptx) owns the simulated device: its memory table, the sticky
// error, the counters. libcublas.so.12 and libcudnn.so.9 link against it and reach device memory
// only through jgsim_device_range, so a cuBLAS/cuDNN call on a freed or too-short buffer is caught
// exactly like a kernel's access. Everything here is exported from libcuda.so.1 with C linkage.
#pragma once

#include <cstddef>
#include <cstdint>

#define JGSIM_EXPORT extern "C" __attribute__((visibility("default")))

// Device addresses are synthetic (they start at this base and are never reused), so a host
// pointer handed to a device argument, or a stale device pointer, never resolves by accident.
constexpr uint64_t JGSIM_DEVICE_BASE = 0x300000000000ull;

// Resolves the device range [addr, addr + bytes) to host memory for a library call. When the range
// is not inside one live allocation, records the error (see jgsim_fail) naming `who` and the
// address, and returns nullptr; the caller then returns its library's error status.
JGSIM_EXPORT void* jgsim_device_range(uint64_t addr, uint64_t bytes, const char* who);

// Records a check failure: prints "jgrad CUDA simulator: <message>" to stderr, keeps it as the
// last error (jgsim_last_error, read by jgrad's Java side through JNA to put it into the
// exception), and makes the context's error sticky as a real illegal-address fault is.
JGSIM_EXPORT void jgsim_fail(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// The message of the last jgsim_fail, or "" when none happened in this process.
JGSIM_EXPORT const char* jgsim_last_error(void);

// Called by every generated stub for a function jgrad does not call: prints
// "jgrad CUDA simulator: <name> is not simulated" and aborts. Never a silent success.
JGSIM_EXPORT void jgsim_not_simulated(const char* name) __attribute__((noreturn));

// Adds n to the named counter (e.g. "cublasSgemm", "cudnnConvolutionForward"); the counters file
// named by JGRAD_SIM_COUNTERS gets them under "library_calls".
JGSIM_EXPORT void jgsim_count(const char* counter, uint64_t n);

// 1: lets jgrad's Java side (through JNA) tell the simulator from a real driver.
JGSIM_EXPORT int jgsim_is_simulator(void);

// The run's counters as one JSON object (the format of the JGRAD_SIM_COUNTERS file, see
// kernels/sim/README.md), for jgrad's Java side through JNA; valid until the calling thread's next
// call. jgsim_counters_reset zeroes them (peak_bytes restarts from the memory live now).
JGSIM_EXPORT const char* jgsim_counters_json(void);
JGSIM_EXPORT void jgsim_counters_reset(void);
