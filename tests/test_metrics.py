import math

import pytest
import torch

from pacgan_edu.data import grid, ring
from pacgan_edu.metrics import grid_divergences, high_quality_fraction, mixture_metrics, mode_counts, modes_captured, reverse_kl


def test_exactly_three_of_twenty_five_modes():
    g = grid()
    samples = g.means[[0, 7, 19]].repeat(100, 1)            # 300 samples, 100 on each of 3 modes
    result = mixture_metrics(samples, g)
    assert result["modes_captured"].item() == 3
    assert result["high_quality_fraction"].item() == pytest.approx(1.0)
    assert result["reverse_kl"].item() == pytest.approx(math.log(25 / 3), abs=1e-5)


def test_high_quality_threshold_is_three_standard_deviations():
    r = ring()
    direction = torch.tensor([[0.0, 1.0]])                  # tangent at mode (1, 0): nearest mode stays mode 0
    inside = r.means[:1] + 2.9 * r.std * direction
    outside = r.means[:1] + 3.1 * r.std * direction
    assert high_quality_fraction(inside, r).item() == 1.0
    assert high_quality_fraction(outside, r).item() == 0.0
    assert modes_captured(outside, r).item() == 0


def test_uniform_coverage_has_zero_reverse_kl_and_junk_lowers_quality():
    g = grid()
    covered = g.means.repeat(4, 1)                            # 100 samples, 4 per mode
    junk = torch.full((100, 2), 1.0)                          # between modes: never high quality
    samples = torch.cat([covered, junk])
    assert reverse_kl(samples, g).item() == pytest.approx(0.0, abs=1e-6)
    assert high_quality_fraction(samples, g).item() == pytest.approx(0.5)
    assert modes_captured(samples, g).item() == 25


def test_no_high_quality_sample_reports_the_worst_case():
    r = ring()
    result = mixture_metrics(torch.zeros(10, 2), r)
    assert result["modes_captured"].item() == 0
    assert result["reverse_kl"].item() == pytest.approx(math.log(8))


def test_batched_members_equal_one_at_a_time():
    g = grid()
    gen = torch.Generator().manual_seed(0)
    members = torch.stack([g.sample(500, gen), g.means[:2].repeat(250, 1), torch.randn(500, 2, generator=gen)])
    batched = mixture_metrics(members, g)
    for k in range(3):
        single = mixture_metrics(members[k], g)
        for name in batched:
            assert batched[name][k].item() == pytest.approx(single[name].item())
    assert torch.equal(mode_counts(members, g)[1], mode_counts(members[1], g))


def test_grid_divergence_separates_real_from_collapsed():
    r = ring()
    real = r.sample(5000, torch.Generator().manual_seed(1))
    collapsed = r.means[:1].repeat(5000, 1)
    js_real = grid_divergences(real, r)["js"].item()
    js_collapsed = grid_divergences(collapsed, r)["js"].item()
    assert 0 <= js_real < 0.05
    assert js_collapsed > 0.5 and js_collapsed <= math.log(2) + 1e-9


def test_wrong_shapes_are_rejected():
    with pytest.raises(ValueError, match="shape"):
        mixture_metrics(torch.zeros(5), grid())
    with pytest.raises(ValueError, match="dims"):
        mixture_metrics(torch.zeros(5, 3), grid())
