import pytest
import torch

from pacgan_edu.packing import pack, pack_members, unpack


def test_pack_concatenates_consecutive_samples_along_features():
    x = torch.arange(12.0).reshape(6, 2)          # 6 points in 2D
    packs = pack(x, 3)
    assert packs.shape == (2, 6)
    assert torch.equal(packs[0], torch.cat([x[0], x[1], x[2]]))
    assert torch.equal(packs[1], torch.cat([x[3], x[4], x[5]]))


def test_pack_images_along_channels_and_round_trip():
    images = torch.randn(8, 3, 5, 5)
    packs = pack(images, 2)
    assert packs.shape == (4, 6, 5, 5)
    assert torch.equal(packs[1, 3:], images[3])    # second slot of pack 1 = sample 3
    assert torch.equal(unpack(packs, 2), images)


@pytest.mark.parametrize("m", [1, 2, 4])
def test_round_trip_2d(m):
    x = torch.randn(8, 2)
    assert torch.equal(unpack(pack(x, m), m), x)


def test_pack_members_never_mixes_members():
    x = torch.stack([torch.full((4, 2), float(k)) for k in range(3)])  # member k holds value k
    packs = pack_members(x, 2)
    assert packs.shape == (3, 2, 4)
    for k in range(3):
        assert torch.all(packs[k] == k)


@pytest.mark.parametrize("bad_m", [0, -1, 1.5, True, "2"])
def test_invalid_packing_degree(bad_m):
    with pytest.raises(ValueError, match="packing degree"):
        pack(torch.zeros(4, 2), bad_m)


def test_batch_not_divisible_names_the_numbers():
    with pytest.raises(ValueError, match="cannot pack 5 samples into packs of m=2"):
        pack(torch.zeros(5, 2), 2)
    with pytest.raises(ValueError, match="multiple of m"):
        unpack(torch.zeros(2, 5), 2)


def test_pack_needs_a_feature_axis():
    with pytest.raises(ValueError, match="shape"):
        pack(torch.zeros(4), 2)
