"""From a trained GAN to sequences: label indices (and, for a model with per-series attributes, the conditioning
drawn from the attributes' joint model), noise drawn from seeded streams, the sampling generator on them in eval
mode, and the data's units, categories and lengths back; and the latent space (noise in, sequences out)."""
from __future__ import annotations

import numpy as np
import torch

from .data import harden_categories
from .errors import TsganError
from .nn.lengths import LengthMasked, mask_beyond, requested_lengths
from .nn.longer import check_longer, chunk_rows, extend_noise, noise_steps
from .objective.variant import code_noise
from .sizes import check_sample_memory


def device_of(gan) -> torch.device:
    return next(gan.sampler_.parameters()).device


def seeded_stream(device: torch.device, seed: int | None) -> torch.Generator:
    rng = torch.Generator(device=device)
    rng.manual_seed(int(seed) if seed is not None else int(torch.seed()))
    return rng


def check_count(n) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise TsganError(f"n must be a non-negative whole number, got {n!r}")


def label_indices(gan, n: int, labels, rng: torch.Generator) -> torch.Tensor | None:
    """Class indices for ``n`` samples: drawn as often as the training data held them (``labels=None``), or the
    given class names (one for all, or one per sample); an integer is a class index only where no class name is one."""
    device = device_of(gan)
    if not gan.conditional:
        if labels is not None:
            raise TsganError("this model's generator is not conditioned on labels (trained without labels, or "
                             "semi-supervised); sample without labels")
        return None
    if n == 0:
        return torch.zeros(0, dtype=torch.long, device=device)
    if labels is None:
        prior = torch.tensor(gan.class_counts_, dtype=torch.float, device=device)
        return torch.multinomial(prior, n, replacement=True, generator=rng)
    values = [labels] * n if np.ndim(labels) == 0 else list(np.asarray(labels, dtype=object))
    if len(values) != n:
        raise TsganError(f"{len(values)} labels given for {n} samples; give one label, or one per sample")
    lookup = {c: i for i, c in enumerate(gan.classes_)}
    # an integer is a class index only where no class name is an integer: on labels {5, 9}, 1 is unknown, not class 9
    numeric_names = any(c.lstrip("-").isdigit() for c in gan.classes_)
    idx = []
    for v in values:
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and str(v) not in lookup and not numeric_names:
            if not 0 <= v < len(gan.classes_):
                raise TsganError(f"label index {v} out of range; the model knows {len(gan.classes_)} classes: {gan.classes_}")
            idx.append(int(v))
        elif str(v) in lookup:
            idx.append(lookup[str(v)])
        else:
            raise TsganError(f"unknown label '{v}'; the model knows {gan.classes_}")
    return torch.tensor(idx, dtype=torch.long, device=device)


def conditioning(gan, n: int, labels, attributes: dict | None, rng: torch.Generator, seed: int | None):
    """What the generator is conditioned on for ``n`` samples, their class names and attributes: label indices as
    :func:`label_indices` gives them (attributes None) for a model without attributes; with attributes, the float
    conditioning ``[one-hot label, encoded attributes]`` with the labels and attributes not given drawn from the
    attributes' joint model (:mod:`tsgan.data.attributes`, its numpy stream seeded by ``seed``)."""
    model = getattr(gan, "attributes_", None)
    if model is None:
        if attributes:
            raise TsganError("this model was trained without series attributes; sample without attributes")
        idx = label_indices(gan, n, labels, rng)
        return idx, _names(gan, idx), None
    given = None if labels is None else label_indices(gan, n, labels, rng).cpu().numpy()
    drawn, encoded, frame = model.sample(n, given, attributes, np.random.default_rng(seed), gan.classes_ if gan.conditional else None)
    label = np.eye(len(gan.classes_), dtype=np.float32)[drawn] if drawn is not None else np.zeros((n, 0), np.float32)
    cond = torch.from_numpy(np.concatenate([label, encoded], axis=1)).to(device_of(gan))
    names = np.asarray(gan.classes_, dtype=object)[drawn].astype(str) if drawn is not None else None
    return cond, names, frame


def _names(gan, idx: torch.Tensor | None):
    return np.asarray(gan.classes_, dtype=object)[idx.cpu().numpy()].astype(str) if idx is not None else None


def draw_noise(gan, n: int, rng: torch.Generator, batch_size: int) -> torch.Tensor:
    """``n`` noise rows drawn from ``rng`` in chunks of ``batch_size`` (the chunking is part of the stream)."""
    G = gan.sampler_
    if not n:
        return torch.zeros(G.noise_shape(0), device=device_of(gan))
    return torch.cat([gan.variant_.noise(G, len(chunk), rng) for chunk in torch.arange(n).split(batch_size)])


@torch.no_grad()
def decode(gan, noise: torch.Tensor, idx: torch.Tensor | None, batch_size: int, lengths: torch.Tensor | None = None) -> np.ndarray:
    """The sampling generator (in eval mode) on ``noise`` and label indices, in the data's units. A model of
    unequal lengths (tsgan.nn.lengths) makes ``lengths`` (default: drawn by the noise) and gives NaN beyond them."""
    G = gan.sampler_
    masked = isinstance(G, LengthMasked)
    if masked and lengths is None:
        lengths = G.noise_lengths(noise, idx)
    was_training = G.training
    G.eval()
    rows = chunk_rows(batch_size, noise_steps(G, G.length), noise.shape[1]) if G.noise_per_step else batch_size
    try:
        parts = [G(noise[chunk], None if idx is None else idx[chunk], **({"lengths": lengths[chunk]} if masked else {})).cpu()
                 for chunk in torch.arange(len(noise)).split(rows)] if len(noise) else []
    finally:
        G.train(was_training)
    scaled = torch.cat(parts).numpy() if parts else np.zeros((0, noise.shape[1] - getattr(G, "burn_in", 0) if G.noise_per_step else G.length, G.channels), np.float32)
    X = harden_categories(gan.scaler_.inverse_transform(scaled), gan.model_config_.categorical)  # argmax category
    return mask_beyond(X, lengths.cpu().numpy()) if masked else X


@torch.no_grad()
def sample(gan, n: int, labels=None, *, seed: int | None = None, return_labels: bool = False, batch_size: int = 4096,
           codes: dict | None = None, length: int | None = None, attributes: dict | None = None, return_attributes: bool = False):
    check_count(n)
    check_sample_memory(gan, n, batch_size, device_of(gan))  # before the noise is drawn: a clear error, not an OOM
    G = gan.sampler_
    longer = isinstance(length, (int, np.integer)) and not isinstance(length, (bool, np.bool_)) and length > G.length
    if longer:  # a recurrent generator runs on past its training length (tsgan.nn.longer), within its own size bound
        check_longer(G, n, int(length), gan.model_config_.generator)
    asked = requested_lengths(G, n, length, device_of(gan))
    rng = seeded_stream(device_of(gan), seed)
    idx, names, frame = conditioning(gan, n, labels, attributes, rng, seed)
    noise = draw_noise(gan, n, rng, batch_size)
    if codes is not None:
        noise = gan.variant_.with_codes(noise, codes)
    if longer:  # drawn after the training length's noise, so the first T steps are the length-T sample's
        noise = extend_noise(noise, noise_steps(G, int(length)), lambda rows: gan.variant_.noise(G, rows, rng), batch_size)
    X = decode(gan, noise, idx, batch_size, asked)
    if return_attributes and frame is None:
        raise TsganError("this model was trained without series attributes: there are none to return")
    out = (X,) + ((names,) if return_labels else ()) + ((frame,) if return_attributes else ())
    return out[0] if len(out) == 1 else out


@torch.no_grad()
def generate(gan, noise, labels=None, *, batch_size: int = 4096, attributes: dict | None = None) -> np.ndarray:
    G = gan.sampler_
    try:
        z = torch.as_tensor(np.asarray(noise, dtype=np.float32) if not torch.is_tensor(noise) else noise,
                            dtype=torch.float32, device=device_of(gan))
    except (TypeError, ValueError) as exc:  # ragged lists, strings
        raise TsganError(f"noise could not be read as a float array ({exc}); draw it with sample_noise()") from None
    if tuple(z.shape[1:]) != G.noise_shape(0)[1:]:
        raise TsganError(f"noise has shape {tuple(z.shape)}; this generator takes {('n',) + G.noise_shape(0)[1:]} - draw it with sample_noise()")
    if not torch.isfinite(z).all():
        raise TsganError("noise holds NaN or infinite values")
    if gan.conditional and labels is None:
        raise TsganError(f"this model is conditional: pass labels (one of {gan.classes_} for all rows, or one per row)")
    idx = conditioning(gan, len(z), labels, attributes, seeded_stream(device_of(gan), 0), 0)[0]  # attributes not given: drawn at seed 0
    return decode(gan, z, idx, batch_size)


@torch.no_grad()
def decode_codes(gan, codes, labels=None, *, batch_size: int = 4096) -> np.ndarray:
    """Sequences from an encoder's codes ``(n, k)`` (BiGAN / AAE) by the sampling generator."""
    G = gan.sampler_
    try:
        code = torch.as_tensor(np.asarray(codes, dtype=np.float32), device=device_of(gan))
    except (TypeError, ValueError) as exc:
        raise TsganError(f"codes could not be read as a float array ({exc})") from None
    if code.dim() != 2 or code.shape[1] != G.noise_dim:
        raise TsganError(f"codes have shape {tuple(code.shape)}; this model's codes are (n, {G.noise_dim})")
    return generate(gan, code_noise(G, code), labels, batch_size=batch_size)
