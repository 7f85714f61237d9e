"""Behaviour fingerprint of a tsgan checkout: for the default model and every technique, a hash of the samples and
weights after a few seeded steps. Run it on two commits and compare the JSON files: equal hashes mean the
same seed gives bitwise the same model (a refactor kept behaviour).

    python benchmarks/fingerprint.py before.json   # on each commit, then: diff before.json after.json
"""
import argparse
import hashlib
import json
import warnings

import numpy as np
import torch

import tsgan

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("out", help="the JSON file to write (the hashes, per case)")
ARGS = parser.parse_args()

torch.set_num_threads(1)
warnings.simplefilter("ignore")

X, y = tsgan.make_waves(96, 16, seed=0)
Xu = X.copy(); Xu[::3, 10:] = np.nan  # unequal lengths
CASES = {
    "default": (dict(), dict()),
    "wgan": (dict(loss="wgan"), dict()),
    "wgan-gp": (dict(loss="wgan-gp"), dict()),
    "mlp-conv-gp": (dict(generator="mlp", discriminator="conv", loss="wgan-gp"), dict()),
    "conv-mlp": (dict(generator="conv", discriminator="mlp"), dict()),
    "fm": (dict(), dict(feature_matching=1.0)),
    "fm-only": (dict(), dict(feature_matching=1.0, feature_matching_only=True)),
    "hist": (dict(), dict(historical_averaging_g=0.1, historical_averaging_d=0.1)),
    "smooth": (dict(), dict(real_target=0.9)),
    "mbd": (dict(minibatch_kernels=4), dict()),
    "vbn": (dict(generator="mlp", discriminator="mlp", virtual_batch_norm=8), dict()),
    "semi": (dict(semi_supervised=True), dict()),
    "infogan": (dict(generator="conv", discriminator="conv", variant="infogan"), dict()),
    "bigan": (dict(generator="mlp", discriminator="conv", variant="bigan"), dict()),
    "aae": (dict(generator="conv", discriminator="mlp", variant="aae"), dict()),
    "noema": (dict(), dict(ema_decay=0.0)),
    "gp-ncritic2": (dict(generator="mlp", discriminator="mlp", loss="wgan-gp"), dict(n_critic=2, lr_g=1e-3)),
    "unequal": (dict(generator="mlp", discriminator="lstm"), dict()),
}
out = {}
for name, (init, fit) in CASES.items():
    data = Xu if name == "unequal" else X
    gan = tsgan.GAN(**init).fit(data, y, steps=12, batch_size=16, seed=3, progress=False, **fit)
    s = gan.sample(8, seed=0)
    h = hashlib.sha1(np.nan_to_num(s, nan=-9).tobytes())
    for k, v in sorted(gan.generator_.state_dict().items()) + sorted(gan.discriminator_.state_dict().items()):
        h.update(v.detach().cpu().numpy().tobytes())
    hist = gan.history_[-1]
    out[name] = [h.hexdigest()[:16], round(hist["d_loss"], 6), round(hist["g_loss"], 6)]
    print(name, out[name], flush=True)
json.dump(out, open(ARGS.out, "w"), indent=1)
