"""``python -m pacgan_edu stacked-mnist``: a tiny run with JSON and sample grids; bad arguments."""
from __future__ import annotations

import copy
import json
import math

import matplotlib.image
import pytest

from pacgan_edu.__main__ import main
from pacgan_edu.cli.stacked_mnist import format_results, paper_row

TINY = ["--preset", "quick", "--seeds", "2", "--iters", "2", "--eval-every", "1", "--eval-samples", "30", "--quiet"]


def test_tiny_veegan_run_writes_json_grids_and_the_table_2_layout(tmp_path, capsys):
    out = tmp_path / "result.json"
    code = main(["stacked-mnist", "--setting", "veegan", "--pack", "2", "1", *TINY,
                 "--json", str(out), "--grids", str(tmp_path / "grids"), "--device", "cpu"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "DCGAN (m=1)" in printed and "PacDCGAN2" in printed
    assert "78.9 ± 6.5" in printed and "1000.0 ± 0.0" in printed  # the paper's Table 2 beside ours
    assert "VEEGAN (paper only)" in printed

    document = json.loads(out.read_text())
    settings = document["settings"]
    assert settings["command"] == "stacked-mnist" and settings["setting"] == "veegan"
    assert settings["packs"] == [1, 2] and settings["seeds"] == [0, 1]
    assert settings["config"]["steps"] == 2 and settings["config"]["eval_samples"] == 30
    assert settings["wall_seconds"] > 0 and "python" in settings["environment"] and settings["cpu_model"]
    assert settings["data_is_subset"] is False or "SUBSET" in settings["data"].upper()
    runs = document["runs"]
    assert sorted((r["pack"], r["seed"]) for r in runs) == [(1, 0), (1, 1), (2, 0), (2, 1)]
    for run in runs:
        assert 1 <= run["modes_captured"] <= 30 and 0 <= run["kl"] <= math.log(1000) + 1e-9
        assert [h["step"] for h in run["history"]] == [0, 1, 2]
        assert run["history"][-1]["modes_captured"] == run["modes_captured"]
        assert run["history"][0]["seconds"] == 0 and run["history"][-1]["seconds"] > 0
    summary = {s["pack"]: s for s in document["summary"]}
    ours = [r["modes_captured"] for r in runs if r["pack"] == 2]
    assert summary[2]["modes_captured"]["mean"] == pytest.approx(sum(ours) / 2) and summary[2]["seeds"] == 2

    grids = sorted(p.name for p in (tmp_path / "grids").iterdir())
    assert grids == ["veegan_m1_seed0.png", "veegan_m1_seed1.png", "veegan_m2_seed0.png", "veegan_m2_seed1.png"]
    picture = matplotlib.image.imread(tmp_path / "grids" / grids[0])
    assert picture.shape[:2] == (5 * 30 - 2, 5 * 30 - 2)  # 5 x 5: only 30 samples are evaluated


def test_unrolled_setting_prints_table_3(capsys):
    code = main(["stacked-mnist", "--setting", "unrolled-quarter", "--pack", "1", "3", *TINY, "--device", "cpu"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "PacDCGAN3" in printed and "601.3 ± 32.2" in printed and "Unrolled 10 steps (paper only)" in printed
    assert "PacDCGAN2 (paper only)" in printed  # a packing degree we did not run still shows the paper's row


def test_a_single_seed_is_shown_without_a_standard_error():
    summary = [{"pack": 2, "seeds": 1, "modes_captured": {"mean": 568.0, "se": 0.0, "n": 1},
                "kl": {"mean": 1.58, "se": 0.0, "n": 1}}]
    row = next(line for line in format_results("veegan", summary, "t").splitlines() if line.startswith("PacDCGAN2"))
    assert "568.0" in row and "568.0 ±" not in row and "1000.0 ± 0.0" in row


def test_paper_rows_come_from_the_right_table():
    assert paper_row("veegan", 2)["modes_captured"] == (1000.0, 0.0)
    assert paper_row("unrolled-half", 4)["kl"] == (1.15, 0.14)
    assert paper_row("unrolled-quarter", 1)["modes_captured"] == (78.5, 17.56)
    assert paper_row("veegan", None, "VEEGAN")["modes_captured"] == (150.0, None)
    assert paper_row("veegan", 7) is None


@pytest.mark.parametrize("arguments", [
    ["--pack", "0"],
    ["--seeds", "0"],
    ["--iters", "-3"],
    ["--eval-samples", "0"],
    ["--setting", "cifar"],
    ["--preset", "huge"],
    ["--pack", "two"],
    ["--device", "abacus"],
])
def test_bad_arguments_are_usage_errors(arguments, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["stacked-mnist", "--preset", "quick", "--iters", "1", *arguments])
    assert exit_info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_every_committed_prerecorded_result_describes_its_provenance():
    """The notebook prints command, hardware, duration and network of each pre-recorded JSON."""
    from pathlib import Path

    from pacgan_edu.tasks.stacked_mnist import describe_prerecorded, load_prerecorded

    folder = Path(__file__).resolve().parents[1] / "data" / "prerecorded"
    names = sorted(p.name for p in folder.glob("stacked_mnist_*.json"))
    assert len(names) >= 3
    for name in names:
        document = load_prerecorded(name)
        text = describe_prerecorded(document)
        assert text.startswith("command : python -m pacgan_edu stacked-mnist ")
        assert f"{len(document['runs'])} GANs" in text and "torch thread(s)" in text
        assert f"seeds {document['settings']['seeds']}" in text


def committed_prerecorded():
    from pathlib import Path

    from pacgan_edu.tasks.stacked_mnist import load_prerecorded

    folder = Path(__file__).resolve().parents[1] / "data" / "prerecorded"
    return {p.name: load_prerecorded(p.name) for p in sorted(folder.glob("stacked_mnist_*.json"))}


def test_every_provenance_line_names_the_hardware_the_same_way():
    """Issue 15: one file said "CPU model: see data/prerecorded/README.md", the others "AMD EPYC"."""
    from pacgan_edu.tasks.stacked_mnist import describe_prerecorded

    documents = committed_prerecorded()
    assert any("cpu_model" not in d["settings"] for d in documents.values())  # an older file is among them
    for name, document in documents.items():
        hardware = next(line for line in describe_prerecorded(document).splitlines() if line.startswith("hardware:"))
        # every committed run was on the same 2-core AMD EPYC box (the README's record for the oldest file)
        assert hardware.startswith("hardware: AMD EPYC, 2 logical CPUs"), (name, hardware)
        assert "see data/prerecorded/README.md" not in hardware
        if "cpu_model" not in document["settings"]:
            assert "from data/prerecorded/README.md" in hardware, hardware  # says where it comes from


def test_a_file_without_a_recorded_cpu_is_not_given_one():
    from pacgan_edu.tasks.stacked_mnist import describe_prerecorded

    document = copy.deepcopy(committed_prerecorded()["stacked_mnist_veegan_lecture.json"])
    document["settings"]["started_at"] = "1999-01-01T00:00:00+00:00"  # no longer a committed file
    text = describe_prerecorded(document)
    assert "hardware: CPU not recorded in this file, cpu" in text and "EPYC" not in text
    assert document["settings"]["command_line"] in text  # an unknown file's command is shown as recorded


def test_provenance_shows_the_committed_file_not_a_scratch_path():
    """Issue 15: a recorded command wrote to /tmp/exp/sm.json; the display names the committed file,
    the JSON keeps what was run."""
    from pacgan_edu.tasks.stacked_mnist import describe_prerecorded

    documents = committed_prerecorded()
    recorded = documents["stacked_mnist_veegan_lecture_1000steps.json"]["settings"]["command_line"]
    assert "--json /tmp/exp/sm.json" in recorded
    for name, document in documents.items():
        before = copy.deepcopy(document)
        command = describe_prerecorded(document).splitlines()[0]
        assert f"--json data/prerecorded/{name}" in command and "/tmp/" not in command, command
        assert document == before  # nothing rewritten in the document itself
    assert describe_prerecorded(documents["stacked_mnist_veegan_lecture_1000steps.json"]).splitlines()[0] == (
        "command : " + recorded.replace("/tmp/exp/sm.json", "data/prerecorded/stacked_mnist_veegan_lecture_1000steps.json"))


def test_a_remedy_run_is_labelled_and_kept_apart_from_the_paper_rows(tmp_path, capsys):
    out = tmp_path / "sm.json"
    code = main(["stacked-mnist", "--setting", "unrolled-quarter", "--pack", "1", *TINY, "--device", "cpu",
                 "--remedy", "feature-matching", "--json", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "feature matching (m=1)" in printed and "Unrolled 5 steps (paper only)" in printed
    assert "DCGAN (m=1)" not in printed                      # our remedy run is not the paper's DCGAN row
    document = json.loads(out.read_text())
    assert document["settings"]["remedy"] == "feature-matching"
    assert {r["remedy"] for r in document["runs"]} == {"feature-matching"}
    with pytest.raises(SystemExit):
        main(["stacked-mnist", "--preset", "quick", "--remedy", "adagan"])
    assert "2D mixtures only" in capsys.readouterr().err
