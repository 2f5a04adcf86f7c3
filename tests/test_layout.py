"""No module in rnn_course/ grows past the line limit: one idea per module, readable in one sitting."""

from pathlib import Path

import rnn_course

LIMIT = 500  # lines
PACKAGE = Path(rnn_course.__file__).parent


def long_modules(package: Path, limit: int) -> list[str]:
    """``"rnn_course/x.py: 612 lines"`` for every module under ``package`` longer than ``limit``."""
    found = []
    for path in sorted(package.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{path.relative_to(package.parent).as_posix()}: {lines} lines")
    return found


def test_no_module_in_the_package_passes_the_line_limit():
    offenders = long_modules(PACKAGE, LIMIT)
    assert not offenders, f"modules over {LIMIT} lines (split each by idea): " + "; ".join(offenders)


def test_the_limit_names_every_longer_module_and_only_those(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "at_the_limit.py").write_text("x = 1\n" * 500)
    (package / "sub" / "long.py").write_text("x = 1\n" * 501)
    (package / "notes.txt").write_text("x = 1\n" * 900)
    assert long_modules(package, 500) == ["pkg/sub/long.py: 501 lines"]
