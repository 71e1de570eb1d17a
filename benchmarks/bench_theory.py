"""Timings for pacgan_edu.theory's exact packed computations (issue 5 targets).

Targets: ``packed_tv`` for k ≤ 10 arbitrary atoms and m ≤ 10 in < 1 s; likelihood-ratio
grouped pairs with K = 1000 modes and m = 16 in < 1 s. Run:

    PYTHONPATH=. python benchmarks/bench_theory.py
"""
from __future__ import annotations

import math
import time

import numpy as np

from pacgan_edu import theory


def best_of(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rng = np.random.default_rng(0)
    print("target 1: k = 10 arbitrary atoms (all ratios distinct), m ≤ 10  (target < 1 s)")
    p, q = rng.dirichlet(np.ones(10)), rng.dirichlet(np.ones(10))
    for m in (2, 4, 6, 8, 10):
        types = theory.count_types(p, q, m)
        theory._compositions.cache_clear()  # first call builds the count vectors: time it
        t_cold = best_of(lambda: theory.packed_tv(p, q, m), repeats=1)
        t_tv = best_of(lambda: theory.packed_tv(p, q, m))
        t_roc = best_of(lambda: theory.packed_roc_curve(p, q, m))
        print(f"  m = {m:2d}: {types:7,d} types   packed_tv {t_tv * 1e3:6.1f} ms "
              f"(first call {t_cold * 1e3:6.1f} ms)   "
              f"packed_roc_curve {t_roc * 1e3:7.1f} ms   "
              f"(brute force would need 10^{m} = {10 ** m:,} outcomes)")

    print("target 2: K = 1000 modes, likelihood-ratio grouped, m = 16  (target < 1 s)")
    p, q = theory.dropped_modes_pair(1000, 100)
    t = best_of(lambda: theory.packed_tv(p, q, 16))
    value = theory.packed_tv(p, q, 16)
    print(f"  uniform over 1000 vs uniform over 900: TV(P¹⁶, Q¹⁶) = {value:.6f} "
          f"(closed form 1 − 0.9¹⁶ = {1 - 0.9 ** 16:.6f}) in {t * 1e3:.2f} ms "
          f"[{theory.count_types(p, q, 16)} type(s); 1000¹⁶ outcomes never built]")
    # a generator on 900 modes with three weight levels: 3 finite classes + the dropped modes
    q = np.zeros(1000)
    q[:300], q[300:600], q[600:900] = 1.2, 1.0, 0.8
    q /= q.sum()
    t_tv = best_of(lambda: theory.packed_tv(p, q, 16))
    t_roc = best_of(lambda: theory.packed_roc_curve(p, q, 16))
    print(f"  900 covered modes at 3 weight levels: {theory.count_types(p, q, 16)} types, "
          f"packed_tv {t_tv * 1e3:.2f} ms, packed_roc_curve {t_roc * 1e3:.2f} ms")

    print("bounds (vectorised over τ)")
    taus = np.linspace(0, 1, 101)
    for m in (2, 4, 8):
        t_c = best_of(lambda: theory.packed_tv_lower_bound(taus, 0.1, 0.5, m), repeats=1)
        t_n = best_of(lambda: theory.packed_tv_lower_bound_no_collapse(taus, 0.1, 0.5, m), repeats=1)
        print(f"  m = {m}: 101 values of τ: with collapse {t_c:.2f} s, without {t_n:.2f} s")
    print(f"(C(m + g − 1, g − 1) types for g classes: g = 10, m = 10 → {math.comb(19, 9):,})")


if __name__ == "__main__":
    main()
