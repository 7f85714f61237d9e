"""``python -m tsgan``: the command line."""
from .cli import main

raise SystemExit(main())
