"""Wall time of the lecture sweep: 4 packing degrees x 10 seeds, grid and ring, through the CLI
path (one vectorized ensemble per dataset, split over the CPU cores: pacgan_edu.parallel). Prints seconds per dataset and the results table.

    python benchmarks/bench_lecture_sweep.py [--json lecture_sweep.json] [--workers auto|N]
    python benchmarks/bench_lecture_sweep.py --json data/prerecorded/toy_lecture_{dataset}.json

Each dataset's JSON is the path with ``{dataset}`` filled in (else ``.json`` becomes
``.DATASET.json``). Run it on an otherwise idle machine: the time is the point.
"""
from __future__ import annotations

import sys
import time

from pacgan_edu.__main__ import main as cli

if __name__ == "__main__":
    extra = sys.argv[1:]
    for dataset in ("grid", "ring"):
        start = time.perf_counter()
        json_args = [a.format(dataset=dataset) if "{dataset}" in a else a.replace(".json", f".{dataset}.json")
                     for a in extra]
        cli(["toy", "--dataset", dataset, "--pack", "1", "2", "3", "4", "--seeds", "10", "--preset", "lecture", *json_args])
        print(f"{dataset}: lecture sweep (4 packing degrees x 10 seeds) took {time.perf_counter() - start:.0f} s wall")
