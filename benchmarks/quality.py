"""Sample quality of tsgan's families and losses on waves, Sines, Stocks and sktime sets, against published figures.

    python benchmarks/quality.py                          # every data set, the default models
    python benchmarks/quality.py --data sines --models lstm/lstm:gan --steps 8000
    python benchmarks/quality.py --data waves --models lstm/lstm:gan lstm/lstm:gan+pack_size=2 --seeds 0 1 2
    python benchmarks/quality.py --data waves --seeds 0 1 2 --jobs 2   # runs side by side, one process (and core) each
    python benchmarks/quality.py --quick                  # seconds: checks the script, figures meaningless
    python benchmarks/quality.py --write benchmarks/RESULTS.md    # the table between RESULTS.md's quality markers
    python benchmarks/quality.py --data waves --seeds 0 1 2 --cache runs/quality   # keeps each run's figures; a rerun reuses them
    python benchmarks/quality.py --data waves --seeds 0 1 2 --cache runs/quality --cached-only   # the table of what ran

Per data set and model (``GENERATOR/DISCRIMINATOR:LOSS``, with ``+option=value,...`` for a recipe's options as
``tsgan.GAN`` takes them) and training seed (``--seeds``): train (one thread), sample as many sequences as the
training set holds (conditional models: the training set's label mix), then measure

- discriminative score, literature protocol (TimeGAN: GRU of hidden max(1, d // 2), 2,000 iterations,
  compared with the generator's own training data, as the published tables do; Sines and Stocks as the
  literature's code feeds them, other sets min-max scaled to [0, 1] by the training data) and tsgan's stronger
  classifier (compared with held-out real data where the set has some); mean +- std over ``--repeats``
  post-hoc classifier seeds on one generated set (as TimeGAN repeats its metrics);
- predictive score, literature protocol (last channel from the others, tested on the training data;
  multichannel sets only) and tsgan's (every channel one step ahead, tested on held-out real data);
- MMD (RBF, median heuristic) against held-out real data;
- for labelled sets, TSTR beside TRTR and label fidelity;
- the memorisation ratio ("memo.", ``nearest_neighbour_ratio``: the share of generated sequences nearer to a held-out
  real sequence than to every training one, over the share expected of samples that copy nothing; about 1 for a
  model of the distribution, near 0 for a copier of the training set; runs cached before 2026-12-07 used an older
  ratio of distances, which missed copies, and show "-");
- training time (seconds, wall clock, one thread).

With several training seeds, every cell is the mean +- std over them (a run's discriminative score being the mean
over its classifier seeds); with one, the discriminative scores' +- is over the classifier seeds.

The "real data" row of each set puts held-out real data where the generated data would go (the held-out set against
itself: each metric's noise floor). The "training data" row puts the training sequences there: the figures of a
generator that has learnt its training data exactly, the floor a model of that data can be expected to reach - above
the noise floor where the held-out data differ from the training data (Stocks' held-out stretches of the price
series: the judge tells the training windows from them). The "Gaussian baseline" row samples a per-class
full-covariance Gaussian of the training data (``tsgan.GaussianBaseline``; "train s" is its fitting and sampling
time): every model must beat it, and the "beats Gaussian" column says whether each does on the strict discriminative
score (mean over the classifier seeds) and TSTR ("no: disc" where the baseline scores as well or better). Held-out
data: fresh waves / Sines of another seed; for Stocks, every fifth of 20 contiguous blocks of windows, minus windows
overlapping the other set (see ``blocked_split``); for sktime sets, 30% of the pooled train and test sequences.
``--stocks`` points to TimeGAN's stock_data.csv (default ``../shared/data/stock_data.csv``); where it is absent the
Stocks rows are skipped, with a line.

``--cache DIR`` keeps every run's figures (a model's training seed, a reference row) as one JSON file under DIR, named
by data set, model, steps, seed, classifier repeats: a rerun with the same settings reads them instead of training
again, so a long benchmark survives a stop, and seeds run in separate processes (or on other machines) merge into
one table by a last run over all of them; each model run's generated set is kept beside its figures (``.npz``). ``--cached-only`` makes that last run train nothing: a model's seeds
missing from the cache are left out of its row (the row names the seeds it has) and listed under the table.
"""
from __future__ import annotations

import argparse
import ast
import datetime
import functools
import json
import multiprocessing
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

import tsgan
from tsgan.data import from_sktime
from tsgan.data.literature import load_stocks, make_sines
from tsgan.evaluation import comparison
from tsgan.evaluation.metrics import (classification_scores, discriminative_score, label_fidelity, mmd,
                                     nearest_neighbour_ratio, predictive_score)

DEFAULT_DATA = ["waves", "sines", "stocks", "sktime:italy_power_demand", "sktime:basic_motions"]
BASELINE = "Gaussian baseline"
# tsgan's default (the lstm generator with the noise state and an MLP critic), RCGAN as published (the zero state,
# the default before 2026-12-02) and the baseline pairs
DEFAULT_MODELS = ["lstm/mlp:gan", "lstm/lstm:gan+noise_state=False", "conv/conv:gan", "mlp/mlp:gan", "mlp/mlp:wgan-gp"]
STOCKS_CSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "stock_data.csv"

# TimeGAN paper, Table 2 (discriminative / predictive; lower is better); Diffusion-TS, discriminative only.
PUBLISHED = [
    ("Sines", "TimeGAN", ".011 +- .008", ".093 +- .019"),
    ("Sines", "RCGAN", ".022 +- .008", ".097 +- .001"),
    ("Sines", "Diffusion-TS", ".006 +- .007", "-"),
    ("Sines", "real data", "-", ".094 +- .001"),
    ("Stocks", "TimeGAN", ".102 +- .021", ".038 +- .001"),
    ("Stocks", "RCGAN", ".196 +- .027", ".040 +- .001"),
    ("Stocks", "Diffusion-TS", ".067 +- .015", "-"),
    ("Stocks", "real data", "-", ".036 +- .001"),
]


@dataclass
class Split:
    """A benchmark data set: training data (what the generator sees) and held-out real data."""

    name: str
    train: np.ndarray
    train_y: np.ndarray | None
    test: np.ndarray
    test_y: np.ndarray | None
    literature_scale: bool = False  # already scaled as the literature's code feeds it (Sines, Stocks): leave as is


def load_split(name: str, stocks_csv: Path, quick: bool) -> Split | None:
    """The data set ``name`` split into training and held-out real data (fixed seeds: same split every run)."""
    if name == "waves":
        n = 200 if quick else 1000
        (X, y), (Xt, yt) = tsgan.make_waves(n, seed=0), tsgan.make_waves(n, seed=1)
        return Split(name, X, y, Xt, yt)
    if name == "sines":
        n = 300 if quick else 10_000
        return Split(name, make_sines(n, seed=0), None, make_sines(n // 5, seed=1), None, literature_scale=True)
    if name == "stocks":
        if not stocks_csv.is_file():
            print(f"skipping Stocks: {stocks_csv} not found (pass --stocks PATH)", file=sys.stderr)
            return None
        X, _ = load_stocks(stocks_csv)
        X = X[:1500] if quick else X
        train, test = blocked_split(len(X), X.shape[1])
        return Split(name, X[train], None, X[test], None, literature_scale=True)
    if name.startswith("sktime:"):
        import sktime.datasets as skd

        loader = getattr(skd, f"load_{name.split(':', 1)[1]}")
        parts = [from_sktime(*loader(split=split, return_type="numpy3D"))[:2] for split in ("train", "test")]
        X, y = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]).astype(str)
        order = np.random.default_rng(0).permutation(len(X))  # sktime's own splits are tiny for training: pool, re-split 70/30
        X, y = X[order], y[order]
        cut = int(0.7 * len(X))
        if quick:
            X, y, cut = X[:80], y[:80], 56
        return Split(name, X[:cut], y[:cut], X[cut:], y[cut:])
    raise SystemExit(f"unknown data set '{name}'")


def blocked_split(n: int, length: int, blocks: int = 20, every: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Train / held-out indices of ``n`` overlapping windows from one series: the windows are cut into
    ``blocks`` contiguous blocks, every ``every``-th block is held out, and windows sharing a day with the
    other set are dropped. Random splits leak (neighbouring windows share all but one step); one held-out
    stretch at the end measures the series' drift (prices trend) more than the generator."""
    block = np.arange(n) * blocks // n
    held = block % every == every - 1
    # window i covers steps i .. i + length - 1: drop it when a window of the other set within length overlaps it
    changes = np.flatnonzero(np.diff(held.astype(int))) + 1
    near = np.zeros(n, bool)
    for c in changes:
        near[max(0, c - length + 1):c + length - 1] = True
    train, test = ~held & ~near, held & ~near
    return np.flatnonzero(train), np.flatnonzero(test)


def summarise(values: list[float]) -> str:
    return f"{np.mean(values):.3f} +- {np.std(values):.3f}"


def measure(split: Split, fake: np.ndarray, fake_y, repeats: int, quick: bool, reference: bool) -> dict[str, list[float]]:
    """Every metric of the table for one generated set (``fake`` may be held-out real data: the reference row),
    as lists of values: the post-hoc classifier seeds' for the discriminative scores, one value for the others."""
    seeds = range(repeats)
    budget = {"iterations": 20} if quick else {}  # quick: checks the plumbing only
    # The literature's metric code takes Sines and Stocks as generated / loaded (values in [0, 1]); other sets are
    # min-max scaled by the training data, so errors read on the same scale.
    if split.literature_scale:
        train01, fake01 = split.train, fake
    else:
        low, high = split.train.min(axis=(0, 1)), split.train.max(axis=(0, 1))
        train01, fake01 = ((a - low) / np.maximum(high - low, 1e-7) for a in (split.train, fake))
    figures = {
        "disc (lit.)": [discriminative_score(train01, fake01, protocol="timegan", seed=s, **budget) for s in seeds],
        "disc (tsgan)": [discriminative_score(split.test, fake, protocol="tsgan", seed=s, **budget) for s in seeds],
        "pred (tsgan)": [predictive_score(split.train, fake, protocol="tsgan", real_test=split.test, seed=0, **budget)],
        "MMD": [mmd(split.test, fake, seed=0)],
    }
    if not reference:  # held-out data against themselves would be their own nearest neighbours
        figures["memorisation (share)"] = [nearest_neighbour_ratio(split.train, split.test, fake)]
    if split.train.shape[2] > 1:
        figures["pred (lit.)"] = [predictive_score(train01, fake01, protocol="timegan", seed=0, **budget)]
    if split.train_y is not None:
        scores = classification_scores(split.train, split.train_y, fake, fake_y, real_test=split.test,
                                       real_test_labels=split.test_y, seed=0)
        figures["TRTR"] = [scores.trtr]
        if not reference:
            figures["TSTR"] = [scores.tstr]
        figures["label fid."] = [label_fidelity(split.train, split.train_y, fake, fake_y, seed=0)]
    return figures


def row_of(runs: list[dict[str, list[float]]]) -> dict[str, str]:
    """The table's cells for one model's runs (one per training seed): with one run, the discriminative scores'
    mean +- std over the classifier seeds; with several, every figure's mean +- std over the training seeds
    (each run's discriminative score the mean over its classifier seeds)."""
    def cell(key: str, digits: int = 3) -> str:
        having = [run for run in runs if key in run]  # runs cached before a figure was added lack it
        if not having:
            return "-"
        values = having[0][key] if len(runs) == 1 else [float(np.mean(run[key])) for run in having]
        missing = f" ({len(having)} of {len(runs)} seeds)" if len(having) < len(runs) else ""
        return f"{np.mean(values):.{digits}f}" + (f" +- {np.std(values):.{digits}f}" if len(values) > 1 else "") + missing
    row = {key: cell(key) for key in ("disc (lit.)", "disc (tsgan)", "label fid.")}
    row["pred (lit.)"] = cell("pred (lit.)") if "pred (lit.)" in runs[0] else "n/a (1 ch.)"
    row["pred (tsgan)"], row["MMD"], row["memo."] = cell("pred (tsgan)", 4), cell("MMD", 4), cell("memorisation (share)")
    if "TRTR" in runs[0]:
        trtr = f"{runs[0]['TRTR'][0]:.3f}"  # real data only: the same for every seed
        row["TSTR (TRTR)"] = f"{cell('TSTR')} ({trtr})" if "TSTR" in runs[0] else f"- ({trtr})"
    return row


def headline(runs: list[dict[str, list[float]]]) -> dict:
    """The figures compared with the Gaussian baseline's: means over classifier and training seeds."""
    return {"discriminative_score": float(np.mean([np.mean(run["disc (tsgan)"]) for run in runs])),
            "tstr": float(np.mean([run["TSTR"][0] for run in runs])) if "TSTR" in runs[0] else None}


def against_baseline(figures: dict, baseline: dict) -> str:
    """The "beats Gaussian" cell: yes, or no with the figures where the baseline is as good or better."""
    verdict = comparison.beats(figures, baseline)
    lost = [name for key, name in (("discriminative_score", "disc"), ("tstr", "TSTR")) if verdict[key] is False]
    return "no: " + ", ".join(lost) if lost else "yes"


def gaussian_baseline(split: Split, seed: int):
    """The per-class full-covariance Gaussian of the training data, sampled like the models (the training label mix)."""
    start = time.perf_counter()
    fake, fake_y = tsgan.GaussianBaseline().fit(split.train, split.train_y).sample(len(split.train), split.train_y, seed=seed)
    return fake, fake_y, time.perf_counter() - start


def parse_options(text: str) -> dict:
    """``key=value,key=value`` -> options for ``tsgan.GAN``, values read as Python literals (else as text)."""
    given = {}
    for pair in filter(None, text.split(",")):
        key, _, value = pair.partition("=")
        try:
            given[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            given[key] = value
    return given


def parse_model(model: str) -> tuple[str, str, str, dict]:
    """``GENERATOR/DISCRIMINATOR:LOSS[+option=value,...]`` -> its parts (:func:`parse_options`)."""
    families, _, options = model.partition("+")
    generator, rest = families.split("/")
    discriminator, loss = rest.split(":")
    return generator, discriminator, loss, parse_options(options)


def train_and_sample(split: Split, model: str, steps: int, seed: int):
    generator, discriminator, loss, options = parse_model(model)
    start = time.perf_counter()
    gan = tsgan.GAN(generator, discriminator, loss=loss, **options)
    batch_size = min(tsgan.TrainConfig.batch_size, len(split.train))  # the small sktime sets
    gan.fit(split.train, split.train_y, steps=steps, seed=seed, batch_size=batch_size, progress=False, device="cpu")
    seconds = time.perf_counter() - start
    fake, fake_y = gan.sample(len(split.train), split.train_y, seed=seed + 1, return_labels=True)
    return fake, fake_y, seconds


def model_run(split: Split, model: str, steps: int, seed: int, repeats: int, quick: bool,
              samples: Path | None = None) -> tuple[dict, float]:
    """One training seed of one model: its figures and training seconds (a worker process's job with ``--jobs``);
    the generated set is kept in ``samples`` (``.npz``) when given, so a figure added later can be computed without
    training again."""
    torch.set_num_threads(1)
    fake, fake_y, seconds = train_and_sample(split, model, steps, seed)
    if samples is not None:
        samples.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(samples, sequences=fake, labels=np.asarray(fake_y) if fake_y is not None else np.array([]))
    return measure(split, fake, fake_y, repeats, quick, reference=False), seconds


def cache_path(cache: Path, key: tuple) -> Path:
    """The JSON file under ``cache`` that holds the result for ``key``."""
    return cache / ("_".join(re.sub(r"[^A-Za-z0-9.=+-]+", "-", str(part)) for part in key) + ".json")


def model_key(split: Split, model: str, steps: int, seed: int, repeats: int, quick: bool) -> tuple:
    """A model run's cache key: everything that changes its figures."""
    return split.name, model, f"steps{steps}", f"seed{seed}", f"repeats{repeats}", "quick" if quick else "full"


def cached(cache: Path | None, key: tuple, compute):
    """``compute()``'s result, read from / written to ``cache`` (one JSON file per ``key``) when a cache is given."""
    if cache is None:
        return compute()
    path = cache_path(cache, key)
    if path.is_file():
        return json.loads(path.read_text())
    result = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(result))
    temporary.replace(path)  # whole or absent: a stop while writing leaves no half-read result
    return result


def cached_model_run(cache: Path | None, split: Split, model: str, steps: int, seed: int, repeats: int, quick: bool):
    """:func:`model_run`, through the cache (the key names everything that changes its figures)."""
    key = model_key(split, model, steps, seed, repeats, quick)
    samples = cache_path(cache, key).with_suffix(".npz") if cache is not None else None
    return tuple(cached(cache, key, lambda: list(model_run(split, model, steps, seed, repeats, quick, samples))))


class Inline:
    """The process pool's ``submit`` run at once in this process (``--jobs 1``)."""

    class Done:
        def __init__(self, value):
            self.value = value

        def result(self):
            return self.value

    def submit(self, fn, *args):
        return self.Done(fn(*args))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", default=DEFAULT_DATA)
    parser.add_argument("--models", nargs="+", default=DEFAULT_MODELS,
                        help="GENERATOR/DISCRIMINATOR:LOSS[+option=value,...], e.g. lstm/lstm:gan+pack_size=2")
    parser.add_argument("--steps", type=int, default=None, help="training steps (default: tsgan's, 12000)")
    parser.add_argument("--repeats", type=int, default=3, help="post-hoc classifier seeds per discriminative score")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="training seeds per model (rows: mean +- std over them)")
    parser.add_argument("--stocks", type=Path, default=STOCKS_CSV)
    parser.add_argument("--quick", action="store_true", help="tiny data and 30 steps: checks the script runs")
    parser.add_argument("--write", type=Path, help="also write the table, command and date to this Markdown file "
                                                   "(between its quality markers where it has them)")
    parser.add_argument("--jobs", type=int, default=1, help="models' training seeds run side by side in this many processes "
                                                            "(one torch thread each; default 1: in order, in this process)")
    parser.add_argument("--cache", type=Path, help="keep each run's figures here as JSON and reuse them when run again")
    parser.add_argument("--cached-only", action="store_true",
                        help="train nothing: the model rows from --cache alone (seeds missing there are left out and "
                             "named under the table), e.g. to write a table of record while some runs are unfinished")
    args = parser.parse_args()
    if args.cached_only and args.cache is None:
        parser.error("--cached-only reads the runs from --cache DIR: give --cache too")
    torch.set_num_threads(1)
    steps = 30 if args.quick else (args.steps or tsgan.TrainConfig.steps)

    header = ["data", "model", "disc (lit.)", "disc (tsgan)", "pred (lit.)", "pred (tsgan)", "MMD", "TSTR (TRTR)",
              "label fid.", "memo.", "beats Gaussian", "train s"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    print(f"tsgan quality benchmark, {steps} steps, training seeds {args.seeds}, torch {torch.__version__}, 1 thread\n", flush=True)
    print("\n".join(lines), flush=True)
    left_out: list[str] = []  # --cached-only: the runs the cache lacks
    pool = ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) if args.jobs > 1 else Inline()

    def emit(name: str, label: str, results: list[dict], seconds: list, baseline: dict | None) -> None:
        row = row_of(results)
        if baseline is not None:
            row["beats Gaussian"] = against_baseline(headline(results), baseline)
        row.update({"data": name, "model": label, "train s": "-" if seconds[0] is None else f"{np.mean(seconds):.0f}"})
        lines.append("| " + " | ".join(row.get(column, "-") for column in header) + " |")
        print(lines[-1], flush=True)

    for name in args.data:
        split = load_split(name, args.stocks, args.quick)
        if split is None:
            continue
        # with --jobs every model's seeds are handed out first: they train while the reference rows are measured
        run = functools.partial(cached_model_run, args.cache, split)
        jobs = {model: [pool.submit(run, model, steps, seed, args.repeats, args.quick) for seed in args.seeds]
                for model in (args.models if args.jobs > 1 and not args.cached_only else ())}
        mode = (f"repeats{args.repeats}", "quick" if args.quick else "full")
        real = cached(args.cache, (name, "real", *mode),
                      lambda: measure(split, split.test, split.test_y, args.repeats, args.quick, reference=True))
        emit(name, "real data (held out)", [real], [None], None)
        training = cached(args.cache, (name, "training", *mode),
                          lambda: measure(split, split.train, split.train_y, args.repeats, args.quick, reference=False))
        emit(name, "training data", [training], [None], None)

        def baseline_run():
            fake, fake_y, took = gaussian_baseline(split, args.seeds[0])
            return [measure(split, fake, fake_y, args.repeats, args.quick, reference=False), took]
        figures, took = cached(args.cache, (name, "gaussian", f"seed{args.seeds[0]}", *mode), baseline_run)
        emit(name, BASELINE, [figures], [took], None)
        baseline = headline([figures])
        for model in args.models:  # one row at a time, so the table streams
            label = model
            if args.cached_only:
                paths = {seed: cache_path(args.cache, model_key(split, model, steps, seed, args.repeats, args.quick))
                         for seed in args.seeds}
                found = [seed for seed, path in paths.items() if path.is_file()]
                done = [json.loads(paths[seed].read_text()) for seed in found]
                missing = [str(seed) for seed in args.seeds if seed not in found]
                if missing:
                    left_out.append(f"{name} {model}: seed{'s' * (len(missing) > 1)} {' '.join(missing)} not run")
                    if not found:
                        continue
                    label = f"{model} (seeds {' '.join(map(str, found))})"
            else:
                done = [job.result() for job in jobs.get(model) or
                        [pool.submit(run, model, steps, seed, args.repeats, args.quick) for seed in args.seeds]]
            emit(name, label, [figures for figures, _ in done], [seconds for _, seconds in done], baseline)
    if args.jobs > 1:
        pool.shutdown()
    if left_out:
        lines.extend(["", "Left out (not in the cache): " + "; ".join(left_out) + "."])
        print(lines[-1])

    if args.write:
        write_results(args.write, lines, "python " + " ".join(sys.argv), steps, args.seeds)
        print(f"\nwrote {args.write}")


BEGIN, END = "<!-- quality.py --write: begin -->", "<!-- quality.py --write: end -->"


def write_results(path: Path, lines: list[str], command: str, steps: int, seeds: list[int]) -> None:
    """The table, its command and date, and the published figures, written to ``path``: between the BEGIN and END
    markers where the file has them (the rest of a results file, its reading of the table, stays), else as the
    whole file."""
    published = ["| data | model | disc | pred |", "|---|---|---|---|"] + [f"| {' | '.join(r)} |" for r in PUBLISHED]
    block = (f"{BEGIN}\nLatest run: {datetime.date.today()}, `{command}` (torch {torch.__version__}, CPU, one thread per "
             f"run; {steps} steps, training seeds {' '.join(map(str, seeds))}; columns and protocols: the docstring of "
             "`benchmarks/quality.py`).\n\n" + "\n".join(lines) + "\n\nPublished figures (TimeGAN paper Table 2; "
             "Diffusion-TS), literature protocol:\n\n" + "\n".join(published) + f"\n{END}")
    text = path.read_text() if path.is_file() else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + block + text[text.index(END) + len(END):]
    else:
        text = f"# Quality benchmark\n\n{block}\n"
    path.write_text(text)

if __name__ == "__main__":
    main()
