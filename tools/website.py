#!/usr/bin/env python3
"""The course website: every notebook with the outputs of a run on this machine, built by Sphinx.

    python3 course.py site                      # the whole site into build/site/html
    python3 course.py site --only 00,01,07      # a subset (what the site tests build)
    .venv/bin/python tools/website.py build --help

Steps: (1) execute each notebook once into build/site/executed/ (one kernel at a time,
OMP_NUM_THREADS=1), reused while the notebook, the rnn_course sources and data/SHA256SUMS are
unchanged; (2) turn each widget into a still picture of its state after the run (its HTML, its
images, its outputs, each control's value) with a line saying it is live when run; (3) write a
Sphinx source tree under build/site/src (README as the home page, notebooks in course order, their
solutions, data/README.md, docs/instructor/ when present), each page headed by how to run it:
locally, on Binder, on Colab, on the workshop hub; (4) ``sphinx-build`` with myst-nb (outputs as
stored, no second execution) and sphinx-book-theme, all from PyPI, nothing fetched at build time.

Every launch link comes from ONE setting, the repository's public URL in pyproject.toml
(``[project.urls]``, key Repository, Source or Homepage). Without it the pages say so instead
of showing links that go nowhere.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import html
import json
import os
import re
import shutil
import sys
import time
import tomllib
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build" / "site"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
URL_KEYS = ("Repository", "Source", "Source Code", "Homepage")
DEFAULT_HUB = "http://127.0.0.1:8000"  # what `sudo python3 course.py hub` serves
LIVE_NOTE = ("▶ A live widget: run this notebook (locally, on Binder, Colab or the workshop hub) to use "
             "it. Shown here as it stood after the run that built this page.")


# -- the one setting: the repository's public URL --------------------------------------------------
def repository_url(pyproject: Path = ROOT / "pyproject.toml") -> str | None:
    """The repository's public URL from ``[project.urls]`` (Repository, Source or Homepage), or None."""
    urls = tomllib.loads(pyproject.read_text()).get("project", {}).get("urls", {})
    for key in URL_KEYS:
        if urls.get(key):
            return urls[key].rstrip("/").removesuffix(".git")
    return None


def github_parts(repo: str | None) -> tuple[str, str] | None:
    m = re.fullmatch(r"https://github\.com/([\w.-]+)/([\w.-]+)", repo or "")
    return (m.group(1), m.group(2)) if m else None


def pages_url(repo: str | None) -> str | None:
    """Where .github/workflows/site.yml publishes the site: https://OWNER.github.io/REPO/."""
    gh = github_parts(repo)
    return f"https://{gh[0].lower()}.github.io/{gh[1]}/" if gh else None


def launch_links(repo: str | None, notebook: str, hub: str = DEFAULT_HUB, branch: str = "main") -> dict[str, str]:
    """Binder, Colab and workshop-hub links for ``notebook`` (a path in the repository)."""
    links = {}
    gh = github_parts(repo)
    if gh:
        links["Binder"] = f"https://mybinder.org/v2/gh/{gh[0]}/{gh[1]}/{branch}?labpath={quote(notebook, safe='')}"
        links["Colab"] = f"https://colab.research.google.com/github/{gh[0]}/{gh[1]}/blob/{branch}/{notebook}"
    elif repo:  # Binder clones any git URL; Colab opens GitHub only
        links["Binder"] = f"https://mybinder.org/v2/git/{quote(repo, safe='')}/{branch}?labpath={quote(notebook, safe='')}"
    links["workshop hub"] = f"{hub.rstrip('/')}/hub/user-redirect/lab/tree/{notebook}"
    return links


def run_it_here(repo: str | None, notebook: str | None, hub: str = DEFAULT_HUB) -> str:
    """The Markdown box that heads every page: the README's two commands and the launch links."""
    lines = [":::{admonition} Run it yourself", ":class: tip", "",
             "Locally (Python 3.11, 3.12 or 3.13, nothing else): `python3 course.py lab` opens the course in JupyterLab; "
             "`python3 course.py test` runs every test and notebook."]
    if notebook:
        links = launch_links(repo, notebook, hub)
        shown = " · ".join(f"[{name}]({url})" for name, url in links.items())
        lines += ["", f"Open `{notebook}` on: {shown} (the hub link works on your instructor's hub; "
                      f"`course.py hub` serves {DEFAULT_HUB})."]
    if repo is None:
        lines += ["", "Binder and Colab links need the repository's public URL, which is not set: add "
                      "`[project.urls] Repository = \"https://github.com/OWNER/REPO\"` to pyproject.toml "
                      "and build again."]
    return "\n".join(lines + [":::", ""])


# -- executing once, reusing while nothing changed -------------------------------------------------
def source_key(notebook: Path, root: Path = ROOT) -> str:
    """Changes when the notebook, any rnn_course source or data/SHA256SUMS changes."""
    h = hashlib.sha256(notebook.read_bytes())
    for path in sorted((root / "rnn_course").rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + path.read_bytes())
    sums = root / "data" / "SHA256SUMS"
    h.update(sums.read_bytes() if sums.exists() else b"")
    return h.hexdigest()


def cached_run(notebook: Path, cache: Path, key: str) -> dict | None:
    """The executed notebook in ``cache`` if it was run from this very ``key``, else None."""
    path = cache / notebook.name
    if not path.exists():
        return None
    nb = json.loads(path.read_text())
    return nb if nb.get("metadata", {}).get("rnn_course_site", {}).get("key") == key else None


def execute(notebook: Path, cache: Path, timeout: int = 1800) -> dict:
    """Run ``notebook`` top to bottom in a fresh kernel (cells tagged raises-exception may fail)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    key = source_key(notebook)
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent)}})
    try:
        client.execute()
    except CellTimeoutError:
        sys.exit(f"[site] a cell of {notebook.name} ran longer than {timeout} s (a busy machine?): no page was made "
                 f"from it. Build again with a longer --timeout, or when the machine is quieter.")
    except (CellExecutionError, DeadKernelError) as err:
        sys.exit(f"[site] {notebook.name} failed while building the site, so no page was made from it:\n"
                 f"{str(err)[-1500:]}\nFix the notebook (run it in JupyterLab to see the error), then build again.")
    nb.metadata["rnn_course_site"] = {"key": key}
    cache.mkdir(parents=True, exist_ok=True)
    tmp = cache / f".{notebook.name}.tmp"
    nbformat.write(nb, tmp)
    tmp.replace(cache / notebook.name)  # atomic: a concurrent build never reads half a file
    return json.loads((cache / notebook.name).read_text())


# -- widgets as still pictures ---------------------------------------------------------------------
def _image(fmt: str, b64: str) -> str:
    return f'<img class="widget-still-image" alt="widget image" src="data:image/{fmt};base64,{b64}">'


def output_html(out: dict) -> str:
    """One stored Jupyter output (of an Output widget) as static HTML."""
    data = out.get("data", {})
    for fmt in ("png", "jpeg", "gif"):
        if f"image/{fmt}" in data:
            b64 = data[f"image/{fmt}"]
            return _image(fmt, "".join(b64) if isinstance(b64, list) else b64.strip())
    if "image/svg+xml" in data:
        svg = data["image/svg+xml"]
        return "".join(svg) if isinstance(svg, list) else svg
    if "text/html" in data:
        text = data["text/html"]
        return "".join(text) if isinstance(text, list) else text
    text = out.get("text") or data.get("text/plain") or ""
    text = "".join(text) if isinstance(text, list) else text
    return f"<pre>{html.escape(text)}</pre>" if text.strip() else ""


def _ref(value) -> str | None:
    return value[len("IPY_MODEL_"):] if isinstance(value, str) and value.startswith("IPY_MODEL_") else None


def widget_html(model_id: str, state: dict, depth: int = 0) -> str:
    """A widget (and its children) as static HTML: what a reader of the page sees instead of it."""
    model = state.get(model_id)
    if model is None or depth > 30:
        return ""
    name, s = model["model_name"], model["state"]
    desc = html.escape(str(s.get("description", "")))
    if name in ("VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel", "AccordionModel", "TabModel", "StackModel"):
        kids = "".join(widget_html(_ref(c), state, depth + 1) for c in s.get("children", []) if _ref(c))
        flow = "row" if name == "HBoxModel" else "column"
        return f'<div style="display:flex;flex-direction:{flow};flex-wrap:wrap;gap:0.5em">{kids}</div>'
    if name in ("HTMLModel", "HTMLMathModel"):
        return f"<div>{s.get('value', '')}</div>"
    if name == "LabelModel":
        return f"<span>{html.escape(str(s.get('value', '')))}</span>"
    if name == "ImageModel":
        for buf in model.get("buffers", []):
            if buf.get("path") == ["value"] and buf.get("encoding") == "base64":
                return _image(s.get("format", "png"), buf["data"])
        return ""
    if name == "OutputModel":
        return "".join(output_html(o) for o in s.get("outputs", []))
    if name == "ButtonModel":
        return f"<button disabled>{desc}</button>"
    if name in ("ToggleButtonsModel", "DropdownModel", "RadioButtonsModel", "SelectModel"):
        labels, index = s.get("_options_labels", []), s.get("index")
        chosen = labels[index] if isinstance(index, int) and 0 <= index < len(labels) else "—"
        return f"<span>{desc} <b>{html.escape(str(chosen))}</b> <small>(of {', '.join(map(str, labels))})</small></span>"
    if name in ("IntProgressModel", "FloatProgressModel"):
        return f'<span>{desc} <progress value="{s.get("value", 0)}" max="{s.get("max", 100)}"></progress></span>'
    if "value" in s and not isinstance(s["value"], (dict, list)):
        return f"<span>{desc} <b>{html.escape(str(s['value']))}</b></span>"
    return ""


def still_widgets(nb: dict) -> dict:
    """Every widget output replaced by its still picture plus LIVE_NOTE; the widget state removed
    (so the page loads no widget JavaScript from the internet)."""
    state = nb.get("metadata", {}).pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW not in data:
                continue
            picture = widget_html(data.pop(WIDGET_VIEW).get("model_id", ""), state)
            if not picture:
                plain = data.get("text/plain", "")
                picture = f"<pre>{html.escape(''.join(plain) if isinstance(plain, list) else plain)}</pre>"
            data["text/html"] = (f'<div class="widget-still" style="border-left:3px solid #8ab;padding-left:0.8em"><p class="widget-live-note"><em>{LIVE_NOTE}'
                                 f"</em></p>{picture}</div>")
    return nb


# -- Markdown pages and their links ----------------------------------------------------------------
LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")


def rewrite_links(text: str, page: str, pages: set[str], repo: str | None) -> tuple[str, set[str]]:
    """Relative links of the Markdown file at repository path ``page``: to a page of the site,
    kept; to an image, kept (returned, to copy); to any other file of the repository, pointed at
    the repository (or left as plain text when its URL is unknown)."""
    assets: set[str] = set()
    base = Path(page).parent

    def fix(m: re.Match) -> str:
        bang, label, target = m.groups()
        if re.match(r"^[a-z]+:|^#", target):
            return m.group(0)
        path, _, frag = target.partition("#")
        repo_path = os.path.normpath(base / path).replace(os.sep, "/")
        if repo_path == "README.md":
            repo_path = "index.md"
        if repo_path in pages:
            rel = os.path.relpath(repo_path, base).replace(os.sep, "/")
            return f"{bang}[{label}]({rel}{'#' + frag if frag else ''})"
        if bang or re.search(r"\.(png|jpe?g|gif|svg)$", path, re.I):
            assets.add(repo_path)
            return m.group(0)
        if repo:
            return f"{bang}[{label}]({repo}/blob/main/{repo_path}{'#' + frag if frag else ''})"
        return label

    return LINK.sub(fix, text), assets


CONF = '''# Written by tools/website.py; edit that file, not this one.
project = "Practical RNNs"
html_title = "Practical RNNs"
extensions = ["myst_nb"]
nb_execution_mode = "off"  # tools/website.py executed each notebook once, into build/site/executed
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3
html_theme = "sphinx_book_theme"
html_theme_options = {theme!r}
html_static_path = []
suppress_warnings = ["myst.header", "misc.highlighting_failure", "mystnb.unknown_mime_type"]
exclude_patterns = ["_build"]
'''


def toctree(caption: str, docs: list[str]) -> str:
    return "\n".join(["", "```{toctree}", ":hidden:", f":caption: {caption}", "", *docs, "```", ""])


def write_sources(src: Path, notebooks: list[Path], runs: dict[str, dict], repo: str | None, hub: str) -> None:
    """The Sphinx source tree: pages at their repository paths (the README as index.md)."""
    if src.exists():
        shutil.rmtree(src)
    (src / "notebooks").mkdir(parents=True)
    md_pages = ["README.md", *[p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "notebooks" / "solutions").glob("*.md"))],
                "data/README.md", *[p.relative_to(ROOT).as_posix() for p in sorted((ROOT / "docs" / "instructor").rglob("*.md"))]]
    pages = {"index.md", *md_pages[1:], *[f"notebooks/{nb.name}" for nb in notebooks]}
    solutions = [p for p in md_pages if p.startswith("notebooks/solutions/")]
    instructor = sorted((p for p in md_pages if p.startswith("docs/instructor/")), key=lambda p: not p.endswith("README.md"))
    assets: set[str] = set()
    for page in md_pages:
        text, found = rewrite_links((ROOT / page).read_text(), page, pages, repo)
        assets |= found
        target = "index.md" if page == "README.md" else page
        stem = Path(page).stem
        notebook = next((f"notebooks/{nb.name}" for nb in notebooks if nb.stem == stem), None)
        head, _, rest = text.partition("\n")  # the box goes under the page's title
        body = f"{head}\n\n{run_it_here(repo, notebook, hub)}\n{rest}"
        if page == "README.md":
            body += toctree("Notebooks", [f"notebooks/{nb.stem}" for nb in notebooks])
            body += toctree("Solutions", [s.removesuffix(".md") for s in solutions])
            body += toctree("Data", ["data/README"])
            if instructor:
                body += toctree("Instructors", [p.removesuffix(".md") for p in instructor])
        (src / target).parent.mkdir(parents=True, exist_ok=True)
        (src / target).write_text(body)
    for nb in notebooks:
        run = still_widgets(json.loads(json.dumps(runs[nb.name])))
        path = f"notebooks/{nb.name}"
        for cell in run["cells"]:
            if cell["cell_type"] == "markdown":
                cell["source"], found = rewrite_links("".join(cell["source"]), path, pages, repo)
                assets |= found
        box = {"cell_type": "markdown", "id": "run-it-yourself", "metadata": {}, "source": run_it_here(repo, path, hub)}
        first = run["cells"][0] if run["cells"] else None
        at = 1 if first and first["cell_type"] == "markdown" and "".join(first["source"]).lstrip().startswith("# ") else 0
        run["cells"].insert(at, box)
        (src / path).write_text(json.dumps(run, indent=1))
    for asset in assets:
        if (ROOT / asset).is_file():
            (src / asset).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / asset, src / asset)
    theme = {"home_page_in_toc": True, "show_navbar_depth": 1, "use_download_button": True}
    if repo:
        theme |= {"repository_url": repo, "use_repository_button": True}
    (src / "conf.py").write_text(CONF.format(theme=theme))


# -- the command -----------------------------------------------------------------------------------
def pick(only: str | None) -> list[Path]:
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if not only:
        return notebooks
    wanted = {n.strip() for n in only.split(",") if n.strip()}
    chosen = [nb for nb in notebooks if nb.name[:2] in wanted]
    missing = wanted - {nb.name[:2] for nb in chosen}
    if missing:
        sys.exit(f"[site] --only names no notebook {', '.join(sorted(missing))}; "
                 f"the notebooks are {', '.join(nb.name[:2] for nb in notebooks)}")
    return chosen


def build(out: Path, only: str | None = None, cache: Path = BUILD / "executed", hub: str = DEFAULT_HUB,
          rerun: bool = False, timeout: int = 1800) -> Path:
    """Execute what is not cached, write the sources, run Sphinx; returns the html folder."""
    from sphinx.cmd.build import build_main

    os.environ.setdefault("OMP_NUM_THREADS", "1")  # the kernels inherit it
    os.environ.setdefault("RNN_COURSE_RESULTS", str(BUILD / "results"))  # leave the learner's results/ alone
    repo = repository_url()
    if repo is None:
        print("[site] note: pyproject.toml has no [project.urls] Repository: pages will say so "
              "instead of showing Binder and Colab links", flush=True)
    notebooks, runs = pick(only), {}
    for nb in notebooks:
        key = source_key(nb)
        run = None if rerun else cached_run(nb, cache, key)
        if run is None:
            print(f"[site] executing {nb.name} (cached for the next build)", flush=True)
            started = time.monotonic()
            run = execute(nb, cache, timeout)
            print(f"[site] {nb.name} ran in {time.monotonic() - started:.0f} s", flush=True)
        else:
            print(f"[site] {nb.name}: reusing its run in {cache.relative_to(ROOT) if cache.is_relative_to(ROOT) else cache}", flush=True)
        runs[nb.name] = run
    src = out.parent / "src"
    write_sources(src, notebooks, runs, repo, hub)
    html_dir = out
    if build_main(["-b", "html", "-q", "-j", "1", str(src), str(html_dir)]) != 0:
        sys.exit("[site] sphinx-build failed (see its message above)")
    (html_dir / ".nojekyll").touch()  # GitHub Pages: serve _static/ and _images/ as they are
    print(f"[site] built {len(notebooks)} notebook page(s): {html_dir / 'index.html'}", flush=True)
    return html_dir


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="course.py site", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated notebook numbers, e.g. 00,01,07 (default: all)")
    parser.add_argument("--out", type=Path, default=BUILD / "html", help="where the html goes (default build/site/html)")
    parser.add_argument("--hub-url", default=os.environ.get("RNN_COURSE_HUB_URL", DEFAULT_HUB),
                        help=f"the workshop hub the launch links open (default {DEFAULT_HUB}, or $RNN_COURSE_HUB_URL)")
    parser.add_argument("--rerun", action="store_true", help="execute every notebook again, ignoring the cache")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds one cell may run (default 1800)")
    args = parser.parse_args(argv[1:] if argv[:1] == ["build"] else argv)
    build(args.out.resolve(), args.only, hub=args.hub_url, rerun=args.rerun, timeout=args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
