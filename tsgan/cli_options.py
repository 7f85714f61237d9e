"""The training command's options, derived from the configurations' fields and the registered techniques'
options (their help texts and defaults live there, once): a new option or technique appears in
``tsgan train --help`` with no edit here. Every option defaults to "not given", so the defaults stay the
configurations' own."""
from __future__ import annotations

import argparse
import dataclasses

from .errors import TsganError
from .nn.config import ModelConfig
from .nn.families import DISCRIMINATORS, GENERATORS
from .objective.losses import LOSSES
from .objective.technique import TECHNIQUES, options_of
from .training.config import TrainConfig

MODEL_OPTIONS = ("generator", "discriminator", "noise_dim", "hidden", "layers", "static_noise")
_TYPES = {"bool": bool, "int": int, "float": float, "str": str}


def _kind(f: dataclasses.Field) -> type:
    """The option's value type from its annotation (a string under postponed evaluation): the first of bool,
    int, float, str it names."""
    text = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    return next((kind for name, kind in _TYPES.items() if name in text.replace("None", "")), str)


def _flags(name: str, aliases=()) -> list[str]:
    return [f"--{name.replace('_', '-')}"] + [f"--{a}" for a in aliases if a != name.replace("_", "-")]


def _add(group, f: dataclasses.Field, *, dest: str, flags: list[str] | None = None, choices=None) -> None:
    meta, kind = f.metadata, _kind(f)
    kwargs = {"dest": dest, "default": None, "help": meta.get("help", "")}
    if kind is bool:
        kwargs.update(action="store_const", const=True)
    elif meta.get("append"):  # repeatable: every value given, in order
        kwargs.update(action="append", metavar=meta.get("metavar"))
    else:
        kwargs.update(type=kind, metavar=meta.get("metavar"))
        if meta.get("const") is not None:
            kwargs.update(nargs="?", const=meta["const"])
        if choices or meta.get("choices"):
            kwargs.update(choices=list(choices or meta["choices"]))
            kwargs.pop("metavar")
    group.add_argument(*(flags or _flags(f.name, meta.get("aliases", ()))), **kwargs)


def add_training_options(parser: argparse.ArgumentParser) -> None:
    """The model's, the loop's, every technique's and every variant's options on ``parser``."""
    model = parser.add_argument_group("model")
    fields = {f.name: f for f in dataclasses.fields(ModelConfig)}
    for name in MODEL_OPTIONS:
        _add(model, fields[name], dest=name, choices={"generator": GENERATORS, "discriminator": DISCRIMINATORS}.get(name))
    model.add_argument("--loss", dest="loss", default=None, choices=list(LOSSES),
                       help="gan: classic with non-saturating generator loss; wgan: Wasserstein with weight clipping; "
                            "wgan-gp: Wasserstein with gradient penalty (default gan)")
    loop = parser.add_argument_group("training loop")
    for f in dataclasses.fields(TrainConfig):
        if f.metadata.get("cli", True):
            _add(loop, f, dest=f.name)
    loop.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    for cls in sorted((c for c in TECHNIQUES.values() if not c.game), key=lambda c: (c.order, c.name)):
        group = parser.add_argument_group(f"technique: {cls.name}", cls.summary or None)
        for f in options_of(cls):
            _add(group, f, dest=f"technique:{f.name}")
    variants = {name: cls for name, cls in TECHNIQUES.items() if cls.game}
    group = parser.add_argument_group("variants", "; ".join(f"{name}: {cls.summary}" for name, cls in variants.items()))
    group.add_argument("--variant", default=None, choices=list(variants), help="the game (default gan: the plain GAN)")
    seen = set()
    for cls in variants.values():
        for f in options_of(cls):
            flag = (f.metadata.get("aliases") or (f.name,))[0]
            if flag not in seen:
                seen.add(flag)
                _add(group, f, dest=f"variant:{f.name}", flags=[f"--{flag}"])


def training_options(args: argparse.Namespace) -> dict:
    """What was given on the command line: ``model`` (GAN's constructor), ``train`` (TrainConfig), ``techniques``
    (flat technique options), ``variant`` (a variant spec, None for the plain GAN) and ``variant_given``."""
    given = {k: v for k, v in vars(args).items() if v is not None}
    model = {k: given[k] for k in (*MODEL_OPTIONS, "loss") if k in given}
    train = {f.name: given[f.name] for f in dataclasses.fields(TrainConfig) if f.name in given}
    if getattr(args, "no_progress", False):
        train["progress"] = False
    techniques = {k.split(":", 1)[1]: v for k, v in given.items() if k.startswith("technique:")}
    options = {k.split(":", 1)[1]: v for k, v in given.items() if k.startswith("variant:")}
    name = given.get("variant") or "gan"
    cls = TECHNIQUES[name]
    known = {f.name for f in options_of(cls)}
    for option in options:
        if option not in known:
            takers = [n for n, c in TECHNIQUES.items() if c.game and option in {f.name for f in options_of(c)}]
            flag = next(f.metadata.get("aliases", (f.name,))[0] for n in takers for f in options_of(TECHNIQUES[n]) if f.name == option)
            raise TsganError(f"--{flag} goes with --variant {' or '.join(takers)}, not {name}")
    variant = None if name == "gan" else {"name": name, **options}
    return {"model": model, "train": train, "techniques": techniques, "variant": variant, "variant_given": "variant" in given}
