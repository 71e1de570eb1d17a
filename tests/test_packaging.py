"""The install story holds together: pyproject and environment.yml agree, and CI runs the
README's own test command."""
import re
from pathlib import Path

import pytest

try:
    import tomllib  # Python >= 3.11
except ModuleNotFoundError:  # Python 3.10: the reader exists as the tomli package, if installed
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"torch": "pytorch"}  # conda-forge's name for the same package


def normalise(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", requirement).groups()
    name = name.lower().replace("_", "-")
    return CONDA_NAMES.get(name, name), spec.replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    return dict(normalise(r) for r in requirements)


def environment_requirements() -> dict[str, str]:
    text = (ROOT / "environment.yml").read_text()
    dependencies = text.split("dependencies:", 1)[1]
    entries = re.findall(r"^\s*-\s+([A-Za-z0-9_.\-]+[^#\n]*)$", dependencies, flags=re.M)
    # python itself and pip are conda's tools, not package dependencies
    return dict(normalise(e) for e in entries if normalise(e)[0] not in ("python", "pip"))


def test_environment_yml_lists_exactly_the_pyproject_dependencies():
    assert environment_requirements() == pyproject_requirements()


def test_environment_uses_conda_forge_not_the_deprecated_pytorch_channel():
    text = (ROOT / "environment.yml").read_text()
    channels = re.search(r"channels:\n((?:\s+-.*\n)+)", text).group(1)
    assert "conda-forge" in channels and "pytorch" not in channels


def readme_block(marker: str) -> str:
    readme = (ROOT / "README.md").read_text()
    block = re.search(rf"<!-- {marker} -->\n```[a-z]*\n(.*?)\n```\n<!-- /{marker} -->", readme, flags=re.S)
    assert block, f"README has no <!-- {marker} --> block"
    return block.group(1).strip()


def test_readme_quick_start_has_the_two_commands():
    start, test = readme_block("start-command"), readme_block("test-command")
    for command in (start, test):
        assert "\n" not in command and "python3 -m venv .venv" in command and "pip install -e" in command
    assert "jupyter lab notebooks" in start
    assert "pytest" in test and "PACGAN_EDU_QUICK=1" in test


def test_ci_runs_the_readme_test_command_in_a_fresh_venv():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "rm -rf .venv" in ci and "python3 -m venv .venv" in ci
    assert "<!-- test-command -->" in ci and 'eval "$test_command"' in ci


def test_pytest_collects_the_notebooks_under_nbval():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "notebooks" in config["testpaths"] and "--nbval-lax" in config["addopts"]
    assert sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")), "no notebooks to test"


def test_a_built_wheel_ships_every_subpackage_and_the_classifier_weights(tmp_path):
    """What a non-editable install (Colab: pip install git+...) gets: nothing may be left behind."""
    import subprocess
    import sys
    import zipfile

    pytest.importorskip("setuptools")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("pacgan_edu-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    package = ROOT / "pacgan_edu"
    for source in package.rglob("*.py"):
        assert source.relative_to(ROOT).as_posix() in names, f"{source} is missing from the wheel"
    for weights in (package / "weights").iterdir():
        assert weights.relative_to(ROOT).as_posix() in names, f"{weights} is missing from the wheel"
