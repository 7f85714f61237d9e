"""Data-parallel training with PyTorch's own distributed engine (``torch.distributed``): started by
``torchrun``, on CPUs (gloo) or GPUs (nccl, one per process), on one host or several.

Every process holds the data and draws the same global batch indices and noise (the same seeded
streams as a single process); process ``r`` of ``N`` trains on its slice ``r`` of each global batch
of ``batch_size`` (which ``N`` must divide), and the gradients are averaged over the processes before
every optimizer step - what ``DistributedDataParallel`` does, by one bucketed all-reduce per update.
(DDP's module wrapper itself cannot be used here: it does not support ``torch.autograd.grad``, which
the gradient penalty needs, nor a critic called several times before one backward.) Every loss is a
mean over the batch, so N processes compute the gradients of one process with the global batch, up
to floating-point summation order. Exceptions: batch norm (the mlp / conv generators; statistics per
process), minibatch discrimination and feature matching (batch statistics per process).
Only rank 0 writes checkpoints, the model and pictures."""
from __future__ import annotations

import os

import torch
import torch.distributed as dist

from .errors import TsganError


def launched() -> bool:
    """Whether this process was started by torchrun (or another launcher) as one of several."""
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def active() -> bool:
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    """This process's rank: from the process group, or before it is joined from torchrun's environment."""
    if active():
        return dist.get_rank()
    return int(os.environ.get("RANK", "0")) if launched() else 0


def world_size() -> int:
    return dist.get_world_size() if active() else 1


def is_main() -> bool:
    """True in a single process and in rank 0: the process that writes files."""
    return rank() == 0


def setup(device: torch.device) -> torch.device:
    """Join the process group torchrun describes in the environment (once), and return the device
    this process trains on: ``cuda:LOCAL_RANK`` for a CUDA device, else ``device``."""
    if not launched():
        return device
    if not dist.is_available():
        raise TsganError("this PyTorch build has no torch.distributed; train in one process")
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return device


def finish() -> None:
    """Leave the process group, if this process joined one - once every process has come here.

    Rank 0 writes the model and pictures after training while the others have nothing left to do;
    a process that left the group (and exited) meanwhile could abort at exit ("terminate called
    without an active exception", SIGABRT), failing the whole torchrun job after a good run. So every
    rank waits at a barrier first; call this on the success path of every rank, after rank 0's writes."""
    if not (dist.is_available() and dist.is_initialized()):
        return
    try:
        if dist.get_world_size() > 1:
            # nccl: name this process's GPU, else the barrier guesses one (and warns)
            dist.barrier(**({"device_ids": [torch.cuda.current_device()]} if dist.get_backend() == "nccl" else {}))
    finally:
        dist.destroy_process_group()


def shard(batch: torch.Tensor) -> torch.Tensor:
    """This process's slice of a global batch (the batch itself in a single process)."""
    world = world_size()
    if world == 1:
        return batch
    size = len(batch) // world
    return batch[rank() * size:(rank() + 1) * size]


def check_batch(batch_size: int) -> None:
    if batch_size % world_size():
        raise TsganError(f"the batch of {batch_size} does not split evenly over {world_size()} processes; "
                         f"use a multiple of {world_size()}")


def average_gradients(params: list[torch.Tensor]) -> None:
    """Replace each parameter's gradient by its mean over the processes (one all-reduce of all of them)."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= world_size()
    offset = 0
    for g in grads:
        g.copy_(flat[offset:offset + g.numel()].view_as(g))
        offset += g.numel()


def average(tensor: torch.Tensor) -> torch.Tensor:
    """The mean of ``tensor`` over the processes."""
    tensor = tensor.clone()
    dist.all_reduce(tensor)
    return tensor / world_size()


def broadcast_module(module: torch.nn.Module) -> None:
    """Give every process rank 0's parameters and buffers (as DDP does when it wraps a module)."""
    for tensor in list(module.parameters()) + list(module.buffers()):
        dist.broadcast(tensor.data, src=0)
