#!/usr/bin/env bash
# Checks that the real JCuda 12.6 natives bind to the simulated libcuda.so.1 (JCudaSmoke.java),
# with the jars from the local Maven repository.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
m2="${M2_REPO:-$HOME/.m2/repository}/org/jcuda"
cp="$m2/jcuda/12.6.0/jcuda-12.6.0.jar:$m2/jcuda-natives/12.6.0/jcuda-natives-12.6.0-linux-x86_64.jar"
exec "$here/../run.sh" java -cp "$cp" "$here/JCudaSmoke.java" "$here/kernels.ptx"
