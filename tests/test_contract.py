"""One contract test over every generator x discriminator x loss x {conditional, unconditional}.

Each case checks the shared network contracts (noise and output shapes, output range, per-step
scores), that one training step moves both players, finite logged losses, and seeded determinism.
"""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import tsgan
from tsgan.objective import compose
from tsgan.objective.losses import get_loss
from tsgan.nn import ModelConfig, build
from tsgan.training import Trainer, TrainConfig

FAMILIES = ("lstm", "mlp", "conv")
LOSS_NAMES = ("gan", "wgan", "wgan-gp")
GRID = list(itertools.product(FAMILIES, FAMILIES, LOSS_NAMES, (True, False)))
T, HIDDEN, NOISE = 12, 8, 4


def _params(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.named_parameters()}


def _changed(before: dict, module: torch.nn.Module) -> list[str]:
    return [k for k, v in module.named_parameters() if not torch.equal(before[k], v.detach())]


def _fit(gen, disc, loss, X, y, seed):
    gan = tsgan.GAN(gen, disc, loss=loss, hidden=HIDDEN, noise_dim=NOISE)
    gan.fit(X, y, steps=2, batch_size=8, seed=seed, device="cpu", n_critic=2, progress=False)
    return gan


def test_grid_covers_every_family_and_loss():
    """The contract grid is every registered generator, discriminator and loss (54 cases)."""
    assert set(FAMILIES) == set(tsgan.GENERATORS) == set(tsgan.DISCRIMINATORS)
    assert set(LOSS_NAMES) == set(tsgan.LOSSES)
    assert len(GRID) == 54


def _id(value):
    return ("cond" if value else "uncond") if isinstance(value, bool) else None


@pytest.mark.parametrize("gen, disc, loss, conditional", GRID, ids=_id)
def test_contract(gen, disc, loss, conditional, waves_data):
    """Shapes, ranges, one step moving each player (and only that player), finite losses, seeding."""
    X, y_names = waves_data
    n_classes = 2 if conditional else 0
    torch.manual_seed(0)
    G, D = build(ModelConfig(generator=gen, discriminator=disc, length=T, channels=1, n_classes=n_classes, noise_dim=NOISE, hidden=HIDDEN))

    # --- network contracts ------------------------------------------------------------------
    n = 5
    z = G.sample_noise(n)
    assert tuple(z.shape) == ((n, T, NOISE) if gen == "lstm" else (n, NOISE))
    labels = torch.tensor([0, 1, 0, 1, 1]) if conditional else None
    G.eval()
    with torch.no_grad():
        x = G(z, labels)
    assert tuple(x.shape) == (n, T, 1)
    assert x.dtype == torch.float32
    assert torch.isfinite(x).all()
    scores = D(x, labels)
    assert D.per_step == (disc == "lstm")
    assert tuple(scores.shape) == ((n, T) if disc == "lstm" else (n,))
    assert torch.isfinite(scores).all()

    # --- one critic step moves D only, one generator step moves G only -------------------------
    G.train()
    trainer = Trainer(G, D, get_loss(loss), TrainConfig(steps=1, batch_size=8, progress=False, n_critic=1))
    X_t = torch.from_numpy(X.copy()) * 0.9  # inside the generator's range, as scaled data would be
    y_t = torch.from_numpy((y_names == "sine").astype(np.int64)) if conditional else None
    g0, d0 = _params(G), _params(D)
    G.requires_grad_(False)
    trainer._critic_step(X_t, y_t)
    G.requires_grad_(True)
    assert _changed(d0, D), "a critic step must change the discriminator's parameters"
    assert not _changed(g0, G), "a critic step must not change the generator's parameters"
    d1 = _params(D)
    trainer._generator_step(X_t, y_t)
    assert _changed(g0, G), "a generator step must change the generator's parameters"
    assert not _changed(d1, D), "a generator step must not change the discriminator's parameters"
    assert all(p.requires_grad for p in D.parameters()), "the discriminator must be trainable again after G's step"

    # --- a full (short) fit: finite history, seeded determinism -------------------------------
    y_fit = y_names if conditional else None
    a = _fit(gen, disc, loss, X, y_fit, seed=0)
    assert [r["step"] for r in a.history_] == [1, 2]
    for rec in a.history_:
        assert all(np.isfinite(v) for v in rec.values())
        assert ("gradient_penalty" in rec and rec["gradient_penalty"] != 0.0) == (loss == "wgan-gp")
    b = _fit(gen, disc, loss, X, y_fit, seed=0)
    c = _fit(gen, disc, loss, X, y_fit, seed=1)
    for k, v in a.generator_.state_dict().items():
        assert torch.equal(v, b.generator_.state_dict()[k]), f"same seed, different generator parameter {k}"
    assert any(not torch.equal(v, c.generator_.state_dict()[k]) for k, v in a.generator_.state_dict().items())
    assert [r["d_loss"] for r in a.history_] == [r["d_loss"] for r in b.history_]
    sa = a.sample(6, seed=3)
    assert sa.shape == (6, T, 1) and sa.dtype == np.float32
    assert np.array_equal(sa, b.sample(6, seed=3))
    assert not np.array_equal(sa, c.sample(6, seed=3))
    assert not np.array_equal(sa, a.sample(6, seed=4))


MULTI = [("lstm", "conv", "gan"), ("mlp", "lstm", "wgan-gp"), ("conv", "mlp", "wgan")]


@pytest.mark.parametrize("gen, disc, loss", MULTI)
@pytest.mark.parametrize("conditional", [True, False], ids=["cond", "uncond"])
def test_multichannel(gen, disc, loss, conditional, multichannel_data):
    """Three-channel data train and sample with shape (n, T, 3), in each channel's own units."""
    X, y = multichannel_data
    gan = tsgan.GAN(gen, disc, loss=loss, hidden=HIDDEN, noise_dim=NOISE)
    gan.fit(X, y if conditional else None, steps=2, batch_size=8, seed=0, device="cpu", n_critic=1, progress=False)
    assert gan.channels_ == ["channel_0", "channel_1", "channel_2"]
    samples = gan.sample(10, seed=0)
    assert samples.shape == (10, T, 3)
    assert np.isfinite(samples).all()
    # Samples come back in data units: the scaler's inverse is applied (untrained outputs near 0 land mid-range).
    low, high = X.min(axis=(0, 1)), X.max(axis=(0, 1))
    centre = gan.scaler_.inverse_transform(np.zeros((1, 1, 3), np.float32))[0, 0]
    assert np.allclose(centre, (low + high) / 2, atol=1e-5)
    G = gan.generator_
    z = G.sample_noise(4)
    labels = torch.tensor([0, 1, 1, 0]) if conditional else None
    scores = gan.discriminator_(G(z, labels), labels)
    assert tuple(scores.shape) == ((4, T) if disc == "lstm" else (4,))


@pytest.mark.parametrize("gen", FAMILIES)
@pytest.mark.parametrize("length", [5, 16, 31])
def test_generator_length_any(gen, length):
    """Every generator emits exactly T steps, also for lengths that are not powers of two."""
    G, D = build(ModelConfig(generator=gen, discriminator="conv", length=length, channels=2, noise_dim=NOISE, hidden=HIDDEN))
    G.eval()
    x = G(G.sample_noise(3))
    assert tuple(x.shape) == (3, length, 2)
    assert tuple(D(x).shape) == (3,)


def test_soft_labels_match_one_hot():
    """Float one-hot labels (n, K) condition exactly like the equivalent class indices."""
    torch.manual_seed(0)
    G, D = build(ModelConfig(generator="lstm", discriminator="mlp", length=T, n_classes=3, noise_dim=NOISE, hidden=HIDDEN))
    idx = torch.tensor([2, 0, 1])
    z = G.sample_noise(3)
    soft = torch.nn.functional.one_hot(idx, 3).float()
    assert torch.equal(G(z, idx), G(z, soft))
    x = G(z, idx).detach()
    assert torch.equal(D(x, idx), D(x, soft))
    # and the label matters: another label gives another output
    assert not torch.equal(G(z, idx), G(z, torch.tensor([0, 1, 2])))


def test_sample_noise_uses_generator():
    """sample_noise draws from the given torch.Generator: same seed, same noise."""
    G, _ = build(ModelConfig(generator="lstm", discriminator="lstm", length=T, noise_dim=NOISE, hidden=HIDDEN))
    a = G.sample_noise(4, torch.Generator().manual_seed(7))
    b = G.sample_noise(4, torch.Generator().manual_seed(7))
    c = G.sample_noise(4, torch.Generator().manual_seed(8))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_fit_does_not_touch_global_torch_rng(waves_data):
    """Training seeds its own generators; the caller's global torch random state is untouched."""
    X, y = waves_data
    state = torch.random.get_rng_state()
    tsgan.GAN("mlp", "mlp", hidden=HIDDEN, noise_dim=NOISE).fit(X, y, steps=1, batch_size=8, device="cpu", progress=False)
    assert torch.equal(state, torch.random.get_rng_state())


@pytest.mark.parametrize("loss, n_critic, expected", [("gan", None, 1), ("wgan-gp", None, 5), ("wgan", 3, 3)])
def test_critic_updates_per_generator_update(loss, n_critic, expected, waves_data):
    """Each step makes n_critic optimizer steps on D (the loss's default unless given) and one on G."""
    X, _ = waves_data
    G, D = build(ModelConfig(generator="mlp", discriminator="mlp", length=T, noise_dim=NOISE, hidden=HIDDEN))
    cfg = TrainConfig(steps=2, batch_size=8, progress=False, n_critic=n_critic)
    trainer = Trainer(G, D, get_loss(loss), cfg)
    counts = {"g": 0, "d": 0}
    for key, opt in (("g", trainer.opt_g), ("d", trainer.opt_d)):
        step = opt.step

        def counted(*args, _step=step, _key=key, **kwargs):
            counts[_key] += 1
            return _step(*args, **kwargs)

        opt.step = counted
    trainer.fit(torch.from_numpy(X.copy()))
    assert counts == {"g": 2, "d": 2 * expected}
    assert len(trainer.history) == 2


def test_wgan_clips_critic_weights(waves_data):
    """WGAN keeps every critic weight within [-clip_value, clip_value] after training."""
    X, _ = waves_data
    G, D = build(ModelConfig(generator="mlp", discriminator="mlp", length=T, noise_dim=NOISE, hidden=HIDDEN))
    assert max(p.abs().max().item() for p in D.parameters()) > 0.05  # initial weights exceed the clip
    Trainer(G, D, get_loss("wgan"), TrainConfig(steps=1, batch_size=8, progress=False),
            techniques=compose(get_loss("wgan"), {"clip_value": 0.05})).fit(
        torch.from_numpy(X.copy()))
    assert max(p.abs().max().item() for p in D.parameters()) <= np.float32(0.05)


def test_collapse_warning(waves_data):
    """A generator whose output does not vary across the batch triggers the mode-collapse warning."""
    X, _ = waves_data
    G, D = build(ModelConfig(generator="mlp", discriminator="mlp", length=T, noise_dim=NOISE, hidden=HIDDEN))
    with torch.no_grad():
        G.out.weight.zero_()
        G.out.bias.fill_(0.3)
    trainer = Trainer(G, D, get_loss("gan"), TrainConfig(steps=1, batch_size=8, progress=False))
    with pytest.warns(UserWarning, match="collapsed"):
        trainer._check_collapse(torch.from_numpy(X.copy()))


def test_training_uses_one_cpu_thread_unless_told(waves_data):
    """A CPU run trains with one thread by default (threads=N to choose) and gives the caller's setting back."""
    X, y = waves_data
    seen = []

    class Threads(tsgan.Callback):
        def on_log(self, trainer, records):  # called while training
            seen.append(torch.get_num_threads())

    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        for threads in (None, 2):
            tsgan.GAN("mlp", "mlp", hidden=8, noise_dim=4).fit(X, y, steps=1, batch_size=8, progress=False, threads=threads,
                                                              callbacks=(Threads(),))
            assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert seen == [1, 2]
    with pytest.raises(tsgan.TsganError, match="threads must be a whole number >= 1"):
        tsgan.TrainConfig(threads=0)
