"""Tests for pacgan_edu.theory: closed forms, REFERENCES values, brute force, bounds, validation."""
from __future__ import annotations

import math

import numpy as np
import pytest

from pacgan_edu import theory as T


# ------------------------------------------------------------------------------------------
# helpers (independent of the library's algorithms)
# ------------------------------------------------------------------------------------------
def binomial_tv(a: float, b: float, m: int) -> float:
    """TV(Bern(a)ᵐ, Bern(b)ᵐ) from the binomial formula."""
    return sum(
        math.comb(m, k) * max(a**k * (1 - a) ** (m - k) - b**k * (1 - b) ** (m - k), 0.0)
        for k in range(m + 1)
    )


def brute_tv(p, q, m):
    return T.tv(T.product_distribution(p, m), T.product_distribution(q, m))


def random_pair(rng, k):
    alpha = rng.choice([0.2, 0.5, 1.0, 3.0])
    p, q = rng.dirichlet(np.full(k, alpha)), rng.dirichlet(np.full(k, alpha))
    if k > 1 and rng.random() < 0.3:  # a dropped mode
        q[rng.integers(k)] = 0.0
    if k > 1 and rng.random() < 0.2:  # junk the target never produces
        p[rng.integers(k)] = 0.0
    if rng.random() < 0.2:  # a mixture of P with something: close pairs
        q = (1 - rng.random()) * p + rng.random() * q
    if p.sum() == 0 or q.sum() == 0:
        return random_pair(rng, k)
    return p / p.sum(), q / q.sum()


# ------------------------------------------------------------------------------------------
# validation
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "p, q, match",
    [
        ([0.5, 0.6, -0.1], [0.3, 0.3, 0.4], "negative"),
        ([0.5, 0.4], [0.5, 0.5], "sums to"),
        ([0.5, 0.5], [0.2, 0.3, 0.5], "same atoms"),
        ([[0.5, 0.5]], [[0.5, 0.5]], "1-D"),
        ([np.nan, 1.0], [0.5, 0.5], "non-finite"),
        ([], [], "empty"),
        (["a", "b"], [0.5, 0.5], "vector of probabilities"),
    ],
)
def test_invalid_distributions_raise(p, q, match):
    for fn in (T.tv, T.roc_curve, lambda a, b: T.packed_tv(a, b, 2),
               lambda a, b: T.packed_roc_curve(a, b, 2), lambda a, b: T.has_mode_collapse(a, b, 0.1, 0.5)):
        with pytest.raises(ValueError, match=match):
            fn(p, q)


@pytest.mark.parametrize("m", [0, -1, 1.5, True, "2"])
def test_invalid_packing_degree(m):
    with pytest.raises(ValueError, match="packing degree"):
        T.packed_tv([0.5, 0.5], [0.2, 0.8], m)


@pytest.mark.parametrize("eps, delta", [(0.5, 0.5), (0.6, 0.5), (-0.1, 0.5), (0.1, 1.2)])
def test_invalid_eps_delta(eps, delta):
    with pytest.raises(ValueError, match="eps < delta"):
        T.has_mode_collapse([0.5, 0.5], [0.2, 0.8], eps, delta)
    with pytest.raises(ValueError, match="eps < delta"):
        T.packed_tv_lower_bound(0.5, eps, delta, 2)


@pytest.mark.parametrize("tau", [-0.1, 1.5, np.nan])
def test_invalid_tau(tau):
    for fn in (lambda t: T.packed_tv_upper_bound(t, 2), lambda t: T.packed_tv_lower_bound(t, 0.1, 0.5, 2),
               lambda t: T.packed_tv_lower_bound_no_collapse(t, 0.1, 0.5, 2)):
        with pytest.raises(ValueError, match="tau"):
            fn(tau)


def test_too_many_types_is_a_clear_error():
    rng = np.random.default_rng(0)
    p, q = rng.dirichlet(np.ones(30)), rng.dirichlet(np.ones(30))
    with pytest.raises(ValueError, match="multinomial types"):
        T.packed_tv(p, q, 12)
    with pytest.raises(ValueError, match="k\\^m"):
        T.product_distribution(p, 6)


def test_helpers_validate():
    with pytest.raises(ValueError):
        T.dropped_modes_pair(5, 5)
    with pytest.raises(ValueError):
        T.junk_mass_pair(5, 1.5)
    with pytest.raises(ValueError):
        T.smooth_mismatch_pair(5, -0.1)
    with pytest.raises(ValueError, match="square"):
        T.gaussian_mixture_pair(5, 1, dim=2)
    with pytest.raises(ValueError):
        T.extremal_pair(0.2, 0.1, 0.5, 2)  # τ < δ − ε: no collapsed pair has this TV


# ------------------------------------------------------------------------------------------
# single pair: TV, ROC, collapse
# ------------------------------------------------------------------------------------------
def test_bernoulli_roc_and_tv():
    a, b = 0.7, 0.25
    p, q = [a, 1 - a], [b, 1 - b]
    np.testing.assert_allclose(T.roc_curve(p, q), [[0, 0], [b, a], [1, 1]], atol=1e-15)
    assert T.tv(p, q) == pytest.approx(a - b)
    for m in range(1, 9):
        assert T.packed_tv(p, q, m) == pytest.approx(binomial_tv(a, b, m), abs=1e-13)


def test_roc_handles_zero_mass_atoms():
    # atom 0: only P (ratio ∞); atom 1: shared; atom 2: only Q (ratio 0); atom 3: neither
    p, q = [0.3, 0.7, 0.0, 0.0], [0.0, 0.6, 0.4, 0.0]
    np.testing.assert_allclose(T.roc_curve(p, q), [[0, 0], [0, 0.3], [0.6, 1.0], [1, 1]], atol=1e-15)
    assert T.roc_value(T.roc_curve(p, q), 0.0) == pytest.approx(0.3)  # vertical start
    assert T.tv(p, q) == pytest.approx(0.4)
    for m in (1, 2, 5):
        assert T.packed_tv(p, q, m) == pytest.approx(brute_tv(p, q, m), abs=1e-13)


def test_identical_and_disjoint_pairs():
    p = [0.2, 0.3, 0.5]
    np.testing.assert_allclose(T.roc_curve(p, p), [[0, 0], [1, 1]])
    assert T.packed_tv(p, p, 7) == pytest.approx(0.0, abs=1e-14)
    assert T.packed_jsd(p, p, 3) == pytest.approx(0.0, abs=1e-14)
    np.testing.assert_allclose(T.roc_curve([1, 0], [0, 1]), [[0, 0], [0, 1], [1, 1]])
    assert T.packed_tv([1, 0], [0, 1], 4) == 1.0
    assert T.packed_jsd([1, 0], [0, 1], 4) == pytest.approx(math.log(2))


def test_roc_is_the_hull_of_all_set_points():
    rng = np.random.default_rng(1)
    for _ in range(40):
        p, q = random_pair(rng, int(rng.integers(1, 8)))
        v = T.roc_curve(p, q)
        pts = T.subset_points(p, q)
        assert np.all(np.diff(v[:, 0]) >= -1e-15) and np.all(np.diff(v[:, 1]) >= -1e-15)
        slopes = np.diff(v[:, 1]) / np.maximum(np.diff(v[:, 0]), 1e-300)
        assert np.all(np.diff(slopes) <= 1e-9)  # concave
        # every set point lies under the curve, every vertex is a set point
        assert np.all(pts[:, 1] <= T.roc_value(v, pts[:, 0]) + 1e-12)
        for vx, vy in v:
            assert np.min(np.hypot(pts[:, 0] - vx, pts[:, 1] - vy)) < 1e-12
        # TV is the region's height
        assert T.tv(p, q) == pytest.approx(np.max(v[:, 1] - v[:, 0]), abs=1e-12)


def test_mode_collapse_definitions():
    p, q = T.dropped_modes_pair(10, 3)
    assert T.has_mode_collapse(p, q, 0.0, 0.3)
    assert not T.has_mode_collapse(p, q, 0.0, 0.31)
    assert T.has_mode_collapse(p, q, 0.0, 0.3, randomised=False)
    mask = T.neyman_pearson_set(p, q, 0.0)
    np.testing.assert_array_equal(mask, [False] * 7 + [True] * 3)
    # randomised (region) vs genuine sets: (0.1, 0.3) is in the hull but no set reaches it
    p, q = [0.6, 0.4], [0.2, 0.8]
    assert T.has_mode_collapse(p, q, 0.1, 0.3)
    assert not T.has_mode_collapse(p, q, 0.1, 0.3, randomised=False)
    assert T.has_mode_collapse(p, q, 0.2, 0.6, randomised=False)


def test_sets_imply_region_and_packing_keeps_collapse():
    rng = np.random.default_rng(2)
    for _ in range(100):
        p, q = random_pair(rng, int(rng.integers(2, 6)))
        eps = rng.uniform(0, 0.5)
        delta = rng.uniform(eps + 0.01, 1.0)
        if T.has_mode_collapse(p, q, eps, delta, randomised=False):
            assert T.has_mode_collapse(p, q, eps, delta)
        # (P, Q) is a garbling of (P², Q²) (keep the first sample): regions only grow with m
        if T.has_mode_collapse(p, q, eps, delta, 2):
            assert T.has_mode_collapse(p, q, eps, delta, 3)
        assert T.packed_tv(p, q, 3) >= T.packed_tv(p, q, 2) - 1e-12


# ------------------------------------------------------------------------------------------
# packed computations: brute force equals type enumeration
# ------------------------------------------------------------------------------------------
def test_brute_force_equals_type_enumeration():
    rng = np.random.default_rng(3)
    xs = np.linspace(0, 1, 201)
    for _ in range(150):
        k, m = int(rng.integers(1, 6)), int(rng.integers(1, 5))
        p, q = random_pair(rng, k)
        pm, qm = T.product_distribution(p, m), T.product_distribution(q, m)
        assert T.packed_tv(p, q, m) == pytest.approx(T.tv(pm, qm), abs=1e-12)
        assert T.packed_jsd(p, q, m) == pytest.approx(T.jsd(pm, qm), abs=1e-12)
        np.testing.assert_allclose(
            T.roc_value(T.packed_roc_curve(p, q, m), xs), T.roc_value(T.roc_curve(pm, qm), xs), atol=1e-12
        )


def test_equal_ratio_atoms_merge_without_changing_anything():
    p, q = [0.1, 0.2, 0.3, 0.4], [0.05, 0.1, 0.45, 0.4]  # atoms 0, 1 share ratio 2
    log_ratio, a, b = T.likelihood_ratio_classes(p, q)
    assert log_ratio.size == 3
    assert T.count_types(p, q, 4) == math.comb(4 + 2, 2)
    for m in (1, 2, 3):
        assert T.packed_tv(p, q, m) == pytest.approx(brute_tv(p, q, m), abs=1e-13)


def test_grouped_thousand_modes_closed_form():
    p, q = T.dropped_modes_pair(1000, 100)
    assert T.count_types(p, q, 16) == 1
    assert T.packed_tv(p, q, 16) == pytest.approx(1 - 0.9**16, abs=1e-13)
    assert T.has_mode_collapse(p, q, 0.0, 1 - 0.9**16 - 1e-9, 16)


def test_teaching_pair_closed_forms():
    p, q = T.junk_mass_pair(6, 0.3)
    assert T.tv(p, q) == pytest.approx(0.3)
    assert T.packed_tv(p, q, 5) == pytest.approx(1 - 0.7**5)
    # ROC f(x) = x / (1 − junk): collapse iff ε ≥ (1 − junk)·δ
    assert not T.has_mode_collapse(p, q, 0.34, 0.5)
    assert T.has_mode_collapse(p, q, 0.36, 0.5)
    p, q = T.smooth_mismatch_pair(10, 0.4)
    assert T.tv(p, q) == pytest.approx(0.2)
    assert T.packed_tv(p, q, 3) == pytest.approx(brute_tv(p, q, 3), abs=1e-13)
    p, q, grid = T.gaussian_mixture_pair(4, 1, return_grid=True)
    assert p.shape == q.shape == grid.shape == (12,)
    assert p.sum() == pytest.approx(1) and q.sum() == pytest.approx(1)
    assert T.packed_tv(p, q, 3) == pytest.approx(brute_tv(p, q, 3), abs=1e-12)
    p, q, grid = T.gaussian_mixture_pair(4, 1, dim=2, bins_per_mode=2, return_grid=True)
    assert p.shape == (16,) and grid.shape == (16, 2)
    assert q[grid[:, 0] + grid[:, 1] > 2.2].sum() < p[grid[:, 0] + grid[:, 1] > 2.2].sum()


def test_references_example_pairs():
    """REFERENCES § Theory: two pairs with TV 0.2 whose packed TVs separate (0.832 vs 0.443 at m = 8)."""
    a = ([0.2, 0.8], [0.0, 1.0])
    b = ([0.5, 0.5], [0.3, 0.7])
    assert T.tv(*a) == pytest.approx(0.2) and T.tv(*b) == pytest.approx(0.2)
    assert round(T.packed_tv(*a, 8), 3) == 0.832
    assert round(T.packed_tv(*b, 8), 3) == 0.443


# ------------------------------------------------------------------------------------------
# bounds
# ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "eps, delta, tau, m, reference",
    [
        (0.1, 0.5, 0.4, 2, 0.5600),
        (0.1, 0.5, 0.4, 3, 0.6040),
        (0.1, 0.5, 0.4, 4, 0.6352),
        (0.0, 0.3, 0.3, 2, 0.5100),
        (0.0, 0.3, 0.3, 3, 0.6570),
        (0.2, 0.9, 0.7, 2, 0.7700),
    ],
)
def test_references_lower_bound_values(eps, delta, tau, m, reference):
    assert T.packed_tv_lower_bound(tau, eps, delta, m) == pytest.approx(reference, abs=5e-5)


@pytest.mark.parametrize("eps, delta", [(0.1, 0.5), (0.0, 0.3), (0.2, 0.9), (0.05, 0.6)])
@pytest.mark.parametrize("m", [1, 2, 3, 6])
def test_lower_bound_closed_forms(eps, delta, m):
    # at τ = δ − ε the extremal pair is Bern(δ) vs Bern(ε)
    assert T.packed_tv_lower_bound(delta - eps, eps, delta, m) == pytest.approx(
        binomial_tv(delta, eps, m), abs=1e-10)
    # m = 1: the bound is τ itself wherever feasible
    assert T.packed_tv_lower_bound(0.95, eps, delta, 1) == pytest.approx(0.95, abs=1e-12)
    # infeasible τ < δ − ε → nan (documented)
    assert math.isnan(T.packed_tv_lower_bound(0.5 * (delta - eps), eps, delta, m))


@pytest.mark.parametrize("delta", [0.1, 0.3, 0.8])
@pytest.mark.parametrize("m", [2, 4, 9])
def test_eps_zero_gives_one_minus_one_minus_delta_to_the_m(delta, m):
    assert T.packed_tv_lower_bound(delta, 0.0, delta, m) == pytest.approx(1 - (1 - delta) ** m, abs=1e-10)


def test_upper_bound_formula_and_tightness():
    taus = np.array([0.0, 0.1, 0.5, 0.9, 1.0])
    np.testing.assert_allclose(T.packed_tv_upper_bound(taus, 4), 1 - (1 - taus) ** 4, atol=1e-15)
    tau = 0.3
    for p, q in (T.junk_mass_pair(5, tau), ([tau, 1 - tau, 0], [0, 1 - tau, tau])):
        assert T.packed_tv(p, q, 6) == pytest.approx(T.packed_tv_upper_bound(tau, 6), abs=1e-13)


def test_no_collapse_bound_feasibility():
    assert math.isnan(T.packed_tv_lower_bound_no_collapse(1.0, 0.1, 0.5, 3))
    # every pair with TV < δ − ε avoids collapse: the bound is the unconstrained one
    assert T.packed_tv_lower_bound_no_collapse(0.2, 0.1, 0.5, 3) == pytest.approx(
        T.packed_tv_lower_bound_any(0.2, 3), abs=1e-12)
    assert T.packed_tv_lower_bound_no_collapse(0.0, 0.1, 0.5, 3) == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize("eps, delta", [(0.1, 0.5), (0.0, 0.3), (0.05, 0.2)])
@pytest.mark.parametrize("m", [2, 5, 12])
def test_bounds_match_a_dense_search(eps, delta, m):
    """The minimiser is not fooled by local minima: compare with a 20,001-point grid."""
    from pacgan_edu.theory import _batched_packed_tv, _bernoulli_atoms, _hull_atoms

    taus = np.linspace(delta - eps, 0.95, 5)
    lower = T.packed_tv_lower_bound(taus, eps, delta, m)
    for tau, value in zip(taus, lower):
        xs = np.linspace(0, 1 - tau, 20001)
        dense = _batched_packed_tv(*_hull_atoms(xs, tau, eps, delta), m).min()
        assert value <= dense + 1e-12
        assert dense - value < 1e-4
    lower = T.packed_tv_lower_bound_any(taus, m)
    for tau, value in zip(taus, lower):
        xs = np.linspace(0, 1 - tau, 20001)
        dense = _batched_packed_tv(*_bernoulli_atoms(xs, tau), m).min()
        assert value <= dense + 1e-12
        assert dense - value < 1e-4


@pytest.mark.parametrize("eps, delta, tau, m", [(0.1, 0.5, 0.45, 3), (0.0, 0.3, 0.5, 4),
                                                (0.2, 0.9, 0.8, 2), (0.05, 0.2, 0.3, 5)])
def test_extremal_pairs_attain_the_bounds(eps, delta, tau, m):
    p, q = T.extremal_pair(tau, eps, delta, m)
    assert T.tv(p, q) == pytest.approx(tau, abs=1e-12)
    assert T.has_mode_collapse(p, q, eps, delta, randomised=False)  # a genuine set S
    assert brute_tv(p, q, m) == pytest.approx(T.packed_tv_lower_bound(tau, eps, delta, m), abs=1e-12)
    bound = T.packed_tv_lower_bound_no_collapse(tau, eps, delta, m)
    p, q = T.extremal_pair(tau, eps, delta, m, collapse=False)
    assert T.tv(p, q) == pytest.approx(tau, abs=1e-12)
    assert brute_tv(p, q, m) == pytest.approx(bound, abs=1e-12)
    if T.has_mode_collapse(p, q, eps, delta):
        # infimum on the edge: Bernoulli pairs just inside the admissible set approach it
        x = float(q[0])
        lo1, hi1, lo2, hi2 = (float(v[0]) for v in T._no_collapse_intervals(np.array([tau]), eps, delta))
        inside = x - 1e-7 if abs(x - hi1) < abs(x - lo2) else x + 1e-7
        pn, qn = [inside + tau, 1 - inside - tau], [inside, 1 - inside]
        assert not T.has_mode_collapse(pn, qn, eps, delta)
        assert brute_tv(pn, qn, m) == pytest.approx(bound, abs=1e-5)


@pytest.mark.parametrize("m", [2, 3])
def test_random_pairs_never_violate_the_bounds(m):
    """A few thousand random pairs (plus near-extremal ones, so that a wrong bound would fail)."""
    eps, delta = 0.1, 0.4
    rng = np.random.default_rng(10 + m)
    pairs = [random_pair(rng, int(rng.integers(2, 6))) for _ in range(1500)]
    for tau in rng.uniform(delta - eps, 0.95, 40):  # perturbed extremal pairs hug the bound
        p, q = T.extremal_pair(tau, eps, delta, m)
        for _ in range(5):
            noise = 1e-3 * rng.random(p.size)
            pairs.append(((p + noise) / (p + noise).sum(), q))
    taus = np.array([T.tv(p, q) for p, q in pairs])
    packed = np.array([brute_tv(p, q, m) for p, q in pairs])
    collapsed = np.array([T.has_mode_collapse(p, q, eps, delta) for p, q in pairs])
    assert 200 < collapsed.sum() < len(pairs) - 200  # both classes well represented
    lower_c = T.packed_tv_lower_bound(taus, eps, delta, m)
    lower_n = T.packed_tv_lower_bound_no_collapse(taus, eps, delta, m)
    tol = 1e-9
    assert np.all(packed <= T.packed_tv_upper_bound(taus, m) + tol)
    assert np.all(packed >= taus - tol)
    assert np.all(packed >= T.packed_tv_lower_bound_any(taus, m) - tol)
    assert not np.any(np.isnan(lower_c[collapsed]))
    assert np.all(packed[collapsed] >= lower_c[collapsed] - tol)
    assert not np.any(np.isnan(lower_n[~collapsed]))
    assert np.all(packed[~collapsed] >= lower_n[~collapsed] - tol)
    # and the collapse bound is tight: some pairs come within 1e-3 of it
    assert np.min(packed[collapsed] - lower_c[collapsed]) < 1e-3


def test_jsd_and_accuracy():
    p, q = [0.5, 0.5], [0.3, 0.7]
    direct = 0.5 * sum(a * math.log(2 * a / (a + b)) + b * math.log(2 * b / (a + b)) for a, b in zip(p, q))
    assert T.jsd(p, q) == pytest.approx(direct, abs=1e-15)
    values = [T.packed_jsd(p, q, m) for m in range(1, 7)]
    assert all(b >= a - 1e-15 for a, b in zip(values, values[1:])) and values[-1] <= math.log(2)
    assert T.optimal_packed_accuracy(p, q, 3) == pytest.approx(0.5 * (1 + T.packed_tv(p, q, 3)))


def test_verify_packed_bounds_reports_zero_violations():
    report = T.verify_packed_bounds(0.1, 0.5, 2, n_pairs=200, seed=1, n_extremal=4)
    assert report["violations"] == 0
    assert report["brute_vs_types"] < 1e-12 and report["tightness"] < 1e-12
    assert report["tau"].shape == report["packed"].shape == (200,)
    assert 0 < report["collapsed"].sum() < 200
