# Source this (`. dist/jgrad/gpu-host/setup-env.sh`) on a GPU host before running the bundle.
#
# JCuda 12.6's natives need the driver (libcuda.so.1), libcublas.so.12 (JCublas2) and
# libcudnn.so.9 (JCudnn). On a CUDA 13 host the CUDA libraries usually come as Python wheels and
# there is no libcublas.so.12, so this builds one that forwards to libcublas.so.13
# (soname-bridge.sh; needs gcc and nm) and puts it, and the folders of the libraries it finds,
# on LD_LIBRARY_PATH. It prints what it found or exactly what is missing, and sets
#   JGRAD_GPU_ENV_MISSING  space-separated list of what is missing (empty when all was found)
#   JGRAD_GPU_ENV_DIR      the temporary folder holding the bridge
# It never exits the calling shell (also under set -eu); a missing piece only makes that part of
# the backend unavailable.

_jg_home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_jg_say() { printf 'setup-env: %s\n' "$*"; }
JGRAD_GPU_ENV_MISSING=""
_jg_missing() { JGRAD_GPU_ENV_MISSING="${JGRAD_GPU_ENV_MISSING:+$JGRAD_GPU_ENV_MISSING }$1"; _jg_say "MISSING $1: $2"; }

# Prints the first path of a library named $1: ld cache, Python wheels (nvidia.* namespace: the
# cu12 wheels use nvidia/<lib>/lib, the cu13 ones nvidia/cu13/lib), CUDA toolkits, then one find.
_jg_find_lib() {
  local name="$1" hit
  hit="$(ldconfig -p 2>/dev/null | awk -v n="$name" '$1 == n { print $NF; exit }')"
  if [ -z "$hit" ] && command -v python3 >/dev/null 2>&1; then
    hit="$(python3 - "$name" 2>/dev/null <<'PY'
import glob, os, sys
try:
    import nvidia
    roots = list(nvidia.__path__)
except Exception:
    roots = []
for r in roots:
    hits = sorted(glob.glob(os.path.join(r, "**", sys.argv[1]), recursive=True))
    if hits:
        print(hits[0])
        break
PY
)"
  fi
  if [ -z "$hit" ]; then
    hit="$(ls /usr/local/cuda*/lib64/"$name" /usr/local/cuda*/targets/*/lib/"$name" \
      /usr/local/nvidia/lib64/"$name" /usr/lib/x86_64-linux-gnu/"$name" /usr/lib64/"$name" 2>/dev/null | head -1)"
  fi
  if [ -z "$hit" ]; then
    # Last resort, one walk of the file system for every name (cached for the later lookups),
    # skipping the bridges that earlier runs left behind.
    if [ ! -f "$JGRAD_GPU_ENV_DIR/find.txt" ]; then
      timeout 90 find / \( -path /proc -o -path /sys -o -path /dev -o -path "${TMPDIR:-/tmp}/jgrad-gpu-env.*" \) -prune -o \
        \( -name 'libcuda.so.1' -o -name 'libcublas*.so.1[23]' -o -name 'libcudnn.so.9' -o -name 'libnvrtc.so.1[23]' \) \
        -print > "$JGRAD_GPU_ENV_DIR/find.txt" 2>/dev/null
    fi
    hit="$(grep -m1 "/$name\$" "$JGRAD_GPU_ENV_DIR/find.txt")"
  fi
  [ -z "$hit" ] || printf '%s\n' "$hit"
}

_jg_path=""
_jg_add_dir() { case ":$_jg_path:" in *":$1:"*) ;; *) _jg_path="${_jg_path:+$_jg_path:}$1";; esac; }

JGRAD_GPU_ENV_DIR="$(mktemp -d "${TMPDIR:-/tmp}/jgrad-gpu-env.XXXXXX")"

_jg_cuda="$(_jg_find_lib libcuda.so.1)"
if [ -n "$_jg_cuda" ]; then
  _jg_say "driver libcuda.so.1: $_jg_cuda"
  _jg_add_dir "$(dirname "$_jg_cuda")"
else
  _jg_missing libcuda.so.1 "no NVIDIA driver library; CUDA cannot be used at all"
fi

_jg_cublas12="$(_jg_find_lib libcublas.so.12)"
_jg_cublas13="$(_jg_find_lib libcublas.so.13)"
if [ -n "$_jg_cublas12" ]; then
  _jg_say "cuBLAS 12 libcublas.so.12: $_jg_cublas12 (no bridge needed)"
  _jg_add_dir "$(dirname "$_jg_cublas12")"
elif [ -n "$_jg_cublas13" ]; then
  _jg_say "cuBLAS 13 libcublas.so.13: $_jg_cublas13"
  _jg_natives="$(ls "$_jg_home"/lib/jcublas-natives-*-linux-x86_64.jar 2>/dev/null | head -1)"
  _jg_consumer=""
  if [ -z "$_jg_natives" ]; then
    _jg_missing jcublas-natives "no jcublas-natives jar in $_jg_home/lib"
  elif command -v python3 >/dev/null 2>&1; then
    _jg_consumer="$(python3 - "$_jg_natives" "$JGRAD_GPU_ENV_DIR" <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    name = next(n for n in z.namelist() if os.path.basename(n).startswith("libJCublas2-"))
    out = os.path.join(sys.argv[2], os.path.basename(name))
    with open(out, "wb") as f:
        f.write(z.read(name))
print(out)
PY
)"
  elif command -v unzip >/dev/null 2>&1; then
    unzip -qo -j "$_jg_natives" 'lib/libJCublas2-*' -d "$JGRAD_GPU_ENV_DIR" && _jg_consumer="$(ls "$JGRAD_GPU_ENV_DIR"/libJCublas2-* | head -1)"
  fi
  if [ -n "$_jg_natives" ] && [ -z "$_jg_consumer" ]; then
    _jg_missing python3-or-unzip "cannot extract libJCublas2 from $_jg_natives"
  elif [ -n "$_jg_consumer" ]; then
    if ! command -v gcc >/dev/null 2>&1 || ! command -v nm >/dev/null 2>&1; then
      _jg_missing gcc/nm "needed to build the libcublas.so.12 bridge; cuBLAS will be unavailable"
    elif _jg_out="$(bash "$_jg_home/gpu-host/soname-bridge.sh" libcublas.so.12 "$_jg_cublas13" "$_jg_consumer" \
        "$JGRAD_GPU_ENV_DIR/bridge" 15 2>&1)"; then
      _jg_say "bridge libcublas.so.12: $_jg_out"
      _jg_path="$JGRAD_GPU_ENV_DIR/bridge${_jg_path:+:$_jg_path}"
      _jg_add_dir "$(dirname "$_jg_cublas13")"
    else
      _jg_missing libcublas.so.12-bridge "soname-bridge.sh failed: $_jg_out"
    fi
  fi
else
  _jg_missing libcublas.so.12/13 "no cuBLAS found (Python wheels nvidia/*, /usr/local/cuda*, find /); matmul falls back to jgrad's own SGEMM kernel"
fi

# cuBLAS needs cublasLt next to it; cuDNN 9 dlopens its engine libraries, and nvrtc for runtime fusion.
for _jg_lib in libcublasLt.so.13 libcublasLt.so.12 libnvrtc.so.13 libnvrtc.so.12; do
  _jg_hit="$(_jg_find_lib "$_jg_lib")"
  [ -z "$_jg_hit" ] || _jg_add_dir "$(dirname "$_jg_hit")"
done
_jg_cudnn="$(_jg_find_lib libcudnn.so.9)"
if [ -n "$_jg_cudnn" ]; then
  _jg_say "cuDNN 9 libcudnn.so.9: $_jg_cudnn"
  _jg_add_dir "$(dirname "$_jg_cudnn")"
else
  _jg_missing libcudnn.so.9 "no cuDNN 9 found (Python wheel nvidia-cudnn-cu13/cu12, /usr/local/cuda*, find /); cuDNN ops unavailable"
fi

if [ -n "$_jg_path" ]; then
  export LD_LIBRARY_PATH="$_jg_path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
export JGRAD_GPU_ENV_MISSING JGRAD_GPU_ENV_DIR
_jg_say "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
if [ -z "$JGRAD_GPU_ENV_MISSING" ]; then _jg_say "all found"; else _jg_say "missing: $JGRAD_GPU_ENV_MISSING"; fi
unset -f _jg_say _jg_missing _jg_find_lib _jg_add_dir
unset _jg_home _jg_path _jg_cuda _jg_cublas12 _jg_cublas13 _jg_natives _jg_consumer _jg_out _jg_lib _jg_hit _jg_cudnn
