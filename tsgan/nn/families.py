"""The registry of network families by name: every generator pairs with every discriminator."""
from __future__ import annotations

from ..errors import TsganError
from .conv import ConvDiscriminator, ConvGenerator
from .lstm import LSTMDiscriminator, LSTMGenerator
from .mlp import MLPDiscriminator, MLPGenerator

GENERATORS = {"lstm": LSTMGenerator, "mlp": MLPGenerator, "conv": ConvGenerator}
DISCRIMINATORS = {"lstm": LSTMDiscriminator, "mlp": MLPDiscriminator, "conv": ConvDiscriminator}


def check_families(generator: str, discriminator: str) -> None:
    for role, name, registry in (("generator", generator, GENERATORS), ("discriminator", discriminator, DISCRIMINATORS)):
        if name not in registry:
            raise TsganError(f"unknown {role} '{name}'; choose from {', '.join(registry)}")
