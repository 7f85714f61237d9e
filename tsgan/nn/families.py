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


def check_recurrent_options(generator: str, cfg) -> None:
    """Burn-in (leading steps run and dropped) and a state drawn from the noise need a recurrent generator (one
    recurrent step per output step)."""
    if getattr(GENERATORS.get(generator), "any_length", False):
        return
    if cfg.burn_in:
        raise TsganError(f"burn_in={cfg.burn_in} is for the lstm generator (it runs the leading steps and drops their outputs): "
                         f"the {generator} generator's layers map noise to T steps; leave burn_in at 0 or use --generator lstm")
    if cfg.noise_state:
        raise TsganError(f"noise_state is for the lstm generator (it draws the recurrent state a sequence starts from): the "
                         f"{generator} generator has no recurrent state; leave noise_state off or use --generator lstm")
