#!/usr/bin/env bash
# Builds the CUDA kernels (kernels/src/main/cuda/*.cu) for the CPU with cuda_emu.h and runs the
# kernel tests in this folder against their C++ references; exits non-zero on any failure.
# Needs only g++ (C++20) with AddressSanitizer/UBSan, no GPU and no CUDA toolkit.
#
#   kernels/emu/run.sh            build and run every test_*.cpp
#   kernels/emu/run.sh gemm nn    only test_gemm.cpp and test_nn.cpp
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cuda="$here/../src/main/cuda"
out="$here/../target/emu"
CXX=${CXX:-g++}
# -ffp-contract=off: the PTX is built with -fmad=false, so a*b+c must round twice here too.
# -fno-strict-aliasing: kernels read float arrays through float4 pointers, as CUDA code does.
# The sanitizers stand in for the GPU's memory checks (out-of-bounds, misaligned float4).
CXXFLAGS=(-std=c++20 -O1 -pthread -ffp-contract=off -fno-strict-aliasing -g1
          -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
          -Wall -Wno-unused-function -Wno-unknown-pragmas)

rm -rf "$out"
mkdir -p "$out/src" "$out/bin"

# The one rewrite cuda_emu.h cannot do with macros: `extern __shared__ T name[];` becomes a pointer
# to the block's dynamic shared memory.
for f in "$cuda"/*.cu "$cuda"/*.cuh; do
  sed -E 's/extern[[:space:]]+__shared__[[:space:]]+(__align__\([0-9]+\)[[:space:]]+)?([A-Za-z_][A-Za-z_0-9 ]*[A-Za-z_0-9])[[:space:]]+([A-Za-z_][A-Za-z_0-9]*)[[:space:]]*\[\][[:space:]]*;/\2* \3 = (\2*)::emu::dynamic_shared();/' \
    "$f" > "$out/src/$(basename "$f")"
done
if grep -n 'extern[[:space:]]*__shared__' "$out"/src/*; then
  echo "emu: a dynamic shared declaration above is not of the form 'extern __shared__ T name[];'" >&2
  exit 1
fi

if [ "$#" -gt 0 ]; then
  tests=()
  for t in "$@"; do tests+=("$here/test_$t.cpp"); done
else
  tests=("$here"/test_*.cpp)
fi

# Each test is one translation unit; test_conv is built twice, the second time with the index
# arithmetic forced to 64 bits (JG_INDEX_64, common.cuh), so both paths of every conv kernel run.
builds=()
for t in "${tests[@]}"; do
  name=$(basename "$t" .cpp)
  builds+=("$name:$t:")
  [ "$name" = test_conv ] && builds+=("test_conv_index64:$t:-DJG_INDEX_64")
done

# Build two at a time (CI machines have few cores).
pids=()
for b in "${builds[@]}"; do
  IFS=: read -r name t flag <<< "$b"
  "$CXX" "${CXXFLAGS[@]}" ${flag:+"$flag"} -I"$here" -I"$out/src" "$t" -o "$out/bin/$name" 2> "$out/$name.build.log" &
  pids+=("$!:$name")
  if [ "${#pids[@]}" -ge 2 ]; then
    p=${pids[0]}; pids=("${pids[@]:1}")
    wait "${p%%:*}" || { cat "$out/${p#*:}.build.log" >&2; echo "emu: build of ${p#*:} failed" >&2; exit 1; }
  fi
done
for p in "${pids[@]}"; do
  wait "${p%%:*}" || { cat "$out/${p#*:}.build.log" >&2; echo "emu: build of ${p#*:} failed" >&2; exit 1; }
done

status=0
for b in "${builds[@]}"; do
  name=${b%%:*}
  # ASan warns once per process that it does not fully support swapcontext; the fiber switches
  # are announced to it (cuda_emu.h), so the warning is noise.
  if ! ASAN_OPTIONS=detect_leaks=0 "$out/bin/$name" 2>&1 | grep -v "ASan doesn.t fully support makecontext"; then
    echo "emu: $name FAILED" >&2
    status=1
  fi
done
[ "$status" = 0 ] && echo "emu: all kernel tests passed"
exit "$status"
