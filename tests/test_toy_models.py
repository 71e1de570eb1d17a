"""The toy discriminator's first layer: packed Ds start with each unit reading one sample."""
import dataclasses
import math

import pytest
import torch

from pacgan_edu.models import toy
from pacgan_edu.models.layers import MemberMaxout

LECTURE = toy.TOY_ARCHITECTURES["lecture"]


def seeded(seed):
    return torch.Generator().manual_seed(seed)


def first_layer(arch, pack, seeds=(0,)):
    return toy.ToyDiscriminator([seeded(s) for s in seeds], arch, pack=pack).trunk[0]


@pytest.mark.parametrize("m", [1, 2, 3, 4])
def test_each_first_layer_unit_starts_on_one_sample_of_the_pack(m):
    layer = first_layer(LECTURE, m)
    weight = layer.linear.weight[0]                       # (2m inputs, pieces * units), piece-major
    assert weight.shape == (2 * m, layer.pieces * layer.units)
    sample_of_input = torch.arange(2 * m) // 2
    unit_of_column = torch.arange(layer.units).repeat(layer.pieces)
    reads = weight != 0
    for column in range(weight.shape[1]):
        # exactly the two coordinates of sample (unit mod m), in every piece of the unit
        assert torch.equal(reads[:, column], sample_of_input == unit_of_column[column] % m)
    counts = torch.bincount(unit_of_column[: layer.units] % m, minlength=m)
    assert counts.max() - counts.min() <= 1               # the units are shared out evenly
    # initialised with one sample's fan-in (2), whatever m is: PyTorch's bound 1/sqrt(fan-in)
    bound = 1 / math.sqrt(2)
    assert bound * 0.95 < weight.abs().max() <= bound
    assert layer.linear.bias.abs().max() <= bound


def test_for_one_sample_it_is_the_usual_layer_and_the_paper_mixes_from_the_start():
    usual = dataclasses.replace(LECTURE, first_layer_per_sample=False)
    ours, theirs = toy.ToyDiscriminator([seeded(3)], LECTURE, 1), toy.ToyDiscriminator([seeded(3)], usual, 1)
    assert all(torch.equal(a, b) for a, b in zip(ours.parameters(), theirs.parameters()))
    paper = first_layer(toy.TOY_ARCHITECTURES["paper"], 4)
    assert bool((paper.linear.weight[0] != 0).all())       # every unit reads all four samples
    assert not toy.TOY_ARCHITECTURES["paper"].first_layer_per_sample


def test_padded_members_keep_their_own_layout():
    """Several packing degrees in one layer: each member is laid out as its lone twin is."""
    packs = [1, 2, 3, 4]
    shared = first_layer(LECTURE, packs, seeds=range(4)).linear.weight
    for k, m in enumerate(packs):
        lone = first_layer(LECTURE, m, seeds=(k,)).linear.weight[0]
        assert torch.equal(shared[k, : 2 * m], lone)
        assert torch.equal(shared[k, 2 * m:], torch.zeros_like(shared[k, 2 * m:]))


@pytest.mark.parametrize("samples, width, message", [
    ([2, 2], 2, "one pack size per member"),
    ([5], 2, "fit in 8 inputs"),
    ([2], None, "sample_width"),
])
def test_bad_pack_layout_is_explained(samples, width, message):
    with pytest.raises(ValueError, match=message):
        MemberMaxout([seeded(0)], 8, 4, 2, "uniform", samples_per_member=samples, sample_width=width)
