"""Wall time of the lecture sweep: 4 packing degrees x 10 seeds, grid and ring, through the CLI
path (one vectorized ensemble per dataset). Prints seconds per dataset and the results table.

    python benchmarks/bench_lecture_sweep.py [--json lecture_sweep.json]
"""
from __future__ import annotations

import sys
import time

from pacgan_edu.__main__ import main as cli

if __name__ == "__main__":
    extra = sys.argv[1:]
    for dataset in ("grid", "ring"):
        start = time.perf_counter()
        json_args = [a.replace(".json", f".{dataset}.json") for a in extra]
        cli(["toy", "--dataset", dataset, "--pack", "1", "2", "3", "4", "--seeds", "10", "--preset", "lecture", *json_args])
        print(f"{dataset}: lecture sweep (4 packing degrees x 10 seeds) took {time.perf_counter() - start:.0f} s wall")
