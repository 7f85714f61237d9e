"""tsgan: labelled time series from GANs (RCGAN, MLP and conv families; classic, WGAN and WGAN-GP losses)."""
from .data import Dataset, as_sequences, from_long, from_sktime, from_wide, load_dataset, sktime_datasets, to_long, to_sktime, to_windows
from .errors import TsganError
from .gan import GAN, load
from .nn import DISCRIMINATORS, GENERATORS, ModelConfig
from .objective import LOSSES, TECHNIQUES, AAE, BiGAN, InfoGAN, Technique, Term, Variant, register
from .training import Callback, TrainConfig, TrainingDiverged
from .data.waves import make_waves, phase_distance, wave_properties

__version__ = "0.1.0"
__all__ = [
    "GAN", "load", "make_waves", "wave_properties", "phase_distance", "as_sequences", "from_long", "to_long", "from_sktime",
    "to_sktime", "load_dataset", "Dataset", "from_wide", "to_windows", "sktime_datasets", "TsganError", "TrainingDiverged", "TrainConfig", "ModelConfig", "Callback",
    "GENERATORS", "DISCRIMINATORS", "LOSSES", "TECHNIQUES", "Technique", "Term", "register", "Variant", "InfoGAN", "BiGAN", "AAE",
]
