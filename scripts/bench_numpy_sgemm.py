#!/usr/bin/env python3
"""float32 numpy matmul GFLOP/s for the same shapes as jgrad.cpu.SgemmBench.

Run with the system python (/usr/bin/python3) so numpy uses the distro OpenBLAS.
Thread count follows OPENBLAS_NUM_THREADS / OMP_NUM_THREADS if set.
Usage: scripts/bench_numpy_sgemm.py [--repeats N] [--quick]
"""
import argparse
import os
import platform
import statistics
import time

import numpy as np

# (label, m, n, k, transA, transB) -- mirrors SgemmBench.SHAPES.
SHAPES = [
    ("512x512x512 NN", 512, 512, 512, False, False),
    ("1024x1024x1024 NN", 1024, 1024, 1024, False, False),
    ("2048x2048x2048 NN", 2048, 2048, 2048, False, False),
    ("100x100x784 NN", 100, 100, 784, False, False),
    ("784x100x100 TN", 784, 100, 100, True, False),
    ("100x10x100 NN", 100, 10, 100, False, False),
    ("100x100x10 NT", 100, 100, 10, False, True),
]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def bench(m, n, k, ta, tb, repeats, min_time):
    rng = np.random.default_rng(42)
    # Stored layout matches the Java benchmark: A is k x m when transposed, B is n x k.
    a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
    out = np.empty((m, n), dtype=np.float32)
    opa = a.T if ta else a
    opb = b.T if tb else b
    # Calibrate inner iterations so each sample lasts >= min_time seconds.
    inner = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(inner):
            np.matmul(opa, opb, out=out)
        dt = time.perf_counter() - t0
        if dt >= min_time or inner >= 1 << 20:
            break
        inner *= 2
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            np.matmul(opa, opb, out=out)
        samples.append((time.perf_counter() - t0) / inner)
    med = statistics.median(samples)
    return 2.0 * m * n * k / med / 1e9, med * 1e3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--min-time", type=float, default=0.05)
    args = ap.parse_args()
    print(f"numpy {np.__version__}  cpu: {cpu_model()}  cores: {os.cpu_count()}  "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '(unset)')}")
    for label, m, n, k, ta, tb in SHAPES:
        gf, ms = bench(m, n, k, ta, tb, args.repeats, args.min_time)
        print(f"{label:<22} {gf:8.1f} GFLOP/s  {ms:9.4f} ms")


if __name__ == "__main__":
    main()
