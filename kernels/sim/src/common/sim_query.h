// Queries the simulated driver (libcuda.so.1) answers for the other simulated libraries; kept out
// of sim_api.h so that file stays the driver's own contract. Exported from libcuda.so.1 with C
// linkage, like everything in sim_api.h.
#pragma once

#include "sim_api.h"

// The simulated device's memory: `used` is the bytes of live device allocations (what cuMemGetInfo
// reports as total - free), `total` the device size (JGRAD_SIM_MEMORY). NVML's
// nvmlDeviceGetMemoryInfo reports exactly these, so `jgrad devices` and cuMemGetInfo agree.
JGSIM_EXPORT void jgsim_memory_info(uint64_t* used, uint64_t* total);
