"""The live panel in a real JupyterLab, driven by headless Chromium (optional: needs the
``chromium`` binary and the ``playwright`` package; skipped otherwise, e.g. in CI).

    apt install chromium && pip install playwright
    PACGAN_EDU_QUICK=1 .venv/bin/python -m pytest tests/test_browser.py

It checks what no kernel-side test can: the front end renders the widget (not the fallback
picture the output also carries), Play trains in the background while the page stays
responsive, and the status line reaches "finished".
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api") if CHROMIUM else None
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs the chromium binary (apt install chromium)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    notebook = nbformat.v4.new_notebook()
    # a named kernel: JupyterLab starts it without asking
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(
        "from pacgan_edu.widgets.training import TrainingPanel\n"
        "panel = TrainingPanel(preset='quick', autoplay=True)\npanel")]
    nbformat.write(notebook, tmp_path / "panel.ipynb")
    port = free_port()
    env = dict(os.environ)
    env.pop("PACGAN_EDU_QUICK", None)  # the kernel must see a live front end
    server = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}",
                               "--ServerApp.token=test", f"--ServerApp.root_dir={tmp_path}", "--allow-root"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/lab?token=test", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start")
    yield f"{url}/lab/tree/panel.ipynb?token=test"
    server.terminate()
    server.wait(30)


def test_the_panel_renders_as_a_widget_and_trains_in_jupyterlab(lab, tmp_path):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(lab)
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        deadline = time.monotonic() + 60
        while True:  # click into the cell; a dialog (kernel chooser, news) may cover it at first
            if page.locator(".jp-Dialog .jp-mod-accept").count():
                page.click(".jp-Dialog .jp-mod-accept")
            try:
                page.click(".jp-Cell .jp-InputArea-editor", timeout=3_000)
                break
            except sync_api.TimeoutError:
                if time.monotonic() > deadline:
                    raise
        # run only once the kernel is connected: JupyterLab drops a run requested before that
        page.wait_for_selector(".jp-StatusBar-Widget:has-text('Idle')", timeout=60_000)
        page.keyboard.press("Shift+Enter")
        try:
            page.wait_for_selector("button:has-text('Reset')", timeout=90_000)    # the widget, not a picture
        except sync_api.TimeoutError:
            page.screenshot(path=str(tmp_path / "failure.png"))  # what the page showed instead
            raise
        page.wait_for_selector(".widget-html-content:has-text('finished')", timeout=120_000)
        status = page.locator(".widget-html-content").first.inner_text()
        assert "step 60 / 60" in status and "frames/s" in status
        assert page.locator(".jupyter-widgets img, img.widget-image").count() >= 1
        browser.close()
