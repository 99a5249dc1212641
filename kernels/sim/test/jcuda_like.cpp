// Built as libJCudaDriver-simtest.so by run-driver-test.sh: launches the way JCuda's
// cuLaunchKernelNative does, with kernelParams from `new void*[n]`, so the simulator's check of
// JCuda's kernelParams length (launch.cpp) sees a caller named libJCudaDriver*.
#include <cstdint>

#include "cuda_subset.h"

extern "C" CUresult cuLaunchKernel(CUfunction, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned,
                                   CUstream, void**, void**);

extern "C" __attribute__((visibility("default"))) CUresult jcuda_like_launch(CUfunction f, int n) {
    static uint64_t slot[16];
    void** params = new void*[n];
    for (int i = 0; i < n; i++) params[i] = &slot[i];
    CUresult rc = cuLaunchKernel(f, 1, 1, 1, 1, 1, 1, 0, nullptr, params, nullptr);
    delete[] params;
    return rc;
}
