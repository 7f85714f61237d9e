"""Where and how a run executes: the device, mixed precision, Ctrl-C handling and torch's global random stream."""
from __future__ import annotations

import contextlib
import signal
import threading

import torch

from ..errors import TsganError


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise TsganError(f"unknown device '{name}'; use auto, cpu or cuda[:N]") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise TsganError("device 'cuda' was asked for but no CUDA GPU is available; use --device cpu or auto")
    return device


def autocast(device: torch.device, precision: str, enabled: bool = True):
    """The mixed-precision region of a step (``enabled=False``: a hole in it); nothing at float32 (hot path)."""
    if precision != "bf16":
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=enabled)


def check_precision(device: torch.device, precision: str, *modules: torch.nn.Module) -> None:
    """Refuse a precision this device cannot run for these networks, before training: oneDNN has no bfloat16
    LSTM on CPUs without bfloat16 instructions (a one-step probe finds out)."""
    if precision != "bf16" or device.type != "cpu" or not any(isinstance(m, torch.nn.RNNBase) for mod in modules for m in mod.modules()):
        return
    try:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            torch.nn.LSTM(1, 1, batch_first=True)(torch.zeros(1, 1, 1))
    except RuntimeError:
        raise TsganError("bf16 mixed precision is not available for the LSTM on this CPU (it lacks bfloat16 instructions); "
                         "use precision '32' here, or train on a GPU") from None


class DeferredInterrupt:
    """While training in the main thread, a first Ctrl-C (SIGINT) only sets ``requested``: the loop
    finishes the step, saves it and then raises KeyboardInterrupt; a second Ctrl-C raises at once."""

    def __init__(self, enabled: bool = True) -> None:
        self.requested, self._previous = False, None
        if enabled and threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous = signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def restore(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


def global_stream(device: torch.device, seed: int, saved: tuple | None):
    """A scope in which torch's global random stream - what modules draw from while training (the
    semi-supervised discriminator's input noise) - is seeded with ``seed``, or restored from ``saved``
    (a checkpoint's CPU and CUDA states); the caller's global stream is put back when it is exited."""
    scope = torch.random.fork_rng(devices=[device] if device.type == "cuda" else [])
    scope.__enter__()
    if saved is not None:
        cpu, cuda = saved
        torch.set_rng_state(cpu.cpu())
        if cuda is not None and device.type == "cuda":
            torch.cuda.set_rng_state(cuda.cpu(), device)
    else:
        torch.manual_seed(seed)
    return scope  # entered: the caller exits it


@contextlib.contextmanager
def cpu_threads(device: torch.device, threads: int | None):
    """torch's CPU thread count for a CPU run (1 unless ``threads`` says), put back afterwards."""
    if device.type != "cpu":
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(threads or 1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def trainable(params: list[torch.Tensor], flag: bool) -> None:
    """``module.requires_grad_(flag)`` on a module's parameter list, collected once."""
    for p in params:
        p.requires_grad_(flag)
