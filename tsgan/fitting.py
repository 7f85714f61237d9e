"""What a fit needs before the loop runs: its run folder's lock, the training data (with the techniques' extra
data), the data-sized model configuration, the checkpoint to resume, and the GAN's networks fresh or restored."""
from __future__ import annotations

import contextlib
import functools
from dataclasses import fields, replace
from pathlib import Path

import numpy as np

from . import checkpoint, distributed, persistence
import torch

from .data import Sequences, as_sequences, categorical_groups
from .data.attributes import Attributes
from .errors import TsganError
from .nn import ModelConfig
from .nn.lengths import length_table
from .objective.composition import compose, game_of, restore, split_options, validate
from .objective.losses import get_loss
from .run_lock import RunLock
from .training.config import TrainConfig
from .data.scaling import MinMaxScaler

CHECKPOINT = "checkpoint.pt"


def holding_the_run_lock(fit):
    """``GAN.fit`` holding the :class:`tsgan.run_lock.RunLock` of its ``out_dir`` (rank 0 alone writes there, so it
    alone takes it): a second process fitting into that folder is told which process holds it; the lock's
    first taking probes that the folder takes files and removes killed runs' temporaries. Re-entrant: the
    command line, which holds it already, is not refused by its own fit."""
    @functools.wraps(fit)
    def locked(gan, *args, out_dir=None, **kwargs):
        with RunLock(out_dir) if out_dir is not None and distributed.is_main() else contextlib.nullcontext():
            return fit(gan, *args, out_dir=out_dir, **kwargs)
    return locked


def training_data(dataset, techniques: tuple, unlabelled) -> Sequences:
    """The sequences to train on: the data set's, with the unlabelled ones a technique takes (semi-supervised)."""
    data = as_sequences(*dataset, attributes=getattr(dataset, "attributes", None))
    takers = [t for t in techniques if hasattr(t, "with_unlabelled")]
    if unlabelled is not None and not takers:
        raise TsganError("unlabelled sequences train a semi-supervised discriminator: use GAN(..., semi_supervised=True)")
    for t in takers:
        data = t.with_unlabelled(data, unlabelled)
    if data.y is not None and len(data.classes) < 2:
        raise TsganError(f"all labels are '{data.classes[0]}'; conditioning needs at least two classes - pass no labels to train unconditionally")
    return data


def data_sized_config(config: TrainConfig, n: int, given: dict, world: int = 1) -> tuple[TrainConfig, str | None]:
    """The training config for ``n`` sequences, with what it chose said in one line (else None): a batch size left
    to its default shrinks to the data (a multiple of the ``world`` of data-parallel processes); a batch the user
    ``given`` stays (a larger one than the data is an error when training starts)."""
    if "batch_size" in given or config.batch_size <= n or n < world:
        return config, None
    batch = n - n % world
    return (replace(config, batch_size=batch),
            f"batch_size {batch}: the data hold {n} sequences, fewer than the default batch of {config.batch_size} "
            "(set batch_size= / --batch-size to choose)")


def data_sized_techniques(gan, data: Sequences, given: dict) -> tuple[dict, str | None]:
    """Technique options chosen from the data, with what was chosen said in one line (else ``{}``, None): the R1
    penalty (``r1_gamma=1``) for the classic loss when the data hold fewer sequences than values in one. A critic with
    more inputs than there are sequences can tell each one apart by heart and wins outright; on BasicMotions (56
    recordings of 600 values) R1 took the default from TSTR 0.667 to 0.986 (TRTR 1.000) and the strict score from 0.311 to 0.211
    (benchmarks/RESULTS.md, 3 seeds), where on waves (1,000 sequences of 30 values) it made the default worse.
    An ``r1_gamma`` the user ``given`` (0: off) stays."""
    values = data.X.shape[1] * data.X.shape[2]
    if gan.loss != "gan" or "r1_gamma" in given or len(data.X) >= values:
        return {}, None
    return {"r1_gamma": 1.0}, (f"r1_gamma 1.0: the data hold {len(data.X)} sequences, fewer than the {values} values of one "
                               "(the R1 penalty keeps the critic from learning each by heart; set r1_gamma= / --r1-gamma to choose, 0: off)")


def attributes_of(data: Sequences, layout: dict | None) -> Attributes | None:
    """The training data's per-series attributes (their encoding and joint model with the label), or None."""
    if data.attributes is None:
        return None
    return Attributes.fit(data.attributes, data.y, categorical=((layout or {}).get("attributes") or {}).get("categorical", []))


def conditioning(data: Sequences, attributes: Attributes | None) -> torch.Tensor | None:
    """What the networks are conditioned on for each training sequence: its class index (int64, as without
    attributes), or with attributes the float conditioning ``[one-hot label, encoded attributes]``."""
    if attributes is None:
        return None if data.y is None else torch.from_numpy(data.y)
    label = np.eye(len(data.classes), dtype=np.float32)[data.y] if data.y is not None else np.zeros((len(data.X), 0), np.float32)
    return torch.from_numpy(np.concatenate([label, attributes.encode(data.attributes)], axis=1))


def model_config(gan, data: Sequences, layout: dict | None, attributes: Attributes | None = None) -> ModelConfig:
    """The architecture the GAN's choices give for ``data``: its length, channels, classes, attributes, categorical
    groups and lengths."""
    return ModelConfig(
        generator=gan.generator, discriminator=gan.discriminator, length=data.X.shape[1], channels=data.X.shape[2],
        n_classes=len(data.classes), attribute_dim=0 if attributes is None else attributes.width, noise_dim=gan.noise_dim, hidden=gan.hidden, layers=gan.layers,
        static_noise=gan.static_noise, burn_in=gan.burn_in, noise_state=gan.noise_state, categorical=categorical_groups(layout, data.channels),
        lengths={} if data.lengths is None else length_table(data.lengths, data.y, len(data.classes))).resolved()


def checkpoint_to_resume(out_dir, resume: bool) -> tuple[Path | None, dict | None, bool]:
    """The checkpoint path of ``out_dir``, the state to resume (None: a fresh run) and whether the file at the
    path is known good (then it becomes checkpoint.prev.pt at the next write)."""
    if resume and out_dir is None:
        raise TsganError("resume=True needs out_dir, the folder holding the checkpoint")
    path = Path(out_dir) / CHECKPOINT if out_dir is not None else None
    state = source = None
    if resume and (path.exists() or checkpoint.previous_path(path).exists()):
        state, source = checkpoint.read_checkpoint(path)  # a corrupt checkpoint.pt falls back to checkpoint.prev.pt
        try:
            state = persistence.upgrade(state)  # once, here: what follows reads the current format
        except (KeyError, TypeError) as exc:
            raise TsganError(f"'{source}' is an incomplete or incompatible tsgan checkpoint ({type(exc).__name__}: {str(exc)[:120]})") from None
    if resume and state is None:
        raise TsganError(f"nothing to resume: no checkpoint at '{path}'")
    return path, state, source == path


# What a resumed run may change: how long it trains and how it reports (the device too: results then match
# a run never interrupted only up to floating-point differences between devices).
MAY_CHANGE_ON_RESUME = ("steps", "checkpoint_every", "log_every", "progress", "device", "threads", "logger", "sample_every",
                        "mlflow_uri")


def resumed_settings(gan, state: dict, options: dict) -> tuple[TrainConfig, tuple]:
    """The settings a resumed run continues with: the checkpoint's, with the options given now (the constructor's
    and ``fit``'s) on top; a given option that would change the model or its training is an error naming each
    setting and both values."""
    flat, rest = split_options({**gan.options, **options})
    saved = TrainConfig(**state["train_config"])
    config = replace(saved, **rest)
    changed = [f"{f.name} {getattr(saved, f.name)!r} -> {getattr(config, f.name)!r}" for f in fields(TrainConfig)
               if f.name not in MAY_CHANGE_ON_RESUME and getattr(saved, f.name) != getattr(config, f.name)]
    saved_loss = state["init"].get("loss", gan.loss)
    if saved_loss != gan.loss:
        changed.append(f"loss {saved_loss!r} -> {gan.loss!r}")
    loss = get_loss(gan.loss)
    before = restore(state["techniques"], get_loss(saved_loss))
    techniques = compose(loss, flat, [t for t in before if not t.game], gan.variant)
    old, new = {t.name: t.config() for t in before}, {t.name: t.config() for t in techniques}
    changed += [f"{name} {old.get(name, 'off')} -> {new.get(name, 'off')}" for name in sorted(set(old) | set(new))
                if old.get(name) != new.get(name)]
    if changed:
        raise TsganError(f"the run in this folder was trained with other settings ({'; '.join(changed)}); resume with its "
                         f"settings (leave these options out) or train afresh in a new folder; only "
                         f"{', '.join(MAY_CHANGE_ON_RESUME)} may change")
    return config, techniques


def set_up(gan, data: Sequences, config: ModelConfig, techniques: tuple, seed: int, state: dict | None,
           attributes: Attributes | None = None) -> None:
    """Give ``gan`` seeded networks and a fitted scaler for ``data`` (and its ``attributes``), or restore them from a
    checkpoint's ``state``, refusing one of another architecture, techniques, attributes or data."""
    validate(techniques, get_loss(gan.loss), config)  # against the data-sized model too
    if state is None:
        gan.model_config_, gan.techniques_, gan.variant_ = config, techniques, game_of(techniques)
        persistence.build_networks(gan, seed)
        gan.sampler_ = gan.generator_
        gan.scaler_ = MinMaxScaler().fit(data.X, keep=[c for start, size in config.categorical for c in range(start, start + size)])
        gan.attributes_ = attributes
    else:
        persistence.restore_into(gan, state)
        check_same_attributes(gan.attributes_, attributes)
        changed = [f"{f.name} {getattr(gan.model_config_, f.name)!r} -> {getattr(config, f.name)!r}"[:160] for f in fields(ModelConfig)
                   if getattr(gan.model_config_, f.name) != getattr(config, f.name)]
        if changed or [t.config() for t in gan.techniques_] != [t.config() for t in techniques]:
            raise TsganError(f"the checkpoint holds a different model ({'; '.join(changed) or 'techniques'}: architecture, data "
                             "shape or classes); resume with the same settings and data, or train afresh in a new folder")
        if gan.data_fingerprint_ != persistence.fingerprint(data.X, data.y):
            raise TsganError("the checkpoint was trained on different data; resume with the same data, or train afresh in a new folder")
    gan.classes_, gan.channels_ = data.classes, data.channels
    gan.class_counts_ = np.bincount(data.y[data.y >= 0], minlength=len(data.classes)).tolist() if data.y is not None else []
    gan.data_fingerprint_ = persistence.fingerprint(data.X, data.y)


def check_same_attributes(saved: Attributes | None, given: Attributes | None) -> None:
    """A resumed run's attributes must be the checkpoint's: the same names, kinds and categories, the same values."""
    described = [None if a is None else a.describe() for a in (saved, given)]
    if described[0] != described[1]:
        before, now = (", ".join(d) if d else "none" for d in described)
        raise TsganError(f"the run in this folder was trained with attributes {before}, not {now}; resume with the same "
                         "attributes, or train afresh in a new folder")
    if saved is not None and saved.state_dict() != given.state_dict():
        raise TsganError("the checkpoint was trained on different attribute values; resume with the same data, or train afresh in a new folder")
