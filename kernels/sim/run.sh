#!/usr/bin/env bash
# Runs a command with the jgrad CUDA simulator standing in for the NVIDIA driver, cuBLAS, cuDNN and
# NVML (building it first when a source changed), e.g.
#   kernels/sim/run.sh bin/jgrad devices --selftest
#   kernels/sim/run.sh bin/jgrad train --device cuda --model mlp --steps 300
# Environment: JGRAD_SIM_MEMORY (device memory, bytes or with K/M/G suffix), JGRAD_SIM_COUNTERS
# (JSON file for the run's counters); see kernels/sim/README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bash "$here/build.sh" >&2
export LD_LIBRARY_PATH="$here/build/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec "$@"
