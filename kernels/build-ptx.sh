#!/usr/bin/env bash
# Regenerates the committed PTX in src/main/resources/jgrad/kernels/ from src/main/cuda/*.cu, so
# the Maven build never needs nvcc.
#
#   kernels/build-ptx.sh           rebuild the committed PTX in place, then check it with ptxas
#   kernels/build-ptx.sh --check   rebuild into a temp dir, diff against the committed PTX, run
#                                  ptxas on each file (CI calls this when nvcc is present)
#
# PTX ISA version: nvcc 13.0 writes ".version 9.0", which a CUDA 12.x driver refuses to JIT
# (CUDA_ERROR_UNSUPPORTED_PTX_VERSION; 12.0 accepts ISA ≤ 8.0, 12.9 ≤ 8.8) and nvcc has no option
# to emit an older ISA. The kernels use nothing newer than ISA 6.3 (the minimum for sm_75), so
# the .version line is rewritten to PTX_ISA below, and ptxas then validates every file *at that
# version*: ptxas rejects any instruction, type or target the declared ISA lacks ("Feature ...
# requires PTX ISA .version X or later"), so a passing check proves CUDA 12.0+ drivers can load it.
#
# Determinism: no -G/-lineinfo (they would embed .file paths); the header names only the compiler
# build. Output is therefore a function of the sources and the nvcc version (13.0 pinned here).
set -euo pipefail

PTX_ISA=8.0                       # loadable by every CUDA 12.x (and 13.x) driver
ARCH=compute_75                   # Turing and newer; JIT-compiled by the driver for the real GPU
NVCC_FLAGS=(-ptx -arch="$ARCH" -O3 -fmad=false)  # -fmad=false: see src/main/cuda/common.cuh
PTXAS_ARCHS=(sm_75 sm_90)

here=$(cd "$(dirname "$0")" && pwd)
src="$here/src/main/cuda"
committed="$here/src/main/resources/jgrad/kernels"

check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

for tool in nvcc ptxas; do
  command -v "$tool" >/dev/null || { echo "build-ptx: $tool not on PATH" >&2; exit 2; }
done

out="$committed"
if [ "$check" = 1 ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

status=0
for cu in "$src"/*.cu; do
  name=$(basename "$cu" .cu)
  tmp="$out/$name.ptx.tmp"
  # cd into the source dir and pass a relative name: nothing of this machine's paths can leak.
  (cd "$src" && nvcc "${NVCC_FLAGS[@]}" "$name.cu" -o "$tmp")
  if ! grep -q '^\.version ' "$tmp"; then
    echo "build-ptx: $name.ptx has no .version line" >&2; exit 1
  fi
  sed -i "s/^\.version [0-9.]*\$/.version $PTX_ISA/" "$tmp"
  mv "$tmp" "$out/$name.ptx"
  for arch in "${PTXAS_ARCHS[@]}"; do
    if ! ptxas -arch="$arch" "$out/$name.ptx" -o /dev/null; then
      echo "build-ptx: ptxas -arch=$arch rejects $name.ptx at PTX ISA $PTX_ISA" >&2
      status=1
    fi
  done
  if [ "$check" = 1 ] && ! diff -u "$committed/$name.ptx" "$out/$name.ptx" >&2; then
    echo "build-ptx: committed $name.ptx is stale; run kernels/build-ptx.sh and commit" >&2
    status=1
  fi
done

if [ "$check" = 1 ]; then
  # A committed PTX without a source would be shipped but never checked.
  for ptx in "$committed"/*.ptx; do
    [ -f "$src/$(basename "$ptx" .ptx).cu" ] || { echo "build-ptx: $ptx has no source" >&2; status=1; }
  done
fi
[ "$status" = 0 ] && echo "build-ptx: $(ls "$out"/*.ptx | wc -l) PTX files OK (ISA $PTX_ISA, ptxas ${PTXAS_ARCHS[*]})"
exit "$status"
