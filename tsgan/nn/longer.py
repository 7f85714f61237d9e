"""Series longer than the training windows: the recurrent generator runs on for any number of steps,
continuing its state; its noise is extended in time for it.

Only a generator with ``any_length = True`` (the LSTM family: one recurrent step per output step) can make
more steps than it was trained on; the mlp and conv families' layers map the noise to exactly ``T`` steps,
so their length is fixed by their architecture.

The noise of a sample of ``L > T`` steps is the ``T``-step noise a sample of the training length draws,
then ``L - T`` more steps drawn after it from the same stream (in ``T``-step blocks as the game draws
noise: codes, static noise and the length draw included). In those later blocks a channel that is
constant over the first ``T`` steps of every sequence (static noise, InfoGAN's codes, BiGAN's and the AAE's
code, the length draw of unequal-length models) keeps its value from the first step: a per-sequence input
stays one value per sequence; the others are fresh per step, as in training. Since the LSTM is causal, the
first ``T`` steps of a long sample are the sample of length ``T`` at the same seed (up to float rounding).

A generator with burn-in (``G.burn_in`` W leading steps run and dropped) draws ``W + T`` noise steps for ``T``
output steps; ``L`` output steps take ``W + L`` noise steps (:func:`noise_steps`): the burn-in first, then
the ``L`` steps, so the first ``T`` steps are again the length-``T`` sample's.
"""
from __future__ import annotations

from typing import Callable

import torch

from ..errors import TsganError
from .lengths import LengthMasked

MAX_VALUES = 2**28  # n * L * (channels + noise inputs) floats (1 GiB of float32) - a larger request is refused


def noise_steps(G, length: int) -> int:
    """The noise steps a recurrent generator ``G`` takes for ``length`` output steps: its burn-in steps, then ``length``."""
    return getattr(G, "burn_in", 0) + length


def check_longer(G, n: int, length: int, family: str) -> None:
    """A TsganError unless ``G`` can make ``n`` sequences of ``length`` steps (``length`` above its training length)."""
    if not getattr(G, "any_length", False):
        span = f"1 to {G.length}" if isinstance(G, LengthMasked) else f"exactly {G.length}"
        raise TsganError(f"length={length}: the {family} generator makes {span} steps (its layers map the noise to the training "
                         f"length, so its output length is fixed by its architecture); train the lstm "
                         "generator (--generator lstm), which continues its state for any number of steps")
    inputs = G.channels + G.noise_dim + G.n_classes + getattr(G, "attribute_dim", 0)
    size = n * noise_steps(G, length) * inputs
    if size > MAX_VALUES:
        raise TsganError(f"{n} samples of {length} steps need about {size * 4 / 2**30:.1f} GiB; ask for at most "
                         f"{MAX_VALUES // max(1, n * inputs)} steps for {n} samples, "
                         "or fewer samples per call")


def steady_channels(z: torch.Tensor) -> torch.Tensor:
    """``(noise_dim,)`` bools: the channels of per-step noise ``z`` ``(n, T, k)`` constant over time in every sequence."""
    if z.shape[1] < 2 or not len(z):
        raise TsganError("a generator trained on sequences of 1 step cannot tell per-sequence from per-step noise; "
                         "it cannot make longer sequences")
    return (z == z[:, :1]).all(dim=1).all(dim=0)


def extend_noise(z: torch.Tensor, length: int, draw: Callable[[int], torch.Tensor], batch_size: int) -> torch.Tensor:
    """``z`` ``(n, T, k)`` extended to ``length`` noise steps (:func:`noise_steps`): blocks ``draw(rows)`` (``(rows, T, k)`` from the same stream,
    in chunks of ``batch_size`` rows as ``z`` was drawn) appended in time, per-sequence channels held at step 0."""
    n, T, _ = z.shape
    if not n:
        return z.new_zeros((0, length, z.shape[2]))
    steady = steady_channels(z)
    blocks = [z]
    for _ in range(-(-(length - T) // T)):
        blocks.append(torch.cat([draw(len(chunk)) for chunk in torch.arange(n).split(batch_size)]))
    longer = torch.cat(blocks, dim=1)[:, :length]
    longer[:, T:, steady] = z[:, :1, steady].expand(-1, length - T, -1)
    return longer


def chunk_rows(batch_size: int, trained: int, length: int) -> int:
    """Rows per generator call for sequences of ``length`` steps: ``batch_size`` up to the training length,
    fewer for longer ones (the activations grow with the steps)."""
    return batch_size if length <= trained else max(1, batch_size * trained // length)
