"""Penalties on the critic's input gradient need a double backward through it, which cuDNN's RNN lacks in
train mode: their pass runs PyTorch's own LSTM on CUDA for critics that hold an RNN (elsewhere cuDNN stays)."""
from __future__ import annotations

import torch


def needs_native_rnn(D: torch.nn.Module, device: torch.device) -> bool:
    return device.type == "cuda" and any(isinstance(m, torch.nn.RNNBase) for m in D.modules())


def penalty_scope(native_rnn: bool):
    """The scope a penalty's forward and gradient run in: cuDNN off where it has no double backward."""
    return torch.backends.cudnn.flags(enabled=not native_rnn)
