"""The architecture of a generator/discriminator pair (:class:`ModelConfig`) and the families' default sizes."""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field, replace

from ..errors import TsganError
from .lengths import check_table

# Family defaults, chosen so each trains on the waves set in a few minutes on a 2-core CPU.
DEFAULT_HIDDEN = {"lstm": 64, "mlp": 128, "conv": 64}
DEFAULT_NOISE = {"lstm": 12, "mlp": 32, "conv": 32}


def _whole(value, name: str, low: int, *, optional: bool = False) -> None:
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise TsganError(f"{name} must be a whole number >= {low}{' (or None: the family default)' if optional else ''}, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class ModelConfig:
    """Architecture of a generator/discriminator pair; ``None`` sizes take the family default (:meth:`resolved`).
    Frozen and validated when made: a size of 0 or below is an error, never a silent default."""

    # The user's choices (metadata: their command-line help); the data set length, channels and classes.
    generator: str = field(default="lstm", metadata={"help": "generator family (default lstm: RCGAN)"})
    # The default critic is the MLP: with the LSTM generator it was told from held-out real data far less often than
    # RCGAN's LSTM critic on ItalyPowerDemand, Sines and Stocks, and tied on waves (benchmarks/RECIPES.md, session 11).
    discriminator: str = field(default="mlp", metadata={"help": "discriminator family (default mlp; lstm: RCGAN's per-step critic)"})
    length: int = 30
    channels: int = 1
    n_classes: int = 0  # 0: unconditional
    # Width of the encoded per-series attributes (tsgan.data.attributes) each network is conditioned on besides the
    # label; 0: none. The conditioning is then [one-hot label, encoded attributes] (tsgan.nn.contracts.condition).
    attribute_dim: int = 0
    noise_dim: int | None = field(default=None, metadata={"help": "noise size, per step for lstm (default: per family)"})
    hidden: int | None = field(default=None, metadata={"help": "hidden size of both networks (default: per family)"})
    layers: int = field(default=1, metadata={"help": "LSTM layers / extra MLP layers (default 1)"})
    static_noise: int | None = field(default=None, metadata={
        "help": "lstm generator: noise dims held constant over each sequence (default: two thirds of the noise)"})
    burn_in: int = field(default=0, metadata={
        "help": "lstm generator: leading steps run and dropped, so sequences start from a state the noise has driven "
                "(spreads phases; default 0)"})
    # None: on for the lstm generator with static noise (its generated phases spread as the real ones do), else off.
    noise_state: bool | None = field(default=None, metadata={
        "help": "lstm generator: start each sequence from a recurrent state made from its static noise and label, "
                "not from zeros (spreads phases; default on for the lstm generator, --no-noise-state: zeros)"})
    # Network options the techniques set (tsgan.objective.techniques): minibatch discrimination's kernels in the
    # discriminator; virtual batch norm's reference batch in the generator (its batch norm becomes virtual
    # batch norm, the reference inputs drawn once when it is built and kept in its state dict).
    minibatch_kernels: int = 0
    virtual_batch_norm: int = 0
    # Categorical channels: (first channel, number of categories) per group of one-hot channels.
    categorical: tuple = ()
    # Series of unequal length (tsgan.nn.lengths): the training lengths' table, {"values": [...], "counts":
    # [one row per class, one for all]}; the generator is then wrapped in tsgan.nn.lengths.LengthMasked.
    # Empty: every sequence has `length` steps.
    lengths: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("generator", "discriminator"):
            if not isinstance(getattr(self, name), str):
                raise TsganError(f"{name} must be a family name such as 'lstm', got {getattr(self, name)!r}")
        _whole(self.length, "length", 1)
        _whole(self.channels, "channels", 1)
        _whole(self.n_classes, "n_classes", 0)
        _whole(self.attribute_dim, "attribute_dim", 0)
        _whole(self.noise_dim, "noise_dim", 1, optional=True)
        _whole(self.hidden, "hidden", 1, optional=True)
        _whole(self.layers, "layers", 1)
        _whole(self.static_noise, "static_noise", 0, optional=True)
        _whole(self.burn_in, "burn_in", 0)
        if self.noise_state is not None and not isinstance(self.noise_state, bool):
            raise TsganError(f"noise_state must be True, False or None (on for the lstm generator), got {self.noise_state!r}")
        _whole(self.minibatch_kernels, "minibatch_kernels", 0)
        _whole(self.virtual_batch_norm, "virtual_batch_norm", 0)
        if self.virtual_batch_norm == 1:
            raise TsganError("virtual_batch_norm needs a reference batch of at least 2 inputs, got 1")
        object.__setattr__(self, "categorical", self._groups())
        object.__setattr__(self, "lengths", self._length_table())

    @property
    def condition_dim(self) -> int:
        """Width of the conditioning each network takes: the one-hot label and the encoded attributes."""
        return self.n_classes + self.attribute_dim

    def resolved(self) -> "ModelConfig":
        """The configuration with the generator family's default noise sizes (and starting state) filled in."""
        noise = self.noise_dim or DEFAULT_NOISE.get(self.generator, DEFAULT_NOISE["lstm"])
        static = self.static_noise if self.static_noise is not None else noise * 2 // 3
        state = self.noise_state if self.noise_state is not None else self.generator == "lstm" and static > 0
        return replace(self, noise_dim=noise, static_noise=static, noise_state=state)

    def _length_table(self) -> dict:
        return check_table(self.lengths, self.length, self.n_classes) if self.lengths else {}

    def _groups(self) -> tuple:
        try:
            groups = [(int(start), int(size)) for start, size in self.categorical]
        except (TypeError, ValueError):
            raise TsganError(f"categorical channel groups must be (first channel, size) pairs, got {self.categorical!r}") from None
        ends = [0] + [start + size for start, size in sorted(groups)]
        if any(size < 1 or start < end for (start, size), end in zip(sorted(groups), ends)) or ends[-1] > self.channels:
            raise TsganError(f"categorical channel groups {groups} do not fit {self.channels} channels")
        return tuple(groups)
