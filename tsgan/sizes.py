"""Memory bounds checked before allocating: a sample request must fit the memory available, and a model file's
configuration must build networks of exactly the weights it holds (a small crafted file cannot make tsgan
build gigabytes of networks)."""
from __future__ import annotations

import os

import torch

from .errors import TsganError

# The memory a request may take: this share of what the machine (or the process's cgroup) has available.
MEMORY_SHARE = 0.8
# The sizes that make a network bigger: each adds at least one weight, so none may exceed the weights a file holds.
_SIZES = ("hidden", "noise_dim", "layers", "n_classes", "channels", "minibatch_kernels", "virtual_batch_norm", "static_noise")


def _cgroup_room() -> int | None:
    """What the process's cgroup (v2: containers, systemd slices) lets it allocate more, if it is limited."""
    try:
        with open("/sys/fs/cgroup/memory.max") as limit, open("/sys/fs/cgroup/memory.current") as used:
            text = limit.read().strip()
            return None if text == "max" else max(int(text) - int(used.read().strip()), 0)
    except (OSError, ValueError):
        return None


def available_memory() -> int | None:
    """Bytes of memory available now (Linux: MemAvailable, within the cgroup's limit; elsewhere the free
    pages where the OS says), or None where the OS does not say."""
    found = None
    try:
        with open("/proc/meminfo") as info:
            found = next((int(line.split()[1]) * 1024 for line in info if line.startswith("MemAvailable:")), None)
    except (OSError, ValueError, IndexError):
        pass
    if found is None:
        try:
            found = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (AttributeError, ValueError, OSError):
            found = None
    room = _cgroup_room()
    return room if found is None else found if room is None else min(found, room)


def _device_memory(device: torch.device) -> int | None:
    if device.type == "cuda":
        try:
            return torch.cuda.mem_get_info(device)[0]
        except (RuntimeError, AssertionError):
            return None
    return available_memory()


def _text(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if size < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"


def sample_bytes(gan, n: int, batch_size: int, *, frame: bool = False) -> tuple[int, int, int]:
    """An estimate of what sampling ``n`` sequences takes: ``(bytes in all, bytes per sequence, bytes per
    batch)``: the noise (and its copy with codes), the outputs through scaling back to the data's units (a
    few float copies of ``(T, d)`` each), with ``frame`` the long table's rows (id, time, label and each
    channel as 8-byte values, and pandas' copies while making it), and one batch's activations."""
    cfg = gan.model_config_
    noise = 1
    for size in gan.sampler_.noise_shape(1)[1:]:
        noise *= size
    per = 4 * 2 * noise + 32 * cfg.length * cfg.channels + 16  # + a label index and name
    if frame:
        per += 3 * 8 * cfg.length * (cfg.channels + 3)
    width = max(cfg.hidden or 128, cfg.channels, noise)
    batch = 16 * 4 * min(max(n, 1), batch_size) * (cfg.length + cfg.burn_in) * width * cfg.layers
    return n * per + batch, per, batch


def check_sample_memory(gan, n: int, batch_size: int, device: torch.device, *, frame: bool = False) -> None:
    """Refuse (TsganError) a request for ``n`` samples whose estimate (:func:`sample_bytes`) exceeds
    :data:`MEMORY_SHARE` of the memory available (the GPU's for the noise when sampling there), saying how many
    fit at a time. Nothing is checked where the OS does not tell the memory available."""
    need, per, batch = sample_bytes(gan, n, batch_size, frame=frame)
    for where, free in (("memory", available_memory()), (f"{device} memory", _device_memory(device) if device.type != "cpu" else None)):
        if free is None:
            continue
        bound = int(free * MEMORY_SHARE)
        if need > bound:
            fits = max((bound - batch) // per, 0)
            how = (f"sample at most {fits} at a time (tsgan sample --n {fits}; in Python, gan.sample({fits}, seed=...) "
                   "in a loop, a new seed each time)") if fits else "free memory, or sample on a machine with more"
            raise TsganError(f"{n} samples need about {_text(need)} of {where}, more than the {_text(bound)} tsgan may take "
                             f"({MEMORY_SHARE:.0%} of the {_text(free)} available); {how}")


def _shapes(module: torch.nn.Module) -> dict:
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


def _held_shapes(weights) -> dict:
    return {k: tuple(v.shape) for k, v in (weights or {}).items() if torch.is_tensor(v)} if isinstance(weights, dict) else {}


def check_model_sizes(config, state: dict, build_all) -> None:
    """Refuse (TsganError) a model file's ``state`` whose configuration ``config`` would build networks other
    than the weights it holds - before they are built. ``build_all()`` builds them as loading does: ``(generator,
    discriminator, sampler, techniques)``; here it runs on torch's meta device, which allocates nothing."""
    held = sum(t.numel() for side in ("generator", "sampler", "discriminator")
               for t in (state.get(side) or {}).values() if torch.is_tensor(t))
    for name in _SIZES:
        value = getattr(config, name, None)
        if isinstance(value, int) and value > held:
            raise TsganError(f"a model file whose configuration asks for far larger networks than the weights it holds "
                             f"({name}={value}, {held} weights in all): damaged or crafted - use another model file")
    classes = state.get("classes")
    if isinstance(classes, (list, tuple)) and len(classes) != config.n_classes:
        raise TsganError(f"a model file whose {len(classes)} class names do not match its {config.n_classes} classes: "
                         "damaged or crafted - use another model file")
    with torch.random.fork_rng(devices=[]), torch.device("meta"):  # nothing allocated, the caller's stream untouched
        G, D, S, techniques = build_all()
    modules = [("generator", G, state.get("generator")), ("discriminator", D, state.get("discriminator")),
               ("sampler", S, state.get("sampler"))]
    modules += [(t.name, t.modules, (state.get("technique_modules") or {}).get(t.name)) for t in techniques if len(t.modules)]
    for side, module, weights in modules:
        expected, found = _shapes(module), _held_shapes(weights)
        if expected != found:
            key = next((k for k in expected if expected[k] != found.get(k)), None) or next(k for k in found if k not in expected)
            raise TsganError(f"a model file whose configuration does not match its {side}'s weights ('{key[:60]}': the "
                             f"configuration makes {expected.get(key, 'nothing')}, the file holds {found.get(key, 'nothing')}): "
                             "damaged or crafted - use another model file")
