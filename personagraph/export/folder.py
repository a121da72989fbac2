"""Write an export folder whole or not at all: into a hidden folder beside it, swapped in at the end.

A killed export leaves the previous export as it was (and a hidden ``.NAME.tmp-PID`` folder beside
it, removed by the next export once that process is gone); files are never mixed old and new.
On Linux the swap is one ``renameat2(RENAME_EXCHANGE)`` call, atomic even when a previous export
is there; elsewhere (or on a file system without it) the old folder is renamed aside first, so a
kill between the two renames leaves it, whole, as ``.NAME.old-PID``.

A folder is replaced only when it is empty or holds a previous export (its ``marker`` file), so a
folder of the user's own files is never swapped away.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from personagraph.errors import ConfigError

EXPORT_MARKERS = ("export.json", "import.sh")  # a folder holding one of these is a previous export
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where the call is not available."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(done == 0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(target: Path) -> None:
    """Hidden folders of earlier exports to ``target`` whose process has ended."""
    for path in target.parent.glob(f".{target.name}.*-*"):
        pid = path.name.rsplit("-", 1)[-1]
        if path.is_dir() and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)


def check_target(target: Path, markers: tuple[str, ...] = EXPORT_MARKERS) -> None:
    """Refuse a target that is a file, or a folder holding something other than an export."""
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{target}: exists and is not a folder", hint="give a new or empty folder")
    if target.is_dir() and any(target.iterdir()) and not any((target / m).is_file() for m in markers):
        raise ConfigError(
            f"{target}: holds files that are not a PersonaGraph export; it is left as it is",
            hint="give a new or empty folder (a previous export there is replaced whole)",
        )


@contextlib.contextmanager
def replaced_folder(target: Path, markers: tuple[str, ...] = EXPORT_MARKERS) -> Iterator[Path]:
    """Yield a fresh hidden folder beside ``target``; on success it becomes ``target``.

    On an error the hidden folder is removed and ``target`` is untouched.
    """
    target = Path(target)
    check_target(target, markers)
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(target)
    work = target.parent / f".{target.name}.tmp-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        yield work
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if not target.exists():
        os.rename(work, target)
        return
    if _exchange(work, target):
        shutil.rmtree(work, ignore_errors=True)  # now the previous export
        return
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    os.rename(target, old)
    os.rename(work, target)
    shutil.rmtree(old, ignore_errors=True)
