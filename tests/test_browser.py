"""Learner paths in a real browser: every notebook, run and used the way a learner uses it.

nbval runs each notebook's default path in a kernel; learners press Start, type into widgets,
upload files, reopen saved notebooks. This module starts a private JupyterLab (127.0.0.1, random
port and token, temp settings, the course's own server config), opens each notebook 00–10 in
the system's headless Chromium through playwright, and for each one:

1. **Run All** from the Run menu in a fresh kernel, then checks the page: no error output
   (a cell that shows an error on purpose carries the ``raises-exception`` tag), no
   ``<Figure size …>`` text where a figure should be, every output image loaded, widgets
   rendered with no "Error displaying widget" / "model not found";
2. **uses its widgets** as a learner would (``DRIVES`` below): the dashboard's Start → the live
   panel fills at the first evaluation → Pause (one step number on screen) → Resume → Stop;
   next-word bars for a new prefix; Generate; Translate; a WAV upload; the which-model-fits
   answers; the capstone's picker with each kind of the learner's own file → Load → the cells
   below run to a verdict;
3. **saves, closes and reopens** the notebook in a new kernel: the saved file holds no widget
   views, and the reopened page shows a "run this cell again" note, never "model not found".

Each notebook's run is one test (``-k 03`` picks one). Screenshots of the notebook 01 dashboard
go to results/browser/ (and, with RNN_COURSE_UPDATE_SCREENSHOT=1, docs/images/dashboard.png).
On failure, a full-page screenshot and the page's error text go to the temp dir printed.

Run:   .venv/bin/python -m pytest tests/test_browser.py -v -s
Needs: Debian's chromium (``apt-get install chromium``) or ``RNN_COURSE_CHROMIUM=/path``.
Without a browser it is skipped — loudly — unless ``RNN_COURSE_REQUIRE_BROWSER=1`` (CI), where
it fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.browser_support import CHROMIUM_ARGS, ROOT, JupyterLab, find_chromium

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SCREENSHOT = ROOT / "results" / "browser" / "dashboard.png"
README_SCREENSHOT = ROOT / "docs" / "images" / "dashboard.png"
DEBUG_DIR = Path(tempfile.gettempdir()) / "rnn-course-browser-debug"

RUN_ALL_TIMEOUT = 600  # s: the slowest notebook takes ~100 CPU-s alone; CI is not alone
STEP_TIMEOUT = 30  # s, each single wait below
LIVE_TIMEOUT = 120  # s, from Start to the first evaluation's live view (speech: 50 steps)
WIDGET_ERRORS = re.compile(r"Error displaying widget|model not found|Failed to load model class|"
                           r"version mismatch|Could not create (a )?(model|view)|Click to show javascript error",
                           re.IGNORECASE)
UNRENDERED_FIGURE = re.compile(r"<(Figure size \d+x\d+ with \d+ Axes|matplotlib\.[\w.]+ object at 0x)")
ERROR_OUTPUTS = ('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
                 '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
NO_BROWSER = ("no Chromium found: install Debian's chromium (apt-get install chromium) or set "
              "RNN_COURSE_CHROMIUM — the real-browser test did NOT run")
SAVED_NOTE = "run this cell again"  # rnn_course.saved_notebooks.NOTE


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
def lab_root(scratch) -> Path:
    """JupyterLab's root: copies of the course notebooks (autosave never writes into the repo)."""
    root = scratch / "lab-root"
    root.mkdir()
    for nb in NOTEBOOKS:
        shutil.copy(nb, root / nb.name)
    return root


@pytest.fixture(scope="module")
def lab(chromium, lab_root, scratch):
    (scratch / "lab-work").mkdir()
    server = JupyterLab(lab_root, scratch / "lab-work")
    t0 = time.monotonic()
    try:
        server.start()
        print(f"\n[browser] JupyterLab up in {time.monotonic() - t0:.1f} s on port {server.port}")
        yield server
    finally:
        leftovers = server.stop()
        assert not leftovers, f"kernel processes outlived JupyterLab (killed now): {leftovers}"


@pytest.fixture(scope="module")
def browser(chromium, lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, lab):
    """A new page per notebook; every kernel is shut down afterwards."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.console_errors = []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(f"pageerror: {e}"))
    try:
        yield pg
    finally:
        context.close()
        lab.shutdown_kernels()


# -- what the test does on a page -----------------------------------------------------------------
class Learner:
    """A learner at one notebook: waits and checks that, on failure, save a screenshot and say
    what the page says."""

    def __init__(self, page, lab, root: Path, name: str):
        self.page, self.lab, self.root, self.name = page, lab, root, name
        self.nb = json.loads((root / name).read_text())
        self.t0 = time.monotonic()

    # reporting
    def log(self, what: str) -> None:
        print(f"[browser {self.name[:2]}] {time.monotonic() - self.t0:6.1f} s  {what}", flush=True)

    def body_text(self) -> str:
        try:
            return self.page.locator("body").inner_text(timeout=5000)
        except Exception as e:  # noqa: BLE001 - diagnostics only
            return f"(no page text: {e})"

    def fail(self, message: str) -> None:
        DEBUG_DIR.mkdir(parents=True, exist_ok=True)
        shot = DEBUG_DIR / f"{self.name[:2]}-failure.png"
        try:
            self.page.screenshot(path=str(shot), full_page=True)
        except Exception as e:  # noqa: BLE001
            shot = f"(screenshot failed: {e})"
        text = self.body_text()
        snippets = [m.group(0) for m in re.finditer(r".{0,200}(Traceback|Error|rror displaying|not found).{0,300}",
                                                    text, re.S)][:5]
        pytest.fail(
            f"[{self.name}] {message}\n--- debug screenshot: {shot}\n"
            f"--- page text snippets:\n" + ("\n...\n".join(snippets) or text[-2500:]) +
            "\n--- browser console errors:\n" + "\n".join(self.page.console_errors[-10:]) +
            f"\n--- JupyterLab log (tail):\n{self.lab.log_tail(20)}", pytrace=False)

    def wait(self, what: str, condition, timeout: float = STEP_TIMEOUT, poll: float = 0.25, detail=None):
        """Poll ``condition()`` until it returns something truthy; fail after ``timeout`` s
        (with ``detail()``, if given, saying what the page showed)."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                self.log(what)
                return value
            if time.monotonic() > deadline:
                shown = f"\n--- it showed:\n{detail()}" if detail else ""
                self.fail(f"timed out after {timeout:.0f} s waiting for: {what}{shown}")
            self.page.wait_for_timeout(poll * 1000)

    # the notebook
    def cell_index(self, marker: str) -> int:
        """Index of the first cell whose source contains ``marker`` (the DOM holds every cell)."""
        for i, c in enumerate(self.nb["cells"]):
            if marker in "".join(c["source"]):
                return i
        self.fail(f"no cell contains {marker!r}: update DRIVES in tests/test_browser.py")

    def cell(self, i: int):
        return self.page.locator(".jp-Notebook .jp-Cell").nth(i)

    def kernel_states(self) -> list[str]:
        return [k["execution_state"] for k in self.lab.kernels()]

    def open(self) -> None:
        self.page.goto(self.lab.url(f"lab/tree/{self.name}?reset&token={self.lab.token}"), timeout=60_000)
        self.wait("the notebook is on screen", lambda: self.page.locator(".jp-Notebook .jp-Cell").count()
                  == len(self.nb["cells"]), 60)

        def kernel_ready():
            dialog = self.page.locator(".jp-Dialog .jp-mod-accept")
            if dialog.count():
                dialog.first.click()
            return self.kernel_states() == ["idle"]
        self.wait("the kernel is idle", kernel_ready, 60)

    def menu(self, menu: str, item: str) -> None:
        self.page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{menu}$")).click()
        self.page.locator(".lm-Menu-item:not(.lm-mod-disabled)", has_text=item).first.click()

    def prompts(self) -> dict:
        """Execution prompts of the code cells: queued or running (``[*]``), never run, total."""
        return self.page.evaluate("""() => {
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

    def wait_until_done(self, what: str, timeout: float = RUN_ALL_TIMEOUT) -> None:
        """Until no cell is queued or running and the kernel stays idle (idle between two cells
        is brief; JupyterLab stops a run at an error, leaving later cells unrun)."""
        def done():
            p = self.prompts()
            if p["running"] or self.kernel_states() != ["idle"]:
                return False
            self.page.wait_for_timeout(700)
            return not self.prompts()["running"] and self.kernel_states() == ["idle"]
        self.wait(what, done, timeout, poll=0.5)

    def run_all(self) -> None:
        t = time.monotonic()
        self.menu("Run", "Run All Cells")
        self.wait("run-all started", lambda: self.prompts()["running"] or self.kernel_states() != ["idle"], 30)
        self.wait_until_done(f"run-all finished ({self.prompts()['cells']} code cells)")
        self.log(f"run-all took {time.monotonic() - t:.0f} s")

    def run_from(self, i: int) -> None:
        """Select cell ``i`` and run it and every cell below (Run ▸ Run Selected Cell and All Below)."""
        before = max(self.counts().values(), default=0)
        self.cell(i).locator(".jp-InputPrompt").first.click()
        self.menu("Run", "Run Selected Cell and All Below")
        self.wait(f"cells from {i} started", lambda: self.prompts()["running"] or self.kernel_states() != ["idle"], 30)
        self.wait_until_done(f"cells from {i} on finished")
        stale = [k for k, n in self.counts().items() if k >= i and n <= before]
        if stale:
            self.fail(f"cells {stale} did not run again (stopped at an error?); their outputs are old")

    def counts(self) -> dict[int, int]:
        """Execution count shown in each code cell's prompt (0 if none), by cell index."""
        prompts = self.page.evaluate("""() => [...document.querySelectorAll('.jp-Notebook .jp-Cell')].map(c =>
            c.classList.contains('jp-CodeCell') ? ((c.querySelector('.jp-InputPrompt') || {}).textContent || '') : null)""")
        return {k: int(m.group(1)) if (m := re.search(r"\[(\d+)\]", p)) else 0
                for k, p in enumerate(prompts) if p is not None and "".join(self.nb["cells"][k]["source"]).strip()}

    # checks of what is on the page
    def check_outputs(self, first: int = 0) -> None:
        """No unexpected error output, no unrendered figure, images loaded, widgets rendered."""
        cells = self.page.locator(".jp-Notebook .jp-Cell")
        for i, c in enumerate(self.nb["cells"]):
            if i < first or c["cell_type"] != "code":
                continue
            if "raises-exception" in c.get("metadata", {}).get("tags", []):
                continue
            errors = cells.nth(i).locator(ERROR_OUTPUTS)
            for k in range(errors.count()):
                text = errors.nth(k).inner_text()
                if "Traceback" in text or re.search(r"^\w+(Error|Exception)\b", text, re.M):
                    self.fail(f"cell {i} shows an error:\n{text[-2000:]}")
        if (m := UNRENDERED_FIGURE.search(self.outputs_text())):
            self.fail(f"a figure shows as text, not an image: {m.group(0)!r}")
        broken = self.page.evaluate("""() => [...document.querySelectorAll('.jp-OutputArea img')]
            .filter(i => i.complete && i.naturalWidth === 0).length""")
        if broken:
            self.fail(f"{broken} output image(s) did not load")
        self.check_widgets()

    def check_widgets(self) -> None:
        self.wait("no widget is still loading", lambda: "Loading widget" not in self.body_text())
        broken = self.page.locator(".jupyter-widgets-error-widget")  # ipywidgets 8's error view
        if broken.count():
            self.fail(f"{broken.count()} widget(s) show ipywidgets' error view ({broken.first.inner_text()!r})")
        if (m := WIDGET_ERRORS.search(self.outputs_text())):
            self.fail(f"an output says {m.group(0)!r}: a widget did not render")

    def outputs_text(self) -> str:
        """The text of every cell output (markdown may quote error messages on purpose)."""
        return "\n".join(self.page.locator(".jp-OutputArea").all_inner_texts())

    def output_text(self, i: int) -> str:
        return self.cell(i).locator(".jp-OutputArea").inner_text()

    def save_and_reopen(self) -> None:
        """Save, shut the kernel down, open the notebook again: a learner coming back tomorrow."""
        path = self.root / self.name
        before = path.stat().st_mtime_ns
        self.page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
        self.page.keyboard.press("Control+s")
        self.wait("the notebook is saved", lambda: path.stat().st_mtime_ns != before)
        saved = path.read_text()
        if "application/vnd.jupyter.widget-view+json" in saved:
            self.fail("the saved notebook holds widget views: reopened, they say 'model not found' "
                      "(is the rnn_course.saved_notebooks server extension on? `python3 course.py setup`)")
        has_widgets = SAVED_NOTE in saved
        self.lab.shutdown_kernels()
        self.nb = json.loads(saved)
        self.open()
        self.check_widgets()
        if has_widgets:
            self.wait("the reopened notebook says to run widget cells again", lambda: SAVED_NOTE in self.body_text())


# -- widget drives --------------------------------------------------------------------------------
def drive_dashboard(lr: Learner, marker: str = "Dashboard(") -> None:
    """Start → the live panel fills at the first evaluation; Pause → one step number; Resume; Stop."""
    i = lr.cell_index(marker)
    dash = lr.cell(i).locator(".rnn-dashboard").first
    lr.wait("the dashboard is rendered", lambda: dash.count() > 0)
    status = dash.locator(".rnn-dashboard-status").first
    state = lambda: (status.inner_text().strip().split() or [""])[0].lower()  # noqa: E731
    live = dash.locator(".rnn-dashboard-live").first
    curve = dash.locator("img.rnn-dashboard-curve, .rnn-dashboard-curve img").first
    # A long run, so that the run is still going when the test presses Pause and Stop.
    steps = dash.locator(".widget-text").filter(has=lr.page.locator("label", has_text=re.compile(r"^\s*steps\s*$")))
    steps.locator("input").fill("100000")
    steps.locator("input").press("Tab")
    lr.page.evaluate("""el => { el.__changes = 0;
        new MutationObserver(() => el.__changes++).observe(el, {subtree: true, childList: true,
                                                                characterData: true, attributes: true}); }""",
                     live.element_handle())
    src0 = curve.get_attribute("src")
    dash.locator("button", has_text=re.compile(r"^\s*Start\s*$")).first.click()
    lr.wait("status says running", lambda: state() == "running")

    def live_filled():
        if state() != "running":
            lr.fail(f"the run ended before the live panel filled; status: {status.inner_text()!r}")
        return lr.page.evaluate("el => el.__changes", live.element_handle()) > 0 and live.inner_text().strip()
    lr.wait("the live panel filled during Start", live_filled, LIVE_TIMEOUT, detail=dash.inner_text)
    shown = live.inner_text()
    if "\\n" in shown or re.match(r"^\s*['\"]", shown):
        lr.fail(f"the live panel shows a Python repr, not text: {shown[:200]!r}")
    lr.wait("the curve redrew", lambda: curve.get_attribute("src") != src0)
    lr.check_widgets()

    dash.locator("button", has_text=re.compile(r"^\s*Pause\s*$")).first.click()
    lr.wait("status says paused", lambda: state() == "paused")
    lr.page.wait_for_timeout(1500)
    text = dash.inner_text().replace(live.inner_text(), "")  # the live view may quote its own step
    numbers = {int(n) for n in re.findall(r"(?<!towards )\bstep (\d+)", text)}
    if len(numbers) != 1:
        lr.fail(f"paused, the dashboard shows more than one step number {sorted(numbers)}:\n{text}")
    lr.page.wait_for_timeout(1000)
    later = dash.inner_text().replace(live.inner_text(), "")
    if later != text:
        lr.fail(f"paused, but the dashboard still changes:\n{text}\n--- a second later ---\n{later}")
    dash.locator("button", has_text=re.compile(r"^\s*Resume\s*$")).first.click()
    lr.wait("status says running again", lambda: state() == "running")
    dash.locator("button", has_text=re.compile(r"^\s*Stop\s*$")).first.click()

    def stopped():
        if state() not in ("running", "stopped"):
            lr.fail(f"after Stop the status says {status.inner_text()!r}, not 'stopped'")
        return state() == "stopped"
    lr.wait("status says stopped", stopped, 60)
    lr.wait("the kernel is idle after Stop", lambda: lr.kernel_states() == ["idle"], 30)
    if lr.name.startswith("01"):
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        dash.screenshot(path=str(SCREENSHOT))
        if os.environ.get("RNN_COURSE_UPDATE_SCREENSHOT") == "1":
            README_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(SCREENSHOT, README_SCREENSHOT)


def type_into(lr: Learner, box, label: str, value: str) -> None:
    """Fill the text box whose description is ``label`` and press Enter (a learner's typing)."""
    field = box.locator(".widget-text, .widget-textarea").filter(
        has=lr.page.locator("label", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))).locator("input, textarea")
    field.first.fill(value)
    field.first.press("Enter")


def drive_widget_check(lr: Learner) -> None:
    """Notebook 00: the slider's label follows the slider through the kernel."""
    out = lr.cell(lr.cell_index("checks.widget_demo()"))
    label = lambda: out.locator(".widget-label").last.inner_text()  # noqa: E731
    before = label()
    out.locator(".noUi-handle, .ui-slider-handle").first.focus()
    lr.page.keyboard.press("ArrowRight")
    lr.wait("the label followed the slider", lambda: label() != before and "parameters" in label())


def drive_explorer(lr: Learner) -> None:
    out = lr.cell(lr.cell_index("ShapeExplorer("))
    table = lambda: out.locator(".rnn-shape-explorer").inner_text()  # noqa: E731
    before = table()
    field = out.locator(".widget-text").filter(has=lr.page.locator("label", has_text="batch B")).locator("input")
    field.fill("7")
    field.press("Tab")
    lr.wait("the shape table follows batch B = 7", lambda: table() != before and "7" in table())


def drive_next_words(lr: Learner) -> None:
    out = lr.cell(lr.cell_index("NextWordWidget("))
    bars = out.locator(".jp-OutputArea img, .widget-output img, .widget-html img")
    lr.wait("the next-word bars are an image", lambda: bars.count() > 0)
    src = bars.first.get_attribute("src")
    type_into(lr, out, "prefix", "to be or not to")
    lr.wait("the bars changed for a new prefix", lambda: bars.count() > 0 and bars.first.get_attribute("src") != src)
    if UNRENDERED_FIGURE.search(out.inner_text()):
        lr.fail("the next-word widget shows a figure as text")


def drive_sampling(lr: Learner) -> None:
    out = lr.cell(lr.cell_index("SamplingWidget("))
    out.locator("button", has_text="Generate").click()
    lr.wait("Generate wrote a continuation of the prompt",
            lambda: out.locator("pre").count() and out.locator("pre").first.inner_text().startswith("MACBETH:"), 60)


def drive_translate(lr: Learner) -> None:
    out = lr.cell(lr.cell_index("TranslateWidget("))
    before = out.inner_text()
    field = out.locator(".widget-text input").first
    field.fill("the small girls eat the red apple .")
    out.locator("button", has_text="Translate").click()
    lr.wait("a new translation is shown", lambda: out.inner_text() != before and "pomme" in out.inner_text(), 60)


def drive_speech_upload(lr: Learner) -> None:
    """Upload a held-out clip as a 44.1 kHz stereo WAV, as a learner's recorder might save it."""
    import numpy as np
    import soundfile as sf
    from jiwer import cer
    from librosa import resample

    from rnn_course.speech.data import SR, SpeechCorpus

    clips = SpeechCorpus.load(splits=("test",), max_per_split=8)["test"]
    clip = next(c for c in clips[1:] if c.text != clips[0].text)  # the widget opens on clips[0]
    wave = resample(clip.wave, orig_sr=SR, target_sr=44_100)
    path = lr.root / "my_recording.wav"
    sf.write(path, np.stack([wave, 0.8 * wave], axis=1), 44_100)
    out = lr.cell(lr.cell_index("SpeechDemo(")).locator(".jp-OutputArea").first
    heard = lambda: re.search(r"heard:\s*(.*?)\s+—", out.inner_text())  # noqa: E731
    first = lr.wait("the widget shows a held-out clip's transcript", heard).group(1)
    # ipywidgets' FileUpload keeps its <input type=file> out of the page: click the button and
    # answer the file chooser, as a learner does.
    with lr.page.expect_file_chooser() as chooser:
        out.locator(".widget-upload").first.click()
    chooser.value.set_files(str(path))
    def new_transcript():
        m = heard()
        return m if m and m.group(1) != first else None
    m = lr.wait("the upload was transcribed", new_transcript, 60, detail=out.inner_text)
    # The pretrained model's CER on held-out clips is about 0.3 %; a broken path (rate, channels,
    # features) gives garbage, CER near 1.
    if cer(clip.text, m.group(1)) > 0.34:
        lr.fail(f"the uploaded clip {clip.text!r} was heard as {m.group(1)!r}")


def drive_task_fit(lr: Learner) -> None:
    out = lr.cell(lr.cell_index("TaskFitWidget("))
    lr.wait("the which-model-fits widget says some family fits at its defaults", lambda: "✓" in out.inner_text())


def drive_capstone(lr: Learner) -> None:
    """The learner's own data, each kind in turn in the same kernel: Load, then the cells below."""
    import numpy as np
    import soundfile as sf

    own = lr.root / "my_data"
    own.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    t = np.arange(24 * 120)
    value = 10 + 3 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.5, t.size)
    dates = np.datetime64("2024-01-01T00:00") + t.astype("timedelta64[h]")
    (own / "series.csv").write_text("date,value\n" + "".join(f"{d},{v:.3f}\n" for d, v in zip(dates, value)))
    words = ("the ship sailed at dawn and the crew sang of home while the wind rose over the grey sea "
             "and gulls cried above the mast as the captain read the old map by lamp light ").split()
    (own / "story.txt").write_text(" ".join(rng.choice(words, 6000)))
    clips = own / "clips"
    clips.mkdir(exist_ok=True)
    for k in range(24):  # two "words": a low and a high tone, 4 speakers
        label, f = (("low", 220.0), ("high", 660.0))[k % 2]
        x = np.sin(2 * np.pi * f * (1 + 0.05 * (k % 4)) * np.arange(8000) / 16000) * 0.3
        sf.write(clips / f"{label}_spk{k % 4}_{k}.wav", (x + rng.normal(0, 0.01, x.size)).astype("float32"), 16000)
    pairs = [("the black dog eats the bread", "le chien noir mange le pain"),
             ("the small cat sleeps on the chair", "le petit chat dort sur la chaise"),
             ("a young girl reads a long book", "une jeune fille lit un long livre")]
    (own / "pairs.tsv").write_text("".join(f"{a}\t{b}\n" for _ in range(60) for a, b in pairs))

    i = lr.cell_index("DataPicker(")
    picker = lr.cell(i).locator(".rnn-picker").first
    for choice, path in [("csv-series", own / "series.csv"), ("text-file", own / "story.txt"),
                         ("wav-folder", clips), ("tsv-pairs", own / "pairs.tsv")]:
        lr.log(f"capstone: {choice}")
        picker.locator("select").first.select_option(label=choice_label(choice))
        picker.locator(".rnn-picker-path input").fill(str(path))
        picker.locator(".rnn-picker-path input").press("Tab")
        picker.locator("button", has_text="Load").click()
        status = picker.locator(".rnn-picker-status")
        lr.wait(f"{choice} loaded", lambda: status.inner_text().strip().startswith(("✓", "✗")), 60)
        if not status.inner_text().strip().startswith("✓"):
            lr.fail(f"Load refused {path.name}: {status.inner_text()}")
        lr.run_from(i + 1)
        lr.check_outputs(first=i + 1)
        if not VERDICT.search(lr.outputs_text()):
            lr.fail(f"after loading {choice}, no verdict was written")


VERDICT = re.compile(r"Tie within noise|The RNN (beats|loses to) the best baseline")  # rnn_course.capstone.plan.verdict


def choice_label(key: str) -> str:
    from rnn_course.capstone.data import CHOICES

    return CHOICES[key][0]


DRIVES = {  # notebook number → what a learner does after Run All
    "00": [drive_widget_check],
    "01": [drive_explorer, drive_dashboard],
    "02": [drive_next_words, drive_dashboard],
    "03": [drive_sampling, drive_dashboard],
    "04": [drive_translate, drive_dashboard],
    "05": [drive_dashboard],
    "06": [drive_dashboard],
    "07": [drive_speech_upload, drive_dashboard],
    "08": [drive_task_fit, drive_dashboard],
    "09": [],
    "10": [drive_capstone, drive_dashboard],
}


@pytest.mark.browser
@pytest.mark.parametrize("notebook", [nb.name for nb in NOTEBOOKS], ids=lambda n: n[:2])
def test_learner_path(page, lab, lab_root, notebook):
    lr = Learner(page, lab, lab_root, notebook)
    try:
        lr.open()
        lr.run_all()
        lr.check_outputs()
        for drive in DRIVES.get(notebook[:2], []):
            lr.log(f"— {drive.__name__}")
            drive(lr)
            lr.check_outputs()
        lr.save_and_reopen()
        lr.log(f"done ({len(page.console_errors)} browser console errors)")
    except pytest.fail.Exception:
        raise
    except Exception as e:  # a playwright timeout, a lost server...: report it like the rest
        import traceback

        lr.fail(f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=-3)}")


def test_every_notebook_has_a_learner_path():
    """A new notebook gets its widget drives here, or an explicit empty list."""
    missing = [nb.name for nb in NOTEBOOKS if nb.name[:2] not in DRIVES]
    assert not missing, f"add these notebooks to DRIVES in tests/test_browser.py: {missing}"
