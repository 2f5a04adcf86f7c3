"""The course website (tools/website.py, ``python3 course.py site``).

Unit tests of its parts (the repository URL setting, launch links, the run-it box, the execution
cache's key, widgets as still pictures, link rewriting), then the built site in a real browser:
a subset (notebooks 01, 05 and 07: each shows figures; their runs are reused from build/site/executed when current)
is built into a temp dir and served from 127.0.0.1; the index and three notebook pages load,
every image on them loads, no internal link of any page is broken, and the search page finds a
word of notebook 07. ``RNN_COURSE_SITE_HTML=build/site/html`` checks an existing (full) build instead.
"""

from __future__ import annotations

import functools
import html.parser
import importlib.util
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.browser_support import CHROMIUM_ARGS, ROOT, find_chromium

_spec = importlib.util.spec_from_file_location("website", ROOT / "tools" / "website.py")
site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(site)

GH = "https://github.com/someone/practical-rnns"
NB = "notebooks/07_speech_recognition.ipynb"


# -- the one setting -------------------------------------------------------------------------------
def test_repository_url_comes_from_project_urls(tmp_path):
    p = tmp_path / "pyproject.toml"
    p.write_text(f'[project]\nname = "x"\n[project.urls]\nRepository = "{GH}.git"\n')
    assert site.repository_url(p) == GH
    p.write_text(f'[project]\nname = "x"\n[project.urls]\nHomepage = "{GH}/"\n')
    assert site.repository_url(p) == GH


def test_without_the_setting_pages_say_so_instead_of_linking_nowhere(tmp_path):
    p = tmp_path / "pyproject.toml"
    p.write_text('[project]\nname = "x"\n')
    assert site.repository_url(p) is None
    box = site.run_it_here(None, NB)
    assert "mybinder.org" not in box and "colab" not in box.lower().replace("colab links", "")
    assert "[project.urls]" in box and "python3 course.py lab" in box and "python3 course.py test" in box


def test_launch_links_are_built_from_the_repository_url():
    links = site.launch_links(GH, NB, hub="https://hub.example.org/")
    assert links == {
        "Binder": "https://mybinder.org/v2/gh/someone/practical-rnns/main?labpath=notebooks%2F07_speech_recognition.ipynb",
        "Colab": "https://colab.research.google.com/github/someone/practical-rnns/blob/main/" + NB,
        "workshop hub": "https://hub.example.org/hub/user-redirect/lab/tree/" + NB,
    }
    other = site.launch_links("https://gitlab.com/a/b", NB)
    assert "Colab" not in other and other["Binder"].startswith("https://mybinder.org/v2/git/https%3A%2F%2Fgitlab.com%2Fa%2Fb/main")
    assert set(site.launch_links(None, NB)) == {"workshop hub"}
    box = site.run_it_here(GH, NB)
    assert all(url in box for url in site.launch_links(GH, NB).values()) and "not set" not in box
    assert site.pages_url(GH) == "https://someone.github.io/practical-rnns/"


def test_the_readme_links_to_the_site_that_the_workflow_publishes():
    repo = site.repository_url()
    if repo is None or site.pages_url(repo) is None:
        pytest.skip("pyproject.toml names no GitHub repository, so there is no Pages address to check")
    top = "\n".join((ROOT / "README.md").read_text().splitlines()[:12])
    assert site.pages_url(repo) in top, f"README's top should link to the site, {site.pages_url(repo)}"


# -- executing once --------------------------------------------------------------------------------
def test_the_cached_run_is_reused_only_while_its_sources_are_unchanged(tmp_path):
    (tmp_path / "rnn_course").mkdir()
    (tmp_path / "data").mkdir()
    nb, code, sums = tmp_path / "01_x.ipynb", tmp_path / "rnn_course" / "m.py", tmp_path / "data" / "SHA256SUMS"
    nb.write_text("{}"), code.write_text("x = 1\n"), sums.write_text("abc  f\n")
    key = site.source_key(nb, tmp_path)
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / nb.name).write_text(json.dumps({"cells": [], "metadata": {"rnn_course_site": {"key": key}}}))
    assert site.cached_run(nb, cache, key) is not None
    for path, text in ((nb, '{"cells": []}'), (code, "x = 2\n"), (sums, "abd  f\n")):
        old = path.read_text()
        path.write_text(text)
        changed = site.source_key(nb, tmp_path)
        assert changed != key and site.cached_run(nb, cache, changed) is None
        path.write_text(old)
    assert site.source_key(nb, tmp_path) == key


def test_only_names_notebooks_that_exist():
    assert [p.name[:2] for p in site.pick("07, 00")] == ["00", "07"]
    with pytest.raises(SystemExit, match="no notebook 99"):
        site.pick("00,99")


# -- widgets as still pictures ---------------------------------------------------------------------
def widget_notebook() -> dict:
    def model(name, **state):
        return {"model_name": name, "state": state}

    state = {
        "box": model("VBoxModel", children=["IPY_MODEL_title", "IPY_MODEL_img", "IPY_MODEL_out", "IPY_MODEL_go",
                                            "IPY_MODEL_lr", "IPY_MODEL_kind", "IPY_MODEL_bar"]),
        "title": model("HTMLModel", value="<b>A GRU learns</b>"),
        "img": {**model("ImageModel", format="png"), "buffers": [{"path": ["value"], "encoding": "base64", "data": "iVBORw0K"}]},
        "out": model("OutputModel", outputs=[{"output_type": "display_data", "data": {"image/png": "QUJD\n"}},
                                             {"output_type": "stream", "name": "stdout", "text": "step 800 <done>"}]),
        "go": model("ButtonModel", description="Start"),
        "lr": model("FloatTextModel", description="lr", value=0.01),
        "kind": model("ToggleButtonsModel", description="", _options_labels=["RNN", "GRU"], index=1),
        "bar": model("IntProgressModel", description="", value=30, max=120),
    }
    view = {"output_type": "display_data", "metadata": {},
            "data": {"text/plain": "VBox(children=(...))", site.WIDGET_VIEW: {"model_id": "box", "version_major": 2}}}
    gone = {"output_type": "display_data", "metadata": {},
            "data": {"text/plain": "Label(value='fallback')", site.WIDGET_VIEW: {"model_id": "missing"}}}
    return {"cells": [{"cell_type": "code", "source": "dash", "metadata": {}, "outputs": [view, gone]}],
            "metadata": {"widgets": {site.WIDGET_STATE: {"state": state}}}}


def test_widgets_become_a_still_picture_with_a_live_note():
    nb = site.still_widgets(widget_notebook())
    assert "widgets" not in nb["metadata"]  # no widget JavaScript fetched from the internet
    first, second = nb["cells"][0]["outputs"]
    assert site.WIDGET_VIEW not in first["data"] and site.WIDGET_VIEW not in second["data"]
    page = first["data"]["text/html"]
    assert site.LIVE_NOTE in page and "A live widget" in page
    for part in ("<b>A GRU learns</b>", 'src="data:image/png;base64,iVBORw0K"', 'src="data:image/png;base64,QUJD"',
                 "step 800 &lt;done&gt;", "<button disabled>Start</button>", "lr <b>0.01</b>", "<b>GRU</b>",
                 '<progress value="30" max="120">'):
        assert part in page, part
    assert "VBox(children" not in page
    assert "Label(value=&#x27;fallback&#x27;)" in second["data"]["text/html"]  # no state: the text fallback


# -- links -----------------------------------------------------------------------------------------
def test_links_point_at_pages_of_the_site_or_at_the_repository():
    pages = {"index.md", "data/README.md", "notebooks/solutions/07_speech_recognition.md", NB}
    text = ("[nb](../07_speech_recognition.ipynb) [home](../../README.md#results) [data](../../data/README.md) "
            "[script](../../scripts/make.py) [web](https://example.org) ![pic](../../docs/images/a.png)")
    page = "notebooks/solutions/07_speech_recognition.md"
    out, assets = site.rewrite_links(text, page, pages, GH)
    assert "[nb](../07_speech_recognition.ipynb)" in out and "[home](../../index.md#results)" in out
    assert "[data](../../data/README.md)" in out and "[web](https://example.org)" in out
    assert f"[script]({GH}/blob/main/scripts/make.py)" in out
    assert assets == {"docs/images/a.png"}
    plain, _ = site.rewrite_links(text, page, pages, None)
    assert " script " in plain and "scripts/make.py" not in plain


# -- the built site in a real browser --------------------------------------------------------------
CHECKED = ["index.html", "notebooks/01_sequences_and_shapes.html", "notebooks/05_stock_prices.html",
           "notebooks/07_speech_recognition.html"]
WORD_OF_07 = "spectrogram"


@pytest.fixture(scope="module")
def built() -> Path:
    given = os.environ.get("RNN_COURSE_SITE_HTML")
    if given:
        yield Path(given).resolve()
        return
    with tempfile.TemporaryDirectory(prefix="rnn-course-site-") as tmp:
        out = Path(tmp) / "html"
        env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "1"))
        done = subprocess.run([sys.executable, str(ROOT / "tools" / "website.py"), "--only", "01,05,07", "--out", str(out)],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        yield out


@pytest.fixture(scope="module")
def server(built):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(built)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def page(server):
    path = find_chromium()
    if path is None:
        if os.environ.get("RNN_COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail("RNN_COURSE_REQUIRE_BROWSER=1, but no Chromium found", pytrace=False)
        pytest.skip("no Chromium found (apt-get install chromium): the site's browser test did NOT run")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        pg = browser.new_page()
        pg.outside = []  # the site must work from 127.0.0.1 alone: anything else is refused and noted
        pg.route("**/*", lambda r: r.continue_() if r.request.url.startswith((server, "data:"))
                 else (pg.outside.append(r.request.url), r.abort()))
        yield pg
        browser.close()


def figures_in_source(notebook: Path) -> int:
    """Images the page must show: image outputs of the run, and images inside widget stills."""
    count = 0
    for cell in json.loads(notebook.read_text())["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if any(k.startswith("image/") for k in data):
                count += 1
            elif "text/html" in data:
                count += "".join(data["text/html"]).count("<img")
    return count


@pytest.mark.browser
@pytest.mark.parametrize("path", CHECKED)
def test_page_loads_and_every_figure_on_it_is_a_loaded_image(page, server, built, path):
    response = page.goto(server + path, wait_until="load")
    assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
    assert "Practical RNNs" in page.title()
    page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=30_000)
    images = page.evaluate("Array.from(document.querySelectorAll('article img'))"
                           ".map(i => ({src: i.currentSrc.slice(0, 80), w: i.naturalWidth}))")
    broken = [i["src"] for i in images if i["w"] == 0]
    assert not broken, f"{path}: images that did not load: {broken}"
    text = page.inner_text("article")
    assert "Run it yourself" in text and "python3 course.py lab" in text
    if path.startswith("notebooks/"):
        figures = figures_in_source(built.parent / "src" / path.replace(".html", ".ipynb"))
        assert figures > 0 and len(images) >= figures, f"{path}: {len(images)} images for {figures} figures of its run"
        for stale in ("<Figure size", "Error displaying widget", "VBox(children="):
            assert stale not in text, f"{path} shows {stale!r} where a figure or widget belongs"
        if site.repository_url():
            assert page.locator("a[href*='mybinder.org']").count() and page.locator("a[href*='colab.research']").count()


def test_no_internal_link_is_broken(built):
    class Links(html.parser.HTMLParser):
        def __init__(self):
            super().__init__()
            self.targets, self.ids = [], set()

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if a.get("id"):
                self.ids.add(a["id"])
            for key in ("href", "src"):
                if a.get(key):
                    self.targets.append(a[key])

    parsed = {}
    for f in (f for f in built.rglob("*.html") if "_static" not in f.relative_to(built).parts):
        p = Links()
        p.feed(f.read_text(encoding="utf-8"))
        parsed[f] = p
    assert len(parsed) >= 5
    broken = []
    for f, p in parsed.items():
        for target in p.targets:
            url = urlsplit(target)
            if url.scheme or url.netloc or target.startswith(("#", "mailto:", "javascript:")):
                continue
            dest = (f.parent / unquote(url.path)).resolve()
            if dest.is_dir():
                dest = dest / "index.html"
            if not dest.is_file():
                broken.append(f"{f.relative_to(built)} → {target}")
            elif url.fragment and dest in parsed and url.fragment not in parsed[dest].ids:
                broken.append(f"{f.relative_to(built)} → {target} (no such anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(broken[:30])


@pytest.mark.browser
def test_search_finds_a_word_of_notebook_07(page, server):
    assert WORD_OF_07 in (ROOT / NB).read_text().lower(), f"pick another word of notebook 07 than {WORD_OF_07!r}"
    page.goto(server + f"search.html?q={WORD_OF_07}", wait_until="load")
    page.wait_for_selector("#search-results a[href*='07_speech_recognition']", timeout=30_000)
