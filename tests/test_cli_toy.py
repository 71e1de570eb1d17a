import json
import subprocess
import sys

import pytest

from pacgan_edu.__main__ import main
from pacgan_edu.models.toy import TOY_ARCHITECTURES
from pacgan_edu.sweep import paired_differences


def test_tiny_sweep_writes_the_shared_json_shape(tmp_path, capsys):
    out = tmp_path / "out.json"
    code = main(["toy", "--dataset", "ring", "grid", "--pack", "1", "2", "--seeds", "2", "--preset", "quick",
                 "--steps", "8", "--json", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "PacGAN2" in printed and "6.3 ± 0.5" in printed and "17.3 ± 0.8" in printed  # paper's Table 1 beside ours
    document = json.loads(out.read_text())
    assert document["settings"]["packs"] == [1, 2] and document["settings"]["seeds"] == [0, 1]
    assert document["settings"]["configs"]["grid"]["steps"] == 8
    assert document["settings"]["configs"]["grid"]["architecture_sizes"] == TOY_ARCHITECTURES["tiny"].as_dict()
    # what the products ran in, resolved on this machine ("auto" would say bfloat16 or float32)
    assert document["settings"]["configs"]["grid"]["matmul_precision_used"] == "float32"
    assert isinstance(document["settings"]["environment"]["native_bfloat16"], bool)
    assert "bfloat16 products" not in printed
    runs = document["runs"]
    assert len(runs) == 2 * 2 * 2
    assert {(r["dataset"], r["pack"], r["seed"]) for r in runs} == {
        (d, m, s) for d in ("ring", "grid") for m in (1, 2) for s in (0, 1)}
    for r in runs:
        assert 0.0 <= r["high_quality_fraction"] <= 1.0
        assert 0 <= r["modes_captured"] <= (8 if r["dataset"] == "ring" else 25)
        assert r["reverse_kl"] >= 0 and r["step"] == 8
    # the paired line below each table is computed from the very runs the JSON holds
    assert printed.count("paired by seed, m minus m = 1") == 2
    grid = [r for r in runs if r["dataset"] == "grid"]
    (paired,) = paired_differences(grid, "reverse_kl")
    assert f"rev. KL {paired['mean']:+.2f} ± {paired['se']:.2f}" in printed.split("grid (25 modes)")[1]
    summary = {(s["dataset"], s["pack"]): s for s in document["summary"]}
    ring1 = [r["modes_captured"] for r in runs if r["dataset"] == "ring" and r["pack"] == 1]
    assert summary[("ring", 1)]["modes_captured"]["mean"] == pytest.approx(sum(ring1) / 2)
    assert summary[("ring", 1)]["seeds"] == 2


def test_table_and_json_carry_the_null_baselines(tmp_path, capsys):
    from pacgan_edu.metrics import null_baselines

    out = tmp_path / "out.json"
    assert main(["toy", "--dataset", "ring", "grid", "--pack", "1", "2", "--seeds", "2", "--preset", "quick",
                 "--steps", "4", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    grid_table = printed.split("grid (25 modes)")[1]
    uniform_row = next(line for line in grid_table.splitlines() if line.startswith("uniform (extent)"))
    real_row = next(line for line in grid_table.splitlines() if line.startswith("real samples"))
    expected = null_baselines("grid", n=500)   # the quick preset evaluates 500 samples
    modes = expected["uniform"]["modes_captured"]
    assert uniform_row.split()[2:5] == [f"{modes['mean']:.1f}", "±", f"{modes['se']:.1f}"]
    assert "25.0 ± 0.0" in real_row and uniform_row.rstrip().endswith("—")   # no paper value for them
    assert printed.count("vs uniform over the data's extent") == 2
    beats_lines = [line for line in grid_table.splitlines() if line.startswith("  m = ") and "beat" in line]
    assert len(beats_lines) == 2 and all("modes does not beat" in line for line in beats_lines)  # 4 steps: nothing
    document = json.loads(out.read_text())
    assert set(document) == {"settings", "runs", "summary", "baselines", "history", "samples"}
    assert {r["step"] for r in document["history"]} >= {0} and set(document["samples"]) == {"ring", "grid"}
    assert document["settings"]["command_line"].startswith("python -m pacgan_edu")
    baselines = document["baselines"]
    assert set(baselines) == {"ring", "grid"}
    for dataset, modes_total in (("ring", 8), ("grid", 25)):
        entry = baselines[dataset]
        assert entry["samples"] == 500 and entry["draws"] >= 5 and "uniform" in entry["region"]
        for which in ("uniform", "real"):
            assert set(entry[which]) == {"modes_captured", "high_quality_fraction", "reverse_kl"}
            assert all(set(v) == {"mean", "se"} for v in entry[which].values())
        assert entry["real"]["modes_captured"]["mean"] == modes_total
        assert entry["real"]["high_quality_fraction"]["mean"] > 0.98
        assert entry["uniform"]["high_quality_fraction"]["mean"] < 0.1
    assert 5 < baselines["grid"]["uniform"]["modes_captured"]["mean"] < 9       # 25·(1 − e^(−500p)) ≈ 7.0
    assert baselines["ring"]["uniform"]["modes_captured"]["mean"] > 7.5
    assert baselines["grid"]["uniform"]["modes_captured"] == {"mean": modes["mean"], "se": modes["se"]}


@pytest.mark.parametrize("argv", [
    ["toy", "--pack", "0"],
    ["toy", "--seeds", "0"],
    ["toy", "--dataset", "spiral"],
    ["toy", "--preset", "huge"],
    ["toy", "--steps", "-3"],
    ["toy", "--loss", "nope"],
    ["toy", "--device", "tpu9", "--preset", "quick", "--steps", "1", "--seeds", "1"],
    ["toy", "--pack", "two"],
    ["toy", "--first-seed", "-1"],
    ["toy", "--workers", "0"],
    ["toy", "--workers", "many"],
])
def test_bad_arguments_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "error" in capsys.readouterr().err


def test_module_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "pacgan_edu", "toy", "--help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "--pack" in result.stdout
    result = subprocess.run([sys.executable, "-m", "pacgan_edu"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "toy" in result.stdout


def test_write_json_extra_keys_cannot_replace_the_shared_shape(tmp_path):
    from pacgan_edu.report import write_json

    path = tmp_path / "r.json"
    write_json(path, {"command": "x"}, [], summary=[], extra={"baselines": {"grid": {}}})
    assert json.loads(path.read_text()) == {"settings": {"command": "x"}, "runs": [], "summary": [],
                                            "baselines": {"grid": {}}}
    with pytest.raises(ValueError, match="runs"):
        write_json(path, {}, [], summary=[], extra={"runs": []})


def test_remedies_train_from_the_cli_with_a_remedy_field_per_run(tmp_path, capsys):
    out = tmp_path / "remedies.json"
    code = main(["toy", "--dataset", "ring", "--pack", "1", "2", "--seeds", "2", "--preset", "quick", "--steps", "4",
                 "--remedy", "none", "minibatch", "several-generators", "--json", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "remedy minibatch" in printed and "several generators + classifier (m=2)" in printed
    document = json.loads(out.read_text())
    runs = document["runs"]
    assert {(r["remedy"], r["pack"]) for r in runs} == {(n, m) for n in ("none", "minibatch", "several-generators")
                                                        for m in (1, 2)}
    assert document["settings"]["remedies"] == ["none", "minibatch", "several-generators"]
    assert dict(document["settings"]["configs"]["ring several-generators"]["remedy_options"]) == {
        "generators": 10, "beta": 0.1}
    assert {(s["remedy"], s["pack"]) for s in document["summary"]} == {(r["remedy"], r["pack"]) for r in runs}
    assert all(r["seconds_per_step"] > 0 for r in runs)


def test_remedy_options_and_adagan_from_the_cli(tmp_path, capsys):
    out = tmp_path / "adagan.json"
    code = main(["toy", "--dataset", "grid", "--pack", "1", "--seeds", "1", "--preset", "quick", "--steps", "4",
                 "--remedy", "adagan", "--remedy-option", "components=2", "--remedy-option", "classifier_steps=5",
                 "--remedy-option", "pool=300", "--json", str(out)])
    assert code == 0
    runs = json.loads(out.read_text())["runs"]
    assert [(r["remedy"], r["components"], r["step"]) for r in runs] == [("adagan", 2, 4)]
    (ours,) = [line for line in capsys.readouterr().out.splitlines() if line.startswith("AdaGAN (m=1)")]
    assert "±" not in ours                                # one seed: no standard error printed


@pytest.mark.parametrize("arguments, message", [
    (["--remedy", "nope"], "invalid choice: 'nope' (choose from 'none', 'minibatch'"),
    (["--remedy", "unrolled", "--remedy-option", "depth=3"], "unknown option(s) depth for remedy 'unrolled'; valid: steps"),
    (["--remedy", "unrolled", "--remedy-option", "steps"], "name=value"),
    (["--remedy", "unrolled", "minibatch", "--remedy-option", "steps=3"], "exactly one --remedy"),
])
def test_bad_remedy_arguments_are_usage_errors(arguments, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["toy", "--preset", "quick", "--steps", "2", "--seeds", "1", *arguments])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_the_remedies_command_resumes_and_prints_the_comparison(tmp_path, capsys):
    args = ["remedies", "--dataset", "ring", "--remedy", "none", "feature-matching", "--seeds", "2",
            "--preset", "quick", "--steps", "4", "--out", str(tmp_path)]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ring_feature-matching.json", "ring_none.json"]
    assert "feature matching" in first and "PacGAN2" in first and "uniform over the extent" in first
    stamp = (tmp_path / "ring_none.json").stat().st_mtime_ns
    assert main(args) == 0                                       # nothing retrained
    assert "exists: kept" in capsys.readouterr().out
    assert (tmp_path / "ring_none.json").stat().st_mtime_ns == stamp


def test_workers_split_the_seeds_and_the_json_says_so(tmp_path, capsys):
    out = tmp_path / "split.json"
    assert main(["toy", "--dataset", "ring", "--pack", "1", "2", "--seeds", "3", "--preset", "quick", "--steps", "6",
                 "--workers", "2", "--json", str(out), "--checkpoint", str(tmp_path / "ck")]) == 0
    document = json.loads(out.read_text())
    assert document["settings"]["parallel_ensembles"] == {"ring": 2}
    assert sorted((r["pack"], r["seed"]) for r in document["runs"]) == [(m, s) for m in (1, 2) for s in range(3)]
    assert "2 ensembles side by side" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.glob("ck.*")) == ["ck.ring.seeds0-1.pt", "ck.ring.seeds2-2.pt"]
