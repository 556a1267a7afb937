"""Files the command line reads and writes: input images checked before any model loads, output
folders tried before any work, and writes that never leave half a file or half a result.

Shared by `colorize` (where a failure is the command's one error line) and `batch` (where a failure
of one page is reported in the summary and the other pages go on), so both treat files the same way.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .images import MAX_FILE_BYTES

RESULT = "result.json"  # written last: its presence means the folder holds a whole result


class InputError(Exception):
    """A file or folder that cannot be used; the message is one sentence for the user."""


def read_input(path: str | os.PathLike[str], what: str) -> bytes:
    """The bytes of an input image, refused before reading unless it is a regular file within the limit.

    Opened non-blocking and checked on the open descriptor, so a FIFO or device (/dev/zero would be
    read forever) is refused at once and a file swapped after the check is still the one checked.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"cannot open {what} {path}: {exc.strerror}") from None
    limit_mb = MAX_FILE_BYTES // (1024 * 1024)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{what} {path} is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise InputError(f"{what} {path} is {info.st_size / 2**20:.0f} MB; the limit is {limit_mb} MB")
        data = b""
        while chunk := os.read(fd, MAX_FILE_BYTES + 1 - len(data)):
            data += chunk
            if len(data) > MAX_FILE_BYTES:  # it grew after the check
                raise InputError(f"{what} {path} is over the limit of {limit_mb} MB")
        return data
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror}") from None
    finally:
        os.close(fd)


def prepare_out(path: str | os.PathLike[str]) -> Path:
    """A folder this process can write in, created if missing; tried, not inferred from permission
    bits (root ignores them, a read-only mount does not)."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        probe.unlink()
    except OSError as exc:
        raise InputError(f"--out {out} is not a writable folder: {exc.strerror}") from None
    return out


class AtomicFiles:
    """Files written under temporary names and renamed into place at the end.

    A failure part way (a full disk) removes what was written: the folder holds either the whole new
    result or what it held before, never half of one. result.json goes in last, and an older one
    is removed before the first rename, so a result.json never describes files of another run.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self._pending: list[tuple[Path, Path]] = []  # (temporary, final)

    def add(self, name: str, data: bytes) -> None:
        final = self.out / name
        temporary = _temporary(final)
        self._pending.append((temporary, final))  # before writing: a failed write is cleaned too
        _write_synced(temporary, data)

    def commit(self) -> None:
        (self.out / RESULT).unlink(missing_ok=True)
        for temporary, final in self._pending:
            os.replace(temporary, final)
        self._pending = []

    def abort(self) -> None:
        for temporary, _ in self._pending:
            temporary.unlink(missing_ok=True)
        self._pending = []


def write_file(path: Path, data: bytes) -> None:
    """One file replaced atomically (summary, contact sheet, theme): readers see the old or the new."""
    temporary = _temporary(path)
    try:
        _write_synced(temporary, data)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _temporary(final: Path) -> Path:
    return final.with_name(f".{final.name}.{os.getpid()}.part")


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
