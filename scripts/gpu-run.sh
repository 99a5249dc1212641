#!/usr/bin/env bash
# The GPU host run: everything jgrad owes a GPU host, in one command, from the repository root,
# with the bundle from scripts/build-dist.sh (dist/jgrad, or dist/jgrad.tgz which it unpacks) and
# MNIST as dist/data/mnist/*.gz. See docs/gpu-runs/README.md.
#
#   bash scripts/gpu-run.sh        (device tool: carry ["dist/jgrad.tgz", "dist/data"])
#
# Steps: probe, setup-env, devices, gpu-tests, mnist, train-cuda, torch-cuda, bench, compare. Each runs under
# `timeout`, inside a total budget that ends before the device tool's 600 s limit; a failed step
# is recorded with its reason and the run goes on. Results go to $OUT (or dist/gpu-run when OUT is
# unset), at most 8 flat files as the device tool returns them: summary.md (a docs/gpu-runs entry),
# gpu-run.log, gpu-tests-summary.txt, TEST-junit-jupiter.xml, train-cuda-metrics.json, logs.tgz,
# bench.md and compare-mlp.md (the tables for docs/benchmarks).
# env: GPU_RUN_BUDGET_S (default 570), GPU_RUN_SKIP (comma list of step names),
#      GPU_RUN_BENCH_ARGS (default "--device cuda --json <work>/bench.json --markdown <work>/bench.md").
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
out="${OUT:-$root/dist/gpu-run}"
work="$(mktemp -d "${TMPDIR:-/tmp}/jgrad-gpu-run.XXXXXX")"      # logs: all of it goes into logs.tgz
scratch="$(mktemp -d "${TMPDIR:-/tmp}/jgrad-gpu-scratch.XXXXXX")" # unpacked bundle and MNIST
deadline=$(($(date +%s) + ${GPU_RUN_BUDGET_S:-570}))
steps="$work/steps.tsv"
: > "$steps"

now() { date +%s; }
# record NAME STATUS SECONDS NOTE
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(printf '%s' "$4" | tr '\t\n|' '  /' | cut -c1-200)" >> "$steps"; }
skipped() { case ",${GPU_RUN_SKIP:-}," in *",$1,"*) record "$1" SKIP 0 "in GPU_RUN_SKIP"; return 0;; esac; return 1; }
last_line() { grep -v -E '^\s*$|^WARNING: Using incubator' "$1" 2>/dev/null | tail -1; }

# step NAME LIMIT_S CMD... : runs CMD under timeout, its output to the console and $work/NAME.log.
# A failure's note is the log's last line, or the first line of $STEP_NOTE_FILE when that is set.
step() {
  local name="$1" limit="$2" left t0 rc status note
  shift 2
  skipped "$name" && return 0
  left=$((deadline - $(now) - 20)) # 20 s kept for the summary
  if [ "$left" -lt 10 ]; then
    record "$name" SKIP 0 "no time left in the ${GPU_RUN_BUDGET_S:-570} s budget"
    return 0
  fi
  [ "$limit" -le "$left" ] || limit="$left"
  echo "=== $name (limit ${limit} s): $*"
  t0=$(now)
  timeout -k 10 "$limit" "$@" 2>&1 | tee "$work/$name.log"
  rc=${PIPESTATUS[0]}
  case "$rc" in
    0) status=PASS; note="" ;;
    124|137) status=TIMEOUT; note="stopped after ${limit} s; last output: $(last_line "$work/$name.log")" ;;
    *) status="FAIL"; note="exit $rc: $(if [ -n "${STEP_NOTE_FILE:-}" ]; then head -1 "$STEP_NOTE_FILE"; else last_line "$work/$name.log"; fi)" ;;
  esac
  record "$name" "$status" $(($(now) - t0)) "$note"
  echo "=== $name: $status${note:+ ($note)}"
  return "$rc"
}

run_all() {
  echo "jgrad gpu-run $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -srm), $(nproc) cores; results to $out"

  # -- the bundle
  local J=""
  if [ -x dist/jgrad/bin/jgrad ]; then
    J="$root/dist/jgrad"
  elif [ -f dist/jgrad.tgz ] && tar -xzf dist/jgrad.tgz -C "$scratch"; then
    J="$scratch/jgrad"
  fi
  if [ -n "$J" ]; then
    record bundle PASS 0 "$J: $(head -1 "$J/BUILD-INFO" 2>/dev/null)"
    cp "$J/BUILD-INFO" "$work/" 2>/dev/null
  else
    record bundle FAIL 0 "neither dist/jgrad nor dist/jgrad.tgz: run scripts/build-dist.sh here and carry dist/jgrad.tgz"
  fi
  local host_dir="${J:+$J/gpu-host}"
  host_dir="${host_dir:-$root/scripts/gpu-host}"

  step probe 120 bash "$host_dir/probe.sh"
  nvidia-smi > "$work/nvidia-smi.txt" 2>&1 || echo "nvidia-smi failed or is missing" >> "$work/nvidia-smi.txt"

  # -- setup-env is sourced: its LD_LIBRARY_PATH is for jgrad; PyTorch keeps the host's own.
  local torch_ld="${LD_LIBRARY_PATH-}"
  if ! skipped setup-env; then
    echo "=== setup-env"
    local t0
    t0=$(now)
    # shellcheck source=gpu-host/setup-env.sh
    . "$host_dir/setup-env.sh" > "$work/setup-env.log" 2>&1
    cat "$work/setup-env.log"
    printf '%s\n' "${JGRAD_GPU_ENV_DIR:-}" > "$work/env-dir.txt" # the bridge's folder, removed at the end
    if [ -z "${JGRAD_GPU_ENV_MISSING:-}" ]; then
      record setup-env PASS $(($(now) - t0)) "libcuda, cuBLAS (bridged when 13) and cuDNN 9 found"
    else
      record setup-env FAIL $(($(now) - t0)) "missing: $JGRAD_GPU_ENV_MISSING (see setup-env.log)"
    fi
  fi

  if [ -z "$J" ]; then
    for s in devices gpu-tests mnist train-cuda; do record "$s" SKIP 0 "no bundle"; done
  else
    local jgrad="$J/bin/jgrad"
    if "$jgrad" --help 2>/dev/null | grep -qE '^\s+devices\b'; then
      step devices 90 "$jgrad" devices --selftest
    else
      record devices SKIP 0 "this build of jgrad has no 'devices' command"
    fi
    STEP_NOTE_FILE="$work/gpu-tests/summary.txt" step gpu-tests 300 "$J/test/run-gpu-tests.sh" "$work/gpu-tests"
    if ls dist/data/mnist/*.gz > /dev/null 2>&1; then
      JGRAD_DATA="$scratch/data" step mnist 60 "$jgrad" data import "$root/dist/data/mnist"
      JGRAD_DATA="$scratch/data" step train-cuda 240 "$jgrad" train --model mlp --device cuda \
        --metrics-json "$work/train-cuda-metrics.json"
    else
      record mnist SKIP 0 "no dist/data/mnist/*.gz (build-dist.sh copies them from \$JGRAD_DATA/mnist)"
      record train-cuda SKIP 0 "no MNIST"
    fi
  fi

  # -- the seed's PyTorch job on the same GPU (reads raw IDX files from $JGRAD_DATA/mnist)
  if ! skipped torch-cuda; then
    if ! python3 -c 'import torch' > "$work/torch-import.log" 2>&1; then
      record torch-cuda SKIP 0 "python3 cannot import torch: $(last_line "$work/torch-import.log")"
    elif ! ls dist/data/mnist/*.gz > /dev/null 2>&1; then
      record torch-cuda SKIP 0 "no MNIST"
    else
      if [ ! -f "$scratch/data/mnist/t10k-labels-idx1-ubyte" ]; then
        # jgrad's import did not run or failed: unpack the same files for PyTorch anyway.
        echo "=== torch-cuda: MNIST not imported by jgrad; gunzipping dist/data/mnist for PyTorch"
        mkdir -p "$scratch/data/mnist"
        for f in dist/data/mnist/*.gz; do gzip -dc "$f" > "$scratch/data/mnist/$(basename "$f" .gz)"; done
      fi
      LD_LIBRARY_PATH="$torch_ld" JGRAD_DATA="$scratch/data" PYTHONUNBUFFERED=1 \
        step torch-cuda 240 python3 scripts/seed_mlp_torch.py cuda
    fi
  fi

  if [ -n "$J" ]; then
    # shellcheck disable=SC2086
    step bench 240 "$J/bin/jgrad" bench ${GPU_RUN_BENCH_ARGS:---device cuda --json "$work/bench.json" --markdown "$work/bench.md"}
    # The seed's job on the CPU (first 1000 steps, time scaled) and on the GPU, side by side.
    if [ -f "$scratch/data/mnist/t10k-labels-idx1-ubyte" ]; then
      JGRAD_DATA="$scratch/data" step compare 150 "$J/bin/jgrad" compare --model mlp --device cuda --cpu-steps 1000 \
        --out "$work/compare-mlp"
    else
      record compare SKIP 0 "no imported MNIST"
    fi
  else
    record bench SKIP 0 "no bundle"
    record compare SKIP 0 "no bundle"
  fi
}

# A docs/gpu-runs entry from what the steps left in $work.
summary() {
  local gpu driver cuda
  gpu="$(nvidia-smi --query-gpu=name,memory.total,compute_cap --format=csv,noheader 2>/dev/null | head -1)"
  driver="$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1)"
  cuda="$(sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' "$work/nvidia-smi.txt" 2>/dev/null | head -1)"
  echo "# jgrad GPU run $(date -u +%Y-%m-%d)"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| date | $(date -u +%Y-%m-%dT%H:%M:%SZ) |"
  command -v nvidia-smi > /dev/null || gpu="none: no nvidia-smi on this host"
  echo "| device | ${gpu:-none: $(last_line "$work/nvidia-smi.txt")} |"
  echo "| driver | ${driver:-none}${cuda:+ (CUDA $cuda)} |"
  echo "| host | $(uname -srm), $(nproc) cores, $(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GiB"}') |"
  echo "| bundle | $(tr '\n' ';' < "$work/BUILD-INFO" 2>/dev/null | sed 's/;$//; s/;/; /g') |"
  echo "| command | \`bash scripts/gpu-run.sh\` from the repository root${OUT:+, OUT set (device tool)} |"
  echo "| gpu tests | $(head -1 "$work/gpu-tests/summary.txt" 2>/dev/null | sed 's/^gpu tests: //' || echo 'not run') |"
  echo
  echo "## Steps"
  echo
  echo "| step | result | seconds | note |"
  echo "|---|---|---|---|"
  awk -F'\t' '{printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4}' "$steps"
  section "GPU tests" "$work/gpu-tests/summary.txt" 40
  section "jgrad train --model mlp --device cuda (seed settings)" "$work/train-cuda.log" 10
  section "PyTorch eager, same GPU: scripts/seed_mlp_torch.py cuda" "$work/torch-cuda.log" 3
  section "jgrad devices --selftest" "$work/devices.log" 40
  section "jgrad bench" "$work/bench.log" 20
  section "jgrad compare --model mlp" "$work/compare.log" 14
  section "setup-env" "$work/setup-env.log" 20
}
section() { # section TITLE FILE LINES: the file's last lines as a code block, when it exists
  [ -s "$2" ] || return 0
  printf '\n## %s\n\n```\n' "$1"
  grep -v '^WARNING: Using incubator' "$2" | tail -"$3"
  printf '```\n'
}

run_all 2>&1 | tee "$work/gpu-run.log"
summary > "$work/summary.md"
cat "$work/summary.md"

mkdir -p "$out"
rm -f "$out"/{summary.md,gpu-run.log,gpu-tests-summary.txt,TEST-junit-jupiter.xml,train-cuda-metrics.json,logs.tgz,bench.md,compare-mlp.md}
cp "$work/summary.md" "$work/gpu-run.log" "$out/"
[ -f "$work/gpu-tests/summary.txt" ] && cp "$work/gpu-tests/summary.txt" "$out/gpu-tests-summary.txt"
[ -f "$work/gpu-tests/TEST-junit-jupiter.xml" ] && cp "$work/gpu-tests/TEST-junit-jupiter.xml" "$out/"
[ -f "$work/train-cuda-metrics.json" ] && cp "$work/train-cuda-metrics.json" "$out/"
[ -f "$work/bench.md" ] && cp "$work/bench.md" "$out/"
[ -f "$work/compare-mlp/compare.md" ] && cp "$work/compare-mlp/compare.md" "$out/compare-mlp.md"
rm -rf "$scratch" "$(cat "$work/env-dir.txt" 2>/dev/null)"
tar -C "$(dirname "$work")" -czf "$out/logs.tgz" "$(basename "$work")"
# Exit 0 only when no step failed or timed out (skipped steps do not count).
bad="$(awk -F'\t' '$2 == "FAIL" || $2 == "TIMEOUT" {printf "%s ", $1}' "$steps")"
rm -rf "$work"
echo "gpu-run: results in $out ($(ls "$out" | tr '\n' ' '))${bad:+; failed or timed out: $bad}"
[ -z "$bad" ]
