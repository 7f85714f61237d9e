"""Series attributes: are requested attributes honoured, and do drawn ones follow the real joint distribution?

    python benchmarks/attributes.py [--steps 3000] [--family mlp] [--stocks ../shared/data/stock_data.csv]

Two data sets, each split 80/20 into training and held-out sequences:

* **waves** (synthetic: ``tsgan.make_waves``, 1,000 x 24, noise std 0.05): the categorical attribute ``machine``
  sets the shape (A: sine, B: sawtooth), the continuous ``temperature`` the amplitude (10 + 25 x amplitude); the
  label (x / y) goes with the machine (A: 70% x, B: 30% x).
* **stocks** (real: TimeGAN's Google stock CSV, windows of 24 days, stride 5): channels Open, High, Low, Close,
  Adj_Close min-max scaled over the whole series; attributes the window's mean log volume (continuous, the
  Volume column then not a channel) and its era (categorical: first or second half of the series); no label.

Per set, a GAN conditioned on the attributes is trained; then sklearn models fitted on the real training
sequences (a logistic regression for the categorical attribute, a ridge regression for the continuous one, on the
flattened sequence, its values and absolute values sorted in time) predict the attribute of (a) the real held-out sequences and (b)
sequences generated with the held-out sequences' attributes requested: accuracy / R^2 of (b) close to (a) means
the generator honours them; for reference, (c) the same GAN trained with the categorical attribute as its plain
label (no attributes) and sampled with the held-out categories. Drawn without evidence, the generated attributes' joint distribution is compared
with the real training set's: category frequencies per label and the continuous attribute's mean and std per
(label, category) cell.
"""
import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import accuracy_score, r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import tsgan
from tsgan.data import Dataset

LENGTH = 24
NOISE = 0.05  # sensor noise on the waves, so that the readers of real sequences do not hang on exact values


def waves(n: int = 1000, seed: int = 0) -> Dataset:
    X, shape, params = tsgan.make_waves(n, LENGTH, seed=seed, noise=NOISE, return_params=True)
    rng = np.random.default_rng(seed + 1)
    machine = np.where(shape == "sine", "A", "B")
    label = np.where(rng.random(n) < np.where(machine == "A", 0.7, 0.3), "x", "y")
    temperature = 10 + 25 * params["amplitude"]  # amplitude 0.1 to 0.9: 12.5 to 32.5 degrees
    return Dataset(X, label, ["value"], {"kind": "array", "label_dtype": "object"},
                   pd.DataFrame({"machine": machine, "temperature": temperature}))


def stocks(path: Path, stride: int = 5) -> Dataset:
    frame = pd.read_csv(path)  # oldest first; windows in time's direction
    prices = frame.drop(columns="Volume").to_numpy(np.float64)
    prices = (prices - prices.min(axis=0)) / (prices.max(axis=0) - prices.min(axis=0))
    log_volume = np.log(frame["Volume"].to_numpy(np.float64))
    starts = np.arange(0, len(frame) - LENGTH + 1, stride)
    X = np.stack([prices[s:s + LENGTH] for s in starts]).astype(np.float32)
    attributes = pd.DataFrame({"era": np.where(starts < len(frame) // 2, "first", "second"),
                               "log_volume": [log_volume[s:s + LENGTH].mean() for s in starts]})
    return Dataset(X, None, [c for c in frame.columns if c != "Volume"], {"kind": "array"}, attributes)


def split(data: Dataset, seed: int = 0):
    order = np.random.default_rng(seed).permutation(len(data.X))
    cut = int(0.8 * len(order))
    parts = []
    for idx in (order[:cut], order[cut:]):
        parts.append(Dataset(data.X[idx], None if data.labels is None else data.labels[idx], data.channels, data.layout,
                             data.attributes.iloc[idx].reset_index(drop=True)))
    return parts


def features(X: np.ndarray) -> np.ndarray:
    """The flattened sequence and, per channel, its values and absolute values sorted in time (phase-free: a
    wave's amplitude and shape read the same wherever it starts)."""
    flat = X.reshape(len(X), -1)
    return np.concatenate([flat, np.sort(X, axis=1).reshape(len(X), -1), np.sort(np.abs(X), axis=1).reshape(len(X), -1)], axis=1)


def readers(train: Dataset) -> dict:
    """Per attribute, a model fitted on the real training sequences that predicts it from a sequence."""
    models = {}
    for name in train.attributes.columns:
        values = train.attributes[name]
        categorical = values.dtype == object or isinstance(values.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(values)
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000) if categorical else RidgeCV(alphas=np.logspace(-2, 3, 12)))
        models[name] = (categorical, model.fit(features(train.X), values.astype(str) if categorical else values.to_numpy()))
    return models


def score(models: dict, X: np.ndarray, attributes: pd.DataFrame) -> dict:
    out = {}
    for name, (categorical, model) in models.items():
        predicted = model.predict(features(X))
        truth = attributes[name]
        out[name] = accuracy_score(truth.astype(str), predicted) if categorical else r2_score(truth.to_numpy(), predicted)
    return out


def joint_table(labels, attributes: pd.DataFrame) -> pd.DataFrame:
    frame = attributes.copy()
    frame["label"] = "all" if labels is None else np.asarray(labels, dtype=str)
    cat = [c for c in attributes.columns if attributes[c].dtype == object or pd.api.types.is_string_dtype(attributes[c])]
    num = [c for c in attributes.columns if c not in cat]
    rows = []
    for keys, group in frame.groupby(["label", *cat]):
        share = len(group) / (frame["label"] == keys[0]).sum()
        rows.append({"cell": ", ".join(map(str, keys)), "share_in_label": share,
                     **{f"{c}_mean": group[c].mean() for c in num}, **{f"{c}_std": group[c].std() for c in num}})
    return pd.DataFrame(rows).set_index("cell")


def run(name: str, data: Dataset, args) -> None:
    train, held = split(data)
    t0 = time.time()
    gan = tsgan.GAN(args.family, args.family, steps=args.steps, batch_size=64, seed=0, progress=False, device="cpu")
    gan.fit(train)
    seconds = time.time() - t0
    models = readers(train)
    real = score(models, held.X, held.attributes)
    evidence = {c: held.attributes[c].to_numpy() for c in held.attributes.columns}
    fake = gan.sample(len(held.X), None if held.labels is None else held.labels, seed=1, attributes=evidence)
    generated = score(models, fake, held.attributes)
    # for reference: the categorical attribute as the label of a plain conditional GAN (no attributes)
    category = next(a for a, (categorical, _) in models.items() if categorical)
    as_label = Dataset(train.X, train.attributes[category].to_numpy(), train.channels, train.layout)
    plain = tsgan.GAN(args.family, args.family, steps=args.steps, batch_size=64, seed=0, progress=False, device="cpu").fit(as_label)
    by_label = score({category: models[category]}, plain.sample(len(held.X), held.attributes[category].to_numpy(), seed=1), held.attributes)
    print(f"\n## {name}: {len(train.X)} training / {len(held.X)} held-out sequences, {args.family}/{args.family}, "
          f"{args.steps} steps ({seconds:.0f} s)")
    print("attribute | real held-out | generated, held-out attributes requested | same, the category as a plain label")
    for attr in models:
        kind = "accuracy" if models[attr][0] else "R^2"
        reference = f"{by_label[attr]:.3f}" if attr in by_label else "-"
        print(f"{attr} ({kind}) | {real[attr]:.3f} | {generated[attr]:.3f} | {reference}")
        if not models[attr][0]:
            wanted = held.attributes[attr].to_numpy()
            print(f"{attr} (correlation of requested and read) | {np.corrcoef(wanted, models[attr][1].predict(features(held.X)))[0, 1]:.3f} | "
                  f"{np.corrcoef(wanted, models[attr][1].predict(features(fake)))[0, 1]:.3f} | -")
    _, drawn_labels, drawn = gan.sample(4000, seed=2, return_labels=True, return_attributes=True)
    table = joint_table(train.labels, train.attributes).join(joint_table(drawn_labels, drawn), rsuffix=" (generated)")
    print("\nthe joint distribution, real training set vs drawn without evidence (4,000 draws):")
    print(table.round(3).to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--family", default="mlp", help="generator and discriminator family (default mlp: fastest on CPU)")
    parser.add_argument("--stocks", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data" / "stock_data.csv")
    args = parser.parse_args()
    torch.set_num_threads(1)
    run("waves", waves(), args)
    if args.stocks.is_file():
        run("stocks", stocks(args.stocks), args)
    else:
        print(f"\n(stocks skipped: {args.stocks} not found; pass --stocks PATH)")


if __name__ == "__main__":
    main()
