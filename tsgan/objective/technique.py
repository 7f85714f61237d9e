"""The plug-in contract every training technique and variant follows, and the registry that finds them by name.

A :class:`Technique` is a keyword-only dataclass whose fields are its options (each with its help
text, :func:`option`); the command line and ``GAN(...)`` / ``fit(...)`` keyword arguments are derived
from them. It may, at each stage of a run (every hook is optional):

* ``validate(setting)`` against the loss, the model and the other techniques (:class:`Setting`), and
  ``adapt_loss(loss)`` the loss (label smoothing's real targets);
* ``adapt(cfg, g_cfg, d_cfg)`` the networks' configurations before they are built, and
  ``wrap(cfg, G, D)`` the built networks (adding its own modules to ``self.modules``);
* ``wrap_optimizer(trainer, side, optimizer)`` the ``"generator"``'s or ``"discriminator"``'s optimizer when the loop
  makes it (returns it, or one that wraps it: DP-SGD's clipped, noisy steps);
* ``start(trainer)`` when the training loop is made (state such as running means), ``prepare(trainer, X, y)``
  the training data when ``fit`` starts;
* ``critic_batch(trainer, n)``: the indices of the real rows (of ``n``) one critic update sees, in place of
  the loop's batch of ``batch_size`` rows drawn uniformly (differential privacy's Poisson sampling; the first
  technique that gives indices decides; the generated half of the batch gets as many rows; one process);
* ``critic_term(step)`` / ``generator_term(step)``: a term of either player's loss for one update
  (a tensor, or a :class:`Term` to record it apart), from a :class:`Step` context;
* ``after_critic_step(step)`` / ``after_generator_step(step)``: act after an optimizer step;
* ``state_dict()`` / ``load_state_dict(state)``: its training state, saved in checkpoints and resumed;
* ``sampler(G)``: the generator samples come from in place of ``G``, the one the techniques before it give
  (the weight average; the best one validation judged) - :func:`sampling_generator`;
* ``fitted()`` / ``load_fitted(fitted)``: what it found while training, as the GAN's fitted attributes (plain
  data by attribute name, such as validation's ``best_step_``), saved in the model file.
* ``diagnose(trainer)``: a failure it sees in the run so far, as one line with what to try (validation: a score
  that never improved), or None; the failure watch (:mod:`tsgan.training.failure`) warns and fails the run with it.

A *game* technique (``game = True``: InfoGAN, BiGAN, the adversarial autoencoder) also says what the
discriminator sees as real and as fake and how the generator side scores (``noise``, ``real_input``,
``fake_input``, ``adversarial_loss``); a run has exactly one, the plain GAN (:class:`tsgan.objective.variant.Variant`)
by default.

The loop (:mod:`tsgan.training.loop`) calls these hooks in the techniques' ``order`` and names none of them.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

import torch
from torch import nn

from ..errors import TsganError


def option(default: Any, help: str, *, off: Any = None, const: Any = None, metavar: str | None = None,
           choices: tuple | None = None, aliases: tuple[str, ...] = ()):
    """A technique's option: its default when the technique is on, the help text, and for the command line
    and flat keyword arguments: ``off`` (a switch: the technique is off when all its switches are at ``off``),
    ``const`` (the value of a flag given without one), ``metavar``, ``choices`` and ``aliases`` (more
    command-line spellings; the keyword argument and the first flag are the field's name)."""
    return field(default=default, metadata={"help": help, "off": off, "const": const, "metavar": metavar,
                                            "choices": choices, "aliases": tuple(aliases)})


@dataclass
class Term:
    """A term of a player's loss. ``recorded=False`` keeps it out of the recorded loss (the gradient
    penalty is recorded apart); ``logs`` are more values to record, by name."""

    value: torch.Tensor
    recorded: bool = True
    logs: dict = field(default_factory=dict)


@dataclass
class Step:
    """What a technique sees of one player update: the networks, the loss, the batch and its noise, what
    the discriminator saw as real and fake, the random streams and the trainer (its step count, config)."""

    trainer: Any
    G: nn.Module
    D: nn.Module
    loss: Any
    real: torch.Tensor | None
    labels: torch.Tensor | None
    noise: torch.Tensor
    real_in: torch.Tensor | None
    fake_in: torch.Tensor

    def indices(self, n: int) -> torch.Tensor:
        """A global batch of indices into ``n`` rows, from the data stream (this process's slice of it)."""
        return self.trainer.indices(n)

    @property
    def noise_rng(self) -> torch.Generator:
        return self.trainer.noise_rng


@dataclass(frozen=True)
class Setting:
    """What a technique is validated against: the loss, the (data-sized) model configuration if known,
    and the other techniques of the run."""

    loss: Any
    techniques: tuple
    model: Any = None

    def has(self, name: str) -> bool:
        return any(t.name == name for t in self.techniques)

    @property
    def game(self) -> "Technique | None":
        return next((t for t in self.techniques if t.game), None)


@dataclass(kw_only=True, eq=False)
class Technique:
    """The base of every technique and variant (module docstring); the hooks do nothing."""

    name: ClassVar[str] = ""
    summary: ClassVar[str] = ""  # one line for the command line's help
    order: ClassVar[int] = 50  # terms are added, and hooks called, in increasing order
    game: ClassVar[bool] = False
    default_on: ClassVar[bool] = False  # part of every run unless turned off
    uses_real_input: ClassVar[bool] = False  # the generator step needs what the discriminator sees as real
    replaces_adversarial: ClassVar[bool] = False  # the generator's loss is this technique's terms alone
    # False: the run's steps are part of its plan (differential privacy's noise is chosen for them), so a resumed
    # run continues to the steps it started with, not beyond
    resumes_to_more_steps: ClassVar[bool] = True
    modules: nn.ModuleDict = field(default_factory=nn.ModuleDict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.check_options()

    def check_options(self) -> None:
        """Raise :class:`TsganError` for option values that cannot work (ranges, types)."""

    def config(self) -> dict:
        """The technique's name and options as plain data (saved with the model)."""
        return {"name": self.name, **{f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}}

    # -- stages of a run (all optional) ----------------------------------------------------------------
    def validate(self, setting: Setting) -> None: ...
    def adapt_loss(self, loss):
        return loss
    def adapt(self, cfg, g_cfg, d_cfg):
        return g_cfg, d_cfg
    def wrap(self, cfg, G: nn.Module, D: nn.Module) -> None: ...
    def wrap_optimizer(self, trainer, side: str, optimizer: torch.optim.Optimizer) -> torch.optim.Optimizer:
        return optimizer
    def start(self, trainer) -> None: ...
    def critic_batch(self, trainer, n: int) -> torch.Tensor | None:
        return None
    def prepare(self, trainer, X: torch.Tensor, y: torch.Tensor | None):
        return X, y
    def critic_term(self, step: Step) -> torch.Tensor | Term | None: ...
    def generator_term(self, step: Step) -> torch.Tensor | Term | None: ...
    def after_critic_step(self, step: Step) -> None: ...
    def after_generator_step(self, step: Step) -> None: ...
    def state_dict(self) -> dict | None:
        return None
    def load_state_dict(self, state: dict) -> None: ...
    def sampler(self, G: nn.Module) -> nn.Module | None:
        return None
    def fitted(self) -> dict:
        return {}
    def load_fitted(self, fitted: dict) -> None: ...
    def diagnose(self, trainer) -> str | None:
        return None

    def parameters_of(self, side: str) -> list[torch.Tensor]:
        """This technique's own modules' parameters that train with the ``"generator"`` or ``"discriminator"``."""
        return []

    # -- a game's hooks (PlainGame's are the plain GAN) ------------------------------------------------
    def noise(self, G: nn.Module, n: int, rng: torch.Generator | None = None) -> torch.Tensor:
        return G.sample_noise(n, rng)

    def real_input(self, real, noise, labels):
        return real

    def fake_input(self, G, real, noise, labels):
        return G(noise, labels)

    def adversarial_loss(self, loss, D, real_in, fake_in, labels) -> torch.Tensor:
        return loss.g_loss(D(fake_in, labels))

    scores_real: ClassVar[bool] = False  # the game's adversarial loss scores what D sees as real
    needs_real: ClassVar[bool] = False  # the game's generator step uses the real batch

    def with_codes(self, noise: torch.Tensor, codes) -> torch.Tensor:
        raise TsganError(f"chosen codes are InfoGAN's; this model is a {self.name} - train one with GAN(..., variant='infogan') "
                         "or tsgan train --variant infogan")


def sampling_generator(techniques, G: nn.Module, *, before: Technique | None = None) -> nn.Module:
    """The generator samples come from: ``G``, replaced by each technique's ``sampler`` in order (those
    before ``before`` only, when given)."""
    for t in techniques:
        if t is before:
            break
        replaced = t.sampler(G)
        G = G if replaced is None else replaced  # not `or`: a module may be falsy (an empty container)
    return G


TECHNIQUES: dict[str, type[Technique]] = {}


def register(cls: type[Technique]) -> type[Technique]:
    """Class decorator: make a technique findable by name (``GAN(techniques=[name])``, flat options, the CLI)."""
    if not cls.name:
        raise TsganError(f"technique class {cls.__name__} needs a name")
    if cls.name in TECHNIQUES and TECHNIQUES[cls.name] is not cls:
        raise TsganError(f"a technique named '{cls.name}' is registered already ({TECHNIQUES[cls.name].__name__})")
    TECHNIQUES[cls.name] = cls
    return cls


def flat_name(f: dataclasses.Field) -> str:
    return f.name


def options_of(cls: type[Technique]) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(cls) if f.init]


def make_technique(spec) -> Technique:
    """A fresh technique from a name, a config dict (:meth:`Technique.config`) or an object (options copied)."""
    if isinstance(spec, Technique):
        return type(spec)(**{k: v for k, v in spec.config().items() if k != "name"})
    if isinstance(spec, str):
        spec = {"name": spec}
    name = spec.get("name") if isinstance(spec, dict) else spec
    if not isinstance(spec, dict) or name not in TECHNIQUES:
        raise TsganError(f"unknown technique {name!r}; choose from {', '.join(sorted(TECHNIQUES))}")
    cls = TECHNIQUES[name]
    options = {k: v for k, v in spec.items() if k != "name"}
    known = {f.name for f in options_of(cls)}
    if set(options) - known:
        raise TsganError(f"unknown {cls.name} option(s) {sorted(set(options) - known)}; it takes {', '.join(sorted(known)) or 'none'}")
    return cls(**options)
