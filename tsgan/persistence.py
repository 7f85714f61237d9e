"""A GAN's state as one plain-data dict (the model file and the training checkpoint), the one path that
builds its networks - fresh for training, restored for loading and resuming - and the adapter that reads
files of the first format."""
from __future__ import annotations

import dataclasses
import hashlib

import numpy as np
import torch

from .errors import TsganError
from .nn import ModelConfig, build
from .objective.composition import compose, configs, game_of, restore
from .objective.losses import get_loss
from .data.attributes import Attributes
from .data.scaling import MinMaxScaler
from .sizes import check_model_sizes
from .training.config import TrainConfig
from .training.failure import Diagnosis

FORMAT_VERSION = 2  # tsgan.checkpoint.VERSION: the file format these states are written in


def fingerprint(X: np.ndarray, y: np.ndarray | None) -> str:
    digest = hashlib.sha1(np.ascontiguousarray(X).tobytes())
    if y is not None:
        digest.update(np.ascontiguousarray(y).tobytes())
    return f"{X.shape}:{digest.hexdigest()[:16]}"


def build_networks(gan, seed: int) -> None:
    """Seeded networks for ``gan.model_config_`` and ``gan.techniques_`` (each technique adapting or wrapping
    them), without touching the caller's random stream."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        gan.generator_, gan.discriminator_ = build(gan.model_config_, gan.techniques_)


def to_device(gan, device: torch.device) -> None:
    for module in (gan.generator_, gan.sampler_, gan.discriminator_, gan.variant_.modules):
        module.to(device)
    for t in gan.techniques_:
        t.modules.to(device)


def state_of(gan) -> dict:
    """Everything a model file holds: state dicts, configuration, techniques, scaler and class names."""
    return {
        "init": gan._init_args(),
        "model_config": dataclasses.asdict(gan.model_config_),
        "train_config": dataclasses.asdict(gan.train_config_),
        "techniques": configs(gan.techniques_),
        "generator": gan.generator_.state_dict(),
        "sampler": gan.sampler_.state_dict(),
        "discriminator": gan.discriminator_.state_dict(),
        "technique_modules": {t.name: t.modules.state_dict() for t in gan.techniques_ if len(t.modules)},
        "scaler": gan.scaler_.state_dict(),
        "classes": gan.classes_,
        "class_counts": gan.class_counts_,
        "channels": gan.channels_,
        "layout": getattr(gan, "layout_", None),
        "attributes": None if getattr(gan, "attributes_", None) is None else gan.attributes_.state_dict(),
        "data_fingerprint": gan.data_fingerprint_,
        "history": getattr(gan, "history_", []),
        "resumes": getattr(gan, "resumes_", []),
        "fitted": {t.name: fitted for t in gan.techniques_ if (fitted := t.fitted())},
        "diagnosis": dataclasses.asdict(d) if (d := getattr(gan, "diagnosis_", None)) is not None else None,
    }


def publish_fitted(gan) -> None:
    """Set what the techniques found while training as the GAN's fitted attributes (``gan.best_step_``, ...)."""
    for t in gan.techniques_:
        for name, value in t.fitted().items():
            setattr(gan, name, value)


def restore_into(gan, state: dict) -> None:
    """Restore a GAN from a model file's or checkpoint's state (:func:`state_of`, the current format: read
    files through :func:`upgrade` first): the one restore path, used by :meth:`tsgan.GAN.load` and by
    resuming. The networks are built as for training, then loaded."""
    try:
        gan.model_config_ = ModelConfig(**state["model_config"])
        gan.train_config_ = TrainConfig(**state["train_config"])

        def networks():  # as below: the generator, discriminator and sampler, with the techniques' modules
            techniques = restore(state["techniques"], get_loss(gan.loss), gan.model_config_)
            G, D = build(gan.model_config_, techniques)
            return G, D, build(gan.model_config_, restore(state["techniques"], get_loss(gan.loss)))[0], techniques

        check_model_sizes(gan.model_config_, state, networks)  # before anything is built: sizes as the weights say
        gan.techniques_ = restore(state["techniques"], get_loss(gan.loss), gan.model_config_)
        gan.variant_ = game_of(gan.techniques_)
        build_networks(gan, gan.train_config_.seed)
        gan.sampler_, _ = build(gan.model_config_, restore(state["techniques"], get_loss(gan.loss)))
        gan.generator_.load_state_dict(state["generator"])
        gan.sampler_.load_state_dict(state["sampler"])
        gan.discriminator_.load_state_dict(state["discriminator"])
        for t in gan.techniques_:
            t.modules.load_state_dict(state["technique_modules"].get(t.name, {}))
        gan.scaler_ = MinMaxScaler.from_state_dict(state["scaler"])
        gan.classes_, gan.class_counts_, gan.channels_ = list(state["classes"]), list(state["class_counts"]), list(state["channels"])
        gan.layout_ = state.get("layout") or {"kind": "array"}
        gan.attributes_ = Attributes.from_state_dict(state.get("attributes"))  # absent from files written before attributes
        gan.data_fingerprint_, gan.history_ = state["data_fingerprint"], list(state["history"])
        gan.resumes_ = list(state.get("resumes", ()))  # absent from files written before resumes were recorded
        for t in gan.techniques_:
            t.load_fitted(state.get("fitted", {}).get(t.name, {}))
        publish_fitted(gan)
        gan.diagnosis_ = Diagnosis(**state["diagnosis"]) if state.get("diagnosis") else None  # a failed run says so
    except (KeyError, TypeError, RuntimeError) as exc:
        raise TsganError(f"an incomplete or incompatible tsgan model ({type(exc).__name__}: {str(exc)[:120]})") from None


# -- files of format 1 (tsgan 0.1: technique options in the model and training configurations) -----------------
_V1_MODEL_OPTIONS = ("minibatch_kernels", "virtual_batch_norm", "semi_supervised")
_V1_TRAIN_OPTIONS = {"real_target": 1.0, "feature_matching": 0.0, "feature_matching_only": False,
                     "historical_averaging_g": 0.0, "historical_averaging_d": 0.0, "ema_decay": 0.0}


# Settings whose default changed, with the value a file that does not name them was trained with: files written
# before the lstm generator drew its starting state from the noise started from zeros.
_OLD_DEFAULTS = {"noise_state": False}


def upgrade(state: dict) -> dict:
    """A state of any format as the current one (files written by tsgan 0.1 keep loading and resuming)."""
    state = _with_old_defaults(state)
    if state.get("version", 1) >= FORMAT_VERSION and "techniques" in state:
        return state
    state = dict(state)
    init, model, train = dict(state["init"]), dict(state["model_config"]), dict(state["train_config"])
    loss = init.get("loss", train.get("loss", "gan"))
    flat = {k: init.pop(k) for k in _V1_MODEL_OPTIONS if k in init}
    for k in _V1_MODEL_OPTIONS:
        model.pop(k, None)
    flat.update({k: train.pop(k) for k in _V1_TRAIN_OPTIONS if k in train})
    gp_weight, clip_value = train.pop("gp_weight", 10.0), train.pop("clip_value", 0.01)
    if loss == "wgan-gp":
        flat["gp_weight"] = gp_weight
    if loss == "wgan":
        flat["clip_value"] = clip_value
    if flat.get("feature_matching_only") and not flat.get("feature_matching"):
        flat["feature_matching"] = 1.0
    flat = {k: v for k, v in flat.items() if not (k in ("semi_supervised",) and not v)}
    if not flat.get("feature_matching"):
        flat.pop("feature_matching_only", None)
    train.pop("loss", None)
    techniques = compose(get_loss(loss), flat, variant=init.get("variant"))
    state.update(init={**init, "options": {}}, model_config=model, train_config=train, techniques=configs(techniques),
                 technique_modules={game_of(techniques).name: state.get("variant_modules", {})}, version=FORMAT_VERSION)
    if "trainer" in state:
        trainer = dict(state["trainer"])
        saved = {}
        if trainer.get("G_ema") is not None:
            saved["weight-average"] = trainer["G_ema"]
        averages = {side: trainer.get(key) for side, key in (("generator", "historical_g"), ("discriminator", "historical_d"))
                    if trainer.get(key) is not None}
        if averages:
            saved["historical-averaging"] = averages
        for key in ("G_ema", "historical_g", "historical_d"):
            trainer.pop(key, None)
        state["trainer"] = {**trainer, "techniques": saved}
    return state


def _with_old_defaults(state: dict) -> dict:
    """``state`` with the settings it does not name at the values it was trained with (:data:`_OLD_DEFAULTS`)."""
    if not isinstance(state.get("init"), dict) or not isinstance(state.get("model_config"), dict):
        return state  # not a tsgan file: restore_into says so
    return {**state, "init": {**_OLD_DEFAULTS, **state["init"]}, "model_config": {**_OLD_DEFAULTS, **state["model_config"]}}
