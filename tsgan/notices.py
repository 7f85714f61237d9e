"""How tsgan tells a user what it chose or what went wrong: the warning class and its one-line display on the
command line (``tsgan: note: ...`` instead of Python's file, line and source), and the failed run's error and exit code."""
from __future__ import annotations

import contextlib
import sys
import warnings

from .errors import TsganError

FAILED_RUN = 3  # the command line's exit code for a run that trained but failed, or diverged


class RunFailed(TsganError):
    """A training run that failed (its diagnosis in the message); the command line exits with :data:`FAILED_RUN`."""


class TsganWarning(UserWarning):
    """Something a user should know about a run: a setting tsgan chose from the data, or a run that failed."""


@contextlib.contextmanager
def one_line_warnings(stream=None):
    """Within it, a :class:`TsganWarning` is printed as one line ``tsgan: note: MESSAGE`` on ``stream`` (stderr),
    every time it is raised; other warnings show as before."""
    previous = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, TsganWarning):
            print(f"tsgan: note: {message}", file=stream or sys.stderr, flush=True)
        else:
            previous(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.simplefilter("always", TsganWarning)
        warnings.showwarning = show  # catch_warnings puts the previous one back
        yield
