"""Building blocks from Salimans et al. 2016: minibatch discrimination (discriminators) and virtual batch
normalisation (generators)."""
from __future__ import annotations

import torch
from torch import nn


class MinibatchDiscrimination(nn.Module):
    """Lets the discriminator see how close each sample is to the rest of its batch (against mode collapse).

    Features ``f (n, F)`` go through a learned tensor ``T (F, B, C)`` to ``M (n, B, C)``; for each of
    the ``B`` kernels, ``o_b(x_i) = sum_j exp(-||M_i,b - M_j,b||_1)`` over the other samples j.
    Returns ``o (n, B)``, to be concatenated to the features before the decision. Per-step features
    ``(n, T, F)`` are averaged over time first and ``o`` is repeated per step.
    """

    def __init__(self, in_features: int, kernels: int = 16, kernel_dim: int = 8) -> None:
        super().__init__()
        self.kernels, self.kernel_dim = kernels, kernel_dim
        self.T = nn.Parameter(torch.randn(in_features, kernels * kernel_dim) * 0.1)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        pooled = h.mean(dim=1) if h.dim() == 3 else h
        M = (pooled @ self.T).view(len(pooled), self.kernels, self.kernel_dim)
        l1 = (M[:, None] - M[None, :]).abs().sum(dim=-1)  # (n, n, B)
        o = torch.exp(-l1).sum(dim=1) - 1.0  # drop each sample's closeness to itself
        return o[:, None, :].expand(-1, h.shape[1], -1) if h.dim() == 3 else o


class VirtualBatchNorm(nn.Module):
    """Virtual batch normalisation: batch norm whose statistics come from a fixed reference batch.

    Inputs are ``(n, C)`` or ``(n, C, L)``; their first ``reference`` rows are the reference batch
    (the generator puts its fixed reference inputs there), normalised with their own per-channel
    statistics. Every other row is normalised with the reference statistics combined with its own,
    weight ``1 / (reference + 1)`` for its own (Salimans et al. 2016, as their code does):
    ``mean = c m_x + (1 - c) m_ref``, ``var = c q_x + (1 - c) q_ref - mean^2`` (``q``: mean of squares),
    so no row depends on the other rows of its batch, in training and at sampling alike. Learned
    scale and shift per channel as in batch norm; no running statistics, no train/eval difference.
    """

    def __init__(self, num_features: int, reference: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.reference, self.eps = reference, eps
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))

    def _normalise(self, x: torch.Tensor, mean: torch.Tensor, mean_sq: torch.Tensor) -> torch.Tensor:
        return (x - mean) / (mean_sq - mean**2).clamp_min(0).add(self.eps).sqrt()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        ref, live = x[: self.reference], x[self.reference :]
        steps = tuple(range(2, x.dim()))  # a row's own statistics: over its steps, or its values alone
        mean_ref, sq_ref = ref.mean((0,) + steps, keepdim=True), (ref**2).mean((0,) + steps, keepdim=True)
        own, own_sq = (live.mean(steps, keepdim=True), (live**2).mean(steps, keepdim=True)) if steps else (live, live**2)
        c = 1.0 / (self.reference + 1)
        out = torch.cat([self._normalise(ref, mean_ref, sq_ref),
                         self._normalise(live, c * own + (1 - c) * mean_ref, c * own_sq + (1 - c) * sq_ref)])
        shape = (1, -1) + (1,) * len(steps)
        return out * self.weight.view(shape) + self.bias.view(shape)
