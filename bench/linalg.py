"""Matrix product throughput: GFLOP/s of ``backend.matmul`` on every OpenCL device, next
to numpy in the same run.

    python3 bench/linalg.py [--sizes 256,512,1024] [--repeats 5] [--no-float64]
                            [--variants] [--devices pthread]

For each n, C = A·B with A, B n×n (2n³ flops). Device data stays on the device; one
measurement is a matmul plus ``finish()`` (the kernels of the automatic choice, B's
packing included), after a warm-up call that builds the kernels. The figure is the
best of ``--repeats``. numpy's ``A @ B`` (its BLAS, on all cores) is timed the same way,
after the device (OpenBLAS's threads spin for a while after a product and would slow
the device's run).
``--variants`` also times the other kernel variants, forced (naive, local, register).
The ratio column is device GFLOP/s ÷ numpy GFLOP/s.

Measured on 2 CPU cores (AMD EPYC, Zen 4, in a VM; PoCL "pthread-AMD EPYC", an AVX2
build; numpy with its bundled OpenBLAS), ``--repeats 10``, with the 6×16 register kernel
(B packed, or read in place when small; A packed too from 2048³ up). Other jobs shared
the machine; the small sizes move most (a late-waking PoCL worker thread halves a
250 µs product), so bench/speed.py takes the best of several rounds:

    device             dtype       n  variant    GFLOP/s   numpy  ratio
    pthread-AMD EPYC   float32   256  register    71-160     181  0.64-0.89
    pthread-AMD EPYC   float32   512  register     189       203  0.93
    pthread-AMD EPYC   float32  1024  register     162-187   188-204  0.86-0.92
    pthread-AMD EPYC   float32  2048  register     161-173   201-211  0.80-0.82
    pthread-AMD EPYC   float64   256  register      76        88  0.86
    pthread-AMD EPYC   float64  1024  register      75        94  0.80
    pthread-AMD EPYC   float64  2048  register      85       103  0.82

Forced variants on the same device: naive 1.4-3.7 GFLOP/s, local (the GPU tile kernel,
whose local memory and barriers a CPU device emulates) 2.5-4.2 GFLOP/s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def best_time(fn, repeats: int) -> float:
    """The shortest of ``repeats`` timed calls, after one untimed warm-up call."""
    fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="256,512,1024", help="comma-separated n (default 256,512,1024)")
    parser.add_argument("--repeats", type=int, default=5, help="timed calls per figure; the best counts (default 5)")
    parser.add_argument("--no-float64", action="store_true", help="time float32 only")
    parser.add_argument("--variants", action="store_true", help="also time each matmul kernel variant forced")
    parser.add_argument("--devices", default=None, help="comma-separated parts of device names (default: every OpenCL device)")
    args = parser.parse_args(argv)

    import engine
    from engine.backend.cl_linalg import MATMUL_VARIANTS

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    devices = [d for d in engine.devices() if d.kind != "numpy"]
    if args.devices:
        wanted = [w.strip().lower() for w in args.devices.split(",")]
        devices = [d for d in devices if any(w in d.name.lower() for w in wanted)]
    if not devices:
        print("No OpenCL device to measure: install pocl-binary-distribution for a CPU device.")
        return 1

    rng = np.random.default_rng(0)
    header = f"{'device':<22} {'dtype':<8} {'n':>5}  {'variant':<9} {'GFLOP/s':>8} {'numpy':>8} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    for dev in devices:
        dtypes = [np.float32] + ([np.float64] if dev.fp64 and not args.no_float64 else [])
        for dt in dtypes:
            be = dev.backend(dt)
            for n in sizes:
                flops = 2.0 * n ** 3
                a_host = rng.standard_normal((n, n)).astype(dt)
                b_host = rng.standard_normal((n, n)).astype(dt)
                a, b = be.asarray(a_host), be.asarray(b_host)
                # OpenBLAS's threads spin for a while after a product and slow whatever runs
                # next: the device goes first, after a pause, and numpy last
                time.sleep(0.5)
                rows = []
                auto = be._choose_matmul(n, n, n)
                variants = [None] + ([v for v in MATMUL_VARIANTS if v != auto] if args.variants else [])
                for variant in variants:
                    if variant == "naive" and n > 512:
                        continue  # minutes at 1024 and says nothing new
                    be.matmul_variant = variant
                    try:
                        def run():
                            be.matmul(a, b)
                            be.finish()

                        rate = flops / best_time(run, args.repeats) / 1e9
                        label = variant or auto
                    finally:
                        be.matmul_variant = None
                    if variant is None:  # a correctness check on the measured path
                        got = be.to_numpy(be.matmul(a, b))
                        err = np.max(np.abs(got - a_host.astype(np.float64) @ b_host)) / n
                        assert err < (1e-4 if dt == np.float32 else 1e-12), f"wrong product (error {err:.2e})"
                    rows.append((label, rate))
                numpy_rate = flops / best_time(lambda: a_host @ b_host, args.repeats) / 1e9
                for label, rate in rows:
                    print(f"{dev.name[:22]:<22} {np.dtype(dt).name:<8} {n:>5}  {label:<9} "
                          f"{rate:>8.1f} {numpy_rate:>8.1f} {rate / numpy_rate:>6.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
