"""Matrix challenges on the device, against the dense kernels and numpy.

    python3 bench/compress.py [--device NAME] [--repeats 5] [--quick]

Three tables:

- SpMM: C = A·B with A (M×K) in CSR (kernel ``k_csr_mm``) against the dense product
  (``backend.matmul``), density by density, plus SpMV (B one column). ``speedup`` is
  dense time ÷ sparse time: above 1, sparse wins.
- int8: the int8 × int8 → int32 kernel (``k_i8_mm``) against the float32 product of the
  same shape. ``ratio`` is float32 time ÷ int8 time.
- SVD (float64 on both sides, float32 where the device has no fp64): one-sided Jacobi on
  the device (``engine.compress.lowrank.svd``: every sweep one launch per round of
  disjoint column pairs, one read-back per sweep) against ``numpy.linalg.svd`` (LAPACK,
  full U and Vᵀ), with the sweeps taken and the largest singular-value error relative to
  s_max. ``ratio`` is device time ÷ numpy time.

Operands are on the device before a clock starts; each figure is the fastest of
``--repeats`` runs, each waited for (SVD: the whole call, uploads and read-backs included).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import engine  # noqa: E402
from engine.compress import lowrank, quantize, sparse  # noqa: E402


def _fmt_t(s: float) -> str:
    return f"{s * 1e3:9.3f} ms" if s >= 1e-3 else f"{s * 1e6:9.1f} µs"


def bench_spmm(device, repeats: int, quick: bool) -> None:
    shapes = [(512, 512, 64)] if quick else [(1024, 1024, 64), (2048, 2048, 1)]
    densities = (1.0, 0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01, 0.005)
    for m, k, n in shapes:
        what = "SpMV" if n == 1 else "SpMM"
        print(f"\n{what}: ({m}×{k} sparse) · ({k}×{n} dense), float32, on {device.name}")
        print(f"{'density':>8} {'CSR kernel':>13} {'dense kernel':>13} {'speedup':>8}  CSR bytes / dense")
        r = sparse.spmm_timing(m, k, n, densities, device=device, repeats=repeats)
        for d, s, t, x in zip(r["density"], r["sparse_s"], r["dense_s"], r["speedup"]):
            csr_bytes = (m + 1) * 4 + d * m * k * 8
            print(f"{d:8.3f} {_fmt_t(s):>13} {_fmt_t(t):>13} {x:8.2f}  {csr_bytes / (m * k * 4):.2f}")
        wins = r["density"][r["speedup"] > 1]
        if wins.size:
            print(f"sparse wins at density ≤ {wins.max():.3f} here "
                  f"(CSR is smaller than dense below {sparse.break_even_density((m, k)):.2f})")
        else:
            print("sparse never wins at these densities here")


def bench_int8(device, repeats: int, quick: bool) -> None:
    sizes = [256, 512] if quick else [256, 512, 1024]
    print(f"\nint8 × int8 → int32 against float32, square products, on {device.name}")
    print(f"{'size':>6} {'int8 kernel':>13} {'float32':>13} {'ratio':>7}  {'int8 GOPS':>9}")
    for n in sizes:
        r = quantize.matmul_timing(n, n, n, device=device, repeats=repeats)
        print(f"{n:6d} {_fmt_t(r['int8_s']):>13} {_fmt_t(r['float32_s']):>13} {r['ratio']:7.2f}  "
              f"{2 * n ** 3 / r['int8_s'] / 1e9:9.1f}")


def bench_svd(device, repeats: int, quick: bool) -> None:
    shapes = [(32, 32), (64, 64), (128, 128)] if quick else [(32, 32), (64, 64), (128, 128), (256, 256),
                                                              (1000, 64)]
    rng = np.random.default_rng(0)
    dtype = np.float64 if device.fp64 else np.float32
    print(f"\nSVD: one-sided Jacobi on {device.name} ({np.dtype(dtype).name}) against numpy.linalg.svd "
          "(float64 LAPACK)")
    print(f"{'shape':>10} {'Jacobi':>13} {'numpy':>13} {'ratio':>7} {'sweeps':>7}  max |Δs| / s_max")
    for shape in shapes:
        a = rng.normal(size=shape)
        lowrank.svd(a, device=device, dtype=dtype)  # builds the kernels
        best, dec = float("inf"), None
        for _ in range(repeats):
            t0 = time.perf_counter()
            dec = lowrank.svd(a, device=device, dtype=dtype)
            best = min(best, time.perf_counter() - t0)
        ref_t = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            s_ref = np.linalg.svd(a, full_matrices=False)[1]
            ref_t = min(ref_t, time.perf_counter() - t0)
        err = float(np.max(np.abs(dec.s - s_ref)) / s_ref[0])
        print(f"{'×'.join(map(str, shape)):>10} {_fmt_t(best):>13} {_fmt_t(ref_t):>13} {best / ref_t:7.1f} "
              f"{dec.sweeps:7d}  {err:.1e}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default=None, help="device name (default: the automatic choice)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="smaller shapes, for a smoke run")
    args = parser.parse_args(argv)
    device = engine.use_device(args.device)
    print(f"device: {device.describe()}")
    bench_spmm(device, args.repeats, args.quick)
    bench_int8(device, args.repeats, args.quick)
    bench_svd(device, args.repeats, args.quick)


if __name__ == "__main__":
    main()
