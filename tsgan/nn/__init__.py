"""The networks: contracts, one file per family, their layers, series of unequal length, and the one build path."""
from .build import build
from .config import DEFAULT_HIDDEN, DEFAULT_NOISE, ModelConfig
from .families import DISCRIMINATORS, GENERATORS

__all__ = ["build", "ModelConfig", "GENERATORS", "DISCRIMINATORS", "DEFAULT_HIDDEN", "DEFAULT_NOISE"]
