"""Losses against hand-computed numbers, and the WGAN-GP gradient penalty's per-sample definition."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch.func import functional_call

from tsgan.objective import compose
from tsgan.objective.losses import LOSSES, classic_d_loss, classic_g_loss, get_loss, sequence_scores, wasserstein_d_loss, wasserstein_g_loss
from tsgan.objective.techniques.gradient_penalty import gradient_penalty
from tsgan.nn import ModelConfig, build
from tsgan.training import Trainer, TrainConfig


def sigmoid(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def bce(logit: float, target: float) -> float:
    """Binary cross-entropy of one logit against a target probability, by the textbook formula."""
    p = sigmoid(logit)
    return -(target * math.log(p) + (1.0 - target) * math.log(1.0 - p))


REAL = [0.0, 2.0]
FAKE = [-1.0, 0.5]


# -- classic and Wasserstein losses ---------------------------------------------------------------

def test_classic_d_loss_by_hand():
    """D loss = mean -log sigmoid(real) + mean -log(1 - sigmoid(fake))."""
    expected = (-math.log(sigmoid(0.0)) - math.log(sigmoid(2.0))) / 2 + (
        -math.log(1 - sigmoid(-1.0)) - math.log(1 - sigmoid(0.5))
    ) / 2
    got = classic_d_loss(torch.tensor(REAL), torch.tensor(FAKE))
    assert got.item() == pytest.approx(expected, rel=1e-6)


def test_classic_d_loss_label_smoothing():
    """One-sided smoothing: real targets 0.9 (cross-entropy against 0.9), fake targets stay 0."""
    expected = (bce(0.0, 0.9) + bce(2.0, 0.9)) / 2 + (bce(-1.0, 0.0) + bce(0.5, 0.0)) / 2
    got = classic_d_loss(torch.tensor(REAL), torch.tensor(FAKE), real_target=0.9)
    assert got.item() == pytest.approx(expected, rel=1e-6)
    assert got.item() != pytest.approx(classic_d_loss(torch.tensor(REAL), torch.tensor(FAKE)).item(), rel=1e-3)


def test_classic_g_loss_non_saturating():
    """G loss is the non-saturating -log sigmoid(fake), not log(1 - sigmoid(fake))."""
    expected = (-math.log(sigmoid(-1.0)) - math.log(sigmoid(0.5))) / 2
    assert classic_g_loss(torch.tensor(FAKE)).item() == pytest.approx(expected, rel=1e-6)


def test_classic_losses_stable_for_large_logits():
    """Logits of +-100 give finite losses (computed from logits, not from probabilities)."""
    big = torch.tensor([100.0, -100.0])
    assert torch.isfinite(classic_d_loss(big, big))
    assert classic_g_loss(torch.tensor([-100.0])).item() == pytest.approx(100.0, rel=1e-4)


def test_wasserstein_losses_by_hand():
    """Critic minimises mean(fake) - mean(real); generator minimises -mean(fake)."""
    real, fake = torch.tensor([1.0, 3.0, 5.0]), torch.tensor([-2.0, 0.5])
    assert wasserstein_d_loss(real, fake).item() == pytest.approx((-2.0 + 0.5) / 2 - (1 + 3 + 5) / 3)
    assert wasserstein_g_loss(fake).item() == pytest.approx(-(-2.0 + 0.5) / 2)


def test_per_step_scores_are_averaged():
    """Per-step scores (n, T) count every step equally: the loss is the mean of the per-step losses."""
    real = np.array([[0.0, 1.0, -2.0], [0.5, 0.25, 3.0]])
    fake = np.array([[-1.0, 0.0, 2.0], [1.5, -0.5, 0.0]])
    expected_d = np.mean([bce(v, 1.0) for v in real.ravel()]) + np.mean([bce(v, 0.0) for v in fake.ravel()])
    expected_g = np.mean([bce(v, 1.0) for v in fake.ravel()])
    r, f = torch.tensor(real), torch.tensor(fake)
    assert classic_d_loss(r, f).item() == pytest.approx(expected_d, rel=1e-9)
    assert classic_g_loss(f).item() == pytest.approx(expected_g, rel=1e-9)
    assert wasserstein_d_loss(r, f).item() == pytest.approx(fake.mean() - real.mean())
    assert torch.allclose(sequence_scores(r), torch.tensor(real.mean(axis=1)))
    assert torch.equal(sequence_scores(torch.tensor([1.0, 2.0])), torch.tensor([1.0, 2.0]))


def test_loss_registry_paper_defaults():
    """The registry names the three objectives with their papers' critic steps and constraint."""
    assert set(LOSSES) == {"gan", "wgan", "wgan-gp"}
    assert get_loss("gan").n_critic == 1 and get_loss("gan").techniques == () and get_loss("gan").real_target == 1.0
    assert get_loss("wgan").techniques == ("weight-clipping",) and get_loss("wgan").n_critic == 5
    assert get_loss("wgan-gp").techniques == ("gradient-penalty",) and get_loss("wgan-gp").n_critic == 5
    assert get_loss("wgan").real_target is None and get_loss("wgan-gp").real_target is None  # critics have no targets


# -- gradient penalty -----------------------------------------------------------------------------

def _pair(n=6, T=5, d=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn((n, T, d), generator=g), torch.randn((n, T, d), generator=g)


def test_penalty_linear_critic_exact():
    """For D(x) = sum(w * x) the gradient is w everywhere, so the penalty is (||w|| - 1)^2 exactly."""
    real, fake = _pair()
    w = torch.randn(real.shape[1:], generator=torch.Generator().manual_seed(1))
    penalty = gradient_penalty(lambda x: (x * w).sum(dim=(1, 2)), real, fake)
    expected = (math.sqrt(float((w.double() ** 2).sum())) - 1.0) ** 2
    assert penalty.dim() == 0
    assert penalty.item() == pytest.approx(expected, rel=1e-5)


def test_penalty_norm_is_per_sample():
    """A critic scaling each sample differently has per-sample gradient norms c_i ||w||; the penalty
    averages (c_i ||w|| - 1)^2, which differs from one norm taken over the whole batch."""
    real, fake = _pair(n=4)
    w = torch.full(real.shape[1:], 0.1)
    c = torch.tensor([0.5, 1.0, 4.0, 10.0])
    penalty = gradient_penalty(lambda x: c * (x * w).sum(dim=(1, 2)), real, fake)
    w_norm = math.sqrt(real.shape[1] * real.shape[2]) * 0.1
    per_sample = np.mean([(ci * w_norm - 1.0) ** 2 for ci in c.tolist()])
    whole_batch = (math.sqrt(sum(ci**2 for ci in c.tolist())) * w_norm - 1.0) ** 2
    assert abs(per_sample - whole_batch) > 0.1  # the test can tell the two apart
    assert penalty.item() == pytest.approx(per_sample, rel=1e-5)


def test_penalty_quadratic_critic_with_reproduced_eps():
    """D(x) = sum(x^2): gradient 2 x_hat, so the penalty is mean_i (2 ||x_hat_i|| - 1)^2 with
    x_hat_i = eps_i real_i + (1 - eps_i) fake_i and eps_i ~ U[0, 1] drawn per sample from the generator."""
    real, fake = _pair(n=5, T=4, d=3)
    n = len(real)
    eps = torch.rand((n, 1, 1), generator=torch.Generator().manual_seed(123))
    x_hat = (eps * real + (1 - eps) * fake).double()
    norms = 2.0 * x_hat.flatten(1).norm(dim=1)
    expected = ((norms - 1.0) ** 2).mean().item()
    whole_batch = ((2.0 * x_hat.norm() - 1.0) ** 2).item()
    assert abs(expected - whole_batch) > 1.0
    got = gradient_penalty(lambda x: (x**2).sum(dim=(1, 2)), real, fake, generator=torch.Generator().manual_seed(123))
    assert got.item() == pytest.approx(expected, rel=1e-5)


def test_penalty_per_step_scores_averaged_over_time():
    """A per-step critic (n, T) is averaged over time before the gradient: D = mean_t <w_t, x_t>
    has gradient w / T, so the penalty is (||w|| / T - 1)^2."""
    real, fake = _pair(n=3, T=4, d=2)
    w = torch.randn(real.shape[1:], generator=torch.Generator().manual_seed(2)) * 3
    penalty = gradient_penalty(lambda x: (x * w).sum(dim=2), real, fake)
    expected = (math.sqrt(float((w.double() ** 2).sum())) / real.shape[1] - 1.0) ** 2
    assert penalty.item() == pytest.approx(expected, rel=1e-5)


def test_penalty_mixing_weight_uniform_per_sample():
    """eps ~ U[0, 1] is drawn once per sample: with real = 1 and fake = 0 the critic sees x_hat_i = eps_i,
    constant within a sample, different between samples, inside [0, 1] and uniform (mean about 1/2)."""
    seen = []

    def critic(x):
        seen.append(x.detach().clone())
        return x.sum(dim=(1, 2))

    n = 2000
    real, fake = torch.ones((n, 3, 2)), torch.zeros((n, 3, 2))
    gradient_penalty(critic, real, fake, generator=torch.Generator().manual_seed(5))
    (x_hat,) = seen
    per_sample = x_hat[:, 0, 0]
    assert torch.equal(x_hat, per_sample[:, None, None].expand_as(x_hat))
    assert len(torch.unique(per_sample)) == n
    assert per_sample.min() >= 0.0 and per_sample.max() <= 1.0
    assert per_sample.mean().item() == pytest.approx(0.5, abs=0.03)
    assert torch.equal(per_sample, torch.rand((n, 1, 1), generator=torch.Generator().manual_seed(5)).flatten())


def test_penalty_detaches_inputs():
    """The penalty trains the critic only: no gradient flows back into real or fake batches."""
    real, fake = _pair()
    fake.requires_grad_(True)
    w = torch.nn.Parameter(torch.ones(real.shape[1:]))
    gradient_penalty(lambda x: (x * w).sum(dim=(1, 2)), real, fake).backward()
    assert fake.grad is None
    assert w.grad is not None


def test_penalty_gradient_wrt_critic_parameters():
    """create_graph: for D(x) = sum(w * x) the penalty (||w|| - 1)^2 has gradient 2 (||w|| - 1) w / ||w||."""
    real, fake = _pair()
    w = torch.nn.Parameter(torch.randn(real.shape[1:], generator=torch.Generator().manual_seed(3)))
    gradient_penalty(lambda x: (x * w).sum(dim=(1, 2)), real, fake).backward()
    norm = w.detach().norm()
    expected = 2 * (norm - 1) * w.detach() / norm
    assert torch.allclose(w.grad, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("conditional", [False, True], ids=["uncond", "cond"])
def test_penalty_double_backward_through_lstm(conditional):
    """The penalty's gradient reaches every LSTM critic weight on CPU and matches finite differences."""
    torch.manual_seed(0)
    n_classes = 2 if conditional else 0
    _, D = build(ModelConfig(generator="lstm", discriminator="lstm", length=5, channels=2, n_classes=n_classes, noise_dim=3, hidden=4))
    D = D.double().train()
    real, fake = (t.double() for t in _pair(n=3, T=5, d=2))
    # float64 one-hot labels (the soft-label form), so the whole critic runs in double precision
    labels = torch.nn.functional.one_hot(torch.tensor([0, 1, 1]), 2).double() if conditional else None

    penalty = gradient_penalty(lambda x: D(x, labels), real, fake, generator=torch.Generator().manual_seed(0))
    penalty.backward()
    for name, p in D.named_parameters():
        if name != "head.bias":  # the only weight that does not shape grad_x D
            assert p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0, name

    params = dict(D.named_parameters())

    def penalty_of(weight_hh):
        call = {**params, "rnn.weight_hh_l0": weight_hh}
        return gradient_penalty(lambda x: functional_call(D, call, (x, labels)), real, fake,
                                generator=torch.Generator().manual_seed(0))

    assert torch.autograd.gradcheck(penalty_of, (D.rnn.weight_hh_l0.detach().clone().requires_grad_(True),), eps=1e-6, atol=1e-5)


def test_trainer_adds_weighted_penalty_to_critic_loss(waves_data):
    """The gradient penalty joins the critic loss with weight gp_weight (0 turns it off): it changes D's update."""
    X, _ = waves_data
    results = []
    for gp_weight in (0.0, 10.0):
        torch.manual_seed(0)
        G, D = build(ModelConfig(generator="mlp", discriminator="mlp", length=X.shape[1], noise_dim=4, hidden=8))
        cfg = TrainConfig(steps=1, batch_size=8, progress=False, n_critic=1)
        trainer = Trainer(G, D, get_loss("wgan-gp"), cfg, techniques=compose(get_loss("wgan-gp"), {"gp_weight": gp_weight}))
        logs = {}
        trainer._critic_step(torch.from_numpy(X.copy()), None, logs)
        assert (logs["gradient_penalty"].item() > 0) if gp_weight else ("gradient_penalty" not in logs)
        results.append(torch.cat([p.detach().flatten() for p in D.parameters()]))
    assert not torch.equal(results[0], results[1])
