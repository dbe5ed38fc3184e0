"""The package as published: the wheel and the sdist build, pass ``twine check --strict``,
carry the licence, and the sdist is the project its tests need (#34, item 13).

Both are built from this tree without a network (``python -m build --no-isolation``, with
the hatchling the test extra installs). The sdist must hold every file of the project but
the CI's own, and the tests that read the docs and the benchmarks pass when run from it.
"""

from __future__ import annotations

import email
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from .children import unmeasured_environment

ROOT = Path(__file__).resolve().parents[1]
#: Files of the project that are not part of what it publishes: the CI's script.
NOT_PUBLISHED = (".ci/",)
#: What a tree that is not a git checkout (an unpacked sdist) holds beside the project.
_LEFT_BY_TOOLS = {
    "__pycache__", ".nox", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis",
    "_build", "build", "dist", ".venv", "venv", ".git",
}  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The wheel and the sdist, built from this tree."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist


def _project_files() -> set[str]:
    """Every file of the project, as paths relative to its root."""
    if (ROOT / ".git").exists():
        listed = subprocess.run(  # tracked, and new files not ignored: what a build takes
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT, capture_output=True, text=True, check=True,
        ).stdout.splitlines()  # fmt: skip
        return {path for path in listed if (ROOT / path).is_file()}
    return set(_walk(ROOT))


def _walk(root: Path) -> Iterator[str]:
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        left_by_tools = _LEFT_BY_TOOLS & set(relative.parts) or path.suffix in (".pyc", ".sqlite3")
        if path.is_file() and not left_by_tools and path.name != "PKG-INFO":
            yield relative.as_posix()


def test_both_pass_twine_check_strict(built: tuple[Path, Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *map(str, built)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("PASSED") == 2


def test_both_carry_the_licence(built: tuple[Path, Path]) -> None:
    wheel, sdist = built
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        (licensed,) = [name for name in names if name.endswith(".dist-info/licenses/LICENSE")]
        assert archive.read(licensed).decode() == licence
        (metadata,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        fields = email.message_from_bytes(archive.read(metadata))
    assert fields["License-Expression"] == "MIT"
    assert fields.get_all("License-File") == ["LICENSE"]
    with tarfile.open(sdist, encoding="utf-8") as archive:
        top = archive.getnames()[0].split("/")[0]
        member = archive.extractfile(f"{top}/LICENSE")
        assert member is not None
        assert member.read().decode() == licence


def test_the_sdist_holds_the_whole_project_but_the_ci(built: tuple[Path, Path]) -> None:
    _, sdist = built
    with tarfile.open(sdist, encoding="utf-8") as archive:
        names = [name.split("/", 1)[1] for name in archive.getnames() if "/" in name]
    in_sdist = {name for name in names if name != "PKG-INFO"}
    expected = {path for path in _project_files() if not path.startswith(NOT_PUBLISHED)}
    assert expected - in_sdist == set(), "left out of the sdist"
    assert in_sdist - expected == set(), "in the sdist but not in the project"


def test_the_sdists_own_tests_of_the_docs_pass_from_it(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    """The tests that read docs/ and bench/ pass in the unpacked sdist, on its own code."""
    _, sdist = built
    with tarfile.open(sdist, encoding="utf-8") as archive:
        archive.extractall(tmp_path, filter="data")
    (unpacked,) = tmp_path.iterdir()
    tests = [
        "tests/test_docs_width.py",
        "tests/test_limits_page.py",
        "tests/test_contract_page.py",
        "tests/test_platform_branches.py",
        "tests/sdk/test_docs_reference.py",
    ]
    # Coverage, which measures this checkout's SDK, does not follow the sdist's own copy.
    unmeasured = unmeasured_environment()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
         "-p", "no:xdist", *tests],
        cwd=unpacked, capture_output=True, text=True, timeout=300, check=False, env=unmeasured,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
    assert str(unpacked / "tikmatrix_sdk") in subprocess.run(
        [sys.executable, "-c", "import tikmatrix_sdk; print(tikmatrix_sdk.__file__)"],
        cwd=unpacked, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
