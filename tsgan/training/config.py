"""The training loop's options (:class:`TrainConfig`): frozen, keyword-only, validated when made.
Techniques bring their own options (:mod:`tsgan.objective`)."""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field

from ..errors import TsganError
from .tracking_names import logger_names

PRECISIONS = ("32", "bf16")
MAX_SEED = 2**63 - 1  # torch's generators take seeds in [0, 2**64); numpy's streams and our offsets need headroom


def _help(text: str, **cli) -> dict:
    return {"help": text, **cli}


@dataclass(frozen=True, kw_only=True)
class TrainConfig:
    """Options of the one training loop; ``None`` takes the loss's default from its paper (``tsgan.LOSSES``)."""

    steps: int = field(default=12000, metadata=_help("generator updates (default 12000)"))
    batch_size: int = field(default=64, metadata=_help("sequences per batch (default 64)"))
    seed: int = field(default=0, metadata=_help("random seed for weights, batches and noise (default 0)"))
    device: str = field(default="auto", metadata=_help("auto (CUDA if present, else CPU), cpu, or cuda[:N] (default auto)"))
    lr_g: float | None = field(default=None, metadata=_help("generator learning rate (default: the loss's)"))
    lr_d: float | None = field(default=None, metadata=_help("discriminator learning rate (default: the loss's)"))
    n_critic: int | None = field(default=None, metadata=_help("critic steps per generator step (default 1 for gan, 5 for wgan/wgan-gp)"))
    log_every: int = field(default=10, metadata=_help("steps between fetching losses from the device and checking them finite (default 10)"))
    checkpoint_every: int = field(default=500, metadata=_help("steps between checkpoints (default 500)"))
    # "bf16": forward passes under torch.autocast(bfloat16), backward and weights in float32. Measured on an H100
    # with tsgan's default sizes it was no faster (0.72-1.06x, benchmarks/precision.py): these networks are
    # small enough that kernel launches, not arithmetic, bound a step. It may pay for wide networks.
    precision: str = field(default="32", metadata=_help("bf16: forward passes in bfloat16 mixed precision (for wide networks "
                                                        "on a GPU; default 32)", choices=PRECISIONS))
    # CPU threads while training; None: 1. tsgan's networks gain little from a second thread on a quiet machine
    # (45 -> 51 steps/s at batch 64) and lose several times over on a busy one (300 steps: 61 s with one thread,
    # 373 s with torch's default of 2 while two other processes ran), so one is the default.
    threads: int | None = field(default=None, metadata=_help("CPU threads for training (default 1: the fastest on a "
                                                            "busy machine, nearly so on a quiet one)"))
    progress: bool = field(default=True, metadata=_help("show a progress bar", cli=False))
    # How the run reports as it goes (tsgan.training.tracking); none of these changes what is trained.
    logger: tuple[str, ...] = field(default=(), metadata=_help(
        "send losses, validation figures and sample pictures as training goes to tensorboard (event files in "
        "OUT/tensorboard) and/or mlflow (a run in ./mlruns or --mlflow-uri); repeat or comma-separate (default none)",
        append=True, metavar="NAME"))
    sample_every: int | None = field(default=None, metadata=_help(
        "steps between sample pictures OUT/samples/step_N.png, also sent to the loggers (default: with --logger, "
        "every --checkpoint-every steps; else none)", metavar="K"))
    mlflow_uri: str | None = field(default=None, metadata=_help(
        "MLflow tracking URI or folder for --logger mlflow (default ./mlruns)", metavar="URI"))

    def __post_init__(self) -> None:
        _whole(self.steps, "steps", 0)
        _whole(self.batch_size, "batch_size", 1)
        _whole(self.seed, "seed", 0, high=MAX_SEED)
        _whole(self.n_critic, "n_critic", 1, optional=True)
        _whole(self.log_every, "log_every", 1)
        _whole(self.checkpoint_every, "checkpoint_every", 1)
        _whole(self.threads, "threads", 1, optional=True)
        _whole(self.sample_every, "sample_every", 1, optional=True)
        object.__setattr__(self, "logger", logger_names(self.logger))  # "a,b", ["a", "b"] -> ("a", "b")
        if self.mlflow_uri is not None and not (isinstance(self.mlflow_uri, str) and self.mlflow_uri):
            raise TsganError(f"mlflow_uri must be an MLflow tracking URI or a folder, got {self.mlflow_uri!r}")
        for name in ("lr_g", "lr_d"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < float("inf")):
                raise TsganError(f"{name} must be a learning rate > 0 (e.g. 1e-4), or None for the loss's default; got {value!r}")
        if not isinstance(self.device, str):
            raise TsganError(f"device must be 'auto', 'cpu' or 'cuda[:N]', got {self.device!r}")
        if self.precision not in PRECISIONS:
            raise TsganError(f"unknown precision '{self.precision}'; use one of {', '.join(PRECISIONS)}")


def _whole(value, name: str, low: int, *, high: int | None = None, optional: bool = False) -> None:
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"in {low}..{high}"
        raise TsganError(f"{name} must be a whole number {bound}{' (or None: the default)' if optional else ''}, got {value!r}")
