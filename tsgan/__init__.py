"""tsgan: labelled time series from GANs (RCGAN, MLP and conv families; classic, WGAN and WGAN-GP losses).

The public names load on first use (PEP 562): ``import tsgan`` and ``tsgan --help`` import neither torch
nor pandas; ``tsgan.GAN`` imports what it needs."""
from __future__ import annotations

from importlib import import_module

_PUBLIC = {  # name -> the module defining it
    **dict.fromkeys(["Dataset", "as_sequences", "from_long", "from_sktime", "from_wide", "load_dataset", "sktime_datasets",
                     "to_long", "to_sktime", "to_windows"], ".data"),
    "TsganError": ".errors", "GAN": ".gan", "load": ".gan",
    **dict.fromkeys(["DISCRIMINATORS", "GENERATORS", "ModelConfig"], ".nn"),
    **dict.fromkeys(["LOSSES", "TECHNIQUES", "AAE", "BiGAN", "InfoGAN", "Technique", "Term", "Variant", "register"], ".objective"),
    **dict.fromkeys(["Callback", "TrainConfig", "TrainingDiverged"], ".training"),
    "make_waves": ".data.waves", "wave_properties": ".data.waves", "phase_distance": ".data.waves",
    "GaussianBaseline": ".evaluation.baseline", "gaussian_baseline": ".evaluation.baseline",
    "TsganWarning": ".notices", "TrainingFailed": ".training.failure",
}
__all__ = [
    "GAN", "load", "make_waves", "wave_properties", "phase_distance", "as_sequences", "from_long", "to_long", "from_sktime",
    "to_sktime", "load_dataset", "Dataset", "from_wide", "to_windows", "sktime_datasets", "TsganError", "TrainingDiverged", "TrainConfig", "ModelConfig", "Callback",
    "GENERATORS", "DISCRIMINATORS", "LOSSES", "TECHNIQUES", "Technique", "Term", "register", "Variant", "InfoGAN", "BiGAN", "AAE",
    "GaussianBaseline", "gaussian_baseline", "TsganWarning", "TrainingFailed",
]


def _installed_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("tsgan")
    except metadata.PackageNotFoundError:  # a source tree on the path, never installed
        return "0+unknown"


def __getattr__(name: str):
    if name == "__version__":
        value = _installed_version()
    elif name in _PUBLIC:
        value = getattr(import_module(_PUBLIC[name], __name__), name)
    else:
        try:  # a subpackage, as `import tsgan` then `tsgan.data.waves` reached it when everything loaded at once
            value = import_module(f".{name}", __name__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"module 'tsgan' has no attribute '{name}'") from None
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | {"__version__"})
