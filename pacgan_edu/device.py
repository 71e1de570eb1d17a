"""The one place that picks a device (``"auto"`` = CUDA, then Apple MPS, then CPU) and the
precision of the training step's matrix products on it."""
from __future__ import annotations

import contextlib

import torch


def resolve_device(device="auto") -> torch.device:
    if isinstance(device, torch.device):
        return device
    if device in (None, "auto"):
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        return torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(f"unknown device {device!r}; valid: 'auto', 'cpu', 'cuda', 'cuda:N', 'mps'") from None


def native_bfloat16_cpu() -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (AVX512-BF16 or AMX): there a
    bfloat16 product runs ~5x faster than float32 (benchmarks/bench_step_breakdown.py); on other
    CPUs it is emulated and slower."""
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def matmul_precision(precision: str, device: torch.device) -> str:
    """``TrainConfig.matmul_precision`` resolved for ``device``: "float32" or "bfloat16".
    "auto" picks bfloat16 only on a CPU with native bfloat16 products (measured to help there);
    on a GPU the toy nets are too small for it to matter, so float32."""
    if precision == "auto":
        return "bfloat16" if device.type == "cpu" and native_bfloat16_cpu() else "float32"
    if precision == "bfloat16" and device.type not in ("cpu", "cuda"):
        raise ValueError(f"matmul_precision 'bfloat16' needs a CPU or CUDA device, not {device.type!r}; "
                         "use 'float32' or 'auto'")
    return precision


def training_precision(precision: str, device: torch.device):
    """The context a training step runs in: autocast to bfloat16, or nothing for float32.
    (Autocast is per thread: enter it in the thread that trains.)"""
    if precision == "bfloat16":
        return torch.autocast(device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext()
