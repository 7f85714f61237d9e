"""One file per technique or small family of them; importing this package imports (and so registers) every one."""
import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
