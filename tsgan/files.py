"""Output files that survive crashes and refuse to clobber: every file tsgan writes goes through here.

``durable_write`` writes to a temporary file beside the target (``.NAME.tsgan-XXXXXXXX.tmp``), fsyncs
it, renames it into place and fsyncs the folder, so a reader - or a run resumed after a power cut -
sees the old file or the new one, never a torn one. It refuses to write through a symbolic link, to
replace an existing file unless told to, and removes its temporary file on any error.
``remove_stray_temporaries`` deletes what a killed process left behind. (What may be written where:
:mod:`tsgan.outputs`; one training run per folder: :mod:`tsgan.run_lock`.)"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .errors import TsganError, os_error

OVERWRITE_FIX = "pass --force (overwrite=True in Python) to replace it"

_MARK = "tsgan-"
_TEMPORARY = re.compile(rf"^\..+\.{_MARK}[0-9a-f]{{8}}\.tmp$")
# atomic_save before this module: tempfile.mkstemp(prefix=".NAME.", suffix=".tmp"), only ever for .pt files
_LEGACY_TEMPORARY = re.compile(r"^\..+\.pt\.[a-z0-9_]{8}\.tmp$")
# Temporaries modified before this moment cannot be this process's own (it writes them only through this module).
_STARTED = time.time()

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation on the descriptor
# Folder-relative system calls: a folder swapped for a link after it was checked cannot redirect a write.
_DIR_FD = os.name == "posix" and _DIRECTORY and {os.open, os.stat, os.unlink, os.link, os.rename, os.mkdir} <= os.supports_dir_fd

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; stray temporaries are judged by age alone
    fcntl = None


def temporary_name(name: str) -> str:
    """The name of a temporary file for ``name``, in the pattern ``remove_stray_temporaries`` recognises."""
    return f".{name}.{_MARK}{secrets.token_hex(4)}.tmp"


def is_temporary(name: str) -> bool:
    """Whether ``name`` is a temporary file of tsgan's (this module's pattern, or atomic_save's before it)."""
    return bool(_TEMPORARY.match(name) or _LEGACY_TEMPORARY.match(name))


# -- folders --------------------------------------------------------------------------------------

class _Folder:
    """An open folder: file operations by name inside it, relative to a descriptor where the OS allows
    (no path lookup again after the folder was checked), else by path."""

    def __init__(self, path: Path, fd: int | None):
        self.path, self.fd = path, fd

    def _at(self, name: str):
        return (name, {"dir_fd": self.fd}) if self.fd is not None else (str(self.path / name), {})

    def lstat(self, name: str) -> os.stat_result | None:
        target, kw = self._at(name)
        try:
            return os.stat(target, follow_symlinks=False, **kw)
        except FileNotFoundError:
            return None

    def open(self, name: str, flags: int, mode: int = 0o666) -> int:
        target, kw = self._at(name)
        return os.open(target, flags, mode, **kw)

    def unlink(self, name: str) -> None:
        target, kw = self._at(name)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target, **kw)

    def replace(self, source: str, target: str) -> None:
        if self.fd is not None:
            os.replace(source, target, src_dir_fd=self.fd, dst_dir_fd=self.fd)
        else:
            os.replace(self.path / source, self.path / target)

    def link(self, source: str, target: str) -> None:
        if self.fd is not None:
            os.link(source, target, src_dir_fd=self.fd, dst_dir_fd=self.fd, follow_symlinks=False)
        else:
            os.link(self.path / source, self.path / target, follow_symlinks=False)

    def link_from(self, source: Path, name: str) -> None:
        """A hard link ``name`` in this folder to the file ``source`` (a path, not followed if a link)."""
        if self.fd is not None:
            os.link(source, name, dst_dir_fd=self.fd, follow_symlinks=False)
        else:
            os.link(source, self.path / name, follow_symlinks=False)

    def sync(self) -> None:
        """Make the renames and removals in this folder durable (POSIX; a no-op where folders cannot be synced)."""
        try:
            fd = os.open(self.path, os.O_RDONLY) if self.fd is None else self.fd
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            if self.fd is None:
                os.close(fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def sync_folder(folder: str | Path) -> None:
    """Make the renames and removals in ``folder`` durable (POSIX; a no-op where folders cannot be synced)."""
    _Folder(Path(folder), None).sync()


def _link_error(path: Path) -> TsganError:
    return TsganError(f"'{path}' is a symbolic link; tsgan does not write through links - remove it or choose another output path")


@contextlib.contextmanager
def _open_folder(folder: Path, root: str | Path | None) -> Iterator[_Folder]:
    """Open (creating it if needed) ``folder``. Below ``root`` (a run folder) no part of the way may be a
    symbolic link; above it, and without ``root``, links are the user's own layout and followed."""
    folder = Path(os.path.abspath(folder))
    top = Path(os.path.abspath(root)) if root is not None else folder
    try:
        parts = folder.relative_to(top).parts
    except ValueError:
        top, parts = folder, ()
    top.mkdir(parents=True, exist_ok=True)
    if not _DIR_FD:
        here = top
        for part in parts:
            here = here / part
            if here.is_symlink():
                raise _link_error(here)
            here.mkdir(exist_ok=True)
        yield _Folder(folder, None)
        return
    fd = os.open(top, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        here = top
        for part in parts:
            here = here / part
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, dir_fd=fd)
            try:
                inner = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR) and stat.S_ISLNK(os.stat(part, dir_fd=fd, follow_symlinks=False).st_mode):
                    raise _link_error(here) from None
                raise
            os.close(fd)
            fd = inner
        opened = _Folder(folder, fd)
    except BaseException:
        os.close(fd)
        raise
    try:
        yield opened
    finally:
        opened.close()


def _check_target(folder: _Folder, path: Path, overwrite: bool) -> None:
    info = folder.lstat(path.name)
    if info is None:
        return
    if stat.S_ISLNK(info.st_mode):
        raise _link_error(path)
    if stat.S_ISDIR(info.st_mode):
        raise TsganError(f"'{path}' is a folder; give a file name")
    if not overwrite:
        raise TsganError(f"'{path}' already exists; {OVERWRITE_FIX}")


def _commit(folder: _Folder, temporary: str, path: Path, overwrite: bool) -> None:
    """Put the finished temporary file in place under ``path.name``."""
    if not overwrite:
        # A hard link fails if the name exists (a file that appeared meanwhile included): no-clobber, atomically.
        try:
            folder.link(temporary, path.name)
        except FileExistsError:
            raise TsganError(f"'{path}' already exists; {OVERWRITE_FIX}") from None
        except OSError:  # file systems without hard links: check, then rename
            _check_target(folder, path, overwrite=False)
            folder.replace(temporary, path.name)
        else:
            folder.unlink(temporary)
        return
    _check_target(folder, path, overwrite=True)  # a rename replaces a link put there meanwhile, never writes through it
    folder.replace(temporary, path.name)


@contextlib.contextmanager
def durable_write(path: str | Path, *, overwrite: bool, mode: str = "wb", root: str | Path | None = None,
                  encoding: str | None = "utf-8", newline: str | None = "") -> Iterator[IO]:
    """Write the file at ``path`` durably: ``with durable_write(path, overwrite=False) as handle: handle.write(...)``.

    The handle is a temporary file in the same folder (created with the permissions ``0o666 & ~umask``,
    as ``open`` gives); when the block ends without an error it is flushed, fsynced and renamed to
    ``path``, and the folder is fsynced. On any exception the temporary file is removed and ``path``
    is left as it was. ``mode``: ``"wb"`` (bytes) or ``"w"`` (text in ``encoding``; ``newline=""``
    writes line ends as given, what the csv module and pandas expect).

    Refused with a TsganError (before anything is written): ``path`` is a symbolic link or a folder; it
    exists and ``overwrite`` is false; or, with ``root`` (the run folder), a folder between ``root``
    and ``path`` is a symbolic link. Missing folders are created. An OSError on the way (a full disk, no
    permission) becomes a TsganError naming ``path`` and the fix, the old file left intact."""
    if mode not in ("wb", "w"):
        raise ValueError(f"durable_write mode must be 'wb' or 'w', not {mode!r}")
    path = Path(path)
    try:
        with _durable_write(path, overwrite, mode, root, encoding, newline) as handle:
            yield handle
    except OSError as exc:  # disk full, permission denied, ...: the old file is intact, say which path and why
        raise os_error(exc, path) from exc


@contextlib.contextmanager
def _durable_write(path: Path, overwrite: bool, mode: str, root, encoding, newline) -> Iterator[IO]:
    with _open_folder(path.parent, root) as folder:
        _check_target(folder, path, overwrite)
        temporary = temporary_name(path.name)
        fd = folder.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC | _BINARY, 0o666)
        try:
            if fcntl is not None:  # held while the file is written: remove_stray_temporaries leaves it alone
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            handle = os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": encoding, "newline": newline}))
        except BaseException:
            os.close(fd)
            folder.unlink(temporary)
            raise
        try:
            with handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
                if os.name != "nt":  # renamed while still open and locked (Windows cannot rename an open file)
                    _commit(folder, temporary, path, overwrite)
            if os.name == "nt":
                _commit(folder, temporary, path, overwrite)
        except BaseException:
            folder.unlink(temporary)
            raise
        folder.sync()


def write_bytes(path: str | Path, data: bytes, *, overwrite: bool, root: str | Path | None = None) -> None:
    """``Path.write_bytes``, durably (see :func:`durable_write`)."""
    with durable_write(path, overwrite=overwrite, root=root) as handle:
        handle.write(data)


def write_text(path: str | Path, text: str, *, overwrite: bool, root: str | Path | None = None) -> None:
    """``Path.write_text`` in UTF-8, durably (see :func:`durable_write`)."""
    with durable_write(path, overwrite=overwrite, mode="w", root=root) as handle:
        handle.write(text)


def durable_copy(source: str | Path, path: str | Path, *, overwrite: bool, root: str | Path | None = None) -> None:
    """Put a copy of ``source`` at ``path`` durably: a hard link where the file system has them (instant,
    and the same bytes by construction), else a byte copy; either way through a temporary name and a
    rename, so ``path`` is at every instant the old file or the complete new one."""
    source, path = Path(source), Path(path)
    try:
        _durable_copy(source, path, overwrite, root)
    except OSError as exc:
        raise os_error(exc, path) from exc


def _durable_copy(source: Path, path: Path, overwrite: bool, root) -> None:
    with _open_folder(path.parent, root) as folder:
        _check_target(folder, path, overwrite)
        temporary = temporary_name(path.name)
        try:
            folder.link_from(source, temporary)
        except OSError:  # file systems without hard links, or another device: copy below
            pass
        else:
            try:
                _commit(folder, temporary, path, overwrite)
            except BaseException:
                folder.unlink(temporary)
                raise
            folder.sync()
            return
    with open(source, "rb") as original, durable_write(path, overwrite=overwrite, root=root) as handle:
        shutil.copyfileobj(original, handle)


def save_figure(figure, path: str | Path, *, overwrite: bool = True, root: str | Path | None = None, **options) -> None:
    """``figure.savefig(path, **options)``, durably; the format from the suffix (``.png`` etc.)."""
    path = Path(path)
    with durable_write(path, overwrite=overwrite, root=root) as handle:
        figure.savefig(handle, format=path.suffix.lstrip(".") or "png", **options)


def check_writable(folder: str | Path, *, keep: bool = False) -> None:
    """Probe the output folder ``folder``: create it (and missing parents), write a temporary file there, fsync
    and remove it. A folder that cannot take files (permission, a read-only or full disk, a file in the way)
    is a TsganError now, before data are loaded or training starts. The folders made for the probe are
    removed again unless ``keep`` (a command that fails later leaves no trace; the real write makes them)."""
    folder = Path(os.path.abspath(folder))
    if folder.exists() and not folder.is_dir():
        raise TsganError(f"'{folder}' is a file, not a folder; choose another output folder")
    made = [p for p in (folder, *folder.parents) if not p.exists()]
    probe = folder / temporary_name("write-probe")  # tsgan's pattern: a probe a kill left behind is removed as a stray
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, 0o666)
        try:
            os.write(fd, b"tsgan")
            os.fsync(fd)
        finally:
            os.close(fd)
            probe.unlink()
    except OSError as exc:
        raise os_error(exc, folder, "writing to") from exc
    finally:
        for path in made if not keep else ():
            with contextlib.suppress(OSError):  # empty ones only: rmdir refuses the rest
                path.rmdir()


# -- stray temporaries ----------------------------------------------------------------------------

def remove_stray_temporaries(folder: str | Path) -> list[Path]:
    """Delete the temporary files a killed tsgan process left in ``folder`` (not below it); returns them.

    Only files in tsgan's pattern are touched, only regular files (never a link), only those last
    modified before this process started, and - where the OS has advisory locks - only those no
    process is writing now (``durable_write`` holds a lock on its temporary file until it is renamed).
    Call it at the start of a training run, once the folder's RunLock is held."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    for name in sorted(os.listdir(folder)):
        if not is_temporary(name):
            continue
        path = folder / name
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _CLOEXEC)
        except OSError:  # gone meanwhile, a link (ELOOP), unreadable: not ours to judge
            continue
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_mtime >= _STARTED:
                continue
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # being written by a live process
            with contextlib.suppress(FileNotFoundError):
                os.unlink(path)
            removed.append(path)
        finally:
            os.close(fd)
    if removed:
        with _open_folder(folder, None) as opened:
            opened.sync()
    return removed
