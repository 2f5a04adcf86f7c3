"""A real browser opens JupyterLab, runs a notebook with the training dashboard, and uses it.

Widgets that do not render are the commonest failure learners meet, and nothing else in the
test suite sees them: nbval never renders a widget. This test starts a private JupyterLab
(127.0.0.1, random port and token, temp settings), opens the notebook in the system's
headless Chromium through playwright, runs all cells from the Run menu, and checks:

- no cell output holds a Python traceback;
- widgets render (``.jupyter-widgets``), with no "Error displaying widget", "model not found"
  or version-mismatch message anywhere on the page;
- Start (inside ``.rnn-dashboard``) sets the status (``.rnn-dashboard-status``) to "running"
  and redraws the curve (the ``src`` of the <img> ``.rnn-dashboard-curve`` changes);
- Stop sets the status to "stopped" within seconds, and the kernel goes back to idle.

It saves a screenshot of the dashboard to results/browser/dashboard.png (and, with
RNN_COURSE_UPDATE_SCREENSHOT=1, to docs/images/dashboard.png, the README's picture).

Run:   .venv/bin/python -m pytest tests/test_browser.py -v -s
Needs: Debian's chromium (``apt-get install chromium``) or ``RNN_COURSE_CHROMIUM=/path``.
Without a browser it is skipped — loudly — unless ``RNN_COURSE_REQUIRE_BROWSER=1`` (CI), where
it fails. ``RNN_COURSE_BROWSER_NOTEBOOK=path.ipynb`` tests another notebook.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM_ARGS, NOTEBOOK_01, ROOT, JupyterLab, find_chromium, write_fixture_notebook


def default_notebook() -> Path | None:
    """The notebook under test: notebook 01 once it has a Dashboard, else None (a fixture
    notebook written at test time). ``$RNN_COURSE_BROWSER_NOTEBOOK`` overrides."""
    env = os.environ.get("RNN_COURSE_BROWSER_NOTEBOOK")
    if env:
        return Path(env).resolve()
    if NOTEBOOK_01.exists() and "Dashboard(" in NOTEBOOK_01.read_text():
        return NOTEBOOK_01
    return None


NOTEBOOK: Path | None = default_notebook()  # switch here, e.g. NOTEBOOK = NOTEBOOK_01
# Every run saves its screenshot under results/ (git-ignored); the README's picture in docs/images
# is refreshed only when asked: RNN_COURSE_UPDATE_SCREENSHOT=1 python3 course.py test -k browser
SCREENSHOT = ROOT / "results" / "browser" / "dashboard.png"
README_SCREENSHOT = ROOT / "docs" / "images" / "dashboard.png"
DEBUG_DIR = Path(tempfile.gettempdir()) / "rnn-course-browser-debug"  # failure screenshots

RUN_ALL_TIMEOUT = 120  # s, every cell of the notebook
STEP_TIMEOUT = 30  # s, each single wait below
# Text that means a widget did not render, anywhere on the page.
WIDGET_ERRORS = re.compile(r"Error displaying widget|model not found|Failed to load model class|"
                           r"version mismatch|Could not create (a )?(model|view)|Click to show javascript error",
                           re.IGNORECASE)
TRACEBACKS = ('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
              '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
NO_BROWSER = ("no Chromium found: install Debian's chromium (apt-get install chromium) or set "
              "RNN_COURSE_CHROMIUM — the real-browser test did NOT run")


# -- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        why = NO_BROWSER
        if os.environ.get("RNN_COURSE_CHROMIUM"):
            why += f" (RNN_COURSE_CHROMIUM={os.environ['RNN_COURSE_CHROMIUM']} is not an executable file)"
        if os.environ.get("RNN_COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"RNN_COURSE_REQUIRE_BROWSER=1, but {why}", pytrace=False)
        pytest.skip(why)
    return path


@pytest.fixture(scope="module")
def scratch():
    """A private temp dir (not pytest's tmp_path: a concurrent pytest run may prune those)."""
    with tempfile.TemporaryDirectory(prefix="rnn-course-browser-") as d:
        yield Path(d)


@pytest.fixture(scope="module")
def notebook_dir(scratch) -> tuple[Path, str]:
    """A temp root for JupyterLab holding a copy of the notebook under test (the repo's copy
    is never opened, so autosave cannot write outputs into it). Returns (root, file name)."""
    root = scratch / "lab-root"
    root.mkdir()
    if NOTEBOOK is not None:
        shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
        print(f"\n[browser] notebook: {NOTEBOOK}")
        return root, NOTEBOOK.name
    kind = write_fixture_notebook(root / "dashboard_demo.ipynb")
    print(f"\n[browser] notebook: fixture dashboard_demo.ipynb ({kind} dashboard)")
    return root, "dashboard_demo.ipynb"


@pytest.fixture(scope="module")
def lab(chromium, notebook_dir, scratch):
    (scratch / "lab-work").mkdir()
    server = JupyterLab(notebook_dir[0], scratch / "lab-work")
    t0 = time.monotonic()
    try:
        server.start()
        print(f"[browser] JupyterLab up in {time.monotonic() - t0:.1f} s on port {server.port}")
        yield server
    finally:
        leftovers = server.stop()
        assert not leftovers, f"kernel processes outlived JupyterLab (killed now): {leftovers}"


@pytest.fixture(scope="module")
def page(chromium, lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            pg = context.new_page()
            pg.console_errors = []
            pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
            pg.on("pageerror", lambda e: pg.console_errors.append(f"pageerror: {e}"))
            yield pg
        finally:
            browser.close()


# -- helpers -------------------------------------------------------------------------------------
class Check:
    """Waits and assertions that, on failure, save a screenshot and report what the page says."""

    def __init__(self, page, lab, debug_dir: Path):
        self.page, self.lab, self.debug_dir = page, lab, debug_dir
        self.t0 = time.monotonic()

    def log(self, what: str) -> None:
        print(f"[browser] {time.monotonic() - self.t0:6.1f} s  {what}")

    def body_text(self) -> str:
        try:
            return self.page.locator("body").inner_text(timeout=5000)
        except Exception as e:  # noqa: BLE001 - diagnostics only
            return f"(no page text: {e})"

    def fail(self, message: str) -> None:
        self.debug_dir.mkdir(parents=True, exist_ok=True)
        shot = self.debug_dir / "browser-failure.png"
        try:
            self.page.screenshot(path=str(shot), full_page=True)
        except Exception as e:  # noqa: BLE001
            shot = f"(screenshot failed: {e})"
        text = self.body_text()
        snippets = [m.group(0) for m in re.finditer(r".{0,200}(Traceback|Error|rror displaying|not found).{0,300}",
                                                    text, re.S)][:5]
        try:
            kernels = self.lab.api("kernels")
        except Exception as e:  # noqa: BLE001
            kernels = f"({e})"
        pytest.fail(
            f"{message}\n--- debug screenshot: {shot}\n--- kernels: {kernels}\n"
            f"--- page text snippets:\n" + ("\n...\n".join(snippets) or text[-2500:]) +
            "\n--- browser console errors:\n" + "\n".join(self.page.console_errors[-10:]) +
            f"\n--- JupyterLab log (tail):\n{self.lab.log_tail(20)}", pytrace=False)

    def wait(self, what: str, condition, timeout: float = STEP_TIMEOUT, poll: float = 0.2):
        """Poll ``condition()`` until it returns something truthy; fail after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                self.log(what)
                return value
            if time.monotonic() > deadline:
                self.fail(f"timed out after {timeout:.0f} s waiting for: {what}")
            self.page.wait_for_timeout(poll * 1000)

    def kernel_states(self) -> list[str]:
        return [k["execution_state"] for k in self.lab.kernels()]

    def no_tracebacks(self) -> None:
        outputs = self.page.locator(TRACEBACKS)
        for i in range(outputs.count()):
            text = outputs.nth(i).inner_text()
            if "Traceback" in text or re.search(r"^\w+(Error|Exception)\b", text, re.M):
                self.fail(f"a cell output holds a Python traceback:\n{text[-2000:]}")

    def no_widget_errors(self) -> None:
        broken = self.page.locator(".jupyter-widgets-error-widget")  # ipywidgets 8's error view
        if broken.count():
            self.fail(f"{broken.count()} widget(s) show ipywidgets' error view ({broken.first.inner_text()!r}); "
                      "the browser console errors below say why")
        m = WIDGET_ERRORS.search(self.body_text())
        if m:
            self.fail(f"the page says {m.group(0)!r}: a widget did not render")


def prompts(page) -> dict:
    """Execution prompts of the notebook's code cells: queued/running, unnumbered, total."""
    return page.evaluate("""() => {
        const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
        let running = 0, pending = 0;
        for (const c of cells) {
            const p = (c.querySelector('.jp-InputPrompt') || {}).textContent || '';
            const code = (c.querySelector('.cm-content') || {}).textContent || '';
            if (p.includes('*')) running++;
            else if (code.trim() && !/\\[\\d+\\]/.test(p)) pending++;
        }
        return {cells: cells.length, running, pending};
    }""")


# -- the test ------------------------------------------------------------------------------------
@pytest.mark.browser
def test_dashboard_runs_in_a_real_browser(page, lab, notebook_dir):
    check = Check(page, lab, DEBUG_DIR)
    try:
        exercise(check, page, lab, notebook_dir[1])
    except Exception as e:  # a playwright timeout, a lost server...: report it like the rest
        import traceback

        check.fail(f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=-3)}")


def exercise(check: Check, page, lab, name: str) -> None:

    # Open the notebook; its kernel starts (accept the kernel dialog if the notebook names none).
    page.goto(lab.url(f"lab/tree/{name}?reset&token={lab.token}"), timeout=60_000)
    check.wait("the notebook is on screen", lambda: page.locator(".jp-Notebook .jp-CodeCell").count() > 0, 60)

    def kernel_ready():
        dialog = page.locator(".jp-Dialog .jp-mod-accept")
        if dialog.count():
            dialog.first.click()
        return "idle" in check.kernel_states()
    check.wait("the kernel is idle", kernel_ready, 60)

    # Run all cells from the menu, as a learner would.
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-item:not(.lm-mod-disabled)", has_text="Run All Cells").first.click()
    t_run = time.monotonic()

    def all_run():
        p, states = prompts(page), check.kernel_states()
        if p["running"] or "idle" not in states:
            return False
        if p["pending"] and not page.locator(TRACEBACKS).count():
            return False  # not started yet (or a cell is still to come)
        # idle with nothing queued: confirm a moment later (idle between two cells is brief)
        page.wait_for_timeout(500)
        return not prompts(page)["running"] and check.kernel_states() == ["idle"]
    check.wait(f"run-all finished ({prompts(page)['cells']} code cells)", all_run, RUN_ALL_TIMEOUT, poll=0.5)
    t_run = time.monotonic() - t_run

    # Outputs: no tracebacks; widgets render.
    check.no_tracebacks()
    check.wait("widgets are rendered", lambda: page.locator(".jp-OutputArea .jupyter-widgets").count() > 0)
    dash = page.locator(".rnn-dashboard").first
    check.wait("the dashboard is rendered", lambda: page.locator(".rnn-dashboard").count() > 0)
    check.wait("no widget is still loading", lambda: "Loading widget" not in check.body_text())
    check.no_widget_errors()

    # Start: status "running", the curve redraws.
    curve = dash.locator("img.rnn-dashboard-curve, .rnn-dashboard-curve img").first
    status = dash.locator(".rnn-dashboard-status").first
    src = lambda: curve.get_attribute("src") or ""  # noqa: E731
    # The status line starts with the state ("running — towards step 1600"); a message after it
    # may use the same words ("diverged — Training stopped: ..."), so only the first word counts.
    state = lambda: (status.inner_text().strip().split() or [""])[0].lower()  # noqa: E731
    seen = {src()}
    dash.locator("button", has_text=re.compile(r"^\s*Start\s*$")).first.click()
    check.wait("status says running", lambda: state() == "running")

    def curve_moved():
        seen.add(src())
        if state() != "running":  # completed, diverged, error...: Stop would prove nothing
            check.fail(f"the run ended before the test could press Stop; status: {status.inner_text()!r}")
        return len(seen) >= 2
    check.wait("the curve redrew while running", curve_moved)
    check.no_widget_errors()

    # Stop: status "stopped" within seconds, the kernel idle.
    dash.locator("button", has_text=re.compile(r"^\s*Stop\s*$")).first.click()

    def stopped():
        if state() not in ("running", "stopped"):
            check.fail(f"after Stop the status says {status.inner_text()!r}, not 'stopped'")
        return state() == "stopped"
    check.wait("status says stopped", stopped, 10)
    check.wait("the kernel is idle after Stop", lambda: check.kernel_states() == ["idle"], 10)

    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    dash.screenshot(path=str(SCREENSHOT))
    check.log(f"saved {SCREENSHOT.relative_to(ROOT)} ({SCREENSHOT.stat().st_size // 1024} KB)")
    if os.environ.get("RNN_COURSE_UPDATE_SCREENSHOT") == "1":
        README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SCREENSHOT, README_SCREENSHOT)
    check.no_tracebacks()
    check.no_widget_errors()
    check.log(f"done (run-all took {t_run:.1f} s; {len(page.console_errors)} browser console errors)")
