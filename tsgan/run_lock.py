"""One training run per folder: a lock (filelock) whose holder a second run is told by name; the first to take
it in a process finds the folder writable and clears the temporaries that killed runs left there."""
from __future__ import annotations

import json
import os
import shlex
import socket
import sys
import time
from pathlib import Path

from .errors import TsganError
from .files import check_writable, remove_stray_temporaries, write_text

LOCK_NAME = ".tsgan.lock"
OWNER_NAME = ".tsgan.lock.owner"
_HELD: dict[str, list] = {}  # folder (real path) -> [filelock, depth]: this process's own runs, re-entrant


def _command_line() -> str:
    argv = getattr(sys, "orig_argv", None) or [sys.executable, *sys.argv]
    return " ".join(shlex.join(argv).split())[:300]  # one line, bounded


class RunLock:
    """One training run per folder: ``with RunLock(out): ...``. Acquired without waiting: while another
    process holds it, a TsganError names that process (pid, host, command line, from the sidecar
    ``.tsgan.lock.owner``). Released when the block ends, also on an exception; the OS drops the lock
    of a killed process, so a stale lock never blocks a new run. Re-entrant within one process (the
    CLI and GAN.fit both take it). Taking it first probes that the folder takes files (a clear error
    otherwise, before any work) and, once held, removes the temporaries killed runs left there
    (:func:`tsgan.files.remove_stray_temporaries`). Data-parallel runs: rank 0 alone takes it."""

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        self._key: str | None = None

    @property
    def lock_path(self) -> Path:
        return self.folder / LOCK_NAME

    @property
    def owner_path(self) -> Path:
        return self.folder / OWNER_NAME

    def holder(self) -> dict | None:
        """What the sidecar says about the process holding the lock (None if it is missing or unreadable)."""
        try:
            owner = json.loads(self.owner_path.read_text(encoding="utf-8"))
            return owner if isinstance(owner, dict) else None
        except (OSError, ValueError):
            return None

    def acquire(self) -> "RunLock":
        from filelock import FileLock, Timeout

        if self._key is not None:
            raise RuntimeError("this RunLock is already held; use another RunLock object to nest")
        key = os.path.realpath(self.folder)
        if key in _HELD:
            _HELD[key][1] += 1
            self._key = key
            return self
        check_writable(self.folder, keep=True)  # creates it; unwritable, full or read-only: say so, not "another run holds it"
        lock = FileLock(self.lock_path, timeout=0, thread_local=False)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise TsganError(self._busy_message()) from None
        try:
            write_text(self.owner_path, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                                    "command": _command_line(), "since": time.time()}) + "\n",
                       overwrite=True)
            remove_stray_temporaries(self.folder)
        except BaseException:
            lock.release()
            raise
        _HELD[key] = [lock, 1]
        self._key = key
        return self

    def _busy_message(self) -> str:
        owner = self.holder() or {}
        if "pid" in owner:
            host = f" on {owner['host']}" if owner.get("host") and owner["host"] != socket.gethostname() else ""
            who = f"process {owner['pid']}{host} ({owner.get('command', '?')})"
        else:
            who = "another process"  # it has the lock and is about to say who it is
        return (f"another training run is writing to '{self.folder}': {who}; wait for it to end, "
                f"or choose another --out")

    def release(self) -> None:
        if self._key is None:
            return
        key, self._key = self._key, None
        entry = _HELD[key]
        entry[1] -= 1
        if entry[1]:
            return
        del _HELD[key]
        try:
            self.owner_path.unlink(missing_ok=True)
        finally:
            entry[0].release()

    def __enter__(self) -> "RunLock":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
