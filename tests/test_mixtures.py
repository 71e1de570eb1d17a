import math

import pytest
import torch

from pacgan_edu.data import GaussianMixture, grid, mixture, ring


def test_ring_has_eight_distinct_modes_on_the_unit_circle():
    r = ring()
    assert r.num_modes == 8 and r.std == 0.01
    assert torch.allclose(r.means.norm(dim=1), torch.ones(8), atol=1e-6)
    distances = torch.cdist(r.means, r.means) + torch.eye(8) * 10
    assert distances.min() > 0.7  # 2 sin(pi/8) = 0.765: no duplicated endpoint


def test_grid_is_the_papers_lattice():
    g = grid()
    assert g.num_modes == 25 and g.std == 0.05
    assert set(g.means[:, 0].tolist()) == {-4.0, -2.0, 0.0, 2.0, 4.0}
    assert len({tuple(m) for m in g.means.tolist()}) == 25


def test_samples_are_reproducible_per_generator_and_near_modes():
    g = grid()
    a = g.sample(5000, torch.Generator().manual_seed(3))
    b = g.sample(5000, torch.Generator().manual_seed(3))
    c = g.sample(5000, torch.Generator().manual_seed(4))
    assert a.shape == (5000, 2) and torch.equal(a, b) and not torch.equal(a, c)
    nearest = torch.cdist(a, g.means).min(dim=1).values
    # distance / std of a 2D Gaussian is Rayleigh: mean sqrt(pi/2)
    assert abs(nearest.mean().item() / g.std - math.sqrt(math.pi / 2)) < 0.05


def test_custom_weights_are_respected():
    m = GaussianMixture([[0.0, 0.0], [10.0, 0.0]], std=0.1, weights=[3, 1])
    x = m.sample(20000, torch.Generator().manual_seed(0))
    share = (x[:, 0] < 5).float().mean().item()
    assert abs(share - 0.75) < 0.02


@pytest.mark.parametrize("kwargs, message", [
    (dict(means=[0.0, 1.0], std=0.1), "shape"),
    (dict(means=[[0.0, 0.0]], std=0.0), "std"),
    (dict(means=[[0.0, 0.0]], std=-1.0), "std"),
    (dict(means=[[0.0, 0.0], [1.0, 1.0]], std=0.1, weights=[1.0]), "one entry per mode"),
    (dict(means=[[0.0, 0.0], [1.0, 1.0]], std=0.1, weights=[1.0, -1.0]), "non-negative"),
    (dict(means=[[float("nan"), 0.0]], std=0.1), "finite"),
])
def test_invalid_mixtures(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GaussianMixture(**kwargs)


def test_invalid_constructors_and_names():
    with pytest.raises(ValueError, match="modes"):
        ring(modes=0)
    with pytest.raises(ValueError, match="side"):
        grid(side=0)
    with pytest.raises(ValueError, match="valid: ring, grid"):
        mixture("spiral")
    with pytest.raises(ValueError, match="non-negative integer"):
        ring().sample(-1)
