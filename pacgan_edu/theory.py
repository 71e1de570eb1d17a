"""Exact hypothesis-testing geometry of mode collapse and packing.

Everything here works on *finite discrete* distributions given as probability vectors
``p`` (the target, P) and ``q`` (the generator, Q) over the same atoms, and is exact up to
floating point: no sampling, no approximation.

Paper: Z. Lin, A. Khetan, G. Fanti, S. Oh, "PacGAN: The power of two samples in generative
adversarial networks", NeurIPS 2018, arXiv:1712.04086 (below: *PacGAN*). Notation follows the
paper: ``eps, delta`` (ε, δ) for mode collapse, ``tau`` (τ) for TV(P, Q), ``m`` for the packing
degree. The paper's theorem statements were not available to us: every bound here is derived
from the definitions (derivations in the docstrings) and checked numerically by
``tests/test_theory.py`` and notebook 03.

Definitions (PacGAN §3):

* (P, Q) has **(ε, δ)-mode collapse** (0 ≤ ε < δ ≤ 1) if some set S has P(S) ≥ δ and Q(S) ≤ ε.
* The **mode-collapse region** R(P, Q) is the convex hull of those (ε, δ) points. Its upper
  boundary is the optimal ROC curve f(x) = sup{P(S) : Q(S) ≤ x} of the test "Q versus P" over
  randomised tests, i.e. likelihood-ratio tests (Neyman & Pearson 1933). It is concave and
  goes from (0, 0) to (1, 1).
* TV(P, Q) = max_x f(x) − x: the region's greatest height above the diagonal.

**Convention used throughout.** ``has_mode_collapse`` (and the bounds) use the region:
(P, Q) has (ε, δ)-mode collapse ⇔ (ε, δ) ∈ R(P, Q) ⇔ f(ε) ≥ δ, i.e. S may be a randomised set.
For distributions without atoms this is exactly the set definition; for discrete atoms the set
definition gives a "staircase" inside R (available as ``randomised=False``).

Packing (PacGAN §4): the discriminator sees m samples at once, so it tests Pᵐ against Qᵐ.
Blackwell (1953): R(P, Q) ⊆ R(P', Q') iff (P, Q) is a (randomised) processing of (P', Q');
every f-divergence (TV, JSD, ...) is monotone in the region, and the inclusion survives taking
m-fold products. That turns extremal questions over *all* pairs into small discrete ones.
"""
from __future__ import annotations

import functools
import math
from typing import Callable

import numpy as np

__all__ = [
    "tv",
    "jsd",
    "roc_curve",
    "roc_value",
    "subset_points",
    "neyman_pearson_set",
    "has_mode_collapse",
    "likelihood_ratio_classes",
    "count_types",
    "packed_roc_curve",
    "packed_tv",
    "packed_jsd",
    "optimal_packed_accuracy",
    "product_distribution",
    "packed_tv_upper_bound",
    "packed_tv_lower_bound",
    "packed_tv_lower_bound_no_collapse",
    "packed_tv_lower_bound_any",
    "extremal_pair",
    "dropped_modes_pair",
    "junk_mass_pair",
    "smooth_mismatch_pair",
    "gaussian_mixture_pair",
    "random_pair",
    "verify_packed_bounds",
    "SUM_TOLERANCE",
    "MAX_TYPES",
]

#: how far from 1 a probability vector's sum may be
SUM_TOLERANCE = 1e-8
#: default cap on the number of multinomial types the packed computations enumerate
MAX_TYPES = 2_000_000
#: atoms whose log likelihood ratios differ by less than this share a class
_LOG_RATIO_TOL = 1e-9
#: (ε, δ) lies in the region when f(ε) ≥ δ − this (floating-point slack)
_REGION_TOL = 1e-12
_MAX_BRUTE_OUTCOMES = 4_000_000
_MAX_SUBSET_ITEMS = 22


# ----------------------------------------------------------------------------------------------
# validation
# ----------------------------------------------------------------------------------------------
def _distribution(p, name: str) -> np.ndarray:
    """Check that ``p`` is a probability vector and return it as a float array."""
    try:
        arr = np.asarray(p, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a vector of probabilities: {error}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D probability vector, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty: a distribution needs at least one atom")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} has non-finite entries (nan or inf)")
    if np.any(arr < 0):
        bad = int(np.flatnonzero(arr < 0)[0])
        raise ValueError(f"{name} has a negative entry: {name}[{bad}] = {arr[bad]!r}")
    total = float(arr.sum())
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise ValueError(f"{name} sums to {total!r}, not 1 (tolerance {SUM_TOLERANCE:g})")
    return arr


def _pair(p, q) -> tuple[np.ndarray, np.ndarray]:
    p = _distribution(p, "p")
    q = _distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(
            f"p and q must live on the same atoms: len(p) = {p.size} but len(q) = {q.size}"
        )
    return p, q


def _packing_degree(m) -> int:
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)):
        raise ValueError(f"the packing degree m must be a positive integer, got {m!r}")
    if m < 1:
        raise ValueError(f"the packing degree m must be ≥ 1, got {m}")
    return int(m)


def _eps_delta(eps, delta) -> tuple[float, float]:
    eps, delta = float(eps), float(delta)
    if not (0.0 <= eps < delta <= 1.0):
        raise ValueError(f"need 0 ≤ eps < delta ≤ 1, got eps = {eps!r}, delta = {delta!r}")
    return eps, delta


def _tau_array(tau) -> np.ndarray:
    arr = np.asarray(tau, dtype=float)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr > 1):
        raise ValueError(f"tau = TV(P, Q) must lie in [0, 1], got {tau!r}")
    return arr


# ----------------------------------------------------------------------------------------------
# single pair
# ----------------------------------------------------------------------------------------------
def tv(p, q) -> float:
    """Total variation distance TV(P, Q) = ½ Σ |p_i − q_i| = max_S P(S) − Q(S).

    Geometrically (PacGAN §3): the greatest height of the mode-collapse region above the
    diagonal, max_x f(x) − x.
    """
    p, q = _pair(p, q)
    return float(0.5 * np.abs(p - q).sum())


def jsd(p, q) -> float:
    """Jensen–Shannon divergence JSD(P ‖ Q) in nats (0 ≤ JSD ≤ log 2).

    JSD = ½ KL(P ‖ M) + ½ KL(Q ‖ M), M = (P + Q)/2. With the optimal discriminator the GAN
    value is −log 4 + 2·JSD(P ‖ Q) (Goodfellow et al. 2014); see ``packed_jsd``.
    """
    return packed_jsd(p, q, 1)


def likelihood_ratio_classes(p, q):
    """Group atoms by their likelihood ratio P/Q (Neyman–Pearson's sufficient statistic).

    Returns ``(log_ratio, p_mass, q_mass)``, one entry per class, sorted by decreasing ratio.
    Atoms with q = 0 < p form the class log_ratio = +inf, atoms with p = 0 < q the class −inf;
    atoms with p = q = 0 are dropped. Atoms whose log-ratios differ by < 1e-9 are merged (a
    relative ratio difference of 1e-9: far below anything a figure or a test can see).

    Merging equal-ratio atoms changes neither the ROC curve nor any f-divergence, of the pair
    or of its m-fold products, because the likelihood ratio is a sufficient statistic.
    """
    p, q = _pair(p, q)
    keep = (p > 0) | (q > 0)
    p, q = p[keep], q[keep]
    with np.errstate(divide="ignore"):
        log_ratio = np.log(p) - np.log(q)  # +inf where q == 0, -inf where p == 0
    order = np.argsort(-log_ratio, kind="stable")
    log_ratio, p, q = log_ratio[order], p[order], q[order]
    # start a new class wherever the ratio drops by more than the tolerance
    with np.errstate(invalid="ignore"):
        finite_gap = np.diff(log_ratio)
        new_class = ~(np.abs(finite_gap) <= _LOG_RATIO_TOL)  # inf - inf = nan -> same class
    same_inf = np.isinf(log_ratio[:-1]) & (log_ratio[:-1] == log_ratio[1:])
    new_class &= ~same_inf
    starts = np.concatenate([[0], np.flatnonzero(new_class) + 1])
    p_mass = np.add.reduceat(p, starts) if p.size else p
    q_mass = np.add.reduceat(q, starts) if q.size else q
    return log_ratio[starts], p_mass, q_mass


@functools.lru_cache(maxsize=128)
def _compositions(m: int, g: int) -> np.ndarray:
    """All count vectors n ∈ ℕ^g with Σ n = m (multinomial types), as a read-only array."""
    if g == 0:
        out = np.zeros((1 if m == 0 else 0, 0), dtype=np.int16)
    elif g == 1:
        out = np.array([[m]], dtype=np.int16)
    else:
        blocks = []
        for first in range(m, -1, -1):
            rest = _compositions(m - first, g - 1)
            block = np.empty((rest.shape[0], g), dtype=np.int16)
            block[:, 0] = first
            block[:, 1:] = rest
            blocks.append(block)
        out = np.concatenate(blocks)
    out.setflags(write=False)
    return out


def count_types(p, q, m: int) -> int:
    """Number of multinomial types the packed computations enumerate for (Pᵐ, Qᵐ).

    C(m + g − 1, g − 1) for g likelihood-ratio classes with a finite, non-zero ratio (atoms
    that only one of P, Q charges are handled in closed form).
    """
    m = _packing_degree(m)
    log_ratio, _, _ = likelihood_ratio_classes(p, q)
    g = int(np.isfinite(log_ratio).sum())
    return math.comb(m + g - 1, g - 1) if g else 0


def _packed_types(p, q, m: int, max_types: int):
    """The sufficient statistic of (Pᵐ, Qᵐ): its multinomial types and their masses.

    Returns ``(log_lr, p_mass, q_mass, p_only, q_only)``: per type with every coordinate in a
    finite-ratio class, its log likelihood ratio and its total P and Q mass; plus
    ``p_only`` = Pᵐ(some coordinate has q = 0) = 1 − (1 − a∞)ᵐ (those outcomes have Q-mass 0)
    and ``q_only`` = Qᵐ(some coordinate has p = 0) = 1 − (1 − b₀)ᵐ (P-mass 0).
    """
    m = _packing_degree(m)
    log_ratio, a, b = likelihood_ratio_classes(p, q)
    finite = np.isfinite(log_ratio)
    a_inf = float(a[log_ratio == np.inf].sum())
    b_zero = float(b[log_ratio == -np.inf].sum())
    p_only = -math.expm1(m * math.log1p(-min(a_inf, 1.0))) if a_inf < 1 else 1.0
    q_only = -math.expm1(m * math.log1p(-min(b_zero, 1.0))) if b_zero < 1 else 1.0
    log_a, log_b = np.log(a[finite]), np.log(b[finite])
    g = log_a.size
    if g == 0:
        empty = np.zeros(0)
        return empty, empty, empty, p_only, q_only
    n_types = math.comb(m + g - 1, g - 1)
    if n_types > max_types:
        raise ValueError(
            f"(Pᵐ, Qᵐ) has {n_types:,} multinomial types (g = {g} likelihood-ratio classes, "
            f"m = {m}), more than max_types = {max_types:,}. Lower m, use a pair with fewer "
            f"distinct ratios P/Q (coarser bins), or raise max_types."
        )
    counts = _compositions(m, g)
    log_fact = np.array([math.lgamma(k + 1) for k in range(m + 1)])
    chunk = max(1, 4_000_000 // g)
    log_lr = np.empty(n_types)
    p_mass = np.empty(n_types)
    q_mass = np.empty(n_types)
    log_r = log_a - log_b
    for start in range(0, n_types, chunk):
        n = counts[start:start + chunk].astype(float)
        log_coef = log_fact[m] - log_fact[counts[start:start + chunk]].sum(axis=1)
        p_mass[start:start + chunk] = np.exp(log_coef + n @ log_a)
        q_mass[start:start + chunk] = np.exp(log_coef + n @ log_b)
        log_lr[start:start + chunk] = n @ log_r
    return log_lr, p_mass, q_mass, p_only, q_only


def packed_roc_curve(p, q, m: int, *, max_types: int = MAX_TYPES) -> np.ndarray:
    """Vertices of the optimal ROC curve of (Pᵐ, Qᵐ): the upper boundary of R(Pᵐ, Qᵐ).

    Returns an array of shape (n, 2) of points (x, y) = (Qᵐ(S), Pᵐ(S)), from (0, 0) to
    (1, 1), one vertex per change of slope (collinear points merged). The curve is the
    piecewise-linear interpolation of the vertices (randomised tests fill the segments).

    Method (Neyman–Pearson + sufficiency, PacGAN §4, Blackwell 1953): an outcome
    (x₁, …, x_m) has likelihood ratio Π r(x_i), which depends only on how many coordinates fall
    in each likelihood-ratio class of (P, Q): its *type* n = (n₁, …, n_g), Σ n_j = m. All
    outcomes of a type have the same ratio, so the type is a sufficient statistic and (Pᵐ, Qᵐ)
    has the same ROC as the pair of type distributions, with masses
    C(m; n) Π a_j^{n_j} and C(m; n) Π b_j^{n_j} (a_j, b_j the class masses). Optimal tests
    accept types in decreasing likelihood ratio. Classes with Q = 0 (ratio ∞) or P = 0
    (ratio 0) are handled in closed form, so k^m outcomes are never materialised.

    Complexity: O(k log k) to group k atoms into g finite-ratio classes, then
    O(T·g + T log T) time and O(T·g) memory with T = C(m + g − 1, g − 1) types. For g = 1
    (e.g. "uniform over K modes vs uniform over K − k of them", any K) T = 1; for k = 10
    arbitrary atoms and m = 10, T = 92,378. Raises ``ValueError`` when T > ``max_types``.
    """
    log_lr, p_mass, q_mass, p_only, q_only = _packed_types(p, q, m, max_types)
    order = np.argsort(-log_lr, kind="stable")
    log_lr, p_mass, q_mass = log_lr[order], p_mass[order], q_mass[order]
    # merge equal ratios (collinear segments): keep the last vertex of each run of ties
    if log_lr.size:
        tol = _LOG_RATIO_TOL * max(1, m)
        last_of_run = np.concatenate([np.diff(log_lr) < -tol, [True]])
    else:
        last_of_run = np.zeros(0, dtype=bool)
    x = np.concatenate([[0.0], [0.0], np.cumsum(q_mass), [1.0]])
    y = np.concatenate([[0.0], [p_only], p_only + np.cumsum(p_mass), [1.0]])
    keep = np.concatenate([[True], [p_only > 0], last_of_run, [q_only > 0 or not log_lr.size]])
    vertices = np.column_stack([x[keep], y[keep]])
    np.clip(vertices, 0.0, 1.0, out=vertices)
    vertices[-1] = (1.0, 1.0)
    return vertices


def roc_curve(p, q) -> np.ndarray:
    """Vertices of the optimal ROC curve of (P, Q): the upper boundary of R(P, Q).

    x = Q(S), y = P(S), for the likelihood-ratio (Neyman–Pearson) sets S: atoms sorted by
    decreasing P/Q (atoms with Q = 0 first, atoms with P = 0 last, atoms with P = Q = 0 are
    irrelevant). Same as ``packed_roc_curve(p, q, 1)``; O(k log k).
    """
    return packed_roc_curve(p, q, 1)


def roc_value(vertices, x):
    """Evaluate the ROC curve f(x) = sup{P(S) : Q(S) ≤ x} given its vertices (vectorised).

    At x = 0 this is the P-mass Q cannot see at all (a vertical first segment).
    """
    vertices = np.asarray(vertices, dtype=float)
    xs, ys = vertices[:, 0], vertices[:, 1]
    # for repeated abscissae (only the vertical segment at x = 0) keep the highest point
    keep = np.concatenate([xs[1:] > xs[:-1], [True]])
    return np.interp(x, xs[keep], ys[keep])


def subset_points(p, q) -> np.ndarray:
    """All 2^k points (Q(S), P(S)), one per set S of atoms (brute force, k ≤ 16).

    Their convex hull, above the diagonal, is the mode-collapse region R(P, Q) (PacGAN §3).
    Row i belongs to the set whose bit j is ``(i >> j) & 1``.
    """
    p, q = _pair(p, q)
    if p.size > 16:
        raise ValueError(f"subset_points enumerates 2^k sets: k = {p.size} > 16 is too many")
    bits = (np.arange(2 ** p.size)[:, None] >> np.arange(p.size)[None, :]) & 1
    return np.column_stack([bits @ q, bits @ p])


def neyman_pearson_set(p, q, eps: float) -> np.ndarray:
    """The (non-randomised) likelihood-ratio set for budget ε: a boolean mask of atoms.

    Atoms are taken in decreasing P/Q (ties: index order) while Q(S) stays ≤ ε. This is the set
    a student would point at: "the modes the generator misses". P(S) ≤ f(ε), with equality
    when ε falls on a vertex of the ROC curve.
    """
    p, q = _pair(p, q)
    eps = float(eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.where((p == 0) & (q == 0), -np.inf, np.log(p) - np.log(q))
    order = np.argsort(-log_ratio, kind="stable")
    mask = np.zeros(p.size, dtype=bool)
    used = 0.0
    for i in order:
        if p[i] == 0:
            break
        if used + q[i] > eps + _REGION_TOL:
            break
        used += q[i]
        mask[i] = True
    return mask


def _best_set_mass(p: np.ndarray, q: np.ndarray, eps: float) -> float:
    """max{P(S) : Q(S) ≤ ε} over genuine (non-randomised) sets: a 0/1 knapsack, brute force."""
    free = (q == 0) & (p > 0)
    items = (q > 0) & (p > 0)
    if items.sum() > _MAX_SUBSET_ITEMS:
        raise ValueError(
            f"the exact set check enumerates 2^k sets; k = {int(items.sum())} atoms charged by "
            f"both P and Q is more than {_MAX_SUBSET_ITEMS}. Use randomised=True (the region)."
        )
    sums_p, sums_q = np.zeros(1), np.zeros(1)
    for pi, qi in zip(p[items], q[items]):
        sums_p = np.concatenate([sums_p, sums_p + pi])
        sums_q = np.concatenate([sums_q, sums_q + qi])
    ok = sums_q <= eps + _REGION_TOL
    return float(p[free].sum() + sums_p[ok].max())


def has_mode_collapse(p, q, eps: float, delta: float, m: int = 1, *, randomised: bool = True,
                      max_types: int = MAX_TYPES) -> bool:
    """Does (Pᵐ, Qᵐ) have (ε, δ)-mode collapse?  (PacGAN Definition 1; m = 1: (P, Q) itself.)

    Definition: some S has Pᵐ(S) ≥ δ and Qᵐ(S) ≤ ε, with 0 ≤ ε < δ ≤ 1.

    ``randomised=True`` (default, the convention of this module): S may be a randomised set,
    i.e. (ε, δ) ∈ R(Pᵐ, Qᵐ) ⇔ f(ε) ≥ δ for the optimal ROC f (Neyman–Pearson). This is what
    the mode-collapse region and the bounds use; for atomless distributions it *is* the set
    definition.

    ``randomised=False``: only genuine sets of atoms (a 0/1 knapsack, solved by brute force;
    at most 22 atoms charged by both P and Q after materialising Pᵐ, Qᵐ). Implies the
    randomised version, not conversely (the staircase of set points lies inside R).

    A slack of 1e-12 absorbs rounding on the boundary f(ε) = δ.
    """
    eps, delta = _eps_delta(eps, delta)
    m = _packing_degree(m)
    if randomised:
        f_eps = float(roc_value(packed_roc_curve(p, q, m, max_types=max_types), eps))
        return f_eps >= delta - _REGION_TOL
    p, q = _pair(p, q)
    if m > 1:
        p, q = product_distribution(p, m), product_distribution(q, m)
    return _best_set_mass(p, q, eps) >= delta - _REGION_TOL


def packed_tv(p, q, m: int, *, max_types: int = MAX_TYPES) -> float:
    """TV(Pᵐ, Qᵐ), exactly, without materialising the k^m outcomes.

    Σ over multinomial types (see ``packed_roc_curve``) of (Pᵐ(type) − Qᵐ(type))₊, plus the
    Pᵐ-mass of outcomes with a coordinate Q cannot produce, 1 − (1 − P(Q = 0))ᵐ. Same
    complexity as ``packed_roc_curve`` without the sort: O(k log k + T·g),
    T = C(m + g − 1, g − 1), g = number of finite likelihood-ratio classes.
    """
    _, p_mass, q_mass, p_only, _ = _packed_types(p, q, m, max_types)
    return float(min(1.0, p_only + np.clip(p_mass - q_mass, 0.0, None).sum()))


def packed_jsd(p, q, m: int, *, max_types: int = MAX_TYPES) -> float:
    """JSD(Pᵐ ‖ Qᵐ) in nats, exactly, by the same type enumeration as ``packed_tv``.

    The packed GAN game with the cross-entropy loss and the optimal discriminator has value
    −log 4 + 2·JSD(Pᵐ ‖ Qᵐ) (Goodfellow et al. 2014 applied to packs, PacGAN §4); since
    Pᵐ = Qᵐ ⇔ P = Q, packing does not move the optimum, it reshapes the landscape.
    Valid because an f-divergence sums a 1-homogeneous function over outcomes, and all outcomes
    of a type are identical.
    """
    _, u, v, p_only, q_only = _packed_types(p, q, m, max_types)
    s = u + v
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(u > 0, u * np.log(2 * u / s), 0.0) + np.where(v > 0, v * np.log(2 * v / s), 0.0)
    return float(0.5 * terms.sum() + 0.5 * math.log(2) * (p_only + q_only))


def optimal_packed_accuracy(p, q, m: int, *, max_types: int = MAX_TYPES) -> float:
    """Best possible accuracy of a discriminator telling real packs from fake ones.

    With equal priors, the Bayes classifier between Pᵐ and Qᵐ is right with probability
    (1 + TV(Pᵐ, Qᵐ)) / 2 (Neyman–Pearson / Le Cam). No trained discriminator can beat it.
    """
    return 0.5 * (1.0 + packed_tv(p, q, m, max_types=max_types))


def product_distribution(p, m: int) -> np.ndarray:
    """The m-fold product Pᵐ as a flat vector of k^m outcomes (brute force, for checking).

    Outcome index = base-k digits (x₁, …, x_m), x₁ most significant. Refuses more than
    4,000,000 outcomes.
    """
    p = _distribution(p, "p")
    m = _packing_degree(m)
    if p.size ** m > _MAX_BRUTE_OUTCOMES:
        raise ValueError(
            f"product_distribution would materialise k^m = {p.size}^{m} = {p.size ** m:,} "
            f"outcomes (limit {_MAX_BRUTE_OUTCOMES:,}); use packed_tv / packed_roc_curve."
        )
    out = p
    for _ in range(m - 1):
        out = np.multiply.outer(out, p).ravel()
    return out


# ----------------------------------------------------------------------------------------------
# extremal bounds over all pairs with TV(P, Q) = τ
# ----------------------------------------------------------------------------------------------
def packed_tv_upper_bound(tau, m: int):
    """Tight upper bound TV(Pᵐ, Qᵐ) ≤ 1 − (1 − τ)ᵐ over all pairs with TV(P, Q) = τ.

    Proof: couple P and Q so that X ≠ Y with probability τ (maximal coupling); the m-fold
    coupling differs with probability 1 − (1 − τ)ᵐ, which bounds TV(Pᵐ, Qᵐ). Attained by
    P = τA + (1 − τ)C, Q = τB + (1 − τ)C with A, B, C disjoint — a pair that *has*
    (ε, δ)-mode collapse whenever τ ≥ δ − ε — and, when (1 − τ)δ > ε, by the collapse-free
    "junk" pair Q = (1 − τ)P + τ·junk (see ``junk_mass_pair``). So this one bound serves both
    classes: it cannot separate them. Vectorised over ``tau``.
    """
    tau = _tau_array(tau)
    m = _packing_degree(m)
    with np.errstate(divide="ignore"):
        out = -np.expm1(m * np.log1p(-tau))
    return float(out) if out.ndim == 0 else out


def _batched_packed_tv(p_atoms: np.ndarray, q_atoms: np.ndarray, m: int) -> np.ndarray:
    """TV(Pᵐ, Qᵐ) for a batch of pairs on a handful of atoms: arrays (B, k) → (B,).

    Exact type enumeration over the k atoms (no ratio grouping needed for TV). Log-masses by
    one matrix product; an empty atom gets log-mass −1e300 so that n·log = 0 for n = 0 and
    exp(n·log) = 0 for n ≥ 1, exactly as 0⁰ = 1, 0ⁿ = 0.
    """
    k = p_atoms.shape[1]
    counts = _compositions(m, k)
    log_fact = np.array([math.lgamma(i + 1) for i in range(m + 1)])
    log_coef = log_fact[m] - log_fact[counts].sum(axis=1)  # (T,)
    n = counts.T.astype(float)  # (k, T)
    out = np.empty(p_atoms.shape[0])
    rows = max(1, 1_000_000 // counts.shape[0])
    with np.errstate(divide="ignore"):
        log_p = np.where(p_atoms > 0, np.log(p_atoms), -1e300)
        log_q = np.where(q_atoms > 0, np.log(q_atoms), -1e300)
    for s in range(0, p_atoms.shape[0], rows):
        diff = np.exp(log_p[s:s + rows] @ n + log_coef) - np.exp(log_q[s:s + rows] @ n + log_coef)
        out[s:s + rows] = np.clip(diff, 0.0, None).sum(axis=1)
    return out


def _cross(ox, oy, ax, ay, bx, by):
    return (ax - ox) * (by - oy) - (ay - oy) * (bx - ox)


def _hull_atoms(x, tau, eps, delta):
    """Atoms of the pair whose ROC is the upper concave hull of (0,0), (ε,δ), (x, x+τ), (1,1).

    Vectorised over ``x`` (and ``tau``, broadcast). Each hull segment is one atom with
    P-mass Δy and Q-mass Δx; dropped vertices give zero-mass atoms. Returns (B, 3) arrays.
    """
    x, tau = np.broadcast_arrays(np.asarray(x, float), np.asarray(tau, float))
    x, tau = x.ravel(), tau.ravel()
    ex, ey = np.full_like(x, eps), np.full_like(x, delta)
    xx, xy = x, x + tau
    e_left = ex <= xx  # ties: (ε, δ) first, then it is popped (δ ≤ x + τ there)
    lx, ly = np.where(e_left, ex, xx), np.where(e_left, ey, xy)
    rx, ry = np.where(e_left, xx, ex), np.where(e_left, xy, ey)
    zero, one = np.zeros_like(x), np.ones_like(x)
    # monotone chain (upper hull, left to right): a point stays if the turn is clockwise
    keep_l = _cross(zero, zero, lx, ly, rx, ry) < 0
    # stack [A, L, R] when keep_l else [A, R]; then add B = (1, 1)
    keep_r_3 = _cross(lx, ly, rx, ry, one, one) < 0
    keep_l_after = _cross(zero, zero, lx, ly, one, one) < 0
    keep_r_2 = _cross(zero, zero, rx, ry, one, one) < 0
    keep_r = np.where(keep_l, keep_r_3, keep_r_2)
    keep_l = np.where(keep_l & ~keep_r_3, keep_l_after, keep_l)
    v1x, v1y = np.where(keep_l, lx, 0.0), np.where(keep_l, ly, 0.0)
    v2x, v2y = np.where(keep_r, rx, v1x), np.where(keep_r, ry, v1y)
    q_atoms = np.column_stack([v1x, v2x - v1x, 1.0 - v2x])
    p_atoms = np.column_stack([v1y, v2y - v1y, 1.0 - v2y])
    return np.clip(p_atoms, 0.0, None), np.clip(q_atoms, 0.0, None)


def _bernoulli_atoms(x, tau):
    x, tau = np.broadcast_arrays(np.asarray(x, float), np.asarray(tau, float))
    x, tau = x.ravel(), tau.ravel()
    p_atoms = np.column_stack([x + tau, 1.0 - x - tau])
    q_atoms = np.column_stack([x, 1.0 - x])
    return np.clip(p_atoms, 0.0, None), np.clip(q_atoms, 0.0, None)


_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0


def _minimise(objective: Callable[[np.ndarray, np.ndarray], np.ndarray], tau: np.ndarray,
              lo: np.ndarray, hi: np.ndarray, m: int, candidates: int = 8, iters: int = 56):
    """Minimise objective(x, tau) over x ∈ [lo, hi], for a batch of problems at once.

    The objectives are piecewise polynomials in x of degree ≤ m with many kinks, hence several
    local minima whose values can differ by only ~1e-5. So: a grid of 65 + 32·m points, then
    golden-section search inside the two cells around each of the ``candidates`` lowest grid
    local minima (x accurate to ~1e-13 within its cell). Problems with lo > hi give nan.
    Returns (minimum, argmin).
    """
    n = tau.size
    grid = 65 + 32 * m
    valid = lo <= hi + 1e-15
    lo = np.where(valid, lo, 0.0)
    hi = np.where(valid, np.maximum(hi, lo), 0.0)
    t = np.linspace(0.0, 1.0, grid)
    xs = lo[:, None] + (hi - lo)[:, None] * t[None, :]
    vals = objective(xs.ravel(), np.repeat(tau, grid)).reshape(n, grid)
    rows = np.arange(n)
    best = np.argmin(vals, axis=1)
    best_val, best_x = vals[rows, best], xs[rows, best]
    # grid local minima (endpoints compare with their one neighbour), lowest first
    padded = np.pad(vals, ((0, 0), (1, 1)), constant_values=np.inf)
    local = (vals <= padded[:, :-2]) & (vals <= padded[:, 2:])
    ranked = np.argsort(np.where(local, vals, np.inf), axis=1, kind="stable")[:, :candidates]
    usable = local[rows[:, None], ranked]
    cand_row = np.repeat(rows, ranked.shape[1])[usable.ravel()]
    cand_col = ranked.ravel()[usable.ravel()]
    a = xs[cand_row, np.maximum(cand_col - 1, 0)]
    b = xs[cand_row, np.minimum(cand_col + 1, grid - 1)]
    ctau = tau[cand_row]
    c = b - _GOLDEN * (b - a)
    d = a + _GOLDEN * (b - a)
    fc, fd = objective(c, ctau), objective(d, ctau)
    for _ in range(iters):
        left = fc < fd
        b = np.where(left, d, b)
        a = np.where(left, a, c)
        d_new = np.where(left, c, a + _GOLDEN * (b - a))
        c_new = np.where(left, b - _GOLDEN * (b - a), d)
        fd_new = np.where(left, fc, np.nan)
        fc_new = np.where(left, np.nan, fd)
        need_c, need_d = np.isnan(fc_new), np.isnan(fd_new)
        fc_new[need_c] = objective(c_new[need_c], ctau[need_c])
        fd_new[need_d] = objective(d_new[need_d], ctau[need_d])
        c, d, fc, fd = c_new, d_new, fc_new, fd_new
    cand_val = np.minimum(fc, fd)
    cand_x = np.where(fc < fd, c, d)
    # per problem, the best polished candidate (if it beats the grid)
    order = np.lexsort((cand_val, cand_row))
    first = np.concatenate([[True], cand_row[order][1:] != cand_row[order][:-1]]) if order.size else order
    winners = order[first.astype(bool)] if order.size else order
    win_rows = cand_row[winners]
    better = cand_val[winners] < best_val[win_rows]
    best_val[win_rows[better]] = cand_val[winners][better]
    best_x[win_rows[better]] = cand_x[winners][better]
    return np.where(valid, best_val, np.nan), np.where(valid, best_x, np.nan)


def _collapse_objective(eps, delta, m):
    def objective(x, tau):
        pa, qa = _hull_atoms(x, tau, eps, delta)
        return _batched_packed_tv(pa, qa, m)
    return objective


def _bernoulli_objective(m):
    def objective(x, tau):
        pa, qa = _bernoulli_atoms(x, tau)
        return _batched_packed_tv(pa, qa, m)
    return objective


def _scalar_or_array(values: np.ndarray, like: np.ndarray):
    return float(values.reshape(())) if like.ndim == 0 else values.reshape(like.shape)


def _collapse_lower(tau, eps, delta, m):
    eps, delta = _eps_delta(eps, delta)
    m = _packing_degree(m)
    tau = _tau_array(tau)
    flat = tau.ravel()
    feasible = flat >= (delta - eps) - 1e-12
    hi = np.where(feasible, 1.0 - flat, -1.0)
    values, argmin = _minimise(_collapse_objective(eps, delta, m), flat, np.zeros_like(flat), hi, m)
    return values, argmin, tau


def packed_tv_lower_bound(tau, eps: float, delta: float, m: int):
    """Tight lower bound on TV(Pᵐ, Qᵐ) over pairs with TV(P, Q) = τ *and* (ε, δ)-mode collapse.

    (PacGAN's lower-bound theorem for collapsed pairs; statement re-derived here.)

    Derivation. Let (P, Q) have TV = τ and (ε, δ)-mode collapse. Its region R(P, Q) is convex
    and contains (0, 0), (1, 1), (ε, δ) (collapse) and (x*, x* + τ) (where TV is attained).
    So R(P, Q) ⊇ H(x*), the upper concave hull of those four points, which is itself the
    region of a discrete pair with one atom per hull segment (P-mass Δy, Q-mass Δx). By
    Blackwell (1953) that pair is a garbling of (P, Q), the garbling acts coordinate-wise on
    packs, so TV(Pᵐ, Qᵐ) ≥ TV of the hull pair's m-fold product. Each hull pair is itself
    admissible: its height is max(δ − ε, τ) = τ, and it contains (ε, δ). Hence

        L(τ; ε, δ, m) = min over x ∈ [0, 1 − τ] of TV(P_H(x)ᵐ, Q_H(x)ᵐ),

    attained (the minimiser is ``extremal_pair``). Feasible iff τ ≥ δ − ε (a collapsed pair
    has TV ≥ P(S) − Q(S) ≥ δ − ε); for **infeasible τ the bound is nan** (no such pair exists),
    which plots as a gap. At τ = δ − ε it equals TV(Bern(δ)ᵐ, Bern(ε)ᵐ); with ε = 0 and
    τ = δ this is 1 − (1 − δ)ᵐ. Caution: the raw three-atom pair (ε, δ), (x − ε, x + τ − δ), …
    *without* taking the hull has a larger region and overestimates the bound.

    Numerics: the objective is piecewise polynomial in x with several local minima, so the
    minimum is found on a grid of 65 + 32·m points and the 8 lowest grid local minima are
    polished by golden-section search; each evaluation is an exact type enumeration over
    ≤ 3 atoms. Tests compare with a 20,001-point grid. Vectorised over ``tau``.
    """
    values, _, tau = _collapse_lower(tau, eps, delta, m)
    return _scalar_or_array(values, tau)


def _no_collapse_intervals(tau: np.ndarray, eps: float, delta: float):
    """x-intervals where the Bernoulli pair (x + τ vs x) has *no* (ε, δ)-mode collapse.

    Its ROC is the triangle (0,0)-(x, x+τ)-(1,1); at ε it has height
    h(x) = 1 − (1 − ε)(1 − τ/(1 − x)) for x ≤ ε (increasing) and ε(x + τ)/x for x ≥ ε
    (decreasing). So {h < δ} = [0, a) ∪ (b, 1 − τ] with a = 1 − τ(1 − ε)/(δ − ε),
    b = ετ/(δ − ε), or everything when τ < δ − ε. Returns the closures as (lo1, hi1, lo2, hi2);
    empty pieces have lo > hi.
    """
    top = 1.0 - tau
    everything = tau < delta - eps
    with np.errstate(divide="ignore", invalid="ignore"):
        a = 1.0 - tau * (1.0 - eps) / (delta - eps)
        b = eps * tau / (delta - eps)
    lo1 = np.zeros_like(tau)
    hi1 = np.where(everything, top, np.where(a > 0, np.minimum(a, top), -1.0))
    lo2 = np.where(everything, 1.0, np.maximum(b, 0.0))
    hi2 = np.where(everything | ~(b < top), -1.0, top)
    return lo1, hi1, lo2, hi2


def _no_collapse_lower(tau, eps, delta, m):
    eps, delta = _eps_delta(eps, delta)
    m = _packing_degree(m)
    tau = _tau_array(tau)
    flat = tau.ravel()
    lo1, hi1, lo2, hi2 = _no_collapse_intervals(flat, eps, delta)
    objective = _bernoulli_objective(m)
    v1, x1 = _minimise(objective, flat, lo1, hi1, m)
    v2, x2 = _minimise(objective, flat, lo2, hi2, m)
    use2 = np.isnan(v1) | (v2 < v1)
    return np.where(use2, v2, v1), np.where(use2, x2, x1), tau


def packed_tv_lower_bound_no_collapse(tau, eps: float, delta: float, m: int):
    """Tight lower bound (an infimum) on TV(Pᵐ, Qᵐ) over pairs with TV = τ *without* (ε, δ)-collapse.

    Derivation (same Blackwell argument as ``packed_tv_lower_bound``): any pair with TV = τ has
    R(P, Q) ⊇ T(x*) = triangle (0,0)-(x*, x*+τ)-(1,1), the region of the Bernoulli pair
    (Bern(x* + τ), Bern(x*)). If (P, Q) has no (ε, δ)-collapse, neither has the smaller region
    T(x*). So the bound is inf{TV(Bern(x + τ)ᵐ, Bern(x)ᵐ) : T(x) ∌ (ε, δ)}, and those
    Bernoulli pairs reach it. The admissible x form [0, a) ∪ (b, 1 − τ] (see
    ``_no_collapse_intervals``); when the minimum sits on the edge (T(x) passes exactly
    through (ε, δ)) it is approached but not attained.

    nan when no pair with TV = τ avoids (ε, δ)-collapse (e.g. τ = 1). Compare it with
    ``packed_tv_lower_bound``: that is the honest comparison of the two classes; their *upper*
    bounds are both 1 − (1 − τ)ᵐ wherever the junk pair exists. Vectorised over ``tau``.
    """
    values, _, tau = _no_collapse_lower(tau, eps, delta, m)
    return _scalar_or_array(values, tau)


def packed_tv_lower_bound_any(tau, m: int):
    """Tight lower bound on TV(Pᵐ, Qᵐ) over *all* pairs with TV(P, Q) = τ.

    min over x ∈ [0, 1 − τ] of TV(Bern(x + τ)ᵐ, Bern(x)ᵐ) (every region of height τ contains
    such a triangle; Blackwell). Lies between τ and both class-wise lower bounds: it is the
    smaller of the two. Vectorised over ``tau``.
    """
    m = _packing_degree(m)
    tau = _tau_array(tau)
    flat = tau.ravel()
    values, _ = _minimise(_bernoulli_objective(m), flat, np.zeros_like(flat), 1.0 - flat, m)
    return _scalar_or_array(values, tau)


def extremal_pair(tau: float, eps: float, delta: float, m: int, *, collapse: bool = True):
    """The discrete pair (p, q) that attains (or approaches) the lower bound at τ.

    ``collapse=True``: the hull pair of ``packed_tv_lower_bound`` (≤ 3 atoms) — TV = τ,
    (ε, δ)-mode collapse (its first atom set is a genuine set S with P(S) ≥ δ, Q(S) ≤ ε), and
    TV(Pᵐ, Qᵐ) = the bound. ``collapse=False``: the Bernoulli pair of
    ``packed_tv_lower_bound_no_collapse`` (when the infimum is on the edge, this pair sits on
    the edge f(ε) = δ and nearby admissible pairs approach it). Zero-mass atoms are dropped.
    Raises ``ValueError`` if no pair of that class has TV = τ.
    """
    tau_arr = _tau_array(tau)
    if tau_arr.ndim != 0:
        raise ValueError("extremal_pair takes a single tau")
    if collapse:
        values, argmin, _ = _collapse_lower(tau_arr, eps, delta, m)
        atoms = _hull_atoms
    else:
        values, argmin, _ = _no_collapse_lower(tau_arr, eps, delta, m)
        atoms = _bernoulli_atoms
    if np.isnan(values[0]):
        kind = "with" if collapse else "without"
        raise ValueError(f"no pair with TV = {float(tau)} {kind} ({eps}, {delta})-mode collapse exists")
    if collapse:
        pa, qa = atoms(argmin, tau_arr, *_eps_delta(eps, delta))
    else:
        pa, qa = atoms(argmin, tau_arr)
    keep = (pa[0] > 0) | (qa[0] > 0)
    p, q = pa[0][keep], qa[0][keep]
    return p / p.sum(), q / q.sum()


# ----------------------------------------------------------------------------------------------
# teaching pairs
# ----------------------------------------------------------------------------------------------
def _check_count(value, name, low):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be an integer ≥ {low}, got {value!r}")
    return int(value)


def dropped_modes_pair(n_modes: int, n_dropped: int):
    """Target uniform over ``n_modes`` modes; generator uniform over all but the last ``n_dropped``.

    The textbook mode collapse: S = dropped modes has P(S) = k/K, Q(S) = 0, so the pair has
    (0, k/K)-mode collapse; TV = k/K and TV(Pᵐ, Qᵐ) = 1 − (1 − k/K)ᵐ, the upper bound.
    """
    n_modes = _check_count(n_modes, "n_modes", 1)
    n_dropped = _check_count(n_dropped, "n_dropped", 0)
    if n_dropped >= n_modes:
        raise ValueError(f"the generator must keep a mode: n_dropped = {n_dropped} ≥ n_modes = {n_modes}")
    p = np.full(n_modes, 1.0 / n_modes)
    q = np.zeros(n_modes)
    q[: n_modes - n_dropped] = 1.0 / (n_modes - n_dropped)
    return p, q


def junk_mass_pair(n_modes: int, junk: float):
    """Generator covers every mode in proportion but wastes mass ``junk`` on a junk atom.

    Atoms: the ``n_modes`` modes, then one junk atom (P = 0). Q = (1 − junk)·P + junk·δ_junk.
    TV = junk, TV(Pᵐ, Qᵐ) = 1 − (1 − junk)ᵐ (the upper bound), yet ROC f(x) = x/(1 − junk):
    **no** (ε, δ)-mode collapse whenever ε < (1 − junk)·δ. Bad samples, not missing modes.
    """
    n_modes = _check_count(n_modes, "n_modes", 1)
    junk = float(junk)
    if not 0.0 <= junk <= 1.0:
        raise ValueError(f"junk must lie in [0, 1], got {junk}")
    p = np.append(np.full(n_modes, 1.0 / n_modes), 0.0)
    q = np.append(np.full(n_modes, (1.0 - junk) / n_modes), junk)
    return p, q


def smooth_mismatch_pair(n_modes: int, strength: float):
    """Every mode covered, weights slightly off: half the modes get (1 + s)/K, half (1 − s)/K.

    (With odd K the middle mode keeps 1/K.) TV = s·⌊K/2⌋/K; the smallest Q/P ratio is 1 − s,
    so no set is nearly invisible to the generator: for s < 1 its ROC has no vertical start
    and packing amplifies TV slowly. Only two likelihood-ratio classes, so packed computations
    are instant for any K and m.
    """
    n_modes = _check_count(n_modes, "n_modes", 1)
    strength = float(strength)
    if not 0.0 <= strength <= 1.0:
        raise ValueError(f"strength must lie in [0, 1], got {strength}")
    half = n_modes // 2
    sign = np.zeros(n_modes)
    sign[:half] = 1.0
    sign[n_modes - half:] = -1.0
    p = np.full(n_modes, 1.0 / n_modes)
    q = (1.0 + strength * sign) / n_modes
    return p, q


def _normal_cdf(z):
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(z, float) / math.sqrt(2.0)))


def _binned_1d(centres, std, edges):
    cdf = _normal_cdf((edges[None, :] - np.asarray(centres, float)[:, None]) / std)
    return np.diff(cdf, axis=1)  # (modes, bins)


def gaussian_mixture_pair(n_modes: int = 4, n_dropped: int = 1, *, dim: int = 1,
                          bins_per_mode: int = 3, std: float = 0.25,
                          generator_std: float | None = None, return_grid: bool = False):
    """A discretised Gaussian-mixture target and a generator that drops modes.

    ``dim=1``: modes at 0, 1, …, K − 1 with standard deviation ``std``; the window
    [−½, K − ½] is cut into K·``bins_per_mode`` equal bins. ``dim=2``: K must be a square
    s²; modes on the s×s grid {0, …, s − 1}², isotropic, bins_per_mode² bins per mode cell.
    The target is the equal-weight mixture; the generator mixes the kept modes (the last
    ``n_dropped`` in raster order are dropped) with ``generator_std`` (default ``std``). Both
    are binned exactly (normal CDF differences) and renormalised to the window.

    Returns (p, q), or (p, q, grid) with ``grid`` the bin centres ((n,) or (n, 2)). Bin counts
    stay small on purpose: the packed computations enumerate
    C(m + g − 1, g − 1) types for g distinct ratios (4 modes × 3 bins, m = 8: 75,582).
    """
    n_modes = _check_count(n_modes, "n_modes", 1)
    n_dropped = _check_count(n_dropped, "n_dropped", 0)
    bins_per_mode = _check_count(bins_per_mode, "bins_per_mode", 1)
    if n_dropped >= n_modes:
        raise ValueError(f"the generator must keep a mode: n_dropped = {n_dropped} ≥ n_modes = {n_modes}")
    if std <= 0 or (generator_std is not None and generator_std <= 0):
        raise ValueError("standard deviations must be positive")
    g_std = std if generator_std is None else float(generator_std)
    if dim == 1:
        centres = np.arange(n_modes, dtype=float)
        edges = np.linspace(-0.5, n_modes - 0.5, n_modes * bins_per_mode + 1)
        p = _binned_1d(centres, std, edges).sum(axis=0)
        q = _binned_1d(centres[: n_modes - n_dropped], g_std, edges).sum(axis=0)
        grid = 0.5 * (edges[1:] + edges[:-1])
    elif dim == 2:
        side = math.isqrt(n_modes)
        if side * side != n_modes:
            raise ValueError(f"dim=2 needs a square number of modes (4, 9, 16, …), got {n_modes}")
        axis = np.arange(side, dtype=float)
        edges = np.linspace(-0.5, side - 0.5, side * bins_per_mode + 1)
        centres = np.array([(i, j) for i in axis for j in axis])  # raster order
        kept = centres[: n_modes - n_dropped]

        def mixture(points, s):
            mx = _binned_1d(points[:, 0], s, edges)  # (modes, bins)
            my = _binned_1d(points[:, 1], s, edges)
            return np.einsum("ki,kj->ij", mx, my).ravel()

        p, q = mixture(centres, std), mixture(kept, g_std)
        mids = 0.5 * (edges[1:] + edges[:-1])
        grid = np.array([(x, y) for x in mids for y in mids])
    else:
        raise ValueError(f"dim must be 1 or 2, got {dim!r}")
    p, q = p / p.sum(), q / q.sum()
    return (p, q, grid) if return_grid else (p, q)


# ----------------------------------------------------------------------------------------------
# verification by brute force
# ----------------------------------------------------------------------------------------------
def random_pair(rng: np.random.Generator, n_atoms: int):
    """A random pair on ``n_atoms`` atoms: Dirichlet draws, sometimes with a mode Q drops,
    an atom P never produces, or Q mixed towards P (so that near-identical pairs occur too)."""
    n_atoms = _check_count(n_atoms, "n_atoms", 1)
    while True:
        alpha = rng.choice([0.2, 0.5, 1.0, 3.0])
        p, q = rng.dirichlet(np.full(n_atoms, alpha)), rng.dirichlet(np.full(n_atoms, alpha))
        if n_atoms > 1 and rng.random() < 0.3:
            q[rng.integers(n_atoms)] = 0.0
        if n_atoms > 1 and rng.random() < 0.2:
            p[rng.integers(n_atoms)] = 0.0
        if rng.random() < 0.2:
            w = rng.random()
            q = (1 - w) * p + w * q
        if p.sum() > 0 and q.sum() > 0:
            return p / p.sum(), q / q.sum()


def verify_packed_bounds(eps: float, delta: float, m: int, n_pairs: int = 1000, seed: int = 0,
                         max_atoms: int = 5, n_extremal: int = 12, tol: float = 1e-9) -> dict:
    """Check the bounds against brute force on random pairs (PacGAN's theorems, re-derived).

    For ``n_pairs`` seeded random pairs on 2…``max_atoms`` atoms: τ = TV(P, Q), whether
    (ε, δ)-mode collapse holds, and TV(Pᵐ, Qᵐ) by *materialising* Pᵐ and Qᵐ
    (``product_distribution``: k^m outcomes, independent of the type enumeration). A violation
    is a pair below the lower bound of its class, below τ, or above 1 − (1 − τ)ᵐ (slack
    ``tol``). Tightness: the extremal pairs at ``n_extremal`` values of τ are brute-forced too;
    their largest distance to the bound is reported.

    Returns a dict with arrays ``tau, packed, collapsed, lower_collapse, lower_no_collapse,
    upper`` and numbers ``violations``, ``brute_vs_types`` (largest |brute force − type
    enumeration| on the random pairs), ``tightness`` (largest |brute force − bound| on the
    extremal pairs), ``min_gap_collapse`` (closest random collapsed pair to its bound) and
    ``extremal_tau, extremal_packed`` (for plotting).
    """
    eps, delta = _eps_delta(eps, delta)
    m = _packing_degree(m)
    rng = np.random.default_rng(seed)
    pairs = [random_pair(rng, int(rng.integers(2, max_atoms + 1))) for _ in range(n_pairs)]
    tau = np.array([tv(p, q) for p, q in pairs])
    packed = np.array([tv(product_distribution(p, m), product_distribution(q, m)) for p, q in pairs])
    by_types = np.array([packed_tv(p, q, m) for p, q in pairs])
    collapsed = np.array([has_mode_collapse(p, q, eps, delta) for p, q in pairs])
    lower_c = np.atleast_1d(packed_tv_lower_bound(tau, eps, delta, m))
    lower_n = np.atleast_1d(packed_tv_lower_bound_no_collapse(tau, eps, delta, m))
    upper = np.atleast_1d(packed_tv_upper_bound(tau, m))
    applicable = np.where(collapsed, lower_c, lower_n)
    bad = (
        np.isnan(applicable)
        | (packed < applicable - tol)
        | (packed < tau - tol)
        | (packed > upper + tol)
    )
    ext_tau = np.linspace(delta - eps, 1.0, n_extremal + 2)[1:-1]
    ext_packed, tightness = [], 0.0
    for t in ext_tau:
        p, q = extremal_pair(float(t), eps, delta, m)
        value = tv(product_distribution(p, m), product_distribution(q, m))
        ext_packed.append(value)
        tightness = max(tightness, abs(value - packed_tv_lower_bound(float(t), eps, delta, m)))
        tightness = max(tightness, abs(tv(p, q) - t))
    gaps = packed[collapsed] - lower_c[collapsed]
    return {
        "eps": eps, "delta": delta, "m": m,
        "tau": tau, "packed": packed, "collapsed": collapsed,
        "lower_collapse": lower_c, "lower_no_collapse": lower_n, "upper": upper,
        "violations": int(bad.sum()),
        "brute_vs_types": float(np.max(np.abs(packed - by_types))) if n_pairs else 0.0,
        "tightness": float(tightness),
        "min_gap_collapse": float(gaps.min()) if gaps.size else float("nan"),
        "extremal_tau": ext_tau, "extremal_packed": np.array(ext_packed),
    }
