"""Train a sweep as several ensembles side by side, one CPU core each.

A 2D sweep's batched step is made of many small matrix products; on a CPU, two intra-op
threads working on each of them gain little (synchronisation per operation), while two
ensembles of half the seeds, each on its own core with one thread, keep both cores busy all
the time. Measured on this project's 2-core box (lecture nets, K = 40, README "Performance"): one
ensemble on 2 threads 44.8 / 54.4 ms/step, two ensembles of 20 on one thread each 35.6 / 43.4
ms/step (two sittings: 1.26× / 1.25×).

The ensembles are ordinary :class:`~pacgan_edu.train.GANTrainer` s run in Python threads (torch
releases the GIL inside its kernels): each member is still exactly its lone run, a checkpoint
or a notebook sees normal trainers, and nothing is pickled between processes.
"""
from __future__ import annotations

import os
import threading

import torch

from .device import resolve_device
from .train import GANTrainer

# Splitting pays once a run is long enough that the lost intra-op parallelism of a small
# ensemble matters more than anything else (steps × members; the quick preset stays in one).
MIN_WORK_TO_SPLIT = 20_000


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def choose_workers(workers, config, n_members: int, n_seeds: int, device) -> int:
    """``workers``: an integer >= 1, or ``"auto"``: one per usable core on a CPU (at most one per
    seed) when the run is long enough to gain, else 1. GPUs always get one ensemble."""
    if workers == "auto":
        if resolve_device(device).type != "cpu" or config.steps * n_members < MIN_WORK_TO_SPLIT:
            return 1
        return max(1, min(usable_cores(), torch.get_num_threads(), n_seeds))
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be an integer >= 1 or 'auto', got {workers!r}")
    return min(workers, n_seeds)


def split_seeds(seeds, workers: int) -> list[list[int]]:
    """Seeds in ``workers`` contiguous chunks of near-equal size (the first chunk holds the first seed)."""
    seeds = list(seeds)
    size, extra = divmod(len(seeds), workers)
    chunks, start = [], 0
    for i in range(workers):
        end = start + size + (1 if i < extra else 0)
        chunks.append(seeds[start:end])
        start = end
    return [c for c in chunks if c]


def train_split(config, packs, seeds, workers="auto", device="auto", progress=None) -> list[GANTrainer]:
    """Train packs × seeds to ``config.steps`` as ``workers`` ensembles (seeds split between
    them, :func:`split_trainers`) side by side (:func:`run_side_by_side`); the trainers in seed
    order. With one worker this is simply ``[GANTrainer(...).run()]``."""
    seeds = list(seeds)
    n = choose_workers(workers, config, len(list(packs)) * len(seeds), len(seeds), device)
    return run_side_by_side(split_trainers(config, packs, seeds, n, device), progress=progress)


def split_trainers(config, packs, seeds, workers: int, device="auto") -> list[GANTrainer]:
    """One untrained ensemble of packs × each chunk of :func:`split_seeds`."""
    return [GANTrainer(config, packs=list(packs), seeds=chunk, device=device) for chunk in split_seeds(seeds, workers)]


def run_side_by_side(trainers: list[GANTrainer], steps: int | None = None, progress=None) -> list[GANTrainer]:
    """Each trainer's :meth:`~GANTrainer.run` (``steps`` more, default to the end) in its own
    thread with ``threads // len(trainers)`` torch threads; returns ``trainers``.

    An error in one ensemble stops the others and is raised here; Ctrl-C stops every ensemble
    after its current step (their states stay intact; ``stopped_reason`` says so).
    """
    if len(trainers) == 1:
        return [trainers[0].run(steps, progress=progress)]
    errors: list[BaseException] = []
    share = max(1, torch.get_num_threads() // len(trainers))

    def work(index: int, trainer: GANTrainer) -> None:
        try:  # only the first shows a progress bar: the others advance at the same pace
            # OpenMP's thread count is per calling thread: set it here, or each worker would use
            # every core and the workers would spin-wait on each other
            torch.set_num_threads(share)
            trainer.run(steps, progress=progress if index == 0 else False)
        except BaseException as error:  # re-raised in the caller's thread
            errors.append(error)
            for other in trainers:
                other.request_stop()

    threads = [threading.Thread(target=work, args=(i, t), daemon=True) for i, t in enumerate(trainers)]
    for thread in threads:
        thread.start()
    try:
        while any(thread.is_alive() for thread in threads):
            for thread in threads:
                thread.join(timeout=0.2)   # short joins: Ctrl-C reaches this thread promptly
    except KeyboardInterrupt:
        for trainer in trainers:
            trainer.request_stop()
        for thread in threads:
            thread.join()
        for trainer in trainers:
            trainer.stopped_reason = "interrupted"
        print(f"Interrupted; every ensemble stopped after a whole step (steps {[t.step for t in trainers]}).")
    if errors:
        raise errors[0]
    return trainers
