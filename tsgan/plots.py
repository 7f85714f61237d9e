"""Pictures: real beside generated sequences per label, and loss curves."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no display needed
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plot_real_vs_generated(real, real_labels, fake, fake_labels, path, *, per_panel: int = 8, seed: int = 0,
                           channels: list[str] | None = None) -> Path:
    """One row per class (one row if unlabelled), real sequences on the left, generated on the right;
    each panel overlays ``per_panel`` randomly chosen sequences (every channel, one colour each)."""
    rng = np.random.default_rng(seed)
    classes = [None] if real_labels is None else sorted(set(map(str, real_labels)))
    fig, axes = plt.subplots(len(classes), 2, figsize=(9, 2.2 * len(classes) + 0.6), sharex=True, sharey=True, squeeze=False)
    for row, cls in enumerate(classes):
        for col, (X, labels, title) in enumerate(((real, real_labels, "real"), (fake, fake_labels, "generated"))):
            ax = axes[row, col]
            pool = np.arange(len(X)) if cls is None else np.flatnonzero(np.asarray(labels).astype(str) == cls)
            for i in rng.choice(pool, size=min(per_panel, len(pool)), replace=False) if len(pool) else []:
                for c in range(X.shape[2]):
                    ax.plot(X[i, :, c], color=f"C{c}", alpha=0.6, lw=1)
            ax.set_title(title if cls is None else f"{title}: {cls}", fontsize=10)
    if channels and len(channels) > 1:
        fig.legend([plt.Line2D([], [], color=f"C{c}") for c in range(len(channels))], channels, loc="lower center", ncol=min(len(channels), 8))
    for ax in axes[-1]:
        ax.set_xlabel("time step")
    fig.tight_layout(rect=(0, 0.04 if channels and len(channels) > 1 else 0, 1, 1))
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_losses(history: list[dict], path) -> Path:
    """Discriminator and generator loss per step (and the gradient penalty where there is one)."""
    fig, ax = plt.subplots(figsize=(7, 3.5))
    steps = [r["step"] for r in history]
    for key in ("d_loss", "g_loss", "gradient_penalty"):
        values = [r[key] for r in history]
        if key != "gradient_penalty" or any(values):
            ax.plot(steps, values, label=key, lw=1)
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.legend()
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
