"""Datasets: 2D Gaussian mixtures (ring, grid, custom); MNIST and Stacked MNIST (checksummed,
with an offline fallback)."""
from .download import ChecksumError, DatasetUnavailable
from .mixtures import MIXTURES, GaussianMixture, grid, mixture, ring
from .mnist import MnistData, load_mnist
from .stacked_mnist import StackedMNIST

__all__ = ["ChecksumError", "DatasetUnavailable", "GaussianMixture", "MIXTURES", "MnistData", "StackedMNIST",
           "grid", "load_mnist", "mixture", "ring"]
