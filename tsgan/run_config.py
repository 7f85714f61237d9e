"""Run configs on the command line: a TOML or YAML file of ``tsgan train``'s options, read and checked, and the
options a command was not given filled in from it (``tsgan train --config FILE``; ``tsgan evaluate RUN`` and
``tsgan train --resume`` read RUN/config.toml, which :mod:`tsgan.run_record` writes).

A config's tables are the option groups of ``tsgan train --help``, its keys the options' keyword names (as
``GAN(...)`` and ``fit(...)`` take them) or their flags' names with ``_`` for ``-``::

    [data]                          # --data and the reader options
    data = "waves.csv"
    format = "long"
    [model]                         # --generator ... --loss
    generator = "lstm"
    loss = "wgan-gp"
    [training]                      # the training loop's options, the seed among them
    steps = 2000
    seed = 0
    [techniques.feature-matching]   # one table per technique, as in --help
    feature_matching = 1.0
    [variant]                       # --variant and its options
    name = "infogan"
    categorical = 3

The schema is read off the command's parser (whose options are derived from TrainConfig, ModelConfig and the
registered techniques, :mod:`tsgan.cli_options`), so nothing is listed twice. Values are checked as the
command line checks them (type, choices; a string is parsed as the flag's text would be), then the settings'
own ranges; a ``[provenance]`` table is ignored. Paths are taken as on the command line (relative to the
working folder)."""
from __future__ import annotations

import argparse
import difflib
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import TsganError

CONFIG_NAME = "config.toml"  # in every run folder
PROVENANCE = "provenance"  # written for the reader, ignored when read
PYTHON_DATA = "python arrays"  # the data spec of a run that GAN.fit trained on arrays in Python
_GROUP_TABLES = {"data": "data", "model": "model", "training loop": "training", "variants": "variant"}
_TECHNIQUE_GROUP = "technique: "
_SUFFIXES = {".toml": "TOML", ".yaml": "YAML", ".yml": "YAML"}


@dataclass(frozen=True)
class Invocation:
    """How a command was called: its parser, its arguments and the options they gave (by destination)."""

    parser: argparse.ArgumentParser
    argv: tuple[str, ...]
    given: frozenset[str]


def parse_command_line(build_parser, argv: list[str] | None = None) -> argparse.Namespace:
    """``build_parser().parse_args(argv)``, with ``args.invocation`` saying which options the command line gave
    (read from a second parse in which no option has a default), so that a config fills in only the others."""
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    parser = build_parser()
    args = parser.parse_args(argv)
    bare = build_parser()
    _suppress_defaults(bare)
    args.invocation = Invocation(parser, tuple(argv), frozenset(vars(bare.parse_args(argv))))
    return args


def _suppress_defaults(parser: argparse.ArgumentParser) -> None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _suppress_defaults(sub)
        else:
            action.default = argparse.SUPPRESS


def subcommand(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]


def schema(parser: argparse.ArgumentParser) -> dict[str, dict[str, argparse.Action]]:
    """A command's config tables, ``{table: {key: action}}``, from its option groups (``technique: NAME`` is
    the table ``techniques.NAME``). An option's key is its keyword name (``GAN(...)``'s, ``fit(...)``'s; ``--variant``
    is ``name`` in ``[variant]``), and each of its flags with ``_`` for ``-`` is one too (``--info-categorical``:
    ``categorical`` or ``info_categorical``)."""
    tables: dict[str, dict[str, argparse.Action]] = {}
    for group in parser._action_groups:
        title = group.title or ""
        table = f"techniques.{title[len(_TECHNIQUE_GROUP):]}" if title.startswith(_TECHNIQUE_GROUP) else _GROUP_TABLES.get(title)
        if table is not None:
            keys = tables.setdefault(table, {})
            for action in group._group_actions:
                for key in (key_of(action), *(flag.lstrip("-").replace("-", "_") for flag in action.option_strings)):
                    keys.setdefault(key, action)
    return tables


def key_of(action: argparse.Action) -> str:
    """The key an option is written under: its keyword name."""
    return "name" if action.dest == "variant" else action.dest.split(":", 1)[-1]


def _keys(table: dict) -> list[str]:
    return [key for key, action in table.items() if key == key_of(action)]


# -- reading and checking -----------------------------------------------------------------------------

def read_config(path: str | Path) -> dict:
    """A config file's tables: TOML (``.toml``, by tomllib) or YAML (``.yaml`` / ``.yml``, by PyYAML)."""
    path = Path(path)
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise TsganError(f"cannot tell the format of config '{path}' from its suffix; use .toml, .yaml or .yml")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TsganError(f"no config file '{path}'") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TsganError(f"cannot read config '{path}': {exc}") from None
    if kind == "TOML":
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise TsganError(f"'{path}' is not valid TOML: {exc}") from None
    try:
        import yaml
    except ImportError:
        raise TsganError(f"reading the YAML config '{path}' needs PyYAML: pip install 'tsgan[yaml]' (or write it as TOML)") from None
    try:
        tables = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TsganError(f"'{path}' is not valid YAML: {' '.join(str(exc).split())}") from None
    if tables is not None and not isinstance(tables, dict):
        raise TsganError(f"'{path}' must hold tables of options ([data], [model], [training], ...), not a {type(tables).__name__}")
    return tables or {}


def check(tables: dict, parser: argparse.ArgumentParser, path: str | Path) -> dict:
    """The options a config's ``tables`` give, by destination in ``parser``'s namespace, checked: an unknown
    table or key, or a bad value, is a TsganError naming the file, the table and the key."""
    known, values = schema(parser), {}
    by_table: dict[str, dict] = {}
    for table, entries in _tables(tables, known, path):
        for key, value in entries.items():
            if key not in known[table]:
                raise TsganError(f"'{path}': {_unknown(key, table, known)}")
            if value is None:  # YAML's null: not given
                continue
            action = known[table][key]
            if action.dest in values:
                raise TsganError(f"'{path}': [{table}] gives {key_of(action)} twice (as '{key}' too); keep one")
            values[action.dest] = by_table.setdefault(table, {})[key_of(action)] = _value(action, value, f"'{path}': [{table}] {key}")
    _check_settings(by_table, path)
    return values


def _tables(tables: dict, known: dict, path) -> list[tuple[str, dict]]:
    found = []
    for name, entries in tables.items():
        if name == PROVENANCE:
            continue
        if not isinstance(entries, dict):
            home = [table for table, keys in known.items() if name in keys]
            hint = f" (it belongs in [{home[0]}])" if home else ""
            raise TsganError(f"'{path}': '{name}' must be a table of options{hint}; the tables are {_table_names(known)}")
        if name == "techniques":
            for technique, options in entries.items():
                if f"techniques.{technique}" not in known:
                    raise TsganError(f"'{path}': unknown technique [techniques.{technique}]; the techniques are "
                                     f"{', '.join(t.split('.', 1)[1] for t in known if t.startswith('techniques.'))}")
                if not isinstance(options, dict):
                    raise TsganError(f"'{path}': [techniques.{technique}] must be a table of its options")
                found.append((f"techniques.{technique}", options))
        elif name in known:
            found.append((name, entries))
        else:
            raise TsganError(f"'{path}': unknown table [{name}]{_close(name, known)}; the tables are {_table_names(known)}")
    return found


def _table_names(known: dict) -> str:
    return ", ".join(dict.fromkeys(f"[{t.split('.')[0]}{'.NAME' if '.' in t else ''}]" for t in known)) + f" (and [{PROVENANCE}], ignored)"


def _close(word: str, choices) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""


def _unknown(key: str, table: str, known: dict) -> str:
    home = [t for t, keys in known.items() if key in keys and t != table]
    if home:
        return f"'{key}' is not a [{table}] option; it belongs in [{home[0]}]"
    return f"unknown key '{key}' in [{table}]{_close(key, known[table])}; [{table}] takes {', '.join(_keys(known[table]))}"


def _value(action: argparse.Action, value, where: str):
    """``value`` as the option's flag would give it: its type and choices; a string is parsed as the flag's text."""
    if action.nargs == 0:  # a switch (store_true, store_const)
        if not isinstance(value, bool):
            raise TsganError(f"{where} is a switch: true or false, got {value!r}")
        return value  # false as GAN(option=False) takes it, which the command line cannot say
    if isinstance(action, argparse._AppendAction) or action.nargs in ("+", "*") or isinstance(action.nargs, int):
        items = value if isinstance(value, list) else [value]
        return [_one(action, item, where) for item in items]
    if value is True and action.nargs == "?" and action.const is not None:  # a flag given without its value
        return action.const
    return _one(action, value, where)


def _one(action: argparse.Action, value, where: str):
    kind = action.type or str
    if isinstance(value, str) and kind is not str:
        try:
            value = kind(value)
        except (ValueError, TypeError, argparse.ArgumentTypeError):
            raise TsganError(f"{where} must be {_kind_name(kind)}, got {value!r}") from None
    elif kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, kind if isinstance(kind, type) else object):
        raise TsganError(f"{where} must be {_kind_name(kind)}, got {value!r}")
    if action.choices is not None and value not in action.choices:
        raise TsganError(f"{where} must be one of {', '.join(map(str, action.choices))}, got {value!r}")
    return value


def _kind_name(kind) -> str:
    return {int: "a whole number", float: "a number", str: "a string"}.get(kind, getattr(kind, "__name__", "a value"))


def _check_settings(by_table: dict, path) -> None:
    """The settings' own checks (ranges, a technique's options together) on each table alone, so that a bad
    value names the file; how tables combine is checked where the run is set up."""
    from .nn.config import ModelConfig
    from .objective.composition import make_game, with_options
    from .training.config import TrainConfig

    checks = {"training": lambda options: TrainConfig(**_only(options, TrainConfig)),
              "model": lambda options: ModelConfig(**_only(options, ModelConfig)),
              "variant": lambda options: "name" in options and make_game(options)}
    for table, options in by_table.items():
        check_table = (lambda given, name=table.split(".", 1)[1]: with_options(name, given)) if table.startswith("techniques.") \
            else checks.get(table)
        if check_table is None:
            continue
        try:
            check_table(options)
        except TsganError as exc:
            raise TsganError(f"'{path}': [{table}] {exc}") from None


def _only(options: dict, config) -> dict:
    names = set(config.__dataclass_fields__)
    return {k: v for k, v in options.items() if k in names}


# -- filling in a command's options -----------------------------------------------------------------------

def _fill(args: argparse.Namespace, values: dict, dests=None) -> None:
    """Set the options the command line did not give (of ``dests``, default all) from a config's ``values``."""
    given = args.invocation.given
    for dest, value in values.items():
        if dest not in given and (dests is None or dest in dests):
            setattr(args, dest, value)


def _run_values(args: argparse.Namespace, path: Path) -> dict:
    return check(read_config(path), subcommand(args.invocation.parser, "train"), path)


def _python_data(path: Path) -> TsganError:
    return TsganError(f"'{path}' is the config of a run trained on arrays in Python (GAN.fit); pass --data with "
                      "the same data as a .csv/.parquet file or a data set name")


def configure_training(args: argparse.Namespace) -> Path | None:
    """``tsgan train``: fill in what the command line left out from ``--config FILE`` or, resuming, from the run's
    own config.toml (so a resumed run needs no flags retyped); returns the config read, if any."""
    path = Path(args.config) if args.config else Path(args.out) / CONFIG_NAME if args.resume else None
    if path is None or (not args.config and not path.is_file()):
        return None
    _fill(args, _run_values(args, path))
    if args.data == PYTHON_DATA:
        raise _python_data(path)
    return path


def run_folder(model: str | Path) -> Path:
    """The run folder of a ``model`` argument: the folder itself, or the folder a model file is in."""
    model = Path(model)
    return model if model.is_dir() else model.parent


def configure_evaluation(args: argparse.Namespace) -> None:
    """``tsgan evaluate RUN``: the data and reader options the command line left out from RUN/config.toml, and
    ``--out`` RUN/evaluation by default; a run without a config needs ``--data``."""
    run = run_folder(args.model)
    path = run / CONFIG_NAME
    if path.is_file():
        data_options = {action.dest for action in schema(subcommand(args.invocation.parser, "evaluate")).get("data", {}).values()}
        train_data = {action.dest for action in schema(subcommand(args.invocation.parser, "train"))["data"].values()}
        _fill(args, _run_values(args, path), data_options & train_data)
    if args.data is None:
        raise TsganError(f"'{run}' holds no {CONFIG_NAME} saying what data the model learnt from (a run from before tsgan "
                         "wrote one, or a model file on its own); pass --data and the data options it was trained with")
    if args.data == PYTHON_DATA:
        raise _python_data(path)
    if args.out is None:
        args.out = str(run / "evaluation")


def default_samples(args: argparse.Namespace) -> None:
    """``tsgan sample RUN``: ``--out`` RUN/samples.csv by default."""
    if args.out is None:
        args.out = str(run_folder(args.model) / "samples.csv")
