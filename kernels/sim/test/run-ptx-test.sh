#!/usr/bin/env bash
# Builds and runs the PTX interpreter's standalone test: test/ptx_test*.cpp with src/ptx/*.cpp,
# under AddressSanitizer and UndefinedBehaviorSanitizer, against the shipped PTX in
# kernels/src/main/resources/jgrad/kernels. Only g++ is needed; the binary goes to build/test.
#   kernels/sim/test/run-ptx-test.sh            sanitized build (-O1), all tests
#   PTX_TEST_FAST=1 kernels/sim/test/run-ptx-test.sh   -O2 without sanitizers (speed numbers)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/build/test"
mkdir -p "$out"
CXX="${CXX:-g++}"
flags=(-std=c++20 -g -pthread -ffp-contract=off -Wall -Wextra -Wno-unused-parameter -I"$here/src/common" -I"$here/src")
if [ "${PTX_TEST_FAST:-0}" = 1 ]; then
    flags+=(-O2)
    bin="$out/ptx_test_fast"
    suffix=.fast
else
    flags+=(-O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    bin="$out/ptx_test"
    suffix=.asan
fi
# One compiler at a time: the machine is shared.
objs=()
for f in "$here"/src/ptx/*.cpp "$here"/test/ptx_test*.cpp; do
    o="$out/$(basename "${f%.cpp}")$suffix.o"
    if [ ! -e "$o" ] || [ -n "$(find "$f" "$here/src/ptx" "$here/test/ptx_test.h" "$0" -newer "$o" -print -quit)" ]; then
        "$CXX" "${flags[@]}" -c "$f" -o "$o"
    fi
    objs+=("$o")
done
"$CXX" "${flags[@]}" -o "$bin" "${objs[@]}"
exec "$bin" "$root/kernels/src/main/resources/jgrad/kernels"
