"""The training command's options, derived from the configurations' fields and the registered techniques'
options (their help texts and defaults live there, once): a new option or technique appears in
``tsgan train --help`` with no edit here. Every option defaults to "not given", so the defaults stay the
configurations' own.

The registry imports torch, which ``tsgan --help`` must not wait for: the parser is built from
:data:`tsgan.cli_table.TABLE`, the table :func:`live_table` derives, stored - unless the registry is loaded
already (a Python process that imported tsgan's models), where the table is derived live, so a technique
registered at run time shows too. ``tests/test_cli_table.py`` keeps the stored table equal to the live one;
after changing an option, ``python -m tsgan.cli_options`` writes it anew."""
from __future__ import annotations

import argparse
import dataclasses
import pprint
import sys
from pathlib import Path

from .errors import TsganError

MODEL_OPTIONS = ("generator", "discriminator", "noise_dim", "hidden", "layers", "static_noise", "burn_in", "noise_state")
REGISTRY = "tsgan.objective.technique"  # the module holding TECHNIQUES: where it is loaded, the table is derived live
_TYPES = {"bool": bool, "int": int, "float": float, "str": str}


def _kind(f: dataclasses.Field) -> str:
    """The option's value type from its annotation (a string under postponed evaluation): the first of bool,
    int, float, str it names."""
    text = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    return next((kind for kind in _TYPES if kind in text.replace("None", "")), "str")


def _flags(name: str, aliases=()) -> list[str]:
    return [f"--{name.replace('_', '-')}"] + [f"--{a}" for a in aliases if a != name.replace("_", "-")]


def _argument(f: dataclasses.Field, *, dest: str, flags: list[str] | None = None, choices=None) -> dict:
    """One option of the table: its flags and ``add_argument``'s keywords, the type by name."""
    meta, kind = f.metadata, _kind(f)
    kwargs = {"dest": dest, "default": None, "help": meta.get("help", "")}
    if kind == "bool" and f.default is None:  # on or off by itself: --name turns it on, --no-name off
        kwargs.update(action="boolean")
    elif kind == "bool":
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
    return {"flags": flags or _flags(f.name, meta.get("aliases", ())), **kwargs}


def live_table() -> dict:
    """The options as the registry gives them: ``groups`` (title, description, arguments) for ``tsgan train``,
    and the ``choices`` of the data options (table layouts, missing-value handlings)."""
    from .data import FORMATS, NAN_OPTIONS
    from .nn.config import ModelConfig
    from .nn.families import DISCRIMINATORS, GENERATORS
    from .objective.losses import LOSSES
    from .objective.technique import TECHNIQUES, options_of
    from .training.config import TrainConfig

    fields = {f.name: f for f in dataclasses.fields(ModelConfig)}
    model = [_argument(fields[name], dest=name, choices={"generator": GENERATORS, "discriminator": DISCRIMINATORS}.get(name))
             for name in MODEL_OPTIONS]
    model.append({"flags": ["--loss"], "dest": "loss", "default": None, "choices": list(LOSSES),
                  "help": "gan: classic with non-saturating generator loss; wgan: Wasserstein with weight clipping; "
                          "wgan-gp: Wasserstein with gradient penalty (default gan)"})
    loop = [_argument(f, dest=f.name) for f in dataclasses.fields(TrainConfig) if f.metadata.get("cli", True)]
    loop.append({"flags": ["--no-progress"], "action": "store_true", "help": "hide the progress bar"})
    groups = [{"title": "model", "description": None, "arguments": model},
              {"title": "training loop", "description": None, "arguments": loop}]
    for cls in sorted((c for c in TECHNIQUES.values() if not c.game), key=lambda c: (c.order, c.name)):
        groups.append({"title": f"technique: {cls.name}", "description": cls.summary or None,
                       "arguments": [_argument(f, dest=f"technique:{f.name}") for f in options_of(cls)]})
    variants = {name: cls for name, cls in TECHNIQUES.items() if cls.game}
    arguments = [{"flags": ["--variant"], "dest": "variant", "default": None, "choices": list(variants),
                  "help": "the game (default gan: the plain GAN)"}]
    seen = set()
    for cls in variants.values():
        for f in options_of(cls):
            flag = (f.metadata.get("aliases") or (f.name,))[0]
            if flag not in seen:
                seen.add(flag)
                arguments.append(_argument(f, dest=f"variant:{f.name}", flags=[f"--{flag}"]))
    groups.append({"title": "variants", "description": "; ".join(f"{name}: {cls.summary}" for name, cls in variants.items()),
                   "arguments": arguments})
    return {"groups": groups, "choices": {"format": list(FORMATS), "nan": list(NAN_OPTIONS)}}


def table() -> dict:
    """The live table where the registry is loaded, else the stored one (no torch import)."""
    if REGISTRY in sys.modules:
        return live_table()
    from .cli_table import TABLE

    return TABLE


def add_training_options(parser: argparse.ArgumentParser) -> None:
    """The model's, the loop's, every technique's and every variant's options on ``parser``."""
    for group in table()["groups"]:
        options = parser.add_argument_group(group["title"], group["description"])
        for argument in group["arguments"]:
            kwargs = {k: v for k, v in argument.items() if k != "flags"}
            if "type" in kwargs:
                kwargs["type"] = _TYPES[kwargs["type"]]
            if kwargs.get("action") == "boolean":
                kwargs["action"] = argparse.BooleanOptionalAction
            options.add_argument(*argument["flags"], **kwargs)


def data_choices(option: str) -> list[str]:
    """The values a data option takes (``format``: table layouts, ``nan``: missing-value handlings)."""
    return table()["choices"][option]


def training_options(args: argparse.Namespace) -> dict:
    """What was given on the command line: ``model`` (GAN's constructor), ``train`` (TrainConfig), ``techniques``
    (flat technique options), ``variant`` (a variant spec, None for the plain GAN) and ``variant_given``."""
    from .objective.technique import TECHNIQUES, options_of
    from .training.config import TrainConfig

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


def attribute_values(given: list[str] | None) -> dict | None:
    """``--attribute NAME=VALUE`` (repeated) as ``{NAME: VALUE}``; the model reads each value as its attribute's kind."""
    if not given:
        return None
    values = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise TsganError(f"--attribute takes NAME=VALUE (e.g. --attribute machine=A), got '{item}'")
        if name in values:
            raise TsganError(f"--attribute {name} is given twice")
        values[name] = value
    return values


def write_table(path: Path = Path(__file__).with_name("cli_table.py")) -> None:
    """Store :func:`live_table` as :data:`tsgan.cli_table.TABLE`, for the command line to build its parser from."""
    from .files import write_text

    text = ('"""The options of `tsgan train` and the data options\' choices as tsgan.cli_options derives them from the registry,\n'
            'stored so that the command line\'s parser needs no torch. Written by `python -m tsgan.cli_options`; do not edit\n'
            '(tests/test_cli_table.py checks it against the registry)."""\n'
            f"TABLE = {pprint.pformat(live_table(), width=120, sort_dicts=False)}\n")
    write_text(path, text, overwrite=True)


if __name__ == "__main__":
    write_table()
    print(f"wrote {Path(__file__).with_name('cli_table.py')}")

