"""Pictures, files only (Agg): real beside generated sequences per channel and label, loss curves, the validation curve,
a PCA / t-SNE embedding of real and generated sequences, mean autocorrelation per lag, and per-step marginals.
A ``*_figure`` function returns the matplotlib Figure (what a tracker is sent, what tests read); its
``plot_*`` twin saves it durably and closes it."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..data import check_array  # noqa: E402
from ..errors import TsganError  # noqa: E402
from ..files import save_figure  # noqa: E402


def real_vs_generated_figure(real, real_labels, fake, fake_labels, *, per_panel: int = 8, seed: int = 0,
                             channels: list[str] | None = None, units: str | None = None, title: str | None = None):
    """A grid of one row per channel and one column per label (one column if unlabelled): each panel overlays
    ``per_panel`` randomly chosen real sequences (blue) and as many generated ones (orange) of that label,
    one channel. Rows share their channel's y scale; the y label names the channel (with ``units``, e.g.
    ``"scaled"``); ``title`` (the model and step) heads the picture. Returns the matplotlib Figure."""
    rng = np.random.default_rng(seed)
    # NaN (beyond the end of a shorter series) is a gap in its line
    real, fake = check_array(real, "real", allow_nan=True), check_array(fake, "fake", allow_nan=True)
    d = real.shape[2]
    names = _channel_names(d, channels)
    classes = [None] if real_labels is None else sorted(set(map(str, real_labels)))
    shown_classes = classes[:MAX_LABELS]
    rows = min(d, MAX_CHANNELS)
    fig, axes = plt.subplots(rows, len(shown_classes), figsize=(max(4.0, 2.9 * len(shown_classes)) + 0.6, 1.7 * rows + 1.1),
                             sharex=True, sharey="row", squeeze=False)
    for col, cls in enumerate(shown_classes):
        picks = []  # the same sequences in every channel's row
        for X, labels in ((real, real_labels), (fake, fake_labels)):
            pool = np.arange(len(X)) if cls is None or labels is None else np.flatnonzero(np.asarray(labels).astype(str) == cls)
            picks.append(rng.choice(pool, size=min(per_panel, len(pool)), replace=False) if len(pool) else pool)
        for c in _shown_channels(d, fig):
            ax = axes[c, col]
            for X, chosen, colour in ((real, picks[0], REAL), (fake, picks[1], FAKE)):
                for i in chosen:
                    ax.plot(X[i, :, c], color=colour, alpha=0.55, lw=1)
            if c == 0 and cls is not None:
                ax.set_title(cls, fontsize=10)
            if col == 0:
                ax.set_ylabel(names[c] if units is None else f"{names[c]} ({units})", fontsize=9)
    for ax in axes[-1]:
        ax.set_xlabel("time step")
    fig.legend([plt.Line2D([], [], color=REAL), plt.Line2D([], [], color=FAKE)], ["real", "generated"],
               loc="upper right", ncol=2, fontsize=9, frameon=False)
    if len(classes) > MAX_LABELS:
        fig.text(0.01, 0.005, f"first {MAX_LABELS} of {len(classes)} labels shown", fontsize=8)
    fig.suptitle(title or "real and generated sequences", fontsize=10, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig


def plot_real_vs_generated(real, real_labels, fake, fake_labels, path, **options) -> Path:
    """:func:`real_vs_generated_figure`, saved to ``path`` (durably)."""
    return _save(real_vs_generated_figure(real, real_labels, fake, fake_labels, **options), path)


def run_title(gan, step: int | None = None) -> str:
    """What a picture of a model says it shows: its families, loss and training step."""
    step = step if step is not None else (gan.history_[-1]["step"] if getattr(gan, "history_", None) else None)
    return f"{gan.generator}/{gan.discriminator} ({gan.loss})" + ("" if step is None else f", step {step}")


def losses_figure(history: list[dict], *, resumes=(), title: str | None = None):
    """Discriminator and generator loss per step (and the gradient penalty where there is one), a dashed
    vertical line at each step where a resumed run began. Returns the matplotlib Figure."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    steps = [r["step"] for r in history]
    for key in ("d_loss", "g_loss", "gradient_penalty"):
        values = [r.get(key, 0.0) for r in history]
        if key != "gradient_penalty" or any(values):
            ax.plot(steps, values, label=key, lw=1)
    for k, step in enumerate(resumes):
        ax.axvline(step, color="0.4", ls="--", lw=1, label="resumed" if k == 0 else None)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.set_title(title or "training losses", fontsize=10)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_losses(history: list[dict], path, *, resumes=(), title: str | None = None) -> Path:
    """:func:`losses_figure`, saved to ``path`` (durably)."""
    return _save(losses_figure(history, resumes=resumes, title=title), path)


def validation_figure(rows: list[dict], best_step: int | None):
    """The validation judge's scores per judged step (score, its discriminative part, label fidelity when
    conditional), the step kept as the sampling generator marked."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    steps = [r["step"] for r in rows]
    for key, label in (("score", "score (lower is better)"), ("discriminative", "discriminative |acc - 0.5|"),
                       ("label_fidelity", "label fidelity")):
        if any(key in r for r in rows):
            ax.plot(steps, [r.get(key, np.nan) for r in rows], marker="o", ms=3, lw=1, label=label)
    if best_step is not None:
        ax.axvline(best_step, color="grey", ls="--", lw=1, label=f"kept: step {best_step}")
    ax.set_xlabel("step")
    ax.set_ylabel("validation")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_validation(rows: list[dict], best_step: int | None, path) -> Path:
    """:func:`validation_figure`, saved to ``path`` (durably)."""
    return _save(validation_figure(rows, best_step), path)


REAL, FAKE = "C0", "C1"  # one colour for real data, one for generated, in every picture
MARKERS = "o^sDvP*Xph<>"
MAX_CHANNELS = 16  # panels per picture; wider data show their first channels and say so
MAX_LABELS = 12  # columns of the samples picture; more labels: the first ones, said so


def save_and_close(fig, path, *, root=None) -> Path | None:
    """Save ``fig`` to ``path`` durably (a crash leaves the old picture or the new one; None: not saved), then close it."""
    try:
        if path is not None:
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            save_figure(fig, path, dpi=100, root=root)
    finally:
        plt.close(fig)
    return path


_save = save_and_close


def _pair(real, fake) -> tuple[np.ndarray, np.ndarray]:
    real, fake = check_array(real, "real"), check_array(fake, "fake")
    if real.shape[1:] != fake.shape[1:]:
        raise TsganError(f"real sequences have shape {real.shape[1:]} (steps, channels) but generated ones {fake.shape[1:]}")
    return real, fake


def _channel_names(d: int, channels: list[str] | None) -> list[str]:
    if channels is not None and len(channels) != d:
        raise TsganError(f"{len(channels)} channel names given for {d} channels")
    return list(channels) if channels is not None else (["value"] if d == 1 else [f"channel_{i}" for i in range(d)])


def _grid(panels: int, rows: int | None = None, *, width: float = 3.6, height: float = 2.4):
    """A figure of ``rows`` x ``panels`` axes, or with ``rows=None`` of ``panels`` axes 4 a row (spare ones hidden)."""
    wrap = rows is None
    cols = min(panels, 4) if wrap else panels
    rows = -(-panels // cols) if wrap else rows
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols + 0.4, height * rows + 0.8), squeeze=False)
    if wrap:
        for ax in axes.flat[panels:]:
            ax.axis("off")
    return fig, axes


def _shown_channels(d: int, fig) -> range:
    if d > MAX_CHANNELS:
        fig.text(0.5, 0.005, f"first {MAX_CHANNELS} of {d} channels shown", ha="center", fontsize=8)
    return range(min(d, MAX_CHANNELS))


def plot_embedding(real, fake, path, *, method: str = "pca", max_points: int = 1000, seed: int = 0,
                   real_labels=None, fake_labels=None) -> Path:
    """Real (blue) and generated (orange) sequences in two dimensions, one point per sequence.

    Sequences are flattened (steps x channels), standardised with the real data's per-channel mean and
    spread, and subsampled to at most ``max_points`` points in all (half of them real). ``method="pca"``
    fits principal components on the real data and projects both sets (as TimeGAN's pictures do);
    ``"tsne"`` embeds both sets together with seeded t-SNE (after PCA to 50 dimensions when wider).
    With labels, the marker shows the class. Overlapping clouds mean similar distributions; an
    orange cloud on a small part of the blue one suggests mode collapse.
    """
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    if method not in ("pca", "tsne"):
        raise TsganError(f"unknown embedding '{method}'; use 'pca' or 'tsne'")
    real, fake = _pair(real, fake)
    rng = np.random.default_rng(seed)
    mean, std = real.mean(axis=(0, 1)), real.std(axis=(0, 1)) + 1e-8
    sets = []
    for X, labels in ((real, real_labels), (fake, fake_labels)):
        keep = np.sort(rng.choice(len(X), size=min(len(X), max(max_points // 2, 1)), replace=False))
        names = None if labels is None else np.asarray(labels).astype(str)[keep]
        sets.append((((X[keep] - mean) / std).reshape(len(keep), -1), names))
    flat = np.concatenate([s[0] for s in sets])
    n_real = len(sets[0][0])
    if method == "pca":
        components = min(2, flat.shape[1], n_real)
        pca = PCA(components, random_state=seed).fit(flat[:n_real])
        points = pca.transform(flat)
        if components < 2:
            points = np.column_stack([points, np.zeros(len(points))])
        axis_names = [f"PC{i + 1} ({100 * r:.0f}% of real variance)" for i, r in enumerate(pca.explained_variance_ratio_)]
        axis_names += ["(none)"] * (2 - len(axis_names))
    else:
        if flat.shape[1] > 50 and len(flat) > 50:
            flat = PCA(50, random_state=seed).fit_transform(flat)
        perplexity = float(min(30.0, max(2.0, (len(flat) - 1) / 3)))
        points = TSNE(2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(flat) if len(flat) > 3 \
            else np.zeros((len(flat), 2))
        axis_names = ["t-SNE 1", "t-SNE 2"]

    fig, ax = plt.subplots(figsize=(6.4, 5.2))
    classes = sorted(set(np.concatenate([n for _, n in sets if n is not None]).tolist())) \
        if any(n is not None for _, n in sets) else []
    parts = (points[:n_real], points[n_real:])
    for (_, names), pts, colour, title in zip(sets, parts, (REAL, FAKE), ("real", "generated")):
        if names is None or not classes:
            ax.scatter(pts[:, 0], pts[:, 1], s=9, alpha=0.5, color=colour, marker="o", label=title, linewidths=0)
            continue
        for k, cls in enumerate(classes):
            mask = names == cls
            ax.scatter(pts[mask, 0], pts[mask, 1], s=16, alpha=0.5, color=colour, marker=MARKERS[k % len(MARKERS)],
                       label=f"{title}: {cls}", linewidths=0)
    ax.set_xlabel(axis_names[0])
    ax.set_ylabel(axis_names[1])
    ax.set_title(f"{'PCA' if method == 'pca' else 't-SNE'}: {len(parts[0])} real, {len(parts[1])} generated sequences", fontsize=10)
    ax.legend(fontsize=8, markerscale=1.5, ncol=2 if classes else 1)
    fig.tight_layout()
    return _save(fig, path)


def autocorrelation_figure(real, fake, *, max_lag: int | None = None, channels: list[str] | None = None):
    """Mean autocorrelation per lag (``tsgan.evaluation.metrics.autocorrelation``), real beside generated, one
    panel per channel, at the lags ``autocorrelation_distance`` compares (1 to ``max_lag``, by default its
    ``min(T - 1, 20)``). Returns the matplotlib Figure."""
    from .metrics import autocorrelation
    from .metrics.statistics import metric_max_lag

    real, fake = _pair(real, fake)
    T, d = real.shape[1:]
    if T < 2:
        raise TsganError("autocorrelation needs sequences of at least 2 steps")
    max_lag = metric_max_lag(max_lag, T)
    names = _channel_names(d, channels)
    acf_real, acf_fake = autocorrelation(real, max_lag)[1:], autocorrelation(fake, max_lag)[1:]  # lag 0 is 1 by definition
    lags = np.arange(1, max_lag + 1)
    fig, axes = _grid(min(d, MAX_CHANNELS))
    for c in _shown_channels(d, fig):
        ax = axes.flat[c]
        ax.axhline(0, color="0.7", lw=0.8)
        ax.plot(lags, acf_real[:, c], color=REAL, marker=".", label="real")
        ax.plot(lags, acf_fake[:, c], color=FAKE, marker=".", label="generated")
        ax.set_title(names[c], fontsize=10)
        ax.set_xlabel("lag (steps)")
    axes.flat[0].set_ylabel("mean autocorrelation")
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"mean autocorrelation at lags 1-{max_lag}, the lags autocorrelation_distance compares", fontsize=10)
    fig.tight_layout(rect=(0, 0.03 if d > MAX_CHANNELS else 0, 1, 1))
    return fig


def plot_autocorrelation(real, fake, path, **options) -> Path:
    """:func:`autocorrelation_figure`, saved to ``path`` (durably)."""
    return _save(autocorrelation_figure(real, fake, **options), path)


def plot_marginals(real, fake, path, *, real_labels=None, fake_labels=None, channels: list[str] | None = None) -> Path:
    """Per time step, the mean and a band of +- one standard deviation of real and generated values:
    one row per class and one column per channel (unlabelled: the channels four a row)."""
    real, fake = _pair(real, fake)
    T, d = real.shape[1:]
    names = _channel_names(d, channels)
    labelled = real_labels is not None and fake_labels is not None
    classes = sorted(set(map(str, real_labels))) if labelled else [None]
    shown = min(d, MAX_CHANNELS)
    if labelled:  # a row per class, a column per channel
        fig, axes = _grid(shown, rows=len(classes), width=max(3.6, 7.0 / shown), height=2.1)
        panels = axes
    else:  # channels 4 a row
        fig, axes = _grid(shown, width=max(3.6, 7.0 / shown), height=2.1)
        panels = axes.reshape(1, -1)
    steps = np.arange(T)
    shown_channels = _shown_channels(d, fig)
    for row, cls in enumerate(classes):
        for c in shown_channels:
            ax = panels[row, c]
            for X, labels, colour, title in ((real, real_labels, REAL, "real"), (fake, fake_labels, FAKE, "generated")):
                part = X if cls is None else X[np.asarray(labels).astype(str) == cls]
                if not len(part):
                    continue
                mu, sd = part[:, :, c].mean(axis=0), part[:, :, c].std(axis=0)
                ax.fill_between(steps, mu - sd, mu + sd, color=colour, alpha=0.2, linewidth=0)
                ax.plot(steps, mu, color=colour, lw=1.2, label=f"{title} (n={len(part)})")
            ax.set_title(names[c] if cls is None else f"{cls}: {names[c]}", fontsize=9)
        panels[row, 0].legend(fontsize=7)  # one legend a row: it carries the row's counts
    for ax in axes[-1]:
        ax.set_xlabel("time step")
    fig.suptitle("per-step mean +- one standard deviation", fontsize=10)
    fig.tight_layout(rect=(0, 0.03 if d > MAX_CHANNELS else 0, 1, 1))
    return _save(fig, path)
