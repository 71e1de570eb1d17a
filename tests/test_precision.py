"""TrainConfig.matmul_precision: bfloat16 matrix products in the training step (autocast),
float32 everywhere else; "auto" picks bfloat16 only on CPUs that multiply it natively."""
import json

import pytest
import torch

from pacgan_edu import GANTrainer, preset
from pacgan_edu.__main__ import main
from pacgan_edu import device as device_module
from pacgan_edu.losses import loss_names
from pacgan_edu.models.layers import MemberLinear
from pacgan_edu.parallel import run_side_by_side
from pacgan_edu.remedies import REMEDIES

CPU = torch.device("cpu")


def quick(**changes):
    return preset("quick", dataset="grid", **changes)


def test_unknown_precision_is_refused_naming_the_valid_ones():
    with pytest.raises(ValueError, match="matmul_precision must be one of float32, bfloat16, auto; got 'half'"):
        quick(matmul_precision="half")


@pytest.mark.parametrize("native, expected", [(True, "bfloat16"), (False, "float32")])
def test_auto_is_bfloat16_only_on_a_cpu_with_native_bfloat16(monkeypatch, native, expected):
    monkeypatch.setattr(device_module, "native_bfloat16_cpu", lambda: native)
    assert device_module.matmul_precision("auto", CPU) == expected
    assert GANTrainer(quick(matmul_precision="auto"), device="cpu").matmul_precision == expected
    # on a GPU the toy nets are too small for bfloat16 to pay: auto means float32 there
    assert device_module.matmul_precision("auto", torch.device("cuda")) == "float32"
    # explicit choices are kept as they are
    assert device_module.matmul_precision("float32", CPU) == "float32"
    assert device_module.matmul_precision("bfloat16", CPU) == "bfloat16"


def test_bfloat16_on_a_device_without_autocast_support_is_refused():
    with pytest.raises(ValueError, match="needs a CPU or CUDA device, not 'mps'"):
        device_module.matmul_precision("bfloat16", torch.device("mps"))


def test_the_lecture_preset_uses_bfloat16_where_the_cpu_has_it():
    assert preset("lecture").matmul_precision == "auto"
    assert preset("pair").matmul_precision == "float32"  # its default seed was chosen in float32
    assert preset("quick").matmul_precision == "float32"


def one_step(precision: str) -> list[torch.Tensor]:
    trainer = GANTrainer(preset("lecture", steps=1, batch_size=64, eval_samples=100, matmul_precision=precision),
                         packs=[2], seeds=[0], device="cpu").run(progress=False)
    return [p.detach().clone() for p in trainer.groups.parameters()]


def test_bfloat16_changes_the_arithmetic_but_not_the_training():
    before = [p.detach().clone() for p in GANTrainer(preset("lecture", batch_size=64), packs=[2], seeds=[0],
                                                      device="cpu").groups.parameters()]
    full, low = one_step("float32"), one_step("bfloat16")
    assert all(p.dtype == torch.float32 for p in low)  # weights (and Adam's state) stay float32
    moved = torch.cat([(f - b).flatten() for f, b in zip(full, before)])
    differ = torch.cat([(f - l).flatten() for f, l in zip(full, low)])
    # autocast really ran: bfloat16's 8-bit mantissa changes Adam's first step somewhere ...
    assert differ.abs().max() > 0
    # ... but it is the same update: far smaller than the update itself
    assert differ.norm() < 0.2 * moved.norm()


@pytest.mark.parametrize("loss", loss_names())
def test_every_loss_trains_in_bfloat16(loss):
    trainer = GANTrainer(quick(loss=loss, steps=6, matmul_precision="bfloat16"), packs=[1, 2], device="cpu")
    trainer.run(progress=False, raise_on_nan=True)
    assert trainer.step == 6 and trainer.generate().dtype == torch.float32
    assert torch.isfinite(trainer.last_d_loss).all() and torch.isfinite(trainer.last_g_loss).all()


@pytest.mark.parametrize("remedy", [r for r in REMEDIES if r not in ("none", "adagan")])
def test_every_remedy_trains_in_bfloat16(remedy):
    trainer = GANTrainer(quick(remedy=remedy, steps=4, matmul_precision="bfloat16"), packs=[1, 2], device="cpu")
    trainer.run(progress=False, raise_on_nan=True)
    assert trainer.step == 4 and torch.isfinite(trainer.last_g_loss).all()
    assert all(0 <= r["high_quality_fraction"] <= 1 for r in trainer.results())


def test_side_by_side_workers_train_in_bfloat16_too():
    """Autocast is per thread: the workers of pacgan_edu.parallel must enter it themselves.
    A worker thread's run matches the same run in this thread, and differs from float32.
    (Not always bit for bit: when two threads first build the same bfloat16 kernels at once the
    rounding can differ in the last bits — seen once in a few runs — so "matches" is measured
    against the float32 gap.)"""
    def trainers(precision):
        config = quick(steps=8, matmul_precision=precision)
        return [GANTrainer(config, packs=[1, 2], seeds=[s], device="cpu") for s in (0, 1)]
    threads = torch.get_num_threads()
    torch.set_num_threads(max(1, threads // 2))  # the workers' share: the same kernels, the same rounding
    try:
        here = [t.run(progress=False) for t in trainers("bfloat16")]
        full = [t.run(progress=False) for t in trainers("float32")]
    finally:
        torch.set_num_threads(threads)
    threaded = run_side_by_side(trainers("bfloat16"), progress=False)
    for a, b, c in zip(threaded, here, full):
        to_bfloat16 = (a.generate() - b.generate()).abs().max()
        to_float32 = (a.generate() - c.generate()).abs().max()
        assert to_float32 > 0.01 and to_bfloat16 < 0.1 * to_float32


def test_layers_that_touch_data_points_stay_float32_under_bfloat16():
    """bfloat16 rounds a point near x = 4 to 1/32 (over half the grid's σ = 0.05): G's first and
    last layers and D's first layer multiply in float32, the hidden layers in bfloat16."""
    trainer = GANTrainer(preset("lecture", matmul_precision="bfloat16"), packs=[1, 2], device="cpu")
    trainer.run(1, progress=False)  # (its evaluations run in float32; the hooks watch one training step)
    group = trainer.groups[0]
    seen = {}

    def remember(name):
        def hook(module, inputs, output):
            seen.setdefault(name, output.dtype)  # (a hook that returns something replaces the output)
        return hook
    linears = [m for m in group.generator.modules() if isinstance(m, MemberLinear)]
    linears[0].register_forward_hook(remember("G first"))
    linears[1].register_forward_hook(remember("G hidden"))
    linears[-1].register_forward_hook(remember("G last"))
    d_linears = [m for m in group.discriminator.modules() if isinstance(m, MemberLinear)]
    d_linears[0].register_forward_hook(remember("D first"))
    d_linears[1].register_forward_hook(remember("D hidden"))
    assert trainer._train_step()  # (the step enters autocast itself)
    assert seen == {"G first": torch.float32, "G hidden": torch.bfloat16, "G last": torch.float32,
                    "D first": torch.float32, "D hidden": torch.bfloat16}


@pytest.mark.parametrize("updates", ["simultaneous", "alternating"])
def test_backward_passes_run_outside_autocast(updates):
    """Autocast covers the forward passes and losses only (PyTorch's guidance): inside it, the
    backward products of the float32 layers would be cast to bfloat16 too."""
    trainer = GANTrainer(preset("lecture", matmul_precision="bfloat16", updates=updates), packs=[1, 2], device="cpu")
    group = trainer.groups[0]
    first_g = [m for m in group.generator.modules() if isinstance(m, MemberLinear)][0]
    first_d = [m for m in group.discriminator.modules() if isinstance(m, MemberLinear)][0]
    seen = []
    for layer in (first_g, first_d):
        layer.weight.register_hook(lambda grad: seen.append((torch.is_autocast_enabled("cpu"), grad.dtype)))
    forward = []
    first_d.register_forward_hook(lambda *_: forward.append(torch.is_autocast_enabled("cpu")))
    assert trainer._train_step()
    assert forward and all(forward)
    assert len(seen) >= 2 and set(seen) == {(False, torch.float32)}
    assert not torch.is_autocast_enabled("cpu")


def test_the_toy_cli_says_when_its_products_ran_in_bfloat16(tmp_path, capsys):
    assert main(["toy", "--dataset", "ring", "--pack", "1", "--seeds", "1", "--preset", "quick",
                 "--steps", "4", "--matmul-precision", "bfloat16", "--json", str(tmp_path / "out.json")]) == 0
    assert "(bfloat16 products)" in capsys.readouterr().out
    document = json.loads((tmp_path / "out.json").read_text())
    assert document["settings"]["configs"]["ring"]["matmul_precision"] == "bfloat16"
    assert document["settings"]["configs"]["ring"]["matmul_precision_used"] == "bfloat16"


def test_the_toy_cli_refuses_an_unknown_precision(capsys):
    with pytest.raises(SystemExit):
        main(["toy", "--preset", "quick", "--matmul-precision", "half"])
    assert "invalid choice: 'half'" in capsys.readouterr().err
