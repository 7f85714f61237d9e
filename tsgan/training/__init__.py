"""Training: the loop's options, the one loop, and the runtime it executes in."""
from .config import TrainConfig
from .loop import Callback, Trainer, TrainingDiverged, check_batch_size
from .runtime import resolve_device

__all__ = ["TrainConfig", "Callback", "Trainer", "TrainingDiverged", "check_batch_size", "resolve_device"]
