"""The one exception type users see: a clear, one-line message naming the problem and the fix."""


class TsganError(ValueError):
    """Bad input or state that the user can fix; the command line prints it and exits with code 2."""
