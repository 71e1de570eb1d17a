"""Every notebook in a real JupyterLab, and the presenter view in Voilà, driven by headless Chromium.

    apt install chromium && pip install -e ".[test]"        # playwright drives Debian's chromium
    PACGAN_EDU_QUICK=1 .venv/bin/python -m pytest tests/test_browser.py

What no kernel-side test can check: the front end renders the panels as widgets (not the
fallback picture their outputs also carry), Run All leaves no error, a Play/Train click trains in
the background while the page stays responsive and the status reaches "finished", the presenter
view renders every section and a replay plays. The kernels run in quick mode with live widgets
(``PACGAN_EDU_LIVE_WIDGETS=1``): small networks, real widgets.

Screenshots go to ``$PACGAN_EDU_SCREENSHOTS`` (default ``test-artifacts/browser/``); ``.ci/run``
prints the folder. Without chromium or playwright these tests are skipped — unless
``PACGAN_EDU_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where a missing browser is a failure.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
SCREENSHOTS = Path(os.environ.get("PACGAN_EDU_SCREENSHOTS", ROOT / "test-artifacts" / "browser"))
REQUIRED = os.environ.get("PACGAN_EDU_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PLACEHOLDER = "(interactive: run the notebook to use it)"   # frontend.widget_placeholder's text
# what a Play / Train click should reach in each notebook's first panel (None: no panel to press)
WIDGETLESS = {"07_cifar10.ipynb"}   # quick mode shows no progress bars, and the notebook has no panel
PRESS = {"01_mode_collapse_2d.ipynb": "Play", "02_packing_2d.ipynb": "Play", "04_losses_and_sample_weighting.ipynb": "Play",
         "05_remedies.ipynb": "Play", "06_stacked_mnist.ipynb": "Train"}

try:
    from playwright import sync_api
except ImportError:  # pragma: no cover - depends on the environment
    sync_api = None

if CHROMIUM is None or sync_api is None:
    missing = "the chromium binary (apt install chromium)" if CHROMIUM is None else "playwright (pip install playwright)"
    if REQUIRED:
        pytest.fail(f"PACGAN_EDU_REQUIRE_BROWSER=1 but {missing} is missing", pytrace=False)
    pytest.skip(f"needs {missing}", allow_module_level=True)

BROWSER_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kernel_env() -> dict:
    env = dict(os.environ, PACGAN_EDU_QUICK="1", PACGAN_EDU_LIVE_WIDGETS="1", PYTHONUNBUFFERED="1")
    env.setdefault("PACGAN_EDU_DATA", str(ROOT / "data"))   # the committed recordings and sweeps
    return env


def serve(argv, url, log: Path):
    """Start a server, wait until ``url`` answers; the process and its log file."""
    handle = open(log, "wb")
    process = subprocess.Popen(argv, env=kernel_env(), stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            urllib.request.urlopen(url, timeout=2)
            return process, handle
        except OSError:
            time.sleep(0.5)
    process.kill()
    handle.close()
    pytest.fail(f"server did not start: {' '.join(argv)}\n{log.read_text()[-3000:]}")


def stop(process, handle) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
    handle.close()


@pytest.fixture(scope="module")
def browser():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a copy of notebooks/ (its autosave must never touch the committed outputs)."""
    folder = tmp_path_factory.mktemp("lab")
    settings = folder / "settings"
    # every cell stays in the page (JupyterLab 4 detaches cells scrolled out of view), no news pop-up
    for plugin, values in {"notebook-extension/tracker": '{"windowingMode": "none"}',
                           "apputils-extension/notification": '{"fetchNews": "false"}'}.items():
        path = settings / "@jupyterlab" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(values)
    for name in NOTEBOOKS:
        shutil.copy(ROOT / "notebooks" / name, folder / name)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process, handle = serve([sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
                             "--ServerApp.token=test", f"--ServerApp.root_dir={folder}", "--allow-root",
                             "--LabApp.expose_app_in_browser=True", f"--LabApp.user_settings_dir={settings}",
                             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
                            f"{base}/lab?token=test", folder / "jupyterlab.log")
    yield base
    stop(process, handle)


def shot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


PROMPTS = "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(e => e.textContent.trim())"


def wait_for_all_cells(page, timeout: float) -> None:
    """Until every code cell has an execution count (none waiting "[*]" or unrun "[ ]")."""
    script = f"() => {{ const p = ({PROMPTS})(); return p.length > 0 && p.every(t => /^\\[\\d+\\]:$/.test(t)); }}"
    try:
        page.wait_for_function(script, timeout=timeout * 1000, polling=500)
    except sync_api.TimeoutError:
        raise AssertionError(f"cells still running or unrun after {timeout:.0f} s: {page.evaluate(PROMPTS)}") from None


def error_outputs(page) -> list[str]:
    texts = page.eval_on_selector_all(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']", "els => els.map(e => e.innerText)")
    return [t[:2000] for t in texts if "Traceback" in t or "Error" in t.split("\n")[0]]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab_with_live_widgets(name, lab, browser):
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    workspace = f"{name.split('.')[0].split('_')[0]}-{os.getpid()}"   # a fresh workspace per notebook
    page.goto(f"{lab}/lab/workspaces/{workspace}/tree/{name}?reset&token=test")
    try:
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        page.wait_for_selector(".jp-StatusBar-Widget:has-text('Idle')", timeout=60_000)   # the kernel is ready
        for _ in range(3):   # a dialog (kernel chooser, news) may cover the notebook at first
            if page.locator(".jp-Dialog .jp-mod-accept").count():
                page.click(".jp-Dialog .jp-mod-accept")
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        wait_for_all_cells(page, timeout=240)
        assert error_outputs(page) == []
        if name not in WIDGETLESS:
            assert page.locator(".jupyter-widgets:visible").count() >= 1, "no widget was rendered"
        assert page.locator(f"text={PLACEHOLDER}").count() == 0, "a widget fell back to its placeholder"
        label = PRESS.get(name)
        if label:
            button = page.locator(f".jupyter-widgets button:has-text('{label}')").first
            button.scroll_into_view_if_needed()
            panel = button.locator("xpath=ancestor::div[contains(@class,'widget-vbox')][1]")
            status = panel.locator(".widget-html-content").first
            before_status, before_src = status.inner_text(), panel.locator("img").first.get_attribute("src")
            button.click()
            # a new run's status (an autoplayed panel may have said "finished" before the click);
            # the locator is re-resolved each time, so a re-rendered view cannot hide the change
            deadline = time.monotonic() + 120
            while not ((text := status.inner_text()) != before_status and "finished" in text):
                assert time.monotonic() < deadline, f"no 'finished' 120 s after the click; status: {text!r}"
                time.sleep(0.5)
            after = panel.locator("img").first.get_attribute("src")
            assert after and after != before_src, "the frame did not change after the click"
        shot(page, name.removesuffix(".ipynb"))
    except Exception:
        shot(page, name.removesuffix(".ipynb") + "-failure")
        raise
    finally:
        page.close()


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    process, handle = serve([sys.executable, "-m", "voila", str(ROOT / "notebooks" / "lecture.ipynb"), "--no-browser",
                             f"--port={port}", "--Voila.ip=127.0.0.1"], base, log)
    yield base
    stop(process, handle)


def test_the_presenter_view_renders_every_section_and_a_replay_plays(voila, browser):
    from pacgan_edu.widgets.presenter import SECTIONS

    page = browser.new_page(viewport={"width": 1600, "height": 1200})
    try:
        page.goto(voila)
        tabs = page.locator(".lm-TabBar-tab, .p-TabBar-tab")
        tabs.first.wait_for(timeout=90_000)
        assert [t.strip() for t in tabs.all_inner_texts()] == list(SECTIONS)
        assert page.locator("text=presenter_view").count() == 0, "the presenter view shows code"
        image = page.locator(".widget-tab img").first   # the grid replay's frame
        image.wait_for(timeout=60_000)
        before = image.get_attribute("src")
        page.locator(".widget-play button").first.click()        # ▶ of the Play widget
        page.wait_for_function("(before) => { const img = document.querySelector('.widget-tab img');"
                               " return img && img.src !== before; }", arg=before, timeout=30_000)
        shot(page, "presenter-replay")
        for title in SECTIONS[1:]:
            tabs.filter(has_text=title).first.click()
            page.wait_for_function(
                "() => ![...document.querySelectorAll('.widget-tab')].some(t => t.innerText.includes('opening'))",
                timeout=90_000)
            assert page.locator(".widget-tab :text('error')").count() == 0, f"section {title} shows an error"
            shot(page, "presenter-" + title.lower().replace(" ", "-"))
    except Exception:
        shot(page, "presenter-failure")
        raise
    finally:
        page.close()
