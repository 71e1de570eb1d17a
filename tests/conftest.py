"""Shared test setup: small, single-threaded, offline."""
import os
from pathlib import Path

import pytest
import torch

# Tests run many tiny models: one thread is faster and immune to a busy machine.
torch.set_num_threads(1)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if "PACGAN_EDU_DATA" not in os.environ and (SHARED_DATA / "mnist").is_dir():
    os.environ["PACGAN_EDU_DATA"] = str(SHARED_DATA)


@pytest.fixture
def quick_env(monkeypatch):
    monkeypatch.setenv("PACGAN_EDU_QUICK", "1")
