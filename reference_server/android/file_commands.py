"""A phone's file commands (``ls``, ``cp``, ``mv``, ``rm``, ``cat``, ``stat`` …), in its sandbox.

:class:`FileCommands` is mixed into the phone (:class:`~.system.AndroidSystem`), whose
storage (``path``, ``read_file``, ``write_file``) it uses.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

from .sh import Done
from .tools import AndroidTools

__all__ = ["FileCommands"]


class FileCommands(AndroidTools):
    """The file commands; the phone provides its storage."""

    root: Path
    cwd: str

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
                f"\t IO Blocks: 4096\t{kind}\nAccess: ({'0755' if file.is_dir() else '0644'})"
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

    def _cmd_ls(self, args: list[str]) -> Done:
        targets = [a for a in args if not a.startswith("-")] or [self.cwd]
        out, err = [], []
        for name in targets:
            file = self.path(name)
            if file.is_dir():
                out += sorted(p.name for p in file.iterdir())
            elif file.exists():
                out.append(name)
            else:
                err.append(f"ls: {name}: No such file or directory")
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
