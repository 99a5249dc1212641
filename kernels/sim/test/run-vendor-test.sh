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

# The real JCuda natives and jgrad's JNA NVML reader against the built libraries, when java and the
# JCuda jars (from the Maven repository jgrad builds with) are here.
m2="${M2_REPO:-$HOME/.m2/repository}"
jars=("$m2"/org/jcuda/jcuda/12.6.0/jcuda-12.6.0.jar
      "$m2"/org/jcuda/jcuda-natives/12.6.0/jcuda-natives-12.6.0-linux-x86_64.jar
      "$m2"/org/jcuda/jcublas/12.6.0/jcublas-12.6.0.jar
      "$m2"/org/jcuda/jcublas-natives/12.6.0/jcublas-natives-12.6.0-linux-x86_64.jar
      "$m2"/org/jcuda/jcudnn/11.7.0/jcudnn-11.7.0.jar
      "$m2"/org/jcuda/jcudnn-natives/12.6.0/jcudnn-natives-12.6.0-linux-x86_64.jar
      "$m2"/net/java/dev/jna/jna/5.17.0/jna-5.17.0.jar)
missing_jar=""
for j in "${jars[@]}"; do [ -e "$j" ] || missing_jar="$j"; done
if ! command -v javac > /dev/null || [ -n "$missing_jar" ]; then
    echo "run-vendor-test: Java binding checks skipped (no javac or no ${missing_jar:-jar})"
    exit 0
fi
cp=$(IFS=:; echo "${jars[*]}")
repo="$(cd "$here/../.." && pwd)"
rm -rf "$out/java"
javac -d "$out/java" -cp "$cp" "$here/test/JcudaBindingCheck.java" "$here/test/NvmlReaderCheck.java" \
    "$repo"/cli/src/main/java/jgrad/cli/{Nvml,NvmlReader,NvmlStructs,DeviceReport}.java
"$here/run.sh" java -cp "$out/java:$cp" JcudaBindingCheck
"$here/run.sh" java -cp "$out/java:$cp" jgrad.cli.NvmlReaderCheck
echo "run-vendor-test: PASS"
