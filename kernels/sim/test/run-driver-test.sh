#!/usr/bin/env bash
# Builds the simulator (build.sh), then the driver test against build/lib/libcuda.so.1, and runs it:
# the main checks, and the out-of-memory checks with JGRAD_SIM_MEMORY=1M. Where a CUDA toolkit is
# installed, also checks src/driver/cuda_subset.h against its cuda.h. Needs only g++.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
sim="$here/.."
bash "$sim/build.sh"
out="$sim/build/test"
lib="$sim/build/lib"
mkdir -p "$out"
flags=(-std=c++20 -O1 -g -Wall -Wextra -Wno-unused-parameter -I"$sim/src/driver" -I"$sim/src/common")

cuda_h="${CUDA_HOME:-/usr/local/cuda}/include/cuda.h"
if [ -e "$cuda_h" ]; then
    g++ "${flags[@]}" -I"$(dirname "$cuda_h")" -fsyntax-only "$here/cuda_subset_check.cpp"
    echo "cuda_subset.h agrees with $cuda_h"
else
    echo "no cuda.h at $cuda_h: cuda_subset.h not compared"
fi

g++ "${flags[@]}" -fPIC -shared -o "$out/libJCudaDriver-simtest.so" "$here/jcuda_like.cpp" -L"$lib" -l:libcuda.so.1
g++ "${flags[@]}" -o "$out/driver_test" "$here/driver_test.cpp" -L"$out" -l:libJCudaDriver-simtest.so \
    -L"$lib" -l:libcuda.so.1 -Wl,-rpath,"$out:$lib"

counters="$out/counters.json"
rm -f "$counters"
status=0
env -u JGRAD_SIM_MEMORY JGRAD_SIM_COUNTERS="$counters" "$out/driver_test" main "$here/kernels.ptx" || status=1
JGRAD_SIM_MEMORY=1M "$out/driver_test" oom || status=1
[ "$status" = 0 ] && echo "driver tests passed" || echo "driver tests FAILED"
exit "$status"
