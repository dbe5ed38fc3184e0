"""The check of the pages' Python (``nox -s typecheck`` and ``nox -s lint`` run it over the
README and the docs): what it reads as a block, and that a wrong block fails, named by its
page and line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "docs" / "_ext"))
import page_code

MYPY = (sys.executable, "-m", "mypy")
RUFF = (sys.executable, "-m", "ruff")

PAGE = """# A page

Text, then a shell block that is not checked:

```console
$ tikmatrix tasks list
```

```python
from tikmatrix_sdk import TikMatrix

client = TikMatrix("http://localhost:50809")
```

1. In a list, indented:

   ```python
   status = client.tasks.get(1).status
   ```

```python
>>> status.name
'PENDING'
>>> for n in range(2):
...     print(n)
0
1
```
"""


@pytest.fixture(scope="session")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for this file's checks: the first analyses the SDK and its libraries."""
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.fixture(autouse=True)
def _shared_mypy_cache(mypy_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYPY_CACHE_DIR", str(mypy_cache))


def _page(tmp_path: Path, text: str, name: str = "page.md") -> Path:
    page = tmp_path / name
    page.write_text(text, encoding="utf-8")
    return page


def test_blocks_are_read_in_order_with_their_page_lines(tmp_path: Path) -> None:
    blocks = list(page_code.python_blocks(_page(tmp_path, PAGE)))
    assert [block.line for block in blocks] == [10, 18, 22]
    assert [block.doctest for block in blocks] == [False, False, True]
    assert blocks[1].code == "status = client.tasks.get(1).status\n"
    # A doctest keeps its line count: prompts dropped, what it printed blanked.
    assert blocks[2].code == "status.name\n\nfor n in range(2):\n    print(n)\n\n\n"


def test_a_page_that_is_right_passes_both_checks(tmp_path: Path) -> None:
    page = _page(tmp_path, PAGE)
    assert page_code.check_mypy([page], MYPY) == []
    assert page_code.check_ruff([page], RUFF) == []


def test_a_wrongly_typed_block_fails_naming_its_page_line(tmp_path: Path) -> None:
    good = _page(tmp_path, PAGE, "good.md")
    wrong = PAGE.replace("status.name", "status.nam").replace(
        "   status = client.tasks.get(1).status\n",
        '   status = client.tasks.get("1").status\n',
    )
    bad = _page(tmp_path, wrong, "bad.md")
    problems = page_code.check_mypy([good, bad], MYPY)
    assert len(problems) == 2, problems
    assert problems[0].startswith(f'{bad}:18: error: Argument 1 has incompatible type "str"')
    assert problems[1].startswith(f"{bad}:22: error:")
    assert '"TaskStatus" has no attribute "nam"' in problems[1]


def test_names_come_only_from_the_page_itself(tmp_path: Path) -> None:
    first = _page(tmp_path, "```python\nanswer = 42\n```\n", "first.md")
    second = _page(tmp_path, "```python\nprint(answer)\n```\n", "second.md")
    problems = page_code.check_mypy([first, second], MYPY)
    assert len(problems) == 1
    assert problems[0].startswith(f'{second}:2: error: Name "answer" is not defined')


def test_a_block_ruff_refuses_fails_naming_its_page_line(tmp_path: Path) -> None:
    text = (
        "Intro.\n\n```python\nimport os\nimport json\n\nprint(json.dumps([]))\n```\n\n"
        "```python\nx  =  1\n```\n"
    )
    problems = page_code.check_ruff([_page(tmp_path, text)], RUFF)
    assert len(problems) == 3, problems
    page = tmp_path / "page.md"
    assert any(p.startswith(f"{page}:4:") and "I001" in p for p in problems)
    assert any(p.startswith(f"{page}:4:") and "`os` imported but unused" in p for p in problems)
    assert f"{page}:11: the block is not formatted as `ruff format` would write it" in problems


def test_the_command_counts_the_blocks_and_exits_1_on_a_problem(tmp_path: Path) -> None:
    page = _page(tmp_path, "```python\nx: int = 'no'\n```\n")
    assert page_code.main(["mypy", str(page)]) == 1
    page.write_text("```python\nx: int = 1\n```\n", encoding="utf-8")
    assert page_code.main(["mypy", str(page)]) == 0
    assert page_code.main(["ruff", str(page)]) == 0
