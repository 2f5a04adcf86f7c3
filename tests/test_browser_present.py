"""Presenting live in a real browser: ``python3 course.py lab --present``'s settings, one notebook.

An instructor presents with the course's presenting settings (``deploy/present/``, a JupyterLab
user-settings tree that ``course.py lab --present`` starts JupyterLab with): large type for text,
code, outputs and widgets, and one notebook filling the screen. This test starts a private
JupyterLab with those settings, opens notebook 00, runs it, measures the font sizes the browser
actually renders against JupyterLab's own defaults (read from its shipped theme), and moves the
widget check's slider to see the kernel answer. Same fixtures and helpers as tests/test_browser.py;
skipped without Chromium unless ``RNN_COURSE_REQUIRE_BROWSER=1``.

Run:   .venv/bin/python -m pytest tests/test_browser_present.py -v -s
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM_ARGS, ROOT, JupyterLab
from tests.test_browser import Learner, chromium, drive_widget_check, scratch  # noqa: F401 (fixtures)

import course

NOTEBOOK = "00_start_here.ipynb"  # the shortest run (about 4 CPU-s) with a widget that talks to the kernel
# Large type: at least this many times JupyterLab's default size, for text, code and widgets alike.
# JupyterLab's own View ▸ Appearance ▸ Presentation Mode reaches about 1.2× (17 px text, 16 px code,
# widgets unchanged), too small for the back of a room, which is why the course does not rely on it.
LARGE = 1.35


def jupyterlab_default_sizes() -> dict[str, float]:
    """JupyterLab's default font sizes in px, from the light theme it ships (what a learner sees)."""
    from jupyterlab.commands import get_app_dir

    css = (Path(get_app_dir()) / "themes" / "@jupyterlab" / "theme-light-extension" / "index.css").read_text()
    return {key: float(re.search(rf"--jp-{key}:\s*([\d.]+)px", css).group(1))
            for key in ("content-font-size1", "code-font-size", "ui-font-size1")}


@pytest.fixture(scope="module")
def lab_root(scratch) -> Path:  # noqa: F811
    root = scratch / "present-root"
    root.mkdir()
    (root / NOTEBOOK).write_bytes((ROOT / "notebooks" / NOTEBOOK).read_bytes())
    return root


@pytest.fixture(scope="module")
def lab(chromium, lab_root, scratch):  # noqa: F811
    (scratch / "present-work").mkdir()
    server = JupyterLab(lab_root, scratch / "present-work", settings=course.PRESENT_SETTINGS)
    try:
        server.start()
        yield server
    finally:
        leftovers = server.stop()
        assert not leftovers, f"kernel processes outlived JupyterLab (killed now): {leftovers}"


@pytest.fixture
def page(chromium, lab):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1000})
        pg.console_errors = []
        pg.on("pageerror", lambda e: pg.console_errors.append(f"pageerror: {e}"))
        try:
            yield pg
        finally:
            browser.close()
            lab.shutdown_kernels()


def rendered_px(lr: Learner, selector: str) -> float:
    """The computed font size of the first element matching ``selector`` inside the notebook."""
    size = lr.page.evaluate("""sel => { const e = document.querySelector(sel);
        return e ? getComputedStyle(e).fontSize : null; }""", selector)
    if size is None:
        lr.fail(f"nothing on the page matches {selector!r}")
    return float(size.removesuffix("px"))


@pytest.mark.browser
def test_presenting_shows_large_type_and_working_widgets(page, lab, lab_root):
    t0 = time.monotonic()
    lr = Learner(page, lab, lab_root, NOTEBOOK)
    lr.open()
    mode = lr.page.evaluate("() => (document.querySelector('[data-shell-mode]') || {dataset: {}}).dataset.shellMode")
    assert mode == "single-document", f"presenting should show one notebook at a time, the shell is in {mode!r} mode"
    lr.run_all()
    lr.check_outputs()
    default = jupyterlab_default_sizes()
    widget = lr.cell(lr.cell_index("checks.widget_demo()"))
    measured = {
        "markdown text": (rendered_px(lr, ".jp-Notebook .jp-RenderedMarkdown p"), default["content-font-size1"]),
        "code": (rendered_px(lr, ".jp-Notebook .jp-CodeCell .cm-content"), default["code-font-size"]),
        "cell output": (rendered_px(lr, ".jp-Notebook .jp-OutputArea-output pre"), default["code-font-size"]),
        "widget label": (float(widget.locator(".widget-label").last.evaluate("e => getComputedStyle(e).fontSize")
                               .removesuffix("px")), default["ui-font-size1"]),
    }
    lr.log("font sizes (px, presenting vs JupyterLab's default): "
           + ", ".join(f"{k} {px:g} vs {d:g}" for k, (px, d) in measured.items()))
    small = {k: f"{px:g} px vs {d:g} px" for k, (px, d) in measured.items() if px < LARGE * d}
    assert not small, f"type is not large enough to present (want ≥ {LARGE}× JupyterLab's default): {small}"
    drive_widget_check(lr)  # the slider moves, the kernel recomputes, the label follows
    lr.check_widgets()
    lr.log(f"done in {time.monotonic() - t0:.0f} s")


# -- the one command, without a browser ---------------------------------------------------------

def test_course_lab_present_starts_jupyterlab_on_a_fresh_copy_of_the_presenting_settings(monkeypatch):
    calls = []
    monkeypatch.setattr(course, "setup", lambda: None)
    monkeypatch.setattr(course.subprocess, "call", lambda argv, cwd, env: calls.append((argv, env)) or 0)
    assert course.main(["lab", "--present", "--no-browser"]) == 0
    assert course.main(["lab", "--no-browser"]) == 0
    (argv, env), (plain_argv, plain_env) = calls
    assert "--present" not in argv and "--no-browser" in argv  # ours, not JupyterLab's option
    settings = Path(env["JUPYTERLAB_SETTINGS_DIR"])
    theme = "@jupyterlab/apputils-extension/themes.jupyterlab-settings"
    assert (settings / theme).read_text() == (course.PRESENT_SETTINGS / theme).read_text()
    assert course.ROOT not in settings.parents  # changes made while presenting never dirty the repository
    assert plain_env.get("JUPYTERLAB_SETTINGS_DIR") == course.os.environ.get("JUPYTERLAB_SETTINGS_DIR")
