"""Linear-algebra ops of the OpenCL backend, each one or more kernels from
opencl/kernels/{elementwise,reduce,matmul,gauss}.cl, queued without waiting.

Only ``dot`` and ``gauss_solve`` (which return Python numbers) read from the device.

Matrix products come in three kernels (see matmul.cl): "naive" for small products,
"local" (local-memory tiles) for GPUs and "register" (6×16 register blocks over packed
panels, K in L1-sized slices, no local memory) for CPUs. ``matmul_variant`` forces one,
so tests can run every variant on any device. Within one 256-long slice of K every
variant sums each element of C as one FMA chain in k order (engine.fused relies on it to
match the general path bit for bit).
"""

from __future__ import annotations

import numpy as np
import pyopencl as cl

from .cl_memory import round_up
from .numpy_linalg import (
    check_gauss,
    check_out,
    check_same_shape,
    matmul_shape,
    pivot_tolerance_scale,
    singular_message,
)
from ..errors import ShapeError, SingularMatrixError, shape_str

#: work-group size of the 1-D elementwise kernels
LOCAL = 64
#: work-group shape (columns, rows) of the 2-D gather kernels (transpose, packing, elimination)
LOCAL_2D = (16, 4)
#: the most work-items in the first stage of a reduction
MAX_PARTS = 1024
#: side of the square work-group of the local-memory matmul
TILE = 16
#: products with M·N·K below this run the naive kernel whatever the device: one launch
#: instead of two (pack, multiply) where launching costs more than the arithmetic. On the
#: PoCL CPU device the two paths take equally long near 32³; above it the naive kernel
#: falls behind fast (64³: 250 µs against 90 µs)
NAIVE_WORK = 32 ** 3
#: register block of the CPU kernel per dtype: (TM rows, VW vector width, NV vectors per
#: row), so TN = VW·NV columns; TM·NV accumulators, NV vectors of B and one broadcast of A
#: must fit the 16 vector registers of AVX2 (6×16 floats: 12 + 2 + 1, the shape of
#: OpenBLAS's Haswell kernel; more rows spill, fewer leave the FMA units waiting)
REG_TILES = {np.dtype(np.float32): (6, 8, 2), np.dtype(np.float64): (6, 4, 2)}
#: rows of B per slice of the register kernel's K loop: a slice of a packed panel
#: (256 × 16 floats or 256 × 8 doubles, 16 KiB) stays in the 32 KiB L1 cache
REG_KC = 256
#: blocks of TM rows per register-kernel work-item at most: its rows of A
#: (8·6 × 256 values, 48-96 KiB) stay in L2 for the neighbouring work-items
REG_BLOCKS = 8
#: work-items per compute unit the register kernel aims for (fewer blocks per work-item
#: on small products), so the last ones to finish leave no core idle for long
REG_ITEMS_PER_UNIT = 16
#: B is read in place (no packing launch) when not transposed, its width a multiple of
#: TN and its size at most this: then it stays in L2 and its row stride does no harm;
#: larger ones are packed (a power-of-two stride thrashes the caches, e.g. at n = 1024)
REG_INPLACE_BYTES = 1 << 20
#: products of at least this many multiply-adds (M·N·K) with A not transposed pack A
#: too, into blocks of TM rows each K × TM and contiguous: read in place, a block's rows
#: are TM streams a row apart, which at power-of-two K share one cache set
REG_PACK_A_WORK = 1 << 32
#: work-group shape of the register kernel: each work-item is big enough (TM·TN·K FMAs
#: at least) that PoCL's per-group cost does not matter, and one-item groups balance best
REG_LOCAL = (1, 1)
#: work-group size of the packing kernel (one work-item per panel row)
PACK_LOCAL = 64
MATMUL_VARIANTS = ("naive", "local", "register")

# name -> (file, argument kinds): "b" buffer, "i" int32, "r" the backend's REAL
_KERNELS = {
    "k_add": ("elementwise.cl", "bbbi"),
    "k_sub": ("elementwise.cl", "bbbi"),
    "k_mul": ("elementwise.cl", "bbbi"),
    "k_scale": ("elementwise.cl", "bbir"),
    "k_axpy": ("elementwise.cl", "bbir"),
    "k_transpose": ("elementwise.cl", "bbii"),
    "k_dot_parts": ("reduce.cl", "bbbii"),
    "k_absmax_parts": ("reduce.cl", "bbii"),
    "k_sum_parts": ("reduce.cl", "bbi"),
    "k_mm_naive": ("matmul.cl", "bbbiiiiii"),
    "k_mm_local": ("matmul.cl", "bbbiiiiii"),
    "k_mm_pack_b": ("matmul.cl", "bbiiii"),
    "k_mm_pack_a": ("matmul.cl", "bbiii"),
    "k_mm_reg": ("matmul.cl", "bbbiiiiiiiiiii"),
    "k_gauss_pack": ("gauss.cl", "bbbii"),
    "k_gauss_unpack": ("gauss.cl", "bbii"),
    "k_gauss_start": ("gauss.cl", "birbb"),
    "k_gauss_pivot": ("gauss.cl", "biiibbb"),
    "k_gauss_swap": ("gauss.cl", "biibb"),
    "k_gauss_elim": ("gauss.cl", "biiiib"),
}


def _parts(n: int) -> int:
    return min(round_up(n, LOCAL), MAX_PARTS)


def _grid(cols: int, rows: int, local=LOCAL_2D) -> tuple[tuple[int, int], tuple[int, int]]:
    """(global, local) sizes of a 2-D launch covering cols × rows work-items."""
    return (round_up(cols, local[0]), round_up(rows, local[1])), local


class ClLinalgOps:
    """Mixin; see engine/backend/base.py for the contract."""

    #: None: choose by size and device kind; or one of MATMUL_VARIANTS to force it
    matmul_variant: str | None = None

    def _lk(self, name: str):
        """The kernel object ``name``, looked up once per backend and kept."""
        cache = self.__dict__.get("_linalg_kernels")
        if cache is None:
            cache = self.__dict__["_linalg_kernels"] = {}
        kern = cache.get(name)
        if kern is None:
            filename, kinds = _KERNELS[name]
            types = {"b": None, "i": np.int32, "r": self.dtype}
            defines = None
            if filename == "matmul.cl":
                tm, vw, nv = REG_TILES[self.dtype]
                defines = {"TM": tm, "VW": vw, "NV": nv, "TILE": TILE}
            kern = self.kernel(filename, name, [types[c] for c in kinds], defines)
            cache[name] = kern
        return kern

    def _run1(self, name: str, n: int, *args) -> None:
        """Queue a 1-D kernel over n work-items (rounded up to the work-group size)."""
        self._lk(name)(self.queue, (round_up(n, LOCAL),), (LOCAL,), *args)

    # ------------------------------------------------------------ elementwise
    def _binary(self, name: str, op: str, a, b):
        check_same_shape(op, a, b)
        out = self.empty(a.shape)
        if a.size:
            self._run1(name, a.size, a.buf, b.buf, out.buf, a.size)
        return out

    def add(self, a, b):
        return self._binary("k_add", "add", a, b)

    def sub(self, a, b):
        return self._binary("k_sub", "sub", a, b)

    def mul(self, a, b):
        return self._binary("k_mul", "mul", a, b)

    def scale(self, a, s: float):
        out = self.empty(a.shape)
        if a.size:
            self._run1("k_scale", a.size, a.buf, out.buf, a.size, s)
        return out

    def axpy(self, alpha: float, x, y) -> None:
        if x.size != y.size:
            raise ShapeError(f"axpy needs x and y of one size, not {shape_str(x.shape)} and {shape_str(y.shape)}.")
        if x.size:
            self._run1("k_axpy", x.size, x.buf, y.buf, x.size, alpha)

    def transpose(self, a):
        if a.ndim != 2:
            raise ShapeError(f"transpose needs a 2-D array, not {shape_str(a.shape)}.")
        rows, cols = a.shape
        out = self.empty((cols, rows))
        if a.size:
            glob, loc = _grid(rows, cols)
            self._lk("k_transpose")(self.queue, glob, loc, a.buf, out.buf, rows, cols)
        return out

    # ---------------------------------------------------------------- matmul
    def _choose_matmul(self, m: int, n: int, k: int) -> str:
        forced = self.matmul_variant
        if forced is not None:
            if forced not in MATMUL_VARIANTS:
                raise ValueError(f"matmul_variant must be None or one of {', '.join(MATMUL_VARIANTS)}, not {forced!r}.")
            return forced
        if m * n * k < NAIVE_WORK:
            return "naive"
        if self.device.kind == "cpu":
            return "register"
        # the tile kernel needs TILE×TILE work-items in a group; a few small GPUs allow fewer
        return "local" if self.cl.max_work_group_size >= TILE * TILE else "naive"

    def matmul(self, a, b, trans_a: bool = False, trans_b: bool = False, out=None, accumulate: bool = False):
        """See ``Backend.matmul``; ``out`` must not share memory with a or b."""
        m, n, k = matmul_shape(a, b, trans_a, trans_b)
        if out is None:
            out = self.empty((m, n))
            accumulate = False
        else:
            check_out(out, m, n)
        if m == 0 or n == 0:
            return out
        if k == 0:  # an empty sum: the product is all zeros
            if not accumulate:
                cl.enqueue_fill_buffer(self.queue, out.buf, np.zeros(1, out.dtype), 0, out.nbytes)
            return out
        ta, tb, acc = int(bool(trans_a)), int(bool(trans_b)), int(bool(accumulate))
        variant = self._choose_matmul(m, n, k)
        if variant == "naive":
            glob, loc = _grid(n, m)
            self._lk("k_mm_naive")(self.queue, glob, loc, a.buf, b.buf, out.buf, m, n, k, ta, tb, acc)
        elif variant == "local":
            glob = (round_up(n, TILE), round_up(m, TILE))
            self._lk("k_mm_local")(self.queue, glob, (TILE, TILE), a.buf, b.buf, out.buf, m, n, k, ta, tb, acc)
        else:
            self._matmul_register(a, b, out, m, n, k, ta, tb, acc)
        return out

    def _register_plan(self, m, n, k, ta, tb, acc) -> tuple:
        """How ``_matmul_register`` runs a product of this shape (kept per shape: training
        asks for the same few shapes thousands of times, and planning costs host time)."""
        plans = self.__dict__.setdefault("_register_plans", {})
        # the module's tunables are part of the key: tests (and tuning) change them
        key = (m, n, k, ta, tb, acc, REG_KC, REG_BLOCKS, REG_ITEMS_PER_UNIT, REG_INPLACE_BYTES, REG_PACK_A_WORK)
        plan = plans.get(key)
        if plan is not None:
            return plan
        tm, vw, nv = REG_TILES[self.dtype]
        tn = vw * nv
        nq = -(-n // tn)
        # B in place when small and panel-aligned, else packed: (panel count, launch sizes)
        inplace_b = not tb and n % tn == 0 and k * n * self.dtype.itemsize <= REG_INPLACE_BYTES
        pack_b = None if inplace_b else ((round_up(nq * k, PACK_LOCAL),), (PACK_LOCAL,))
        panel_stride, row_stride = (tn, n) if inplace_b else (k * tn, tn)
        blocks = -(-m // tm)
        pack_a = None
        a_mode = ta
        if not ta and k >= REG_KC and m * n * k >= REG_PACK_A_WORK:
            lx = 8 if self.per_item > 1 else PACK_LOCAL
            pack_a = ((round_up(-(-k // self.per_item), lx), blocks), (lx, 1))
            a_mode = 2
        per_item = min(REG_BLOCKS, blocks)
        # fewer blocks per work-item until there are enough work-items to share out
        want = REG_ITEMS_PER_UNIT * max(1, self.cl.compute_units)
        while per_item > 1 and nq * -(-blocks // per_item) < want:
            per_item = (per_item + 1) // 2
        rows = per_item * tm
        ngroups = -(-m // rows)
        glob, loc = _grid(nq, ngroups, REG_LOCAL)
        plan = (tn, nq, blocks, tm, pack_b, pack_a, glob, loc,
                (m, n, k, nq, ngroups, rows, REG_KC, a_mode, acc, panel_stride, row_stride))
        plans[key] = plan
        return plan

    def _matmul_register(self, a, b, out, m, n, k, ta, tb, acc) -> None:
        tn, nq, blocks, tm, pack_b, pack_a, glob, loc, ints = self._register_plan(m, n, k, ta, tb, acc)
        panels = b
        if pack_b is not None:
            # The packed copy of B lives only for this call: the buffer returns to the
            # pool when `panels` goes, and the in-order queue runs everything queued on it
            # before any later use.
            panels = self.empty((nq * tn * k,))
            self._lk("k_mm_pack_b")(self.queue, pack_b[0], pack_b[1], b.buf, panels.buf, n, k, nq, tb)
        if pack_a is not None:
            packed_a = self.empty((blocks * tm * k,))
            self._lk("k_mm_pack_a")(self.queue, pack_a[0], pack_a[1], a.buf, packed_a.buf, m, k, blocks)
            a = packed_a
        self._lk("k_mm_reg")(self.queue, glob, loc, a.buf, panels.buf, out.buf, *ints)

    # ------------------------------------------------------------------- dot
    def dot(self, u, v) -> float:
        if u.ndim != 1 or tuple(u.shape) != tuple(v.shape):
            raise ShapeError(f"dot needs two 1-D arrays of one length, not {shape_str(u.shape)} and {shape_str(v.shape)}.")
        n = u.size
        if n == 0:
            return 0.0
        parts = _parts(n)
        partials = self.empty((parts,))
        total = self.empty((1,))
        self._run1("k_dot_parts", parts, u.buf, v.buf, partials.buf, n, parts)
        self._lk("k_sum_parts")(self.queue, (1,), (1,), partials.buf, total.buf, parts)
        return float(self.to_numpy(total)[0])

    # ----------------------------------------------------------- elimination
    def gauss_solve(self, a, b, allow_singular: bool = False):
        """See ``Backend.gauss_solve``. With ``allow_singular=True`` a singular ``a``
        returns ``(None, 0.0)`` instead of raising (what a determinant wants).

        When b has no columns only the rows below each pivot are cleared (forward
        elimination), which is all a determinant needs. Three kernels per column are
        queued without waiting; the host reads the result once, at the end.
        """
        n, nb = check_gauss(a, b)
        if n == 0:
            return self.zeros((0, nb)), 1.0
        w = n + nb
        mat = self.empty((n, w))
        glob, loc = _grid(w, n)
        self._lk("k_gauss_pack")(self.queue, glob, loc, a.buf, b.buf, mat.buf, n, nb)

        parts = _parts(a.size)
        partials = self.empty((parts,))
        tol = self.empty((1,))
        info = self.empty((3,), np.int32)
        pivots = self.empty((n,))
        self._run1("k_absmax_parts", parts, a.buf, partials.buf, a.size, parts)
        scale = pivot_tolerance_scale(n, self.dtype)
        self._lk("k_gauss_start")(self.queue, (1,), (1,), partials.buf, parts, scale, tol.buf, info.buf)

        k_pivot, k_swap, k_elim = self._lk("k_gauss_pivot"), self._lk("k_gauss_swap"), self._lk("k_gauss_elim")
        below_only = 1 if nb == 0 else 0
        q = self.queue
        for c in range(n):
            k_pivot(q, (1,), (1,), mat.buf, n, w, c, tol.buf, info.buf, pivots.buf)
            k_swap(q, (round_up(w - c, LOCAL),), (LOCAL,), mat.buf, w, c, info.buf, pivots.buf)
            rows = n - c - 1 if below_only else n
            if rows and w - c - 1:
                glob, loc = _grid(w - c - 1, rows)
                k_elim(q, glob, loc, mat.buf, n, w, c, below_only, info.buf)

        x = None
        if nb:
            x = self.empty((n, nb))
            glob, loc = _grid(nb, n)
            self._lk("k_gauss_unpack")(self.queue, glob, loc, mat.buf, x.buf, n, nb)
        # One wait for everything: the in-order queue has finished the earlier copies
        # by the time the blocking one returns.
        host_tol = np.empty(1, self.dtype)
        host_piv = np.empty(n, self.dtype)
        host_info = np.empty(3, np.int32)
        cl.enqueue_copy(q, host_tol, tol.buf, is_blocking=False)
        cl.enqueue_copy(q, host_piv, pivots.buf, is_blocking=False)
        cl.enqueue_copy(q, host_info, info.buf, is_blocking=True)
        if host_info[0]:
            if allow_singular:
                return None, 0.0
            column = int(host_info[0]) - 1
            raise SingularMatrixError(singular_message(column, n, float(host_tol[0])), column)
        # the product in float64 on the host: float32 pivots can have a product beyond
        # float32's range; beyond float64's it is inf (the caller decides what that means)
        with np.errstate(over="ignore", under="ignore"):
            det = float(np.prod(host_piv.astype(np.float64))) * (-1.0 if host_info[2] % 2 else 1.0)
        if x is None:
            x = self.empty((n, 0))
        return x, det
