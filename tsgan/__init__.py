"""tsgan: labelled time series from GANs (RCGAN, MLP and conv families; classic, WGAN and WGAN-GP losses)."""
from .data import as_sequences, from_long, from_sktime, load_dataset, to_long, to_sktime
from .errors import TsganError
from .gan import GAN, load
from .losses import LOSSES
from .models import DISCRIMINATORS, GENERATORS, ModelConfig
from .train import Callback, TrainConfig, TrainingDiverged
from .waves import make_waves, wave_properties

__version__ = "0.1.0"
__all__ = [
    "GAN", "load", "make_waves", "wave_properties", "as_sequences", "from_long", "to_long", "from_sktime",
    "to_sktime", "load_dataset", "TsganError", "TrainingDiverged", "TrainConfig", "ModelConfig", "Callback",
    "GENERATORS", "DISCRIMINATORS", "LOSSES",
]
