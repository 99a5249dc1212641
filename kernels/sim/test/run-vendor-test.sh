#!/usr/bin/env bash
# Builds the jgrad CUDA simulator (build.sh) and runs the vendor-library test against it:
#   - vendor_test*.cpp linked against build/lib (libcublas.so.12, libcudnn.so.9, libnvidia-ml.so.1,
#     libcuda.so.1): reference checks of the simulated cuBLAS, cuDNN and NVML;
#   - every function the JCuda 12.6 natives import from libcublas.so.12 / libcudnn.so.9
#     (symbols/*.txt) is defined there with the library's version node, e.g.
#     cublasSgemm_v2@@libcublas.so.12, so the natives bind unchanged.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bash "$here/build.sh"
lib="$here/build/lib"
out="$here/build/test"
mkdir -p "$out"

for so in libcublas.so.12 libcudnn.so.9; do
    node="${so}"
    missing=$(comm -23 <(sort -u "$here/symbols/$so.txt") \
        <(nm -D --defined-only "$lib/$so" | awk -v n="@@$node" '$3 ~ n"$" {sub(n"$", "", $3); print $3}' | sort -u))
    if [ -n "$missing" ]; then
        echo "run-vendor-test: $so lacks versioned definitions of: $missing" >&2
        exit 1
    fi
done
defined=$(nm -D --defined-only "$lib/libcublas.so.12")
grep -q ' cublasSgemm_v2@@libcublas.so.12$' <<< "$defined"
echo "run-vendor-test: every JCuda-imported cuBLAS/cuDNN symbol is defined with its version node"

g++ -std=c++20 -O1 -g -Wall -Wextra -Wno-unused-parameter -ffp-contract=off -I"$here/src/common" -I"$here/src" \
    "$here"/test/vendor_test*.cpp -o "$out/vendor_test" \
    -L"$lib" -l:libcublas.so.12 -l:libcudnn.so.9 -l:libnvidia-ml.so.1 -l:libcuda.so.1 -Wl,-rpath,"$lib"
"$out/vendor_test"
