"""Stacked MNIST: three MNIST digits as the R, G, B channels of one 28×28 image → 1000 modes.

Introduced as a mode-collapse benchmark by Metz et al., "Unrolled Generative Adversarial
Networks" (ICLR 2017), and used with a fixed pool by Srivastava et al., "VEEGAN" (NeurIPS 2017);
PacGAN (Lin et al., NeurIPS 2018, Tables 2 and 3) reports both settings:

* ``setting="veegan"``: a fixed pool of 128,000 stacked images whose digits are drawn (seeded)
  from all 70,000 train+test digits; ``sample`` draws from that pool.
* ``setting="unrolled"``: every sample is stacked on the fly from three random digits of the
  60,000 training digits.

Channel k holds one digit; the label is ``100·a + 10·b + c`` for digits (a, b, c) in channels
(0, 1, 2).

Value range: **[−1, 1] in both settings** (pixel / 127.5 − 1). Our DCGAN generator ends in tanh,
so real images must live in tanh's range; the VEEGAN authors' pool is in [0, 1] and is mapped
here to [−1, 1] for that reason. The mode classifier (``pacgan_edu.mode_classifier``) expects
the same range. Packing (3 → 3m channels) is ``pacgan_edu.packing.pack``'s job, not this file's.
"""
from __future__ import annotations

import warnings

import torch

from pacgan_edu.data.mnist import MnistData, load_mnist

NUM_MODES = 1000
VEEGAN_POOL_SIZE = 128_000


def stack_digits(digits: torch.Tensor) -> torch.Tensor:
    """uint8 digits ``(N, 3, 28, 28)`` (0..255) → float32 stacked images in [−1, 1]."""
    return digits.to(torch.float32) / 127.5 - 1.0


def stacked_labels(digit_labels: torch.Tensor) -> torch.Tensor:
    """Digit labels ``(N, 3)`` (channel order) → mode labels ``100·a + 10·b + c`` in 0..999."""
    digit_labels = digit_labels.long()
    return 100 * digit_labels[:, 0] + 10 * digit_labels[:, 1] + digit_labels[:, 2]


class StackedMNIST:
    """Sampler of Stacked MNIST images ``(N, 3, 28, 28)`` in [−1, 1] with labels in 0..999.

    ``StackedMNIST("veegan", seed=0)`` builds the fixed 128,000-image pool from train+test
    (the pool is stored as digit indices, 1.5 MB, not as 300 MB of pixels; the pixels are the
    same). ``StackedMNIST("unrolled")`` stacks on the fly from the training digits. ``mnist``
    lets you pass digits you already loaded (``load_mnist`` result); by default they are
    loaded here, with the 5,000-digit offline fallback if the files are unavailable — then
    ``is_subset`` is True and ``repr`` says so.
    """

    def __init__(
        self,
        setting: str = "veegan",
        seed: int = 0,
        mnist: MnistData | None = None,
        pool_size: int = VEEGAN_POOL_SIZE,
    ):
        if setting not in ("veegan", "unrolled"):
            raise ValueError(f"setting must be 'veegan' or 'unrolled', not {setting!r}")
        self.setting = setting
        if mnist is None:
            mnist = load_mnist("all" if setting == "veegan" else "train")
        elif mnist.is_subset:
            warnings.warn(
                "StackedMNIST is built from the 5,000-digit MNIST SUBSET (offline fallback).",
                UserWarning,
                stacklevel=2,
            )
        self.digits = mnist.images
        self.digit_labels = mnist.labels
        self.source = mnist.source
        self.is_subset = mnist.is_subset
        self.pool_indices = None
        if setting == "veegan":
            # Fixed, seeded pool: three independent uniform digit indices per stacked image.
            pool_generator = torch.Generator().manual_seed(seed)
            self.pool_indices = torch.randint(
                len(self.digits), (pool_size, 3), generator=pool_generator
            )

    def __len__(self) -> int:
        """Pool size (VEEGAN) or the number of distinct digits stacked from (unrolled)."""
        return len(self.pool_indices) if self.pool_indices is not None else len(self.digits)

    def __repr__(self) -> str:
        subset = " [SUBSET: built from the 5,000-digit offline fallback]" if self.is_subset else ""
        return (
            f"StackedMNIST(setting={self.setting!r}, size={len(self)}, "
            f"source={self.source!r}){subset}"
        )

    def sample(self, n: int, generator: torch.Generator | None = None):
        """Draw ``n`` stacked images (with replacement) and their 0..999 labels.

        Same generator state → same samples. Returns ``(images, labels)``: float32
        ``(n, 3, 28, 28)`` in [−1, 1] and int64 ``(n,)``.
        """
        if self.pool_indices is not None:
            rows = torch.randint(len(self.pool_indices), (n,), generator=generator)
            indices = self.pool_indices[rows]
        else:
            indices = torch.randint(len(self.digits), (n, 3), generator=generator)
        return self.images_for(indices), stacked_labels(self.digit_labels[indices])

    def images_for(self, indices: torch.Tensor) -> torch.Tensor:
        """Stacked images for explicit digit indices ``(n, 3)`` into ``self.digits``."""
        return stack_digits(self.digits[indices])  # (n, 3, 28, 28): channel k = digit k

    def pool_labels(self) -> torch.Tensor:
        """Labels of the whole VEEGAN pool (e.g. to check it covers all 1000 modes)."""
        if self.pool_indices is None:
            raise ValueError("the unrolled setting has no fixed pool")
        return stacked_labels(self.digit_labels[self.pool_indices])
