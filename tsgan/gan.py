"""The GAN object users hold: builds networks for their data, trains them with the one loop,
samples in the data's own units and class names, and saves / loads everything in one file."""
from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from . import checkpoint, distributed
from .data import (Sequences, as_dataset, as_sequences, categorical_groups, frame_like, harden_categories, pad_to, restore_labels,
                   sktime_like)
from .errors import TsganError
from .lengths import PAD, LengthMasked, length_table, mask_beyond, requested_lengths
from .losses import get_loss
from .models import ModelConfig, build
from .data.scaling import MinMaxScaler
from .train import Callback, Trainer, TrainConfig, check_batch_size, resolve_device
from .variants import Variant, code_noise, make_variant

CHECKPOINT = "checkpoint.pt"


def _fingerprint(X: np.ndarray, y: np.ndarray | None) -> str:
    digest = hashlib.sha1(np.ascontiguousarray(X).tobytes())
    if y is not None:
        digest.update(np.ascontiguousarray(y).tobytes())
    return f"{X.shape}:{digest.hexdigest()[:16]}"


class GAN:
    """A generator/discriminator pair for labelled (or unlabelled) sequences.

    >>> gan = GAN("lstm", "lstm", loss="wgan-gp")            # RCGAN with WGAN-GP
    >>> gan.fit(X, y, steps=2000)                            # X (n, T, d), y class names or None
    >>> gan.sample(100, labels="sine", seed=0)               # (100, T, d) in X's units
    >>> gan.save("model.pt"); gan = tsgan.load("model.pt")

    ``__init__`` only stores the architecture; fitted state (``generator_``, ``discriminator_``,
    ``sampler_`` - the generator that samples, a weight average of ``generator_`` unless
    ``ema_decay=0`` -, ``scaler_``, ``classes_``, ``history_``) appears in :meth:`fit`.

    Model options from Salimans et al. 2016: ``minibatch_kernels`` (minibatch discrimination),
    ``virtual_batch_norm`` (True or a reference batch size: the mlp / conv generators' batch norm
    becomes virtual batch norm), ``semi_supervised=True`` (the discriminator classifies the labels'
    classes, trained on few labels and many unlabelled sequences: ``fit(X, y, unlabelled=U)``, then
    :meth:`classify`). Training techniques (feature matching, historical averaging, label smoothing)
    are options of :meth:`fit`.

    ``variant`` (SPEC section 5; :mod:`tsgan.variants`): ``"infogan"`` / :class:`tsgan.InfoGAN` (codes
    beside the noise: ``sample(n, codes=...)``, :meth:`predict_codes`), ``"bigan"`` / :class:`tsgan.BiGAN`
    and ``"aae"`` / :class:`tsgan.AAE` (an encoder: :meth:`encode`, :meth:`decode`, :meth:`reconstruct`);
    a name takes the variant's default options. Its modules are in ``variant_.modules``.
    """

    def __init__(self, generator: str = "lstm", discriminator: str = "lstm", loss: str = "gan", *,
                 noise_dim: int | None = None, hidden: int | None = None, layers: int = 1,
                 static_noise: int | None = None, minibatch_kernels: int = 0, virtual_batch_norm: int | bool = 0,
                 semi_supervised: bool = False, variant: str | dict | Variant | None = None) -> None:
        self.generator, self.discriminator, self.loss = generator, discriminator, loss
        self.variant = variant
        self.noise_dim, self.hidden, self.layers, self.static_noise = noise_dim, hidden, layers, static_noise
        self.minibatch_kernels = minibatch_kernels
        self.virtual_batch_norm, self.semi_supervised = virtual_batch_norm, semi_supervised
        # unknown names and options that do not fit the model fail now, not after data loading
        ModelConfig(generator, discriminator, virtual_batch_norm=virtual_batch_norm).resolved()
        get_loss(loss)
        kind = make_variant(variant).name  # unknown names and bad options fail now
        if kind != "gan" and semi_supervised:
            raise TsganError(f"the semi-supervised discriminator does not combine with the {kind} variant")

    # -- training --------------------------------------------------------------------------------
    def fit(self, X, y=None, *, channels: list[str] | None = None, out_dir: str | Path | None = None,
            resume: bool = False, callbacks: tuple[Callback, ...] = (), unlabelled=None, **train_options) -> "GAN":
        """Train on ``X`` ``(n, T, d)`` (or ``(n, T)``) with optional labels ``y`` (names or numbers).

        ``train_options`` are the fields of :class:`tsgan.train.TrainConfig` (steps, batch_size, seed,
        device, lr_g, lr_d, n_critic, gp_weight, real_target, feature_matching, historical_averaging_g,
        ...). With ``out_dir``, a checkpoint is written there atomically every ``checkpoint_every``
        steps; ``resume=True`` continues from it. ``unlabelled``: more sequences without labels, shaped
        as ``X``, for a semi-supervised model.

        ``X`` may also be a :class:`tsgan.Dataset` (from ``from_long``, ``from_wide``, ``from_sktime``,
        ``to_windows``, ``load_dataset``) or a DataFrame (long format, or sktime pd-multiindex), passed
        alone: it brings its labels and channel names, and the model remembers its layout for
        :meth:`sample_frame` and :meth:`sample_sktime`.
        """
        unknown = set(train_options) - {f.name for f in dataclasses.fields(TrainConfig)}
        if unknown:
            raise TsganError(f"unknown training option(s) {sorted(unknown)}; see tsgan.TrainConfig")
        dataset = as_dataset(X, y, channels)
        data = self._with_unlabelled(as_sequences(*dataset), unlabelled)
        if data.y is not None and len(data.classes) < 2:
            raise TsganError(f"all labels are '{data.classes[0]}'; conditioning needs at least two classes - pass no labels to train unconditionally")
        cfg = TrainConfig(loss=self.loss, **train_options)
        if cfg.batch_size < 1 or cfg.steps < 0:
            raise TsganError(f"batch_size must be >= 1 and steps >= 0, got {cfg.batch_size} and {cfg.steps}")
        check_batch_size(len(data.X), cfg.batch_size)
        if resume and out_dir is None:
            raise TsganError("resume=True needs out_dir, the folder holding the checkpoint")
        device = distributed.setup(resolve_device(cfg.device))  # under torchrun: join the group, cuda:LOCAL_RANK
        ckpt_path = Path(out_dir) / CHECKPOINT if out_dir is not None else None
        state = source = None
        if resume and ckpt_path is not None and (ckpt_path.exists() or checkpoint.previous_path(ckpt_path).exists()):
            state, source = checkpoint.read_checkpoint(ckpt_path)  # a corrupt checkpoint.pt falls back to checkpoint.prev.pt
        # checkpoint.pt becomes checkpoint.prev.pt at the next write only when it is known good
        self._keep_previous_checkpoint = source == ckpt_path
        if resume and state is None:
            raise TsganError(f"nothing to resume: no checkpoint at '{ckpt_path}'")

        self.layout_ = dataset.layout  # how the data came in, for samples in the same form (and its categorical channels)
        self._setup(data, seed=cfg.seed, device=device, state=state)
        if state is not None and state["data_fingerprint"] != self.data_fingerprint_:
            raise TsganError("the checkpoint was trained on different data; resume with the same data, or train afresh in a new folder")
        self.train_config_ = cfg
        trainer = Trainer(self.generator_, self.discriminator_, get_loss(self.loss), cfg,
                          save_checkpoint=(lambda t: self._write_checkpoint(t, ckpt_path))
                          if ckpt_path is not None and distributed.is_main() else None,  # data-parallel: rank 0 writes
                          callbacks=callbacks, variant=self.variant_)
        if state is not None:
            trainer.load_state_dict(state["trainer"])
        X_scaled = torch.from_numpy(np.nan_to_num(self.scaler_.transform(data.X), nan=PAD))  # padding: PAD (tsgan.lengths)
        y_t = None if data.y is None else torch.from_numpy(data.y)
        try:
            trainer.fit(X_scaled, y_t)
        finally:
            self.history_ = trainer.history
            self.sampler_ = trainer.sampling_generator
        return self

    def _with_unlabelled(self, data: Sequences, unlabelled) -> Sequences:
        """Semi-supervised: the labelled sequences, then the unlabelled ones with label -1."""
        if not self.semi_supervised:
            if unlabelled is not None:
                raise TsganError("unlabelled sequences train a semi-supervised discriminator: use GAN(..., semi_supervised=True)")
            return data
        if data.y is None:
            raise TsganError("a semi-supervised GAN needs labels for some sequences: fit(X_labelled, y, unlabelled=X_unlabelled)")
        if unlabelled is None:
            return data
        extra = as_sequences(unlabelled, None, data.channels)
        T = max(data.X.shape[1], extra.X.shape[1])  # series of unequal length: pad the shorter set (tsgan.lengths)
        data, extra = pad_to(data, T), pad_to(extra, T)
        if extra.X.shape[1:] != data.X.shape[1:]:
            raise TsganError(f"unlabelled sequences have shape {extra.X.shape[1:]} per sequence, the labelled ones {data.X.shape[1:]}")
        lengths = None if data.lengths is None and extra.lengths is None else np.concatenate(
            [np.full(len(part.X), T) if part.lengths is None else part.lengths for part in (data, extra)])
        return Sequences(np.concatenate([data.X, extra.X]), np.concatenate([data.y, np.full(len(extra.X), -1, data.y.dtype)]),
                         data.classes, data.channels, lengths)

    def _write_checkpoint(self, trainer: Trainer, path: Path) -> None:
        self.history_ = trainer.history  # the same list object: pickled once in the file
        self.sampler_ = trainer.sampling_generator
        checkpoint.save_checkpoint({**self._state(), "trainer": trainer.state_dict()}, path,
                                   keep_previous=self._keep_previous_checkpoint)
        self._keep_previous_checkpoint = True

    def _setup(self, data: Sequences, *, seed: int, device: torch.device, state: dict | None) -> None:
        """Fit the scaler and build seeded networks for ``data``, or restore them from ``state``."""
        self.model_config_ = ModelConfig(self.generator, self.discriminator, data.X.shape[1], data.X.shape[2],
                                         len(data.classes), self.noise_dim, self.hidden, self.layers,
                                         self.static_noise, self.minibatch_kernels, self.virtual_batch_norm,
                                         self.semi_supervised, categorical_groups(self.layout_, data.channels),
                                         lengths={} if data.lengths is None else length_table(data.lengths, data.y, len(data.classes)),
                                         ).resolved()
        self.classes_, self.channels_ = data.classes, data.channels
        self.class_counts_ = np.bincount(data.y[data.y >= 0], minlength=len(data.classes)).tolist() if data.y is not None else []
        self.data_fingerprint_ = _fingerprint(data.X, data.y)
        self.variant_ = make_variant(self.variant)  # a fresh copy: modules built here, not in the caller's object
        with torch.random.fork_rng(devices=[]):  # seeded weights without touching the caller's RNG
            torch.manual_seed(seed)
            self.generator_, self.discriminator_ = build(self.model_config_, self.variant_)
            self.variant_.build(self.model_config_, self.generator_, self.discriminator_)
        if state is None:
            self.scaler_ = MinMaxScaler().fit(data.X, keep=[c for start, size in self.model_config_.categorical
                                                            for c in range(start, start + size)])
        else:
            if (dataclasses.asdict(ModelConfig(**state["model_config"])) != dataclasses.asdict(self.model_config_)  # older files lack newer fields
                    or make_variant(state["init"].get("variant")).config() != self.variant_.config()):
                raise TsganError("the checkpoint holds a different model (architecture, variant, data shape or classes); resume with the same settings")
            self.scaler_ = MinMaxScaler.from_state_dict(state["scaler"])
            self.generator_.load_state_dict(state["generator"])
            self.discriminator_.load_state_dict(state["discriminator"])
            self.variant_.modules.load_state_dict(state.get("variant_modules", {}))
        self.generator_.to(device)
        self.discriminator_.to(device)
        self.variant_.modules.to(device)

    # -- sampling --------------------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "sampler_"):
            raise TsganError("this GAN is not trained yet: call fit() or tsgan.load() first")

    def _conditional(self) -> bool:
        """Whether the generator takes labels (a semi-supervised model knows classes, its generator does not)."""
        return bool(self.classes_) and not self.model_config_.semi_supervised

    def _label_indices(self, n: int, labels, rng: torch.Generator) -> torch.Tensor | None:
        device = next(self.sampler_.parameters()).device
        if not self._conditional():
            if labels is not None:
                raise TsganError("this model's generator is not conditioned on labels (trained without labels, or "
                                 "semi-supervised); sample without labels")
            return None
        if n == 0:
            return torch.zeros(0, dtype=torch.long, device=device)
        if labels is None:  # draw classes as often as the training data held them
            prior = torch.tensor(self.class_counts_, dtype=torch.float, device=device)
            return torch.multinomial(prior, n, replacement=True, generator=rng)
        values = [labels] * n if np.ndim(labels) == 0 else list(np.asarray(labels, dtype=object))
        if len(values) != n:
            raise TsganError(f"{len(values)} labels given for {n} samples; give one label, or one per sample")
        lookup = {c: i for i, c in enumerate(self.classes_)}
        idx = []
        for v in values:
            if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and str(v) not in lookup:
                if not 0 <= v < len(self.classes_):
                    raise TsganError(f"label index {v} out of range; the model knows {len(self.classes_)} classes: {self.classes_}")
                idx.append(int(v))
            elif str(v) in lookup:
                idx.append(lookup[str(v)])
            else:
                raise TsganError(f"unknown label '{v}'; the model knows {self.classes_}")
        return torch.tensor(idx, dtype=torch.long, device=device)

    def _device(self) -> torch.device:
        return next(self.sampler_.parameters()).device

    def _draw_noise(self, n: int, rng: torch.Generator, batch_size: int) -> torch.Tensor:
        """``n`` noise rows drawn from ``rng`` in chunks of ``batch_size`` (the chunking is part of the stream)."""
        G = self.sampler_
        if not n:
            return torch.zeros(G.noise_shape(0), device=self._device())
        return torch.cat([self._variant().noise(G, len(chunk), rng) for chunk in torch.arange(n).split(batch_size)])

    def _variant(self) -> Variant:
        return getattr(self, "variant_", None) or Variant()

    @torch.no_grad()
    def _decode(self, noise: torch.Tensor, idx: torch.Tensor | None, batch_size: int, lengths: torch.Tensor | None = None) -> np.ndarray:
        """The sampling generator (in eval mode) on ``noise`` and label indices, in the data's units. A model of
        unequal lengths (tsgan.lengths) makes ``lengths`` (default: drawn by the noise) and gives NaN beyond them."""
        G = self.sampler_
        masked = isinstance(G, LengthMasked)
        if masked and lengths is None:
            lengths = G.noise_lengths(noise, idx)
        was_training = G.training
        G.eval()
        try:
            parts = [G(noise[chunk], None if idx is None else idx[chunk], **({"lengths": lengths[chunk]} if masked else {})).cpu()
                     for chunk in torch.arange(len(noise)).split(batch_size)] if len(noise) else []
        finally:
            G.train(was_training)
        scaled = torch.cat(parts).numpy() if parts else np.zeros((0, G.length, G.channels), np.float32)
        X = harden_categories(self.scaler_.inverse_transform(scaled), self.model_config_.categorical)  # argmax category
        return mask_beyond(X, lengths.cpu().numpy()) if masked else X

    @staticmethod
    def _check_count(n) -> None:
        if not isinstance(n, (int, np.integer)) or n < 0:
            raise TsganError(f"n must be a non-negative whole number, got {n!r}")

    @staticmethod
    def _rng(device: torch.device, seed: int | None) -> torch.Generator:
        rng = torch.Generator(device=device)
        rng.manual_seed(int(seed) if seed is not None else int(torch.seed()))
        return rng

    @torch.no_grad()
    def sample(self, n: int, labels=None, *, seed: int | None = None, return_labels: bool = False, batch_size: int = 4096,
               codes: dict | None = None, length: int | None = None):
        """Generate ``n`` sequences ``(n, T, d)`` float32 in the data's units.

        ``labels``: None (classes drawn as often as in the training data), one class name or index
        for all, or one per sample. The same ``seed`` gives the same samples, also after save/load.
        With ``return_labels=True`` returns ``(X, class names)``. ``codes`` (InfoGAN): ``{"category": k
        or one per sample, "continuous": C values or one row per sample}``; a code left out is drawn.

        A model trained on series of unequal length (:mod:`tsgan.lengths`) draws each sample's length from
        the training lengths of its label, or makes ``length`` steps (1 to ``T``, the longest training
        length); ``X`` is NaN beyond each sample's end. A model of one length makes ``T`` steps only.
        """
        self._check_fitted()
        self._check_count(n)
        asked = requested_lengths(self.sampler_, n, length, self._device())
        rng = self._rng(self._device(), seed)
        idx = self._label_indices(n, labels, rng)
        noise = self._draw_noise(n, rng, batch_size)
        X = self._decode(noise if codes is None else self._variant().with_codes(noise, codes), idx, batch_size, asked)
        if not return_labels:
            return X
        names = np.asarray(self.classes_, dtype=object)[idx.cpu().numpy()].astype(str) if idx is not None else None
        return X, names

    # -- latent space ----------------------------------------------------------------------------
    @torch.no_grad()
    def sample_noise(self, n: int, *, seed: int | None = None, batch_size: int = 4096) -> np.ndarray:
        """The generator's noise for ``n`` sequences, float32: ``(n, T, z)`` for the LSTM generator (its
        first ``static_noise`` channels one draw per sequence, repeated over time; the rest fresh every
        step), ``(n, z)`` for MLP / conv; with a variant it holds the codes (InfoGAN's in its last
        channels; BiGAN's and the AAE's code is all of it, one draw per sequence). Edit it (interpolate,
        add directions) and decode it with :meth:`generate`. With labels given, ``generate(sample_noise(n, seed=s), labels)`` equals
        ``sample(n, labels, seed=s)``. A model of series of unequal length has one more noise channel, the
        last: a uniform on [0, 1) that sets each sequence's length (:mod:`tsgan.lengths`)."""
        self._check_fitted()
        self._check_count(n)
        return self._draw_noise(n, self._rng(self._device(), seed), batch_size).cpu().numpy()

    @torch.no_grad()
    def generate(self, noise, labels=None, *, batch_size: int = 4096) -> np.ndarray:
        """Decode ``noise`` (shaped as :meth:`sample_noise` gives it) into sequences ``(n, T, d)`` in the
        data's units. ``labels``: one class name or index for all rows, or one per row; needed for a
        conditional model (the same noise under another label keeps what the label does not set)."""
        self._check_fitted()
        G = self.sampler_
        try:
            z = torch.as_tensor(np.asarray(noise, dtype=np.float32) if not torch.is_tensor(noise) else noise,
                                dtype=torch.float32, device=self._device())
        except (TypeError, ValueError) as exc:  # ragged lists, strings
            raise TsganError(f"noise could not be read as a float array ({exc}); draw it with sample_noise()") from None
        if tuple(z.shape[1:]) != G.noise_shape(0)[1:]:
            raise TsganError(f"noise has shape {tuple(z.shape)}; this generator takes {('n',) + G.noise_shape(0)[1:]} - draw it with sample_noise()")
        if not torch.isfinite(z).all():
            raise TsganError("noise holds NaN or infinite values")
        if self._conditional() and labels is None:
            raise TsganError(f"this model is conditional: pass labels (one of {self.classes_} for all rows, or one per row)")
        idx = self._label_indices(len(z), labels, self._rng(self._device(), 0))
        return self._decode(z, idx, batch_size)

    @torch.no_grad()
    def classify(self, X, *, return_proba: bool = False, batch_size: int = 4096):
        """Class names of real sequences ``X`` ``(n, T, d)`` in the data's units, by a semi-supervised
        discriminator (per-step logits averaged over time); with ``return_proba=True`` also the class
        probabilities ``(n, K)`` (among the real classes)."""
        self._check_fitted()
        if not self.model_config_.semi_supervised:
            raise TsganError("only a semi-supervised GAN classifies: GAN(..., semi_supervised=True)")
        data = pad_to(as_sequences(X, None, self.channels_), self.model_config_.length)
        if data.X.shape[1:] != (self.model_config_.length, self.model_config_.channels) or (
                data.lengths is not None and not self.model_config_.lengths):
            raise TsganError(f"sequences have shape {data.X.shape[1:]}{'' if data.lengths is None else ' and unequal lengths'}; "
                             f"the model was trained on {(self.model_config_.length, self.model_config_.channels)}")
        D = self.discriminator_
        device = next(D.parameters()).device
        x = torch.from_numpy(np.nan_to_num(self.scaler_.transform(data.X), nan=PAD)).to(device)  # padded as in training
        was_training = D.training
        D.eval()
        try:
            logits = torch.cat([D.class_logits(chunk) for chunk in x.split(batch_size)]) if len(x) else torch.zeros(0, len(self.classes_))
        finally:
            D.train(was_training)
        proba = torch.softmax(logits.mean(dim=1) if logits.dim() == 3 else logits, dim=-1).cpu().numpy()
        names = np.asarray(self.classes_, dtype=object)[proba.argmax(axis=1)].astype(str)
        return (names, proba) if return_proba else names

    # -- variants: codes and encoders ------------------------------------------------------------
    def _variant_of(self, kinds: tuple, what: str) -> Variant:
        self._check_fitted()
        variant = self._variant()
        if variant.name not in kinds:
            raise TsganError(f"{what}; this model is a {variant.name} - build it with GAN(..., variant='{kinds[0]}')")
        return variant

    def _real(self, X, labels=None, *, with_labels: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Real sequences ``X`` in the data's units as the scaled tensor the networks see, and (``with_labels``)
        label indices, which a conditional model needs and an unconditional one refuses."""
        data = as_sequences(X, None, self.channels_)
        if data.X.shape[1:] != (self.model_config_.length, self.model_config_.channels) or data.lengths is not None:
            raise TsganError(f"sequences have shape {data.X.shape[1:]}{'' if data.lengths is None else ' and unequal lengths'}; "
                             f"the model was trained on {(self.model_config_.length, self.model_config_.channels)}")
        if with_labels and self._conditional() and labels is None:
            raise TsganError(f"this model is conditional: pass labels (one of {self.classes_} for all rows, or one per row)")
        idx = self._label_indices(len(data.X), labels, self._rng(self._device(), 0)) if with_labels else None
        return torch.from_numpy(self.scaler_.transform(data.X)).to(self._device()), idx

    def _run(self, fn, x: torch.Tensor, idx: torch.Tensor | None, modules: list, width: int, batch_size: int) -> np.ndarray:
        """``fn(x, labels)`` over ``x`` in chunks of ``batch_size`` with ``modules`` in eval mode: ``(n, width)`` float32."""
        modes = [m.training for m in modules]
        for m in modules:
            m.eval()
        try:
            parts = [fn(x[chunk], None if idx is None else idx[chunk]) for chunk in torch.arange(len(x)).split(batch_size)]
        finally:
            for m, mode in zip(modules, modes):
                m.train(mode)
        return torch.cat(parts).float().cpu().numpy() if parts else np.zeros((0, width), np.float32)

    @torch.no_grad()
    def predict_codes(self, X, labels=None, *, batch_size: int = 4096) -> dict:
        """InfoGAN: Q's reading of real sequences ``X`` ``(n, T, d)`` in the data's units (``labels`` for a
        conditional model): ``"category"`` the most likely value ``(n,)`` and ``"category_proba"`` ``(n, K)``
        (with a categorical code), ``"continuous"`` Q's means ``(n, C)`` (with continuous codes)."""
        variant = self._variant_of(("infogan",), "predict_codes reads InfoGAN's codes")
        x, idx = self._real(X, labels)
        K, C = variant.categorical, variant.continuous

        def read(chunk, chunk_idx):
            logits, mean, _ = variant.predict(self.discriminator_, chunk, chunk_idx)
            return torch.cat(([torch.softmax(logits, dim=1)] if K else []) + ([mean] if C else []), dim=1)

        out = self._run(read, x, idx, [self.discriminator_, variant.modules], K + C, batch_size)
        codes = {"category": out[:, :K].argmax(axis=1), "category_proba": out[:, :K]} if K else {}
        return {**codes, **({"continuous": out[:, K:]} if C else {})}

    @torch.no_grad()
    def encode(self, X, *, batch_size: int = 4096) -> np.ndarray:
        """BiGAN / AAE: the encoder's codes ``(n, k)`` float32 for real sequences ``X`` ``(n, T, d)`` in the
        data's units (features for a downstream model; decode them with :meth:`decode`)."""
        variant = self._variant_of(("bigan", "aae"), "encode needs an encoder")
        x, _ = self._real(X, with_labels=False)  # the encoder takes no labels
        encoder = variant.modules["encoder"]
        return self._run(lambda chunk, _: encoder(chunk), x, None, [encoder], encoder.body.head.out_features, batch_size)

    @torch.no_grad()
    def decode(self, codes, labels=None, *, batch_size: int = 4096) -> np.ndarray:
        """BiGAN / AAE: sequences ``(n, T, d)`` in the data's units from codes ``(n, k)`` (from :meth:`encode`,
        or prior draws), by the sampling generator; ``labels`` as for :meth:`generate`."""
        self._variant_of(("bigan", "aae"), "decode takes an encoder's codes")
        G = self.sampler_
        try:
            code = torch.as_tensor(np.asarray(codes, dtype=np.float32), device=self._device())
        except (TypeError, ValueError) as exc:
            raise TsganError(f"codes could not be read as a float array ({exc})") from None
        if code.dim() != 2 or code.shape[1] != G.noise_dim:
            raise TsganError(f"codes have shape {tuple(code.shape)}; this model's codes are (n, {G.noise_dim})")
        return self.generate(code_noise(G, code), labels, batch_size=batch_size)

    def reconstruct(self, X, labels=None, *, batch_size: int = 4096) -> np.ndarray:
        """BiGAN / AAE: ``G(E(x))`` for real sequences ``X``, in the data's units (``labels`` for a conditional model)."""
        return self.decode(self.encode(X, batch_size=batch_size), labels, batch_size=batch_size)

    def sample_frame(self, n: int, labels=None, *, seed: int | None = None, length: int | None = None,
                     codes: dict | None = None) -> pd.DataFrame:
        """Samples as a DataFrame laid out like the training data: long or wide format with its column
        names, dtypes, label values and time stamps (all samples take the first training sequence's
        stamps - the first longest one's for series of unequal length; ids 0..n-1); long format
        (``series_id``, ``time``, ``label``, channels) for arrays and sktime containers. With ``nan="mask"``
        data, NaN returns where the sampled mask says so. Series of unequal length: each sample has its own
        rows only; ``length`` and ``codes`` (InfoGAN) as in :meth:`sample`."""
        X, names = self.sample(n, labels, seed=seed, return_labels=True, length=length, codes=codes)
        return frame_like(X, names, getattr(self, "layout_", None), self.channels_)

    def sample_sktime(self, n: int, labels=None, *, seed: int | None = None, kind: str | None = None, length: int | None = None):
        """Samples as sktime data ``(X, y)``: ``X`` numpy3D ``(n, d, T)`` or pd-multiindex (``kind``;
        default the container the model was trained on, numpy3D for other data) with the training
        data's column names, index names, dtypes and time stamps; ``y`` the labels in the training
        labels' values and dtype (None for an unconditional model). Series of unequal length: each
        sample has its own rows in pd-multiindex; numpy3D takes one length (``length``, as in :meth:`sample`)."""
        X, names = self.sample(n, labels, seed=seed, return_labels=True, length=length)
        layout = getattr(self, "layout_", None)
        return sktime_like(X, layout, self.channels_, kind), restore_labels(names, layout)

    # -- persistence -----------------------------------------------------------------------------
    def _state(self) -> dict:
        return {
            "init": {"generator": self.generator, "discriminator": self.discriminator, "loss": self.loss,
                     "noise_dim": self.noise_dim, "hidden": self.hidden, "layers": self.layers,
                     "static_noise": self.static_noise, "minibatch_kernels": self.minibatch_kernels,
                     "virtual_batch_norm": self.virtual_batch_norm, "semi_supervised": self.semi_supervised,
                     "variant": None if self._variant().name == "gan" else self._variant().config()},
            "model_config": dataclasses.asdict(self.model_config_),
            "train_config": dataclasses.asdict(self.train_config_),
            "generator": self.generator_.state_dict(),
            "sampler": self.sampler_.state_dict(),
            "discriminator": self.discriminator_.state_dict(),
            "variant_modules": self._variant().modules.state_dict(),
            "scaler": self.scaler_.state_dict(),
            "classes": self.classes_,
            "class_counts": self.class_counts_,
            "channels": self.channels_,
            "layout": getattr(self, "layout_", None),
            "data_fingerprint": self.data_fingerprint_,
            "history": getattr(self, "history_", []),
        }

    def save(self, path: str | Path) -> None:
        """Save state dicts, configuration, scaler and class names in one file (atomic write)."""
        self._check_fitted()
        checkpoint.atomic_save(self._state(), path)

    @classmethod
    def load(cls, path: str | Path, device: str | None = None) -> "GAN":
        """Load a model (or a training checkpoint) written by :meth:`save` or :meth:`fit`. ``device``: where the
        networks go; by default where they were trained (the ``device`` that ``fit`` was given, so a model trained
        on the CPU samples exactly as before; CPU where that device is missing)."""
        state = checkpoint.read(path)
        try:
            gan = cls(**state["init"])
            gan.model_config_ = ModelConfig(**state["model_config"])
            gan.train_config_ = TrainConfig(**state["train_config"])
            gan.variant_ = make_variant(gan.variant)
            gan.generator_, gan.discriminator_ = build(gan.model_config_, gan.variant_)
            gan.variant_.build(gan.model_config_, gan.generator_, gan.discriminator_)
            gan.generator_.load_state_dict(state["generator"])
            gan.sampler_, _ = build(gan.model_config_, gan.variant_)
            gan.sampler_.load_state_dict(state["sampler"])
            gan.discriminator_.load_state_dict(state["discriminator"])
            gan.variant_.modules.load_state_dict(state.get("variant_modules", {}))
            gan.scaler_ = MinMaxScaler.from_state_dict(state["scaler"])
            gan.classes_, gan.class_counts_, gan.channels_ = list(state["classes"]), list(state["class_counts"]), list(state["channels"])
            gan.layout_ = state.get("layout") or {"kind": "array"}
            gan.data_fingerprint_, gan.history_ = state["data_fingerprint"], list(state["history"])
        except (KeyError, TypeError, RuntimeError) as exc:
            raise TsganError(f"'{path}' is an incomplete or incompatible tsgan model ({type(exc).__name__}: {str(exc)[:120]})") from None
        target = resolve_device(device) if device is not None else _trained_device(gan.train_config_.device)
        gan.generator_.to(target)
        gan.sampler_.to(target)
        gan.discriminator_.to(target)
        gan.variant_.modules.to(target)
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
