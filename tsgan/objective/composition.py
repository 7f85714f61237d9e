"""Which techniques a run has: the loss's and the always-on defaults, explicit technique objects and flat
keyword options (``feature_matching=1.0``), merged into one ordered, validated tuple."""
from __future__ import annotations

import dataclasses

from ..errors import TsganError
from . import techniques as _registered  # noqa: F401  (imports every technique file, so each registers itself)
from .technique import TECHNIQUES, Setting, Technique, flat_name, make_technique, options_of
from .variant import Variant


def flat_options() -> dict[str, tuple[type[Technique], dataclasses.Field]]:
    """Every registered technique's options by flat name (``feature_matching`` -> FeatureMatching's field)."""
    table = {}
    for cls in TECHNIQUES.values():
        if cls.game:  # a variant's options travel in its own spec (variant={"name": ..., ...})
            continue
        for f in options_of(cls):
            table[flat_name(f)] = (cls, f)
    return table


def split_options(options: dict) -> tuple[dict, dict]:
    """``options`` as (technique options by flat name, the rest)."""
    table = flat_options()
    return {k: v for k, v in options.items() if k in table}, {k: v for k, v in options.items() if k not in table}


def compose(loss, flat: dict | None = None, techniques=(), variant=None, model=None) -> tuple[Technique, ...]:
    """The run's techniques in order: the loss's defaults (``loss.techniques``) and those on by default,
    then explicit ``techniques`` (names, dicts or objects), then ``flat`` options, which turn a technique
    on (any of its options given), set its options, or turn it off (its switch option at its ``off``
    value); and the game ``variant`` (None: the plain GAN). Validated against each other and ``loss``."""
    chosen: dict[str, Technique] = {}
    for name in tuple(loss.techniques) + tuple(n for n, cls in TECHNIQUES.items() if cls.default_on):
        chosen.setdefault(name, make_technique(name))
    for spec in techniques or ():
        t = make_technique(spec)
        if t.game:
            raise TsganError(f"'{t.name}' is a variant: pass it as variant=, not among the techniques")
        chosen[t.name] = t
    table = flat_options()
    by_class: dict[str, dict] = {}
    for key, value in (flat or {}).items():
        if key not in table:
            raise TsganError(f"unknown technique option '{key}'")
        cls, f = table[key]
        by_class.setdefault(cls.name, {})[f.name] = value
    for name, given in by_class.items():
        technique = with_options(name, given, chosen.get(name))
        if technique is None:
            chosen.pop(name, None)
        else:
            chosen[name] = technique
    game = make_game(variant)
    result = tuple(sorted([*chosen.values(), game], key=lambda t: (t.order, t.name)))
    validate(result, loss, model)
    return result


def with_options(name: str, given: dict, current: Technique | None = None) -> Technique | None:
    """The technique ``name`` with the ``given`` options (by field name) over ``current``'s (its defaults where
    None), or None where its switch options turn it off; options given beside a switch that is off are an error."""
    cls = TECHNIQUES[name]
    merged = {**(current.config() if current is not None else _defaults(cls)), **given}
    switches = [f for f in options_of(cls) if f.metadata.get("off") is not None]
    if switches and all(_is_off(merged[f.name], f.metadata["off"]) for f in switches):
        others = sorted(flat_name(_field(cls, k)) for k in given if k not in {f.name for f in switches})
        if others:
            raise TsganError(f"{', '.join(others)} given while {name} is off "
                             f"({', '.join(f'{flat_name(f)}={merged[f.name]!r}' for f in switches)}); drop it or turn {name} on")
        return None
    return make_technique({**merged, "name": name})


def _defaults(cls) -> dict:
    """A technique's options before the given ones: its defaults."""
    return {f.name: f.default for f in options_of(cls)}


def _field(cls, name: str) -> dataclasses.Field:
    return next(f for f in options_of(cls) if f.name == name)


def _is_off(value, off) -> bool:
    return value is None or value == off


def make_game(spec) -> Technique:
    """The run's game: the plain GAN for None, else a variant by name, config dict or object."""
    if spec is None:
        return Variant()
    name = spec.name if isinstance(spec, Technique) else spec.get("name") if isinstance(spec, dict) else spec
    if name in TECHNIQUES and not TECHNIQUES[name].game:
        raise TsganError(f"'{name}' is a training technique, not a variant; pass it as an option (or techniques=)")
    if name not in TECHNIQUES:
        variants = ", ".join(n for n, c in TECHNIQUES.items() if c.game)
        raise TsganError(f"unknown variant {name!r}; choose from {variants} (or a tsgan.InfoGAN / BiGAN / AAE object)")
    return make_technique(spec)


def validate(techniques: tuple, loss, model=None) -> None:
    setting = Setting(loss=loss, techniques=tuple(techniques), model=model)
    games = [t for t in techniques if t.game]
    if len(games) != 1:
        raise TsganError(f"a run has one variant, got {', '.join(t.name for t in games) or 'none'}")
    replacing = [t.name for t in techniques if t.replaces_adversarial]
    if len(replacing) > 1:
        raise TsganError(f"{' and '.join(replacing)} each replace the generator's adversarial loss; keep one")
    for t in techniques:
        t.validate(setting)


def game_of(techniques) -> Technique:
    return next(t for t in techniques if t.game)


def configs(techniques) -> list[dict]:
    """The techniques as plain data, for the model file (restored with :func:`restore`)."""
    return [t.config() for t in techniques]


def restore(saved: list[dict], loss, model=None) -> tuple[Technique, ...]:
    """The techniques of a model file, fresh (no modules or state yet)."""
    result = tuple(sorted((make_technique(spec) for spec in saved), key=lambda t: (t.order, t.name)))
    if not any(t.game for t in result):
        result = tuple(sorted(result + (Variant(),), key=lambda t: (t.order, t.name)))
    validate(result, loss, model)
    return result
