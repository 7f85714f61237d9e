"""The GAN object users hold: the user's verbs - fit, sample, save, load, and what techniques add - each
delegating to the module that does the work (networks: tsgan.nn; techniques: tsgan.objective; the loop:
tsgan.training; state and files: tsgan.persistence; sequences out: tsgan.sampling; real sequences in: tsgan.reading)."""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch
from skbase.base import BaseObject

from . import checkpoint, distributed, fitting, persistence, reading, sampling, sizes
from .data import as_dataset, frame_like, restore_labels, sktime_like
from .errors import TsganError
from .notices import TsganWarning
from .nn import ModelConfig
from .nn.families import check_families, check_recurrent_options
from .nn.lengths import PAD
from .objective.composition import compose, split_options
from .objective.losses import get_loss
from .run_record import RunConfigWriter
from .training.config import TrainConfig
from .training.failure import FailureWatch, TrainingFailed
from .training.loop import Callback, Trainer, check_batch_size
from .training.runtime import resolve_device
from .training.tracking import finish_all, trackers_for

_TRAIN_FIELDS = set(TrainConfig.__dataclass_fields__)


class GAN(BaseObject):
    """A generator/discriminator pair for labelled (or unlabelled) sequences.

    >>> gan = GAN("lstm", "lstm", loss="wgan-gp")            # RCGAN with WGAN-GP
    >>> gan.fit(X, y, steps=2000)                            # X (n, T, d), y class names or None
    >>> gan.sample(100, labels="sine", seed=0)               # (100, T, d) in X's units
    >>> gan.save("model.pt"); gan = tsgan.load("model.pt")

    Keyword ``options`` (here or in :meth:`fit`, which overrides) are the training loop's
    (:class:`tsgan.TrainConfig`: steps, batch_size, seed, ...) and every registered technique's
    (``tsgan.TECHNIQUES``: ``minibatch_kernels``, ``virtual_batch_norm``, ``semi_supervised``,
    ``feature_matching``, ``historical_averaging_g``, ``real_target``, ``gp_weight``, ``ema_decay``, ...);
    ``techniques`` takes technique objects or names, ``variant`` the game (``"infogan"`` / :class:`tsgan.InfoGAN`,
    ``"bigan"``, ``"aae"``; default the plain GAN). Fitted state (``generator_``, ``discriminator_``, ``sampler_``
    - the generator that samples, the weight average unless ``ema_decay=0`` -, ``scaler_``, ``classes_``,
    ``history_``, ``techniques_``, ``variant_``, ``attributes_`` - the series attributes' encoding and joint model,
    :mod:`tsgan.data.attributes`, None without) appears in :meth:`fit`.

    scikit-learn / sktime conventions (scikit-base's ``BaseObject``, sktime's own base): :meth:`get_params`
    gives the constructor's arguments as given, every option by name, so ``sklearn.base.clone(gan)`` makes an
    unfitted GAN of the same settings; :meth:`set_params` changes them; the repr shows those not at their
    default. A GAN equals only itself (not every GAN of the same settings, as ``BaseObject`` would have it).
    """

    __eq__, __hash__ = object.__eq__, object.__hash__  # a trained model is itself, not its settings

    def __init__(self, generator: str = "lstm", discriminator: str = "mlp", loss: str = "gan", *,
                 noise_dim: int | None = None, hidden: int | None = None, layers: int = 1, static_noise: int | None = None,
                 burn_in: int = 0, noise_state: bool | None = None, variant=None, techniques=(), **options) -> None:
        self.generator, self.discriminator, self.loss, self.variant = generator, discriminator, loss, variant
        self.noise_dim, self.hidden, self.layers, self.static_noise = noise_dim, hidden, layers, static_noise
        self.burn_in, self.noise_state = burn_in, noise_state
        self.techniques, self.options = techniques, dict(options)  # as given: clone checks they are the objects passed
        super().__init__()
        self._settings({})  # unknown names and options that do not fit fail now, not after data loading

    def get_params(self, deep: bool = True) -> dict:
        """The constructor's arguments as given: its named ones and every option (training loop's and techniques')."""
        return {**super().get_params(deep=deep), **self.options}

    def set_params(self, **params) -> "GAN":
        """Change constructor arguments or options (``gan.set_params(steps=500, loss="wgan-gp")``); settings that
        do not fit are refused, leaving the GAN as it was. A fitted GAN keeps its networks until the next ``fit``."""
        named = set(self.get_param_names())
        before = {name: getattr(self, name) for name in named}, dict(self.options)
        for name, value in params.items():
            if name in named:
                setattr(self, name, value)
            else:
                self.options[name] = value
        try:
            self._settings({})
        except TsganError:
            for name, value in before[0].items():
                setattr(self, name, value)
            self.options = before[1]
            raise
        return self

    def _settings(self, fit_options: dict) -> tuple[TrainConfig, tuple]:
        """The training config and fresh techniques from the constructor's options, overridden by ``fit``'s."""
        check_families(self.generator, self.discriminator)
        flat, rest = split_options({**self.options, **fit_options})
        unknown = set(rest) - _TRAIN_FIELDS
        if unknown:
            raise TsganError(f"unknown training option(s) {sorted(unknown)}; see tsgan.TrainConfig and tsgan.TECHNIQUES for what is known")
        model = ModelConfig(generator=self.generator, discriminator=self.discriminator, noise_dim=self.noise_dim,
                            hidden=self.hidden, layers=self.layers, static_noise=self.static_noise, burn_in=self.burn_in,
                            noise_state=self.noise_state)
        check_recurrent_options(self.generator, model)
        return TrainConfig(**rest), compose(get_loss(self.loss), flat, self.techniques, self.variant, model)

    def _init_args(self) -> dict:
        return {"generator": self.generator, "discriminator": self.discriminator, "loss": self.loss, "noise_dim": self.noise_dim,
                "hidden": self.hidden, "layers": self.layers, "static_noise": self.static_noise, "burn_in": self.burn_in,
                "noise_state": self.noise_state,
                "variant": None if self.variant_.name == "gan" else self.variant_.config(),
                "options": {k: v for k, v in self.options.items() if k not in _TRAIN_FIELDS}}

    @property
    def conditional(self) -> bool:
        """Whether the generator takes labels (a semi-supervised model knows classes, its generator does not)."""
        return bool(getattr(self.sampler_, "n_classes", 0))

    def technique(self, name: str):
        """The fitted technique of that name (``"semi-supervised"``, ``"weight-average"``, ...), or None."""
        return next((t for t in getattr(self, "techniques_", ()) if t.name == name), None)

    @property
    def privacy_(self) -> dict | None:
        """A differentially private model's spent ``epsilon`` and ``delta`` (and how: noise multiplier, sample rate,
        critic updates; :mod:`tsgan.objective.techniques.differential_privacy`), None for a model trained without."""
        private = self.technique("differential-privacy")
        return None if private is None else private.spent()

    # -- training --------------------------------------------------------------------------------
    @fitting.holding_the_run_lock
    def fit(self, X, y=None, *, channels: list[str] | None = None, out_dir: str | Path | None = None,
            resume: bool = False, callbacks: tuple[Callback, ...] = (), unlabelled=None, **options) -> "GAN":
        """Train on ``X`` ``(n, T, d)`` (or ``(n, T)``) with optional labels ``y`` (names or numbers); ``X`` may
        also be a :class:`tsgan.Dataset` or a DataFrame (long format, sktime pd-multiindex) bringing its labels,
        channel names and layout (for :meth:`sample_frame`, :meth:`sample_sktime`). ``options`` as in the
        constructor. With ``out_dir``, a checkpoint is written there atomically every ``checkpoint_every`` steps
        (the folder's run lock held: another process fitting there is refused), and ``out_dir/config.toml``
        when training starts (the settings, the data spec "python arrays": ``tsgan train --config`` repeats the
        run given ``--data``); ``resume=True`` continues from it.
        ``unlabelled``: sequences without labels, for a semi-supervised model.
        ``callbacks``: :class:`tsgan.Callback` objects called as training goes (docs/callbacks.md); the options
        ``logger="tensorboard"`` / ``"mlflow"`` and ``sample_every=K`` add live trackers (tsgan.training.tracking)."""
        if out_dir is not None and not any(isinstance(cb, RunConfigWriter) for cb in callbacks):
            callbacks = (*callbacks, RunConfigWriter(self, out_dir))  # the command line passes its own, with the data spec
        ckpt_path, state, self._keep_previous_checkpoint = fitting.checkpoint_to_resume(out_dir, resume)
        cfg, techniques = self._settings(options) if state is None else fitting.resumed_settings(self, state, options)
        dataset = as_dataset(X, y, channels)
        data = fitting.training_data(dataset, techniques, unlabelled)
        if state is None:  # a resumed run keeps the batch and techniques it was trained with
            given = {**self.options, **options}
            cfg, chose = fitting.data_sized_config(cfg, len(data.X), given, distributed.world_size())
            sized, chose_technique = fitting.data_sized_techniques(self, data, given)
            if sized:
                techniques = self._settings({**options, **sized})[1]
            for said in filter(None, (chose, chose_technique)):
                if distributed.is_main():
                    warnings.warn(said, TsganWarning, stacklevel=2)
        check_batch_size(len(data.X), cfg.batch_size)
        device = distributed.setup(resolve_device(cfg.device))  # under torchrun: join the group, cuda:LOCAL_RANK
        self.layout_ = dataset.layout  # how the data came in, for samples in the same form (and its categorical channels)
        attributes = fitting.attributes_of(data, self.layout_)
        fitting.set_up(self, data, fitting.model_config(self, data, self.layout_, attributes), techniques, cfg.seed, state, attributes)
        persistence.to_device(self, device)
        self.train_config_ = cfg
        # the run's trackers (logger=, sample_every=; tsgan.training.tracking), rank 0 only under data-parallel
        tracking = trackers_for(self, cfg, out_dir, data) if distributed.is_main() else []
        callbacks = (*callbacks, *tracking)
        watch = FailureWatch(-1.0, 1.0, seed=cfg.seed)  # the scaled data's range; a failed run warns, never silent
        trainer = Trainer(self.generator_, self.discriminator_, get_loss(self.loss), cfg, techniques=self.techniques_,
                          save_checkpoint=(lambda t: self._write_checkpoint(t, ckpt_path))
                          if ckpt_path is not None and distributed.is_main() else None,  # data-parallel: rank 0 writes
                          callbacks=(*callbacks, watch), out_dir=ckpt_path.parent if ckpt_path is not None and distributed.is_main() else None)
        if state is not None:
            trainer.load_state_dict(state["trainer"])
        X_scaled = torch.from_numpy(np.nan_to_num(self.scaler_.transform(data.X), nan=PAD))  # padding: PAD (tsgan.nn.lengths)
        try:
            trainer.fit(X_scaled, fitting.conditioning(data, self.attributes_))  # labels, or labels and attributes
        except BaseException as exc:
            finish_all(tracking, exc)
            raise
        finally:
            self.history_, self.resumes_, self.sampler_ = trainer.history, trainer.resumes, trainer.sampling_generator
            persistence.publish_fitted(self)
        self.diagnosis_ = watch.diagnosis
        if self.diagnosis_ is not None and distributed.is_main():
            warnings.warn(f"training failed: {self.diagnosis_}", TrainingFailed, stacklevel=2)
        return self

    def _write_checkpoint(self, trainer: Trainer, path: Path) -> None:
        self.history_, self.resumes_, self.sampler_ = trainer.history, trainer.resumes, trainer.sampling_generator  # history: the same list, pickled once
        checkpoint.save_checkpoint({**persistence.state_of(self), "trainer": trainer.state_dict()}, path,
                                   keep_previous=self._keep_previous_checkpoint)
        self._keep_previous_checkpoint = True

    # -- sampling (tsgan.sampling) and reading real sequences (tsgan.reading) ------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "sampler_"):
            raise TsganError("this GAN is not trained yet: call fit() or tsgan.load() first")

    def sample(self, n: int, labels=None, *, seed: int | None = None, return_labels: bool = False, batch_size: int = 4096,
               codes: dict | None = None, length: int | None = None, attributes: dict | None = None, return_attributes: bool = False):
        """Generate ``n`` sequences ``(n, T, d)`` float32 in the data's units. ``labels``: None (classes drawn as
        often as in the training data), one class name for all, or one per sample; the same ``seed`` gives the
        same samples, also after save/load; ``return_labels=True``: ``(X, class names)``. ``codes`` (InfoGAN):
        ``{"category": k, "continuous": [...]}`` (a code left out is drawn). A model of series of unequal length
        draws each length per label (or makes ``length`` steps, 1 to T); ``X`` is NaN beyond each end. The lstm
        generator also makes ``length`` above the training length, continuing its state (tsgan.nn.longer).
        A model with series attributes (``attributes_``, :mod:`tsgan.data.attributes`): ``attributes`` gives some of
        them, ``{"machine": "A", "temperature": 21.5}`` (one value for all, or one per sample); those not given (and
        the labels, when not given) are drawn from their learnt joint distribution with the label, given the rest;
        ``return_attributes=True`` adds the attributes as a DataFrame (one row per sample): ``(X, [names,] frame)``."""
        self._check_fitted()
        return sampling.sample(self, n, labels, seed=seed, return_labels=return_labels, batch_size=batch_size, codes=codes, length=length,
                               attributes=attributes, return_attributes=return_attributes)

    def sample_frame(self, n: int, labels=None, *, seed: int | None = None, length: int | None = None, codes: dict | None = None,
                     attributes: dict | None = None):
        """Samples as a DataFrame laid out like the training data (long or wide, its column names, dtypes, label
        values and time stamps; long format for arrays and sktime containers); NaN back where a mask says so; the
        attribute columns (``attributes`` as in :meth:`sample`) in their dtypes."""
        self._check_fitted()
        sampling.check_count(n)
        sizes.check_sample_memory(self, n, 4096, sampling.device_of(self), frame=True)  # the table too, before sampling
        X, names, frame = self._sample_with_attributes(n, labels, seed=seed, length=length, codes=codes, attributes=attributes)
        return frame_like(X, names, getattr(self, "layout_", None), self.channels_, frame)

    def _sample_with_attributes(self, n, labels, **options):
        """``(X, class names, attributes frame or None)``."""
        if getattr(self, "attributes_", None) is None:
            return (*self.sample(n, labels, return_labels=True, **options), None)
        return self.sample(n, labels, return_labels=True, return_attributes=True, **options)

    def sample_sktime(self, n: int, labels=None, *, seed: int | None = None, kind: str | None = None, length: int | None = None,
                      attributes: dict | None = None):
        """Samples as sktime data ``(X, y)``: ``X`` in the Panel container the model was fitted on (numpy3D
        ``(n, d, T)`` for arrays), or in ``kind`` (``"numpy3D"``, ``"pd-multiindex"``, ``"nested_univ"``,
        ``"df-list"``, ...: any sktime converts to); ``y`` the labels in the training labels' values and dtype.
        A model with attributes gives them as columns of ``X`` constant within each instance (not in numpy3D)."""
        self._check_fitted()
        X, names, frame = self._sample_with_attributes(n, labels, seed=seed, length=length, attributes=attributes)
        layout = getattr(self, "layout_", None)
        return sktime_like(X, layout, self.channels_, kind, frame), restore_labels(names, layout)

    def sample_noise(self, n: int, *, seed: int | None = None, batch_size: int = 4096) -> np.ndarray:
        """The generator's noise for ``n`` sequences, float32 (``(n, T, z)`` for the LSTM generator, ``(n, z)``
        otherwise; with a variant it holds the codes): edit it and decode it with :meth:`generate`."""
        self._check_fitted()
        sampling.check_count(n)
        sizes.check_sample_memory(self, n, batch_size, sampling.device_of(self))
        return sampling.draw_noise(self, n, sampling.seeded_stream(sampling.device_of(self), seed), batch_size).cpu().numpy()

    def generate(self, noise, labels=None, *, batch_size: int = 4096, attributes: dict | None = None) -> np.ndarray:
        """Decode ``noise`` (as :meth:`sample_noise` gives it) into sequences in the data's units; ``labels`` one
        class for all rows or one per row, needed for a conditional model; ``attributes`` as in :meth:`sample`
        (those not given drawn at seed 0)."""
        self._check_fitted()
        return sampling.generate(self, noise, labels, batch_size=batch_size, attributes=attributes)

    def classify(self, X, *, return_proba: bool = False, batch_size: int = 4096):
        """A semi-supervised discriminator's class names for real sequences (and probabilities ``(n, K)``)."""
        self._check_fitted()
        return reading.classify(self, X, return_proba=return_proba, batch_size=batch_size)

    def predict_codes(self, X, labels=None, *, batch_size: int = 4096) -> dict:
        """InfoGAN: Q's reading of real sequences: ``category`` ``(n,)``, ``category_proba``, ``continuous`` means."""
        self._check_fitted()
        return reading.predict_codes(self, X, labels, batch_size=batch_size)

    def encode(self, X, *, batch_size: int = 4096) -> np.ndarray:
        """BiGAN / AAE: the encoder's codes ``(n, k)`` for real sequences in the data's units."""
        self._check_fitted()
        return reading.encode(self, X, batch_size=batch_size)

    def decode(self, codes, labels=None, *, batch_size: int = 4096) -> np.ndarray:
        """BiGAN / AAE: sequences from codes ``(n, k)`` (from :meth:`encode`, or prior draws)."""
        self._check_fitted()
        reading.check_decodes(self)
        return sampling.decode_codes(self, codes, labels, batch_size=batch_size)

    def reconstruct(self, X, labels=None, *, batch_size: int = 4096) -> np.ndarray:
        """BiGAN / AAE: ``G(E(x))`` for real sequences, in the data's units."""
        return self.decode(self.encode(X, batch_size=batch_size), labels, batch_size=batch_size)

    # -- persistence (tsgan.persistence) ---------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Save state dicts, configuration, techniques, scaler and class names in one file (atomic write)."""
        self._check_fitted()
        checkpoint.atomic_save(persistence.state_of(self), path)

    @classmethod
    def load(cls, path: str | Path, device: str | None = None) -> "GAN":
        """Load a model (or a training checkpoint) written by :meth:`save` or :meth:`fit`; ``device``: where the
        networks go, by default where they were trained (CPU where that device is missing)."""
        state = checkpoint.read(path)
        try:
            state = persistence.upgrade(state)
            init = dict(state["init"])
            gan = cls(**{k: v for k, v in init.items() if k != "options"}, **init.get("options", {}))
        except (KeyError, TypeError) as exc:
            raise TsganError(f"'{path}' is an incomplete or incompatible tsgan model ({type(exc).__name__}: {str(exc)[:120]})") from None
        try:
            persistence.restore_into(gan, state)
        except TsganError as exc:
            raise TsganError(f"'{path}' is {str(exc)}") from None
        persistence.to_device(gan, resolve_device(device) if device is not None else _trained_device(gan.train_config_.device))
        return gan


def _trained_device(name: str) -> torch.device:
    """The device a model was trained on (its fit's ``device`` option), or the CPU where this machine lacks it."""
    try:
        return resolve_device(name)
    except TsganError:
        return torch.device("cpu")


def load(path: str | Path, device: str | None = None) -> GAN:
    """Load a saved tsgan model: ``tsgan.load("runs/waves/model.pt")`` (a run folder works too); ``device`` as in
    :meth:`GAN.load`."""
    return GAN.load(path, device=device)
