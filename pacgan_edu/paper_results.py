"""The PacGAN paper's published numbers (Lin, Khetan, Fanti, Oh, NeurIPS 2018), as data.

Each row: method, packing degree (None for other methods), and metric -> (mean, s.e.).
Fractions are stored in [0, 1] like our own results.
"""
from __future__ import annotations

# Table 1: 2D mixtures, 10 trials, 2,500 samples each.
TABLE1 = [
    {"method": "GAN", "pack": 1, "dataset": "ring", "modes_captured": (6.3, 0.5), "high_quality_fraction": (0.982, 0.002), "reverse_kl": (0.45, 0.09)},
    {"method": "ALI", "pack": None, "dataset": "ring", "modes_captured": (6.6, 0.3), "high_quality_fraction": (0.976, 0.004), "reverse_kl": (0.36, 0.04)},
    {"method": "PacGAN2", "pack": 2, "dataset": "ring", "modes_captured": (7.9, 0.1), "high_quality_fraction": (0.956, 0.020), "reverse_kl": (0.07, 0.03)},
    {"method": "PacGAN3", "pack": 3, "dataset": "ring", "modes_captured": (7.8, 0.1), "high_quality_fraction": (0.977, 0.003), "reverse_kl": (0.10, 0.02)},
    {"method": "PacGAN4", "pack": 4, "dataset": "ring", "modes_captured": (7.8, 0.1), "high_quality_fraction": (0.959, 0.014), "reverse_kl": (0.07, 0.02)},
    {"method": "GAN", "pack": 1, "dataset": "grid", "modes_captured": (17.3, 0.8), "high_quality_fraction": (0.948, 0.007), "reverse_kl": (0.70, 0.07)},
    {"method": "ALI", "pack": None, "dataset": "grid", "modes_captured": (24.1, 0.4), "high_quality_fraction": (0.957, 0.006), "reverse_kl": (0.14, 0.03)},
    {"method": "PacGAN2", "pack": 2, "dataset": "grid", "modes_captured": (23.8, 0.7), "high_quality_fraction": (0.913, 0.008), "reverse_kl": (0.13, 0.04)},
    {"method": "PacGAN3", "pack": 3, "dataset": "grid", "modes_captured": (24.6, 0.4), "high_quality_fraction": (0.942, 0.004), "reverse_kl": (0.06, 0.02)},
    {"method": "PacGAN4", "pack": 4, "dataset": "grid", "modes_captured": (24.8, 0.2), "high_quality_fraction": (0.936, 0.006), "reverse_kl": (0.04, 0.01)},
]

# Table 2: Stacked MNIST, VEEGAN setting (1000 modes), 26,000 samples; KL in nats.
TABLE2 = [
    {"method": "DCGAN (VEEGAN paper)", "pack": None, "modes_captured": (99.0, None), "kl": (3.40, None)},
    {"method": "ALI", "pack": None, "modes_captured": (16.0, None), "kl": (5.40, None)},
    {"method": "Unrolled GAN", "pack": None, "modes_captured": (48.7, None), "kl": (4.32, None)},
    {"method": "VEEGAN", "pack": None, "modes_captured": (150.0, None), "kl": (2.95, None)},
    {"method": "DCGAN", "pack": 1, "modes_captured": (78.9, 6.46), "kl": (4.50, 0.127)},
    {"method": "PacDCGAN2", "pack": 2, "modes_captured": (1000.0, 0.0), "kl": (0.06, 0.003)},
    {"method": "PacDCGAN3", "pack": 3, "modes_captured": (1000.0, 0.0), "kl": (0.06, 0.003)},
    {"method": "PacDCGAN4", "pack": 4, "modes_captured": (1000.0, 0.0), "kl": (0.07, 0.005)},
]

# Table 3: Stacked MNIST, unrolled-GAN setting, D with 1/4 and 1/2 of the channels; 25,600 samples.
TABLE3 = [
    {"method": "DCGAN (Metz et al.)", "pack": None, "quarter": {"modes_captured": (30.6, 20.73), "kl": (5.99, 0.42)}, "half": {"modes_captured": (628.0, 140.9), "kl": (2.58, 0.75)}},
    {"method": "Unrolled 1 step", "pack": None, "quarter": {"modes_captured": (65.4, 34.75), "kl": (5.91, 0.14)}, "half": {"modes_captured": (523.6, 55.77), "kl": (2.44, 0.26)}},
    {"method": "Unrolled 5 steps", "pack": None, "quarter": {"modes_captured": (236.4, 63.30), "kl": (4.67, 0.43)}, "half": {"modes_captured": (732.0, 44.98), "kl": (1.66, 0.09)}},
    {"method": "Unrolled 10 steps", "pack": None, "quarter": {"modes_captured": (327.2, 74.67), "kl": (4.66, 0.46)}, "half": {"modes_captured": (817.4, 37.91), "kl": (1.43, 0.12)}},
    {"method": "DCGAN", "pack": 1, "quarter": {"modes_captured": (78.5, 17.56), "kl": (5.21, 0.19)}, "half": {"modes_captured": (487.7, 34.59), "kl": (2.24, 0.15)}},
    {"method": "PacDCGAN2", "pack": 2, "quarter": {"modes_captured": (484.5, 32.99), "kl": (2.61, 0.22)}, "half": {"modes_captured": (840.7, 15.92), "kl": (1.00, 0.05)}},
    {"method": "PacDCGAN3", "pack": 3, "quarter": {"modes_captured": (601.3, 32.18), "kl": (2.00, 0.17)}, "half": {"modes_captured": (866.6, 12.10), "kl": (0.90, 0.04)}},
    {"method": "PacDCGAN4", "pack": 4, "quarter": {"modes_captured": (667.4, 29.00), "kl": (1.81, 0.15)}, "half": {"modes_captured": (820.2, 25.50), "kl": (1.15, 0.14)}},
]


def table1_row(dataset: str, pack: int) -> dict | None:
    """The paper's Table 1 row for (dataset, m), or None if the paper has none (e.g. m > 4)."""
    for row in TABLE1:
        if row["dataset"] == dataset and row["pack"] == pack:
            return row
    return None
