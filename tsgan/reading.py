"""A trained GAN's networks read real sequences: the semi-supervised discriminator's classes, InfoGAN's codes
(its head Q) and the encoder's codes (BiGAN, the adversarial autoencoder)."""
from __future__ import annotations

import numpy as np
import torch

from .data import as_sequences, pad_to
from .errors import TsganError
from .nn.lengths import PAD
from .sampling import device_of, label_indices, seeded_stream


def _technique(gan, names: tuple, what: str):
    found = next((t for t in gan.techniques_ if t.name in names), None)
    if found is None:
        raise TsganError(f"{what}; this model is a {gan.variant_.name} - build it with GAN(..., variant='{names[0]}')")
    return found


def _real(gan, X, labels=None, *, with_labels: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Real sequences ``X`` in the data's units as the scaled tensor the networks see, and (``with_labels``)
    label indices, which a conditional model needs and an unconditional one refuses."""
    cfg = gan.model_config_
    data = as_sequences(X, None, gan.channels_)
    if data.X.shape[1:] != (cfg.length, cfg.channels) or data.lengths is not None:
        raise TsganError(f"sequences have shape {data.X.shape[1:]}{'' if data.lengths is None else ' and unequal lengths'}; "
                         f"the model was trained on {(cfg.length, cfg.channels)}")
    if with_labels and getattr(gan, "attributes_", None) is not None:
        raise TsganError("this model is conditioned on series attributes, which reading real sequences does not take yet")
    if with_labels and gan.conditional and labels is None:
        raise TsganError(f"this model is conditional: pass labels (one of {gan.classes_} for all rows, or one per row)")
    idx = label_indices(gan, len(data.X), labels, seeded_stream(device_of(gan), 0)) if with_labels else None
    return torch.from_numpy(gan.scaler_.transform(data.X)).to(device_of(gan)), idx


def _run(fn, x: torch.Tensor, idx: torch.Tensor | None, modules: list, width: int, batch_size: int) -> np.ndarray:
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
def classify(gan, X, *, return_proba: bool = False, batch_size: int = 4096):
    if gan.technique("semi-supervised") is None:
        raise TsganError("only a semi-supervised GAN classifies: GAN(..., semi_supervised=True)")
    cfg = gan.model_config_
    data = pad_to(as_sequences(X, None, gan.channels_), cfg.length)
    if data.X.shape[1:] != (cfg.length, cfg.channels) or (data.lengths is not None and not cfg.lengths):
        raise TsganError(f"sequences have shape {data.X.shape[1:]}{'' if data.lengths is None else ' and unequal lengths'}; "
                         f"the model was trained on {(cfg.length, cfg.channels)}")
    D = gan.discriminator_
    x = torch.from_numpy(np.nan_to_num(gan.scaler_.transform(data.X), nan=PAD)).to(next(D.parameters()).device)  # padded as in training
    logits = _run(lambda chunk, _: D.class_logits(chunk).mean(dim=1) if D.per_step else D.class_logits(chunk),
                  x, None, [D], len(gan.classes_), batch_size)
    proba = torch.softmax(torch.from_numpy(logits), dim=-1).numpy()
    names = np.asarray(gan.classes_, dtype=object)[proba.argmax(axis=1)].astype(str)
    return (names, proba) if return_proba else names


@torch.no_grad()
def predict_codes(gan, X, labels=None, *, batch_size: int = 4096) -> dict:
    variant = _technique(gan, ("infogan",), "predict_codes reads InfoGAN's codes")
    x, idx = _real(gan, X, labels)
    K, C = variant.categorical, variant.continuous

    def read(chunk, chunk_idx):
        logits, mean, _ = variant.predict(gan.discriminator_, chunk, chunk_idx)
        return torch.cat(([torch.softmax(logits, dim=1)] if K else []) + ([mean] if C else []), dim=1)

    out = _run(read, x, idx, [gan.discriminator_, variant.modules], K + C, batch_size)
    codes = {"category": out[:, :K].argmax(axis=1), "category_proba": out[:, :K]} if K else {}
    return {**codes, **({"continuous": out[:, K:]} if C else {})}


@torch.no_grad()
def encode(gan, X, *, batch_size: int = 4096) -> np.ndarray:
    variant = _technique(gan, ("bigan", "aae"), "encode needs an encoder")
    x, _ = _real(gan, X, with_labels=False)  # the encoder takes no labels
    encoder = variant.modules["encoder"]
    return _run(lambda chunk, _: encoder(chunk), x, None, [encoder], encoder.body.head.out_features, batch_size)


def check_decodes(gan) -> None:
    _technique(gan, ("bigan", "aae"), "decode takes an encoder's codes")
