"""Building blocks that discriminators compose: minibatch discrimination (Salimans et al. 2016)."""
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
