"""The one-page ``summary.md`` of a sample-quality report (:mod:`tsgan.evaluation.report`), and what each
figure it reports means: name, how to read it, its protocol and its real-data reference."""
from __future__ import annotations

from dataclasses import dataclass

from . import comparison


@dataclass(frozen=True)
class Metric:
    """One figure of the report: its ``metrics.json`` key, how to read it, and the key of its real-data reference."""

    key: str
    name: str
    better: str
    meaning: str
    protocol: str
    reference: str | None = None


METRICS = (
    Metric("discriminative_score", "Discriminative score", "lower (0 best, 0.5 worst)",
           "|accuracy - 0.5| of a post-hoc classifier telling generated from real sequences; the reference is its noise floor",
           "tsgan: CNN + GRU classifier, early stopping, against the real test data", "discriminative_noise_floor"),
    Metric("discriminative_score_timegan", "Discriminative score, TimeGAN protocol", "lower (0 best, 0.5 worst)",
           "the literature's weak one-layer GRU classifier: comparable with published tables, misses much",
           "timegan: GRU hidden max(1, d // 2), 2000 steps, against the real training data scaled to [0, 1]",
           "discriminative_noise_floor_timegan"),
    Metric("predictive_score", "Predictive score (MAE)", "lower",
           "error on real test data of a next-step predictor trained on generated data (data units)",
           "tsgan: GRU predicts every channel one step ahead; trained on generated, tested on the real test data",
           "predictive_score_real"),
    Metric("predictive_score_timegan", "Predictive score, TimeGAN protocol (MAE)", "lower",
           "the literature's: last channel from the others, tested on the training data (undefined for one channel)",
           "timegan: GRU hidden max(1, d // 2), 5000 steps, data scaled to [0, 1], tested on the real training data",
           "predictive_score_timegan_real"),
    Metric("tstr", "TSTR accuracy", "higher (read against TRTR)",
           "a classifier trained on generated sequences labels real test data; on junk it is not chance (0.17-0.52 seen)",
           "1-D CNN classifier trained on generated, tested on the real test data", "trtr"),
    Metric("trts", "TRTS accuracy", "higher (read against TRTR)",
           "a classifier trained on real data labels generated sequences: does each look like its label",
           "1-D CNN classifier trained on the real training data, tested on generated", "trtr"),
    Metric("label_fidelity", "Label fidelity", "higher (1 best, about 1/K if labels are ignored)",
           "fraction of generated sequences that a classifier fitted on real data assigns the label they were asked for",
           "1-D CNN classifier fitted on all real data (training and test parts)", "trtr"),
    Metric("class_share_distance", "Class share distance", "lower (0 best; 0.5 if one of two balanced classes is missing)",
           "how far the classes a classifier fitted on real data gives generated sequences are from the real class shares "
           "(total variation): a dropped class shows here, also for an unconditional model, where MMD can miss it",
           "1-D CNN classifier fitted on all labelled real data (training and test parts)", "class_share_distance_real"),
    Metric("mmd", "MMD^2", "lower (0 best; can dip below 0)",
           "squared maximum mean discrepancy between generated and real test sequences",
           "RBF kernel, median-heuristic bandwidth, unbiased, up to 2000 sequences a set", "mmd_real"),
    Metric("parzen_log_likelihood", "Parzen log-likelihood", "higher",
           "mean log-likelihood (nats per sequence) of real test data under a Gaussian window on generated data",
           "bandwidth chosen on half the real test data, scored on the other half", "parzen_log_likelihood_real"),
    Metric("autocorrelation_distance", "Autocorrelation distance", "lower (0 best)",
           "mean |difference| of the mean autocorrelation, lags 1 to min(T - 1, 20), over channels",
           "generated vs real test data", "autocorrelation_distance_real"),
    Metric("marginal_distance", "Marginal distance", "lower (0 best)",
           "mean |difference| of the per-step mean and standard deviation, over steps and channels",
           "generated vs real test data", "marginal_distance_real"),
    Metric("nearest_neighbour_ratio", "Memorisation check", "about 1 (below: nearer the training data than unseen data; near 0: copies)",
           "share of generated sequences nearer to an unseen real sequence than to every training one / the share "
           "expected of samples that copy nothing", "training data vs held-out real data, pooled"),
)
LABEL_METRICS = ("tstr", "trts", "label_fidelity")
PICTURES = {"samples.png": "real and generated sequences, per channel and label", "pca.png": "PCA of real and generated sequences",
            "tsne.png": "t-SNE of real and generated sequences", "autocorrelation.png": "mean autocorrelation per lag",
            "marginals.png": "per-step mean +- standard deviation, per label", "losses.png": "training losses"}


def _number(value) -> str:
    if value is None:
        return "-"
    return f"{value:#.3g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"


def baseline_verdict(baseline: dict) -> str:
    """One line: whether the model beats the Gaussian baseline on each decisive figure."""
    if "skipped" in baseline:
        return f"Gaussian baseline: not measured ({baseline['skipped']})"
    shown = {"discriminative_score": "discriminative score", "tstr": "TSTR", "label_fidelity": "label fidelity"}
    parts = [f"{shown[key]} {'yes' if baseline['beats'][key] else 'no'}" for key in comparison.DECISIVE if baseline["beats"][key] is not None]
    return "beats the Gaussian baseline: " + ", ".join(parts)


def _baseline_lines(baseline: dict) -> list[str]:
    """The summary's verdict against the Gaussian baseline, one line per figure compared."""
    lines = ["", "## Against the Gaussian baseline", ""]
    if "skipped" in baseline:
        return lines + [f"Not measured: {baseline['skipped']}."]
    lines += [f"The baseline is a {baseline['generator']}, fitted on the real training part and sampled with the model's "
              "labels: a reference every model must beat. The model "
              + ("beats it on every decisive figure (discriminative score, TSTR, label fidelity where measured)."
                 if baseline["beats_everywhere"] else "does **not** beat it on every decisive figure: it has not learnt more "
                 "than a Gaussian would of these data."), ""]
    names = {metric.key: metric.name for metric in METRICS}
    for key, beaten in baseline["beats"].items():
        if beaten is not None:
            lines.append(f"- {names[key]}: beats the Gaussian baseline: {'yes' if beaten else 'no'}"
                         + (" (decisive)" if key in comparison.DECISIVE else ""))
    return lines


def _per_class_lines(result: dict) -> list[str]:
    """The summary's table of the discriminative score within each class (none for unlabelled data)."""
    scores = result.get("discriminative_score_per_class")
    if not scores:
        return []
    floors = result["discriminative_noise_floor_per_class"]
    lines = ["", "## Discriminative score per class", "",
             "Real test sequences of each label against generated ones asked for that label (lower is better): the class "
             "the classifier tells apart most easily is the one that gives the samples away.", "",
             "| class | discriminative score | noise floor |", "|---|---|---|"]
    for label, score in scores.items():
        cells = [str(label), "too few sequences" if score is None else _number(score), _number(floors[label])]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    measured = {label: score for label, score in scores.items() if score is not None}
    if len(measured) > 1:
        lines += ["", f"Told apart most easily: **{max(measured, key=measured.get)}** ({_number(max(measured.values()))})."]
    return lines


def summary(result: dict, pictures: list[str]) -> str:
    """The one-page Markdown report for a result of :func:`evaluate`."""
    skipped = result["skipped"]
    lines = [
        "# Sample quality report", "",
        f"- **Model**: {result['model']}" + (f" (`{result['model_path']}`)" if result["model_path"] else ""),
        f"- **Real data**: {result['data']}, {result['n_real']} sequences"
        + (" - the model's training data" if result["data_is_training_data"] else
           " - not the model's training data (its fingerprint differs)"),
        f"- **Held-out real data**: {result['held_out']}",
        f"- **Compared**: {result['n_synthetic']} generated sequences"
        + (" with the real training part's label mix" if result["classes"] and "tstr" not in skipped else "")
        + f" vs {result['n_real_train']} real training and {result['n_real_test']} real test sequences; seed {result['seed']}",
    ]
    if result.get("training_failed"):
        lines.append(f"- **Training failed**: {result['training_failed']}")
    if result["quick"]:
        lines.append("- **Quick mode**: the post-hoc models trained a few steps only; these figures check the pipeline, not the model.")
    lines += ["", "## Metrics", "",
              "\"Real data\" puts real training sequences where the generated ones go: what a perfect generator would score.", "",
              "| metric | generated | real data | Gaussian baseline | better | what it means |", "|---|---|---|---|---|---|"]
    baseline = result.get("baseline", {})
    for metric in METRICS:
        value = result.get(metric.key)
        reference = result.get(metric.reference) if metric.reference else None
        shown = _number(value) if value is not None else "skipped"
        ref_text = _number(reference) if metric.reference else "about 1"
        if metric.reference == "trtr" and reference is not None:
            ref_text += " (TRTR)"
        elif metric.reference and metric.reference.startswith("discriminative_noise_floor"):
            ref_text += " (noise floor)"
        cells = [f"{metric.name} (`{metric.key}`)", shown, ref_text, _number(baseline.get(metric.key)), metric.better, metric.meaning]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    lines += _per_class_lines(result)
    lines += _baseline_lines(baseline)
    lines += ["", "## Read with care", "",
              "- Always read TSTR and TRTS beside TRTR, the accuracy of a classifier trained and tested on real data.",
              "- The distribution metrics (discriminative score, MMD, predictive score, Parzen, marginal and autocorrelation "
              "distances) do not catch a generator that ignores its label: real data with shuffled labels passes them. Only "
              "TSTR / TRTS and label fidelity do"
              + (", and they were skipped here." if "tstr" in skipped else "."),
              f"- The discriminative score's noise floor is about 0.4 / sqrt(0.4 m) for m sequences a set: "
              f"{_number(result['discriminative_noise_floor'])} here; differences below it are noise.",
              "- The TimeGAN protocols follow the literature's reference code (weak classifier, tested on the training data) so "
              "they compare with published tables; the tsgan protocols test on real test data with stronger models.",
              "- The memorisation check " + ("compares against " + result["held_out"] + "." if result["nearest_neighbour_ratio"] is not None
                                              else "was skipped: it needs held-out real data (`--held-out PATH`).")]
    if not result["data_is_training_data"]:
        lines.append("- The real data given are not the model's training data, so \"training part\" means the given data, "
                     "and the memorisation check cannot see copying of data it was not given.")
    if skipped:
        lines += ["", "## Skipped", ""] + [f"- `{key}`: {reason}" for key, reason in skipped.items()]
    lines += ["", "## Pictures", ""]
    for name in pictures:
        lines += [f"**{PICTURES[name]}** (`{name}`)", "", f"![{PICTURES[name]}]({name})", ""]
    lines.append("All figures are in `metrics.json` (keys as in the table; `*_real` and `trtr` are the real-data references; "
                 "`*_protocol` says how each was measured).")
    return "\n".join(lines) + "\n"
