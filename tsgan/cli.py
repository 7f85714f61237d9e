"""The ``tsgan`` command line: make a data set, train, sample, evaluate. Errors in input print one line and exit 2;
a training run that failed (its diagnosis printed, its model and pictures written) exits 3.

Each command imports the heavy modules it uses (torch, pandas, the data layer) itself, so that ``--help``,
``--version`` and a mistyped option answer at once; the parser's options come from
:mod:`tsgan.cli_options`, which needs no torch either."""
from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from pathlib import Path

from .cli_options import MODEL_OPTIONS, add_training_options, attribute_values, data_choices, training_options
from .errors import TsganError, os_error
from .files import check_writable
from .notices import FAILED_RUN, RunFailed, one_line_warnings
from .outputs import check_not_protected, output_format
from .run_config import configure_evaluation, configure_training, default_samples, parse_command_line
from .run_lock import RunLock
WAVES_HELD_OUT_SEED = 1


def _data_waves(args) -> None:
    from .data import to_long, write_table
    from .data.waves import make_waves

    X, y = make_waves(args.n, args.length, seed=args.seed, classes=tuple(args.classes),
                      amplitude=tuple(args.amplitude), frequency=tuple(args.frequency), noise=args.noise)
    write_table(to_long(X, y), args.out, overwrite=args.force)
    print(f"wrote {args.n} sequences of {args.length} steps ({', '.join(args.classes)}) to {args.out}")


def _data_list(args) -> None:
    from .data import sktime_datasets

    print("sktime data sets (tsgan train --data sktime:NAME; the forecasting series need --window LENGTH):")
    for name, task, text in sktime_datasets():
        print(f"  {name:<20} {task:<15} {text}")
    print("also: --data waves (the default), --data sines (TimeGAN's), or a .csv/.parquet file (--format long or wide)")


def _columns(args) -> dict:
    return {"id_col": args.id_col, "time_col": args.time_col, "label_col": args.label_col,
            "channels": args.channels.split(",") if args.channels else None,
            "format": args.format, "nan": args.nan, "window": args.window, "stride": args.stride,
            **({"categorical": args.categorical} if args.categorical else {}),
            **({"attributes": [a.strip() for a in args.attributes.split(",")]} if getattr(args, "attributes", None) else {})}


def _load_training_data(args, columns: dict | None = None):
    from .data import load_dataset

    data = load_dataset(args.data, **(columns or _columns(args)))  # the embedded sets are fixed, whatever the training seed
    return data.unlabelled() if args.unconditional else data


def _train(args) -> None:
    from . import distributed

    configure_training(args)  # options left out come from --config FILE (resuming: from the run's config.toml)
    out = Path(args.out)
    # one run per folder (rank 0 alone writes, so it alone holds the lock): taking it probes that --out takes
    # files, before any data are loaded, and removes what killed runs left
    with RunLock(out) if distributed.is_main() else contextlib.nullcontext():
        _train_in(args, out)


def _train_in(args, out: Path) -> None:
    import pandas as pd

    from . import distributed
    from .gan import GAN
    from .evaluation.plots import plot_losses, plot_real_vs_generated, run_title
    from .training.tracking import LossCsv

    options = training_options(args)
    if out.exists() and (out / "checkpoint.pt").exists() and not args.resume:
        raise TsganError(f"'{out}' already holds a training run; pass --resume to continue it or choose another --out")
    if out.exists() and (out / "model.pt").exists() and not (out / "checkpoint.pt").exists() and not args.force:
        raise TsganError(f"'{out}' holds a model but no checkpoint to resume; choose another --out, or pass --force to replace it")
    data = _load_training_data(args)
    X, y, channels = data
    if args.resume and (out / "checkpoint.pt").exists():  # options left out continue as the run was trained
        options = _with_saved_settings(options, out / "checkpoint.pt")
    gan = GAN(**options["model"], variant=options["variant"], **options["techniques"])
    semi_supervised = bool(options["techniques"].get("semi_supervised"))
    if args.labels_per_class is not None and not semi_supervised:
        raise TsganError("--labels-per-class leaves most sequences unlabelled, for --semi-supervised: add it")
    data, unlabelled = _split_labels(data, args.labels_per_class) if args.labels_per_class is not None else (data, None)
    from .run_record import RunConfigWriter

    writer = RunConfigWriter(gan, out, data=_data_options(args), command_line=["tsgan", *args.invocation.argv])
    live = (LossCsv(out / "losses.csv", root=out),) if distributed.is_main() else ()  # losses.csv as training goes
    from .training.failure import TrainingFailed

    with warnings.catch_warnings():  # a failed run ends with an error below, not with fit's warning as well
        warnings.filterwarnings("ignore", "training failed", TrainingFailed)
        gan.fit(data, out_dir=out, resume=args.resume, unlabelled=unlabelled, callbacks=(writer, *live), **options["train"])
    if not distributed.is_main():  # data-parallel (torchrun): rank 0 writes the model and pictures
        distributed.finish()
        return
    gan.save(out / "model.pt")
    fake, fake_labels = gan.sample(min(len(X), 256), seed=gan.train_config_.seed, return_labels=True)
    plot_real_vs_generated(X, None if fake_labels is None else y, fake, fake_labels, out / "samples.png", channels=channels,
                           title=run_title(gan))
    plot_losses(gan.history_, out / "losses.png", resumes=gan.resumes_, title=f"training losses: {run_title(gan)}")
    print(f"trained {gan.generator}/{gan.discriminator} ({gan.loss}) for {gan.train_config_.steps} steps on {len(X)} sequences"
          f"{f' in {distributed.world_size()} processes' if distributed.active() else ''}; "
          f"wrote {out / 'model.pt'}, {out / 'losses.csv'}, {out / 'samples.png'}")
    if getattr(gan, "best_step_", None) is not None:
        print(f"sampling from the generator of step {gan.best_step_}, the best the validation judge scored; "
              f"wrote {out / 'validation.csv'}, {out / 'validation.png'}")
    if gan.privacy_:
        print(f"differential privacy: spent epsilon {gan.privacy_['epsilon']:.3g} (of {gan.privacy_['target_epsilon']:g}) at delta "
              f"{gan.privacy_['delta']:g} (noise multiplier {gan.privacy_['noise_multiplier']:.3g}, {gan.privacy_['critic_updates']} "
              "discriminator updates)")
    distributed.finish()
    if gan.diagnosis_ is not None:
        raise RunFailed(f"training failed: {gan.diagnosis_}; the model and pictures were written to {out} to look at")


def _data_options(args) -> dict:
    """The data spec and reader options this run read (``[data]`` of its config.toml); a file by its full path."""
    from .data.catalogue import reads_a_file
    from .run_config import schema, subcommand

    options = {a.dest: getattr(args, a.dest) for a in schema(subcommand(args.invocation.parser, "train"))["data"].values()}
    if reads_a_file(options["data"]):  # found again from any folder
        options["data"] = str(Path(options["data"]).resolve())
    return options


def _with_saved_settings(options: dict, path: Path) -> dict:
    """The command line's options with the model's, the variant's and the techniques' chosen options left out
    taken from the run's checkpoint (its training settings fill in when ``fit`` resumes)."""
    from .checkpoint import read_checkpoint
    from .persistence import upgrade

    state, _ = read_checkpoint(path)
    init = upgrade(state)["init"]
    model = {k: init[k] for k in (*MODEL_OPTIONS, "loss") if k in init}
    variant = options["variant"] if options["variant_given"] else init.get("variant")
    return {**options, "model": {**model, **options["model"]}, "variant": variant,
            "techniques": {**init.get("options", {}), **options["techniques"]}}


def _split_labels(data, per_class: int):
    """``--labels-per-class N`` (semi-supervised): the first N sequences of each class keep their labels,
    the others are returned apart, unlabelled."""
    import numpy as np
    import pandas as pd

    from .data import Dataset

    X, y, channels = data
    if y is None or per_class < 1:
        raise TsganError("--labels-per-class needs labelled data and N >= 1")
    y = np.asarray(y)
    keep = np.zeros(len(y), dtype=bool)
    for label in pd.unique(y):
        keep[np.flatnonzero(y == label)[:per_class]] = True
    attributes = getattr(data, "attributes", None)
    return Dataset(X[keep], y[keep], channels, getattr(data, "layout", None), None if attributes is None else attributes[keep]), X[~keep]


def _sample(args) -> None:
    from .data import write_table
    from .gan import load

    default_samples(args)
    output_format(args.out)  # before the model is read: a bad --out fails at once
    check_not_protected(args.out, [args.model])
    if Path(args.out).exists() and not args.force:
        raise TsganError(f"'{args.out}' already exists; pass --force to replace it")
    check_writable(Path(args.out).parent)
    gan = load(args.model, device=args.device)
    codes = {"category": args.category, "continuous": args.continuous}
    chosen = {name: value for name, value in codes.items() if value is not None}
    attributes = attribute_values(args.attribute)
    frame = gan.sample_frame(args.n, args.label, seed=args.seed, length=args.length, codes=chosen or None, attributes=attributes)
    write_table(frame, args.out, overwrite=args.force, protected=[args.model])
    described = "".join(f", {name} {value}" for name, value in {**chosen, **(attributes or {})}.items())
    print(f"wrote {args.n} samples{f' of {args.label}' if args.label else ''}{described} to {args.out}")


def _evaluate(args) -> None:
    from .data import categorical_vocabularies, load_dataset
    from .gan import load
    from .evaluation.report import evaluate
    from .evaluation.summary import baseline_verdict
    from .data.waves import make_waves

    configure_evaluation(args)  # the data and its options left out come from the run's config.toml
    out = Path(args.out)
    if not args.force and any((out / name).exists() for name in ("metrics.json", "summary.md")):
        raise TsganError(f"'{out}' already holds an evaluation report; pass --force to replace it, or choose another --out")
    check_writable(args.out)  # before the model, the data and every metric: an unwritable --out fails at once
    gan = load(args.model)
    columns = _columns(args)
    vocabularies = categorical_vocabularies(getattr(gan, "layout_", None))
    if vocabularies:  # the model's categories in its order, also where the data lack one of them (or --categorical is left out)
        columns["categorical"] = vocabularies
    X, y, _ = _load_training_data(args, columns)
    held_out = held_out_labels = None
    held_out_name = f"{args.held_out} (--held-out)"
    if args.held_out:
        held_out, held_out_labels, _ = load_dataset(args.held_out, **columns)
        held_out_labels = None if args.unconditional else held_out_labels
    elif args.data == "waves":  # the waves set is seed 0; another seed is real data no model trained on `waves` saw
        held_out, held_out_labels = make_waves(len(X), X.shape[1], seed=WAVES_HELD_OUT_SEED)
        held_out_name = f"fresh waves (seed {WAVES_HELD_OUT_SEED}), never seen in training"
    result = evaluate(gan, X, y, out_dir=out, held_out=held_out, held_out_labels=held_out_labels, n=args.n,
                      seed=args.seed, quick=args.quick, data_name=args.data, held_out_name=held_out_name,
                      log=None if args.quiet else lambda line: print(f"  {line}", file=sys.stderr, flush=True))
    print(f"wrote {out / 'summary.md'}, {out / 'metrics.json'} and the pictures to {out}")
    for key, name in (("discriminative_score", "discriminative score"), ("predictive_score", "predictive score"),
                      ("mmd", "MMD^2"), ("label_fidelity", "label fidelity"), ("nearest_neighbour_ratio", "memorisation ratio")):
        value = result[key]
        print(f"  {name}: {'skipped' if value is None else f'{value:.4g}'}")
    if result["tstr"] is not None:
        print(f"  TSTR: {result['tstr']:.3f} (TRTR {result['trtr']:.3f})")
    print(f"  {baseline_verdict(result['baseline'])}")


def _range(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None


def _add_column_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--id-col", default="series_id", help="series id column of a CSV/parquet file (default series_id)")
    parser.add_argument("--time-col", default="time", help="time column of a CSV/parquet file (default time)")
    parser.add_argument("--label-col", default="label", help="label column of a CSV/parquet file, if present (default label)")
    parser.add_argument("--channels", default=None, help="comma-separated channel columns (default: all other columns)")
    parser.add_argument("--format", default="long", choices=data_choices("format"),
                        help="table layout of a CSV/parquet file: long (a row per series and step, with a time column) or "
                             "wide (a row per step in time order, no time column needed; without the id column the file is "
                             "one series, to cut with --window) (default long)")
    parser.add_argument("--nan", default="raise", choices=data_choices("nan"),
                        help="missing values: raise (an error naming the series, time and channel), interpolate (linear within "
                             "each series) or mask (interpolate and add a 0/1 <channel>_observed channel that the GAN learns; "
                             "samples get NaN back where it says so) (default raise)")
    parser.add_argument("--window", type=int, default=None, metavar="LENGTH",
                        help="cut every series into windows of LENGTH steps (each keeps its series' label): needed for one long "
                             "series (sktime forecasting sets, a wide file without ids); generated windows are independent "
                             "samples, not a continuation of the series (an lstm model samples longer series with "
                             "tsgan sample --length). Without it, series of unequal length train as they "
                             "are (masked beyond each end) and samples get lengths like theirs")
    parser.add_argument("--stride", type=int, default=1, help="steps between window starts (default 1)")
    parser.add_argument("--categorical", action="append", default=None, metavar="COL",
                        help="a channel column of categories (a machine state, say; repeat for more): one-hot encoded, "
                             "generated through a softmax, sampled as the most probable category and written back with "
                             "its values; a missing or unknown category is an error; an attribute column named here is "
                             "categorical even if it holds numbers")
    parser.add_argument("--attributes", default=None, metavar="COL,COL",
                        help="comma-separated per-series attribute columns (constant within each series: a machine, a "
                             "temperature) the model conditions on besides the label; text/category/bool columns are "
                             "categorical, numeric ones continuous unless --categorical names them; `tsgan sample "
                             "--attribute NAME=VALUE` chooses them, the rest are drawn as the training data hold them")


def _version() -> str:
    import tsgan

    return tsgan.__version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tsgan", description="Generate realistic, labelled time series with GANs.")
    parser.add_argument("--version", action="version", version=f"tsgan {_version()}", help="print tsgan's version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{data,train,sample,evaluate}")

    data = sub.add_parser("data", help="make a data set, or list the ones --data loads")
    data_sub = data.add_subparsers(dest="dataset", required=True, metavar="{waves,list}")
    data_sub.add_parser("list", help="name the data sets --data can load (sktime's bundled sets and the embedded ones)"
                        ).set_defaults(func=_data_list)
    waves = data_sub.add_parser("waves", help="labelled sine / sawtooth waves, written in long format",
                                description="Each sequence draws amplitude, frequency (cycles per sequence) and phase "
                                            "uniformly from the given ranges; the class sets the wave shape.")
    waves.add_argument("--n", type=int, default=1000, help="number of sequences (default 1000)")
    waves.add_argument("--length", type=int, default=30, help="steps per sequence (default 30)")
    waves.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same set (default 0)")
    waves.add_argument("--classes", nargs="+", default=["sine", "sawtooth"], choices=["sine", "sawtooth", "square", "triangle"],
                       help="wave shapes, one class each (default sine sawtooth)")
    waves.add_argument("--amplitude", nargs=2, type=_range, default=[0.1, 0.9], metavar=("LOW", "HIGH"), help="amplitude range (default 0.1 0.9)")
    waves.add_argument("--frequency", nargs=2, type=_range, default=[1.0, 5.0], metavar=("LOW", "HIGH"),
                       help="frequency range in cycles per sequence (default 1 5)")
    waves.add_argument("--noise", type=float, default=0.0, help="standard deviation of added Gaussian noise (default 0)")
    waves.add_argument("--out", required=True, help="output file, .csv or .parquet")
    waves.add_argument("--force", action="store_true", help="replace --out if it exists")
    waves.set_defaults(func=_data_waves)

    train = sub.add_parser("train", help="train a GAN and write model.pt, losses.csv, samples.png",
                           description="Train a GAN. With no --data, trains the conditional RCGAN on the waves set (the main job). "
                                       "Writes DIR/model.pt, DIR/losses.csv, DIR/samples.png (real beside generated per label), "
                                       "DIR/losses.png, DIR/checkpoint.pt (for --resume) and DIR/config.toml (the run's config, for --config).")
    train.add_argument("--config", default=None, metavar="FILE",
                       help="a TOML or YAML file of these options, in tables named as the groups below ([data], [model], "
                            "[training], [techniques.NAME], [variant]; keys as the options' names, with _ for -); options "
                            "given here override it. Every run writes the config it used to OUT/config.toml")
    train_data = train.add_argument_group("data")
    train_data.add_argument("--data", default="waves", help="'waves' (default), 'sines' (TimeGAN's), a .csv/.parquet file (long format: "
                       "columns series_id, time, label, then channels; or --format wide), or sktime:NAME for a data set bundled "
                       "with sktime (e.g. sktime:basic_motions, sktime:basic_motions:train for one split, sktime:airline --window 24; `tsgan data list` "
                       "names them all)")
    add_training_options(train)
    train_data.add_argument("--labels-per-class", type=int, default=None, metavar="N",
                       help="with --semi-supervised: keep the labels of the first N sequences of each class, use the "
                            "others unlabelled (default: keep every label)")
    train.add_argument("--resume", action="store_true", help="continue the run in --out from its checkpoint (up to --steps)")
    train_data.add_argument("--unconditional", action="store_true", help="ignore labels and train an unconditional GAN")
    _add_column_options(train_data)
    train.add_argument("--out", required=True, help="output folder")
    train.add_argument("--force", action="store_true", help="replace a model in --out that has no checkpoint to resume")
    train.set_defaults(func=_train)

    sample = sub.add_parser("sample", help="sample sequences from a trained model to CSV/parquet, laid out as the training data (long format for arrays and sktime sets)")
    sample.add_argument("model", help="a run folder (holding model.pt) or a model file")
    sample.add_argument("--n", type=int, default=100, help="number of sequences (default 100)")
    sample.add_argument("--label", default=None, help="class name to generate (default: classes as often as in the training data)")
    sample.add_argument("--seed", type=int, default=0, help="random seed; the same seed gives the same samples (default 0)")
    sample.add_argument("--length", type=int, default=None, metavar="STEPS",
                        help="make every sample STEPS long: an lstm generator runs on past its training length; a model trained "
                             "on series of unequal length makes 1 to its longest length (default: lengths drawn like the "
                             "training data's, per label)")
    sample.add_argument("--category", type=int, default=None, metavar="K",
                        help="an InfoGAN model: generate with categorical code K (0 to categorical - 1; default drawn)")
    sample.add_argument("--continuous", type=float, nargs="+", default=None, metavar="C",
                        help="an InfoGAN model: generate with these continuous codes, one value per code, drawn from [-1, 1] "
                             "in training (default drawn)")
    sample.add_argument("--attribute", action="append", default=None, metavar="NAME=VALUE",
                        help="a model with series attributes: generate with this attribute value (repeat for more; a number "
                             "outside the training range extrapolates, with a note; an unknown category is an error); "
                             "attributes left out are drawn from their learnt joint distribution with the label and the given ones")
    sample.add_argument("--device", default=None, help="auto, cpu or cuda[:N] (default: where the model was trained, CPU if that is missing)")
    sample.add_argument("--out", default=None, help="output file, .csv or .parquet (never the model, nor the data; "
                        "default RUN/samples.csv)")
    sample.add_argument("--force", action="store_true", help="replace --out if it exists")
    sample.set_defaults(func=_sample)

    evaluate = sub.add_parser("evaluate", help="measure sample quality: metrics.json, summary.md and pictures",
                              description="Sample a trained model with the real data's label mix and measure it against the real "
                                          "data: discriminative and predictive scores (tsgan and TimeGAN protocols), TSTR / TRTS "
                                          "beside TRTR, label fidelity, MMD, Parzen log-likelihood, autocorrelation and marginal "
                                          "distances, and a memorisation check. Writes OUT/metrics.json, OUT/summary.md and "
                                          "OUT/samples.png, pca.png, tsne.png, autocorrelation.png, marginals.png, losses.png.")
    evaluate.add_argument("model", help="a run folder (holding model.pt) or a model file")
    evaluate_data = evaluate.add_argument_group("data", "default: as the run's config.toml says (a run folder "
                                                "of older tsgan has none: then --data is needed)")
    evaluate_data.add_argument("--data", default=None, help="the real data the model learnt from, as `tsgan train --data` "
                               "takes it: 'waves', sktime:NAME, or a .csv/.parquet file, with the same data options")
    evaluate_data.add_argument("--held-out", default=None, metavar="DATA",
                          help="real data the model never saw, as --data takes it (a .csv/.parquet file with the same columns, "
                               "or e.g. sktime:basic_motions:test), for the memorisation check and as "
                               "test data (default: for --data waves, fresh waves of another seed; else the data split 80/20, "
                               "and no memorisation check)")
    evaluate.add_argument("--out", default=None, help="output folder for the report (default RUN/evaluation)")
    evaluate.add_argument("--force", action="store_true", help="replace a report already in --out")
    evaluate.add_argument("--n", type=int, default=None, help="generated sequences (default: as many as the real training part)")
    evaluate.add_argument("--seed", type=int, default=0, help="random seed for sampling, splits and the metrics' models (default 0)")
    evaluate.add_argument("--quick", action="store_true", help="train the metrics' models a few steps only: checks the "
                          "pipeline in seconds, the figures mean little")
    evaluate_data.add_argument("--unconditional", action="store_true", help="ignore the data's labels (no label metrics)")
    _add_column_options(evaluate_data)
    evaluate.add_argument("--quiet", action="store_true", help="no progress lines")
    evaluate.set_defaults(func=_evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = parse_command_line(build_parser, argv)
    try:
        with one_line_warnings():
            args.func(args)
    except TsganError as exc:
        print(f"tsgan: error: {exc}", file=sys.stderr)
        return FAILED_RUN if isinstance(exc, RunFailed) else 2
    except OSError as exc:  # one the files modules did not name (a read, a folder made on the way): still one line
        print(f"tsgan: error: {os_error(exc, doing='reading or writing')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tsgan: interrupted; the last checkpoint is kept - continue with --resume", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
