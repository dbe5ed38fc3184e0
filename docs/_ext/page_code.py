"""Check every Python block of the README and the docs pages as a reader pastes it.

``nox -s typecheck`` runs ``python docs/_ext/page_code.py mypy``: each page's ``python``
blocks (doctests too, their prompts dropped and their output blanked) are written, in the
page's order, into one module per page, and ``mypy --strict`` checks those modules. A page is
read from top to bottom, as the docs runner runs it: a block may use the names an earlier
block of its page made, and may bind them again; a name from anywhere else is an error.

``nox -s lint`` runs ``python docs/_ext/page_code.py ruff``: each block that is not a doctest
is a file of its own (what a reader copies into an editor) that ``ruff check`` and ``ruff
format --check`` must pass, with the docs' settings (``docs/ruff.toml``, 88 columns). Two rules
are left out for examples: docstrings (an example is not a library) and names from an earlier
block of the page (mypy's check above holds those to the page).

Each problem names the page and the page's line, not a temporary file.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("README.md", "docs/*.md", "docs/*/*.md")
RUFF_CONFIG = ROOT / "docs" / "ruff.toml"
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


@attrs.frozen
class Block:
    """One ``python`` block: its page, the page line of its first line, and its code."""

    page: Path
    line: int
    code: str
    doctest: bool


def python_blocks(page: Path) -> Iterator[Block]:
    """The page's ``python`` blocks in order; a doctest block becomes the code it runs."""
    lines = page.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        index += 1
        if opening is None:
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        body: list[str] = []
        while index < len(lines) and not lines[index].strip().startswith(fence):
            body.append(lines[index][indent:])
            index += 1
        first = (
            index - len(body) + 1
        )  # the page's 1-based line of the block's first line
        index += 1  # past the closing fence
        if opening["info"].strip().split(" ")[0] != "python":
            continue
        code = "\n".join(body) + "\n"
        doctest = code.lstrip().startswith(">>>")
        yield Block(page, first, _doctest_code(code) if doctest else code, doctest)


def _doctest_code(text: str) -> str:
    """A doctest's statements, line for line: prompts dropped, outputs blanked."""
    out: list[str] = []
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith((">>> ", "... ")) or stripped in (">>>", "..."):
            out.append(stripped[4:])
        else:
            out.append("")  # what the statement printed keeps its line, empty
    return "\n".join(out) + "\n"


def pages(root: Path = ROOT) -> list[Path]:
    """The README and every docs page (not the built site)."""
    found = {path for pattern in PAGES for path in root.glob(pattern)}
    return sorted(path for path in found if "_build" not in path.parts)


@attrs.frozen
class Source:
    """Code written to a file to be checked, and the page line of each of its lines."""

    page: Path
    code: str
    origins: tuple[int, ...]  # origins[i] is the page line of the file's line i + 1


def page_module(page: Path) -> Source | None:
    """The page's python blocks joined in order, or None when it has none."""
    code: list[str] = []
    origins: list[int] = []
    for block in python_blocks(page):
        for offset, line in enumerate(block.code.splitlines()):
            code.append(line)
            origins.append(block.line + offset)
    if not code:
        return None
    return Source(page, "\n".join(code) + "\n", tuple(origins))


def _block_source(block: Block) -> Source:
    count = len(block.code.splitlines())
    return Source(block.page, block.code, tuple(range(block.line, block.line + count)))


#: Libraries the pages use that ship no type information: read as ``Any``, as a reader's own
#: strict project configures them (mypy refuses an untyped import otherwise).
UNTYPED_LIBRARIES = ("adbutils", "uiautomator2")
#: A page's blocks are cells of one session: a later block may bind a name again (a second
#: ``main``, a ``created`` of another type), as it may when run.
_MYPY_CONFIG = """[mypy]
strict = True
allow_redefinition = True
disable_error_code = no-redef
"""
#: Left out for examples: docstrings, and names an earlier block of the page made.
RUFF_LEFT_OUT = ("D", "F821")

_MESSAGE = re.compile(r"^(?P<file>[^:\s]+\.py):(?P<line>\d+):(?P<rest>.*)$")


def _where(page: Path) -> Path:
    return page.relative_to(ROOT) if page.is_relative_to(ROOT) else page


def _traced(output: str, sources: dict[str, Source]) -> list[str]:
    """Each line of a tool's report that names a written file, said of its page line."""
    problems: list[str] = []
    for line in output.splitlines():
        match = _MESSAGE.match(line.strip())
        source = sources.get(Path(match["file"]).name) if match else None
        if match is None or source is None:
            continue
        page_line = source.origins[min(int(match["line"]), len(source.origins)) - 1]
        problems.append(f"{_where(source.page)}:{page_line}:{match['rest']}")
    return problems


def _write(directory: str, sources: Sequence[Source]) -> dict[str, Source]:
    written: dict[str, Source] = {}
    for number, source in enumerate(sources):
        name = f"block_{number}.py"
        (Path(directory) / name).write_text(source.code, encoding="utf-8")
        written[name] = source
    return written


def _run(argv: Sequence[str], directory: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=directory, capture_output=True, text=True, check=False
    )


def check_mypy(page_list: Sequence[Path], mypy: Sequence[str]) -> list[str]:
    """``mypy --strict`` over each page's module; the problems, each naming a page line."""
    sources = [module for page in page_list if (module := page_module(page))]
    if not sources:
        return []
    with tempfile.TemporaryDirectory(prefix="tikmatrix-page-code-") as directory:
        written = _write(directory, sources)
        untyped = ",".join(f"{name}.*" for name in UNTYPED_LIBRARIES)
        config = f"{_MYPY_CONFIG}\n[mypy-{untyped}]\nignore_missing_imports = True\n"
        (Path(directory) / "mypy.ini").write_text(config, encoding="utf-8")
        # mypy keeps a cache only where its caller keeps one (MYPY_CACHE_DIR, as the tests
        # do): one in the temporary directory would go with it.
        incremental = [] if os.environ.get("MYPY_CACHE_DIR") else ["--no-incremental"]
        done = _run(
            [*mypy, "--config-file", "mypy.ini", *incremental, "--hide-error-context",
             "--no-error-summary", "--show-error-codes", *sorted(written)],
            directory,
        )  # fmt: skip
    problems = [p for p in _traced(done.stdout, written) if ": note:" not in p]
    if done.returncode not in (0, 1) or (done.returncode == 1 and not problems):
        problems.append(f"mypy exited with {done.returncode}: {done.stderr.strip()}")
    return problems


def check_ruff(page_list: Sequence[Path], ruff: Sequence[str]) -> list[str]:
    """``ruff check`` and ``ruff format --check`` over each block that is not a doctest."""
    sources = [
        _block_source(block)
        for page in page_list
        for block in python_blocks(page)
        if not block.doctest
    ]
    if not sources:
        return []
    config = ["--config", str(RUFF_CONFIG), "--no-cache"]
    with tempfile.TemporaryDirectory(prefix="tikmatrix-page-code-") as directory:
        written = _write(directory, sources)
        linted = _run(
            [*ruff, "check", *config, "--output-format", "concise",
             "--extend-ignore", ",".join(RUFF_LEFT_OUT), *sorted(written)],
            directory,
        )  # fmt: skip
        formatted = _run(
            [*ruff, "format", "--check", *config, *sorted(written)], directory
        )
    problems = _traced(linted.stdout, written)
    for name in sorted(set(re.findall(r"block_\d+\.py", formatted.stdout))):
        if name in written:  # each unformatted file is named, however ruff words it
            source = written[name]
            problems.append(
                f"{_where(source.page)}:{source.origins[0]}: the block is not formatted "
                "as `ruff format` would write it"
            )
    if linted.returncode not in (0, 1) or formatted.returncode not in (0, 1):
        problems.append(
            f"ruff failed: {linted.stderr.strip()} {formatted.stderr.strip()}"
        )
    elif not problems and (linted.returncode or formatted.returncode):
        said = " ".join(
            part.strip() for part in (linted.stdout, linted.stderr, formatted.stderr)
        )
        problems.append(f"ruff failed with nothing traced to a page: {said.strip()}")
    return problems


CHECKS = {
    "mypy": (check_mypy, (sys.executable, "-m", "mypy")),
    "ruff": (check_ruff, (sys.executable, "-m", "ruff")),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one check over the pages named (default: the README and the docs); 1 on a problem."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("check", choices=sorted(CHECKS), help="which check to run")
    parser.add_argument(
        "pages", nargs="*", type=Path, help="pages to check (default: all)"
    )
    args = parser.parse_args(argv)
    chosen = [path.resolve() for path in args.pages] or pages()
    run, tool = CHECKS[args.check]
    problems = run(chosen, tool)
    for problem in problems:
        print(problem)
    blocks = sum(1 for page in chosen for _ in python_blocks(page))
    print(
        f"{args.check}: {blocks} python blocks on {len(chosen)} pages, {len(problems)} problem(s)"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
