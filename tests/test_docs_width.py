"""Every line of code the docs show fits the page's content column: 88 characters at most.

Longer lines run past the column in the built pages (and are cut off on narrow screens).
Directive blocks (```{image}, ```{toctree}…) are not code and are not measured.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WIDTH = 88
PAGES = sorted(
    [ROOT / "README.md", *(p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts)]
)
FENCE = re.compile(r"^(`{3,}|~{3,})(.*)$")


def code_lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) of every line inside a fenced code block, invisible ones too."""
    fence: str | None = None
    invisible = False
    for number, line in enumerate(text.splitlines(), 1):
        if invisible:
            if line.strip() == "-->":
                invisible = False
            else:
                yield number, line
            continue
        if fence is None:
            if line.startswith("<!-- invisible-code-block"):
                invisible = True
                continue
            opened = FENCE.match(line)
            if opened:
                fence = opened.group(1)
                directive = opened.group(2).strip().startswith("{")
                fence = fence if not directive else "directive:" + fence
        elif line.startswith(fence.removeprefix("directive:")) and not line.strip("`~"):
            fence = None
        elif not fence.startswith("directive:"):
            yield number, line


def test_the_measure_finds_code_and_skips_directives() -> None:
    text = "```python\nshort\n```\n```{image} x.png\n:alt: " + "a" * 100 + "\n```\n"
    assert list(code_lines(text)) == [(2, "short")]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_lines_fit_the_column(page: Path) -> None:
    long = [
        f"{page.relative_to(ROOT)}:{number}: {len(line)} characters"
        for number, line in code_lines(page.read_text(encoding="utf-8"))
        if len(line) > WIDTH
    ]
    assert long == []
