"""The one exception type users see - a clear, one-line message naming the problem and the fix - and the
words for an operating system's refusal (disk full, permission denied, ...) in that form."""
from __future__ import annotations

import errno
import os


class TsganError(ValueError):
    """Bad input or state that the user can fix; the command line prints it and exits with code 2."""


# What to do about an OSError, by errno: the fixes a user can apply to the path named.
_FIXES = {
    errno.ENOSPC: "free space on that disk, or choose a folder on another disk",
    errno.EACCES: "make it writable for you (chmod / chown), or choose another path",
    errno.EPERM: "make it writable for you (chmod / chown), or choose another path",
    errno.EROFS: "choose a path on a writable file system",
    errno.ENOTDIR: "a part of the path is a file, not a folder: choose another path",
    errno.EISDIR: "give a file name, not a folder",
    errno.EEXIST: "a file of that name is in the way: move it or choose another path",
    errno.ENOENT: "check the path",
    errno.ENAMETOOLONG: "choose a shorter path",
}
for _name in ("EDQUOT",):  # not on every platform
    if hasattr(errno, _name):
        _FIXES[getattr(errno, _name)] = "free space within your quota, or choose another folder"


def os_error(exc: OSError, path: str | os.PathLike | None = None, doing: str = "writing") -> TsganError:
    """``exc`` (an OSError the OS raised while ``doing`` something at ``path``) as a one-line TsganError naming
    the path, the reason and the fix."""
    where = path if path is not None else exc.filename
    reason = exc.strerror or (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
    fix = _FIXES.get(exc.errno, "check the path and the disk")
    return TsganError(f"{doing} '{where}' failed ({reason}); {fix}" if where is not None else f"{doing} failed ({reason}); {fix}")
