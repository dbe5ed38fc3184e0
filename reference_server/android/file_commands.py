"""A phone's file commands (``ls``, ``cp``, ``mv``, ``rm``, ``cat``, ``stat`` …), in its sandbox.

:class:`FileCommands` is mixed into the phone (:class:`~.system.AndroidSystem`), whose
storage (``path``, ``read_file``, ``write_file``) it uses.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import shutil
import time
from pathlib import Path

from .sh import Done
from .tools import AndroidTools

__all__ = ["FileCommands"]

_SYMBOLIC = re.compile(r"^([ugoa]*)([+-=])([rwx]*)$")


def _changed_mode(current: int, mode: str) -> int | None:
    """``chmod``'s MODE applied to ``current``: octal, or ``[ugoa][+-=][rwx]`` clauses."""
    if re.fullmatch(r"[0-7]{1,4}", mode):
        return int(mode, 8) & 0o7777
    result = current
    for clause in mode.split(","):
        found = _SYMBOLIC.match(clause)
        if found is None:
            return None
        who, operator, what = found.groups()
        shifts = [{"u": 6, "g": 3, "o": 0}[w] for w in (who.replace("a", "ugo") or "ugo")]
        bits = sum({"r": 4, "w": 2, "x": 1}[w] for w in what)
        for shift in shifts:
            if operator == "+":
                result |= bits << shift
            elif operator == "-":
                result &= ~(bits << shift)
            else:
                result = (result & ~(7 << shift)) | (bits << shift)
    return result


def _found(file: Path, depth: int, tests: dict[str, str]) -> bool:
    """Whether ``find``'s tests hold for a file ``depth`` folders below a starting path."""
    if "-maxdepth" in tests and depth > int(tests["-maxdepth"]):
        return False
    if "-mindepth" in tests and depth < int(tests["-mindepth"]):
        return False
    kind = tests.get("-type")
    if (kind == "f" and not file.is_file()) or (kind == "d" and not file.is_dir()):
        return False
    if "-name" in tests and not fnmatch.fnmatchcase(file.name, tests["-name"]):
        return False
    return not (
        "-iname" in tests and not fnmatch.fnmatch(file.name.lower(), tests["-iname"].lower())
    )


class FileCommands(AndroidTools):
    """The file commands; the phone provides its storage."""

    root: Path
    cwd: str
    modes: dict[str, int]

    def _cmd_touch(self, args: list[str]) -> Done:
        for name in (a for a in args if not a.startswith("-")):
            file = self.path(name)
            if not file.parent.is_dir():
                message = f"touch: '{name}': No such file or directory\n"
                return Done(err=message.encode(), status=1)
            file.touch()
        return Done()

    def _cmd_mv(self, args: list[str]) -> Done:
        return self._copy(args, move=True)

    def _cmd_cp(self, args: list[str]) -> Done:
        return self._copy(args, move=False)

    def _copy(self, args: list[str], *, move: bool) -> Done:
        names = [a for a in args if not a.startswith("-")]
        tool = "mv" if move else "cp"
        if len(names) < 2:
            return Done(err=f"{tool}: Need 2 arguments\n".encode(), status=1)
        *sources, target = names
        destination = self.path(target)
        for name in sources:
            source = self.path(name)
            if not source.exists():
                message = f"{tool}: bad '{name}': No such file or directory\n"
                return Done(err=message.encode(), status=1)
            landing = destination / source.name if destination.is_dir() else destination
            if move:
                shutil.move(str(source), str(landing))
            elif source.is_dir():
                shutil.copytree(source, landing, dirs_exist_ok=True)
            else:
                shutil.copyfile(source, landing)
        return Done()

    def _cmd_stat(self, args: list[str]) -> Done:
        lines, status = [], 0
        for name in (a for a in args if not a.startswith("-")):
            file = self.path(name)
            if not file.exists():
                lines.append(f"stat: '{name}': No such file or directory")
                status = 1
                continue
            info = file.stat()
            kind = "directory" if file.is_dir() else "regular file"
            lines.append(
                f"  File: {name}\n  Size: {info.st_size}\t Blocks: {(info.st_size + 511) // 512}"
                f"\t IO Blocks: 4096\t{kind}\nAccess: ({self.mode_of(name, file):04o})"
                f"  Uid: ( 2000/   shell)   Gid: ( 2000/   shell)\n"
                f"Modify: {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(info.st_mtime))}"
            )
        out = "\n".join(line for line in lines if not line.startswith("stat:"))
        err = "\n".join(line for line in lines if line.startswith("stat:"))
        return Done(
            out=(out + "\n").encode() if out else b"",
            err=(err + "\n").encode() if err else b"",
            status=status,
        )

    def _cmd_md5sum(self, args: list[str]) -> str:
        lines = []
        for name in args:
            file = self.path(name)
            if file.is_file():
                lines.append(f"{hashlib.md5(file.read_bytes()).hexdigest()}  {name}")
            else:
                lines.append(f"md5sum: {name}: No such file or directory")
        return "\n".join(lines) + "\n"

    def mode_of(self, name: str, file: Path) -> int:
        """A file's permission bits: what ``chmod`` set, else 0755 for a folder, 0644."""
        return self.modes.get(self._phone_path(name), 0o755 if file.is_dir() else 0o644)

    def _phone_path(self, name: str) -> str:
        """The phone path a name stands for (relative ones from the shell's directory)."""
        return "/" + self.path(name).relative_to(self.root).as_posix().removeprefix(".")

    def _long(self, name: str, file: Path, shown: str | None = None) -> str:
        """``ls -l``'s line: mode, links, owner, group, size, time and name, as toybox has it.

        ``name`` is the file's path as given; the line ends with ``shown`` (default: ``name``).
        """
        info = file.stat()
        mode = self.mode_of(name, file)
        kind = "d" if file.is_dir() else "c" if file == self.root / "dev/null" else "-"
        bits = "".join(
            letter if mode & (1 << (8 - index)) else "-" for index, letter in enumerate("rwxrwxrwx")
        )
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.st_mtime))
        size = 0 if file.is_dir() else info.st_size
        return f"{kind}{bits} 1 shell shell {size} {when} {name if shown is None else shown}"

    def _cmd_ls(self, args: list[str]) -> Done:
        flags = "".join(a[1:] for a in args if a.startswith("-") and len(a) > 1)
        targets = [a for a in args if not a.startswith("-")] or ["."]
        long, show_all, only_folder = "l" in flags, "a" in flags, "d" in flags
        files, folders, err = [], [], []
        for name in targets:
            file = self.path(name)
            if not file.exists():
                err.append(f"ls: {name}: No such file or directory")
            elif file.is_dir() and not only_folder:
                folders.append((name, file))
            else:
                files.append(self._long(name, file) if long else name)
        blocks = ["".join(line + "\n" for line in files)] if files else []
        for name, folder in folders:
            entries = sorted(folder.iterdir(), key=lambda p: p.name)
            names = ([".", ".."] if show_all else []) + [
                p.name for p in entries if show_all or not p.name.startswith(".")
            ]
            lines = [
                self._long(f"{name.rstrip('/')}/{entry}", folder / entry, entry) if long else entry
                for entry in names
            ]
            if long:
                lines.insert(0, f"total {len(names) * 4}")
            header = f"{name}:\n" if len(targets) > 1 else ""
            blocks.append(header + "".join(line + "\n" for line in lines))
        return Done(
            out="\n".join(blocks).encode(),
            err="".join(line + "\n" for line in err).encode(),
            status=1 if err else 0,
        )

    def _cmd_chmod(self, args: list[str]) -> Done:
        """``chmod [-R] MODE FILE…`` (octal, or ``u+x``-style): kept for ``ls -l`` and ``stat``."""
        words = [a for a in args if a not in ("-R", "-f")]
        if len(words) < 2:
            return Done(err=b"chmod: Need 2 arguments\n", status=1)
        mode, names = words[0], words[1:]
        for name in names:
            file = self.path(name)
            if not file.exists():
                message = f"chmod: {name}: No such file or directory\n"
                return Done(err=message.encode(), status=1)
            changed = _changed_mode(self.mode_of(name, file), mode)
            if changed is None:
                return Done(err=f"chmod: bad mode '{mode}'\n".encode(), status=1)
            self.modes[self._phone_path(name)] = changed
        return Done()

    def _cmd_find(self, args: list[str]) -> Done:
        """``find [PATH…] [-name PATTERN] [-type f|d] [-maxdepth N] [-mindepth N]``."""
        paths = []
        words = list(args)
        while words and not words[0].startswith("-"):
            paths.append(words.pop(0))
        tests: dict[str, str] = {}
        while words:
            option = words.pop(0)
            if option not in ("-name", "-iname", "-type", "-maxdepth", "-mindepth") or not words:
                return Done(err=f"find: Unknown option '{option}'\n".encode(), status=1)
            tests[option] = words.pop(0)
        out, err = [], []
        for start in paths or ["."]:
            top = self.path(start)
            if not top.exists():
                err.append(f"find: '{start}': No such file or directory")
                continue
            walked = [(top, 0)]
            if top.is_dir():
                walked += [(p, len(p.relative_to(top).parts)) for p in sorted(top.rglob("*"))]
            for file, depth in walked:
                shown = (
                    start
                    if depth == 0
                    else f"{start.rstrip('/')}/{file.relative_to(top).as_posix()}"
                )
                if _found(file, depth, tests):
                    out.append(shown)
        return Done(
            out="".join(line + "\n" for line in out).encode(),
            err="".join(line + "\n" for line in err).encode(),
            status=1 if err else 0,
        )

    def _cmd_mkdir(self, args: list[str]) -> Done:
        parents = any(a.startswith("-") and "p" in a for a in args)
        for name in (a for a in args if not a.startswith("-")):
            folder = self.path(name)
            if folder.exists() and not parents:
                return Done(err=f"mkdir: '{name}': File exists\n".encode(), status=1)
            if not parents and not folder.parent.is_dir():
                message = f"mkdir: '{name}': No such file or directory\n"
                return Done(err=message.encode(), status=1)
            folder.mkdir(parents=True, exist_ok=True)
        return Done()

    def _cmd_rm(self, args: list[str]) -> Done:
        flags = "".join(a[1:] for a in args if a.startswith("-"))
        for name in (a for a in args if not a.startswith("-")):
            target = self.path(name)
            if target == self.root:
                return Done(err=b"rm: '/': Permission denied\n", status=1)
            if target.is_dir():
                if "r" not in flags and "R" not in flags:
                    return Done(err=f"rm: {name}: is a directory\n".encode(), status=1)
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            elif "f" not in flags:
                message = f"rm: {name}: No such file or directory\n"
                return Done(err=message.encode(), status=1)
        return Done()

    def _cmd_cat(self, args: list[str]) -> Done:
        names = [a for a in args if a != "-"]
        if not names:
            return Done(out=self._stdin)
        out, err = bytearray(), bytearray()
        for name in names:
            file = self.path(name)
            if file.is_file():
                out += file.read_bytes()
            else:
                err += f"cat: {name}: No such file or directory\n".encode()
        return Done(bytes(out), bytes(err), 1 if err else 0)

    _cmd_md5 = _cmd_md5sum
