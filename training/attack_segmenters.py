#!/usr/bin/python3
"""Adversarial versions of the fashion-seg test split (FGSM and PGD, L-infinity), made on a surrogate model.

    /usr/bin/python3 training/attack_segmenters.py --train /tmp/lpcv-seg-train --work /tmp/lpcv-seg-attack \\
        [--out tracks/fashion-seg/adversarial]

Transfer setting: the attacked models are the track's baselines (baselines/fashion-seg/*.onnx), the gradients
come from a *surrogate* that is none of them: the unet_s architecture trained by train_segmenters.train on the
same training canvases with another seed (SURROGATE_SEED), so different weights and a different data order. It
is trained on the first run and cached in --work (surrogate.pt); its sha256 goes into attack.json.

Both attacks maximise the mean per-pixel cross-entropy of the surrogate's logits against the ground-truth mask,
in pixel space [0, 1] (the model sees (x - mean) / std of it, as the harness feeds it), with the budget
||x_adv - x||_inf <= EPS = 8/255:
- fgsm: x + EPS * sign(grad), clipped to [0, 1];
- pgd: a uniform random start in the EPS ball (seeded), then PGD_STEPS steps of PGD_STEP * sign(grad), each
  projected back onto the ball and [0, 1].
The result is rounded to 8 bits (round half to even, then clamped to the ball around the clean pixels, so that
the budget holds after rounding) and written as 8-bit grey PNGs named like the clean split's files
(00200.png ... 00699.png) into OUT/fgsm and OUT/pgd, byte-identical for the same seed, surrogate and machine.
attack.json records the parameters and the surrogate's own (white-box) figures on the written images.
"""
import argparse
import hashlib
import io
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_segmenters as ts  # noqa: E402
from make_canvases import png_gray  # noqa: E402
from seg_metrics import SegmentationAccumulator, argmax_map  # noqa: E402
from segmentation_models import MODELS, NUM_CLASSES  # noqa: E402

REPO = ts.REPO
SPLIT = ("test", 200, 500)        # name, first canvas, count
EPS = 8                           # in 8-bit pixel levels: 8/255 in [0, 1]
PGD_STEPS = 10
PGD_STEP = 2                      # pixel levels per step: 2/255
SURROGATE_ARCH = "unet_s"
SURROGATE_SEED = 1
# The recipe the surrogate was trained with (5 epochs: a shorter run than the unet_s baseline's).
SURROGATE_RECIPE = {"arch": "unet_s", "epochs": 5, "max_lr": 3e-3, "weight_decay": 1e-4, "crop": 64, "bg_weight": 0.2}
BATCH = 25


def normalise(x01):
    return (x01 - torch.from_numpy(np.array(ts.MEAN))) / torch.from_numpy(np.array(ts.STD))


def loss_grad(model, x01, y):
    x01 = x01.clone().requires_grad_(True)
    loss = F.cross_entropy(model(normalise(x01)), y)
    (g,) = torch.autograd.grad(loss, x01)
    return g


def fgsm(model, x01, y, eps):
    return (x01 + eps * loss_grad(model, x01, y).sign()).clamp(0, 1)


def pgd(model, x01, y, eps, step, steps, gen):
    x = (x01 + (torch.rand(x01.shape, generator=gen) * 2 - 1) * eps).clamp(0, 1)
    for _ in range(steps):
        x = x + step * loss_grad(model, x, y).sign()
        x = torch.min(torch.max(x, x01 - eps), x01 + eps).clamp(0, 1)
    return x.detach()


def quantise(x01_adv, clean_u8):
    """Back to uint8, never outside the EPS ball around the clean pixels."""
    q = np.rint(x01_adv.numpy()[:, 0] * 255.0).astype(np.int32)
    c = clean_u8.astype(np.int32)
    return np.clip(q, np.maximum(c - EPS, 0), np.minimum(c + EPS, 255)).astype(np.uint8)


def surrogate(args):
    path = os.path.join(args.work, "surrogate.pt")
    if not os.path.exists(path):
        ts.log(f"training the surrogate ({SURROGATE_ARCH}, seed {SURROGATE_SEED}) into {path}")
        fit, holdout = ts.load_training(args.train)
        model, ho, secs = ts.train(SURROGATE_ARCH, SURROGATE_RECIPE, fit, holdout, SURROGATE_SEED)
        torch.save({"state": model.state_dict(), "holdout": {k: ho[k] for k in ("mdice", "miou")},
                    "train_seconds": round(secs, 1)}, path)
    ckpt = torch.load(path)
    model = MODELS[SURROGATE_ARCH][0]()
    model.load_state_dict(ckpt["state"])
    model.eval()
    buf = io.BytesIO()
    for k, v in sorted(ckpt["state"].items()):
        buf.write(k.encode())
        buf.write(v.numpy().tobytes())
    return model, ckpt, hashlib.sha256(buf.getvalue()).hexdigest()


def scores(model, images, masks):
    r = ts.evaluate(model, images, masks)
    return {"mdice": r["mdice"], "miou": r["miou"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", required=True, help="training canvases (as for train_segmenters.py), for the surrogate")
    ap.add_argument("--work", required=True, help="a folder outside the repository for the surrogate checkpoint")
    ap.add_argument("--out", default=os.path.join(REPO, "tracks", "fashion-seg", "adversarial"))
    ap.add_argument("--seed", type=int, default=0, help="seeds PGD's random start")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    ts.setup_determinism(args.seed)
    model, ckpt, sha = surrogate(args)
    for p in model.parameters():
        p.requires_grad_(False)
    name, first, count = SPLIT
    images, masks = ts.read_canvases(ts.CANVASES, first, count)
    eps, step = EPS / 255.0, PGD_STEP / 255.0
    gen = torch.Generator().manual_seed(args.seed)
    t0 = time.time()
    adv = {"fgsm": np.empty_like(images), "pgd": np.empty_like(images)}
    for i in range(0, count, BATCH):
        x01 = torch.from_numpy(images[i:i + BATCH].astype(np.float32) / np.float32(255.0))[:, None]
        y = torch.from_numpy(masks[i:i + BATCH].astype(np.int64))
        adv["fgsm"][i:i + BATCH] = quantise(fgsm(model, x01, y, eps), images[i:i + BATCH])
        adv["pgd"][i:i + BATCH] = quantise(pgd(model, x01, y, eps, step, PGD_STEPS, gen), images[i:i + BATCH])
        ts.log(f"  {i + BATCH}/{count} ({time.time() - t0:.0f}s)")
    figures = {"clean": scores(model, images, masks)}
    for kind, arr in adv.items():
        folder = os.path.join(args.out, kind)
        os.makedirs(folder, exist_ok=True)
        for j in range(count):
            png_gray(os.path.join(folder, f"{first + j:05d}.png"), ts.SIZE, ts.SIZE, arr[j].tobytes())
        figures[kind] = scores(model, arr, masks)
        linf = int(np.abs(arr.astype(np.int32) - images.astype(np.int32)).max())
        ts.log(f"{kind}: max |delta| {linf} levels; surrogate mdice {figures[kind]['mdice']:.4f} miou {figures[kind]['miou']:.4f}")
    ts.log(f"surrogate clean mdice {figures['clean']['mdice']:.4f} miou {figures['clean']['miou']:.4f}")
    doc = {
        "generated_by": "training/attack_segmenters.py",
        "of": name, "canvases": f"{first:05d}-{first + count - 1:05d}",
        "norm": "L-infinity", "eps": f"{EPS}/255", "loss": "mean per-pixel cross-entropy against the ground-truth mask",
        "fgsm": {"steps": 1, "step": f"{EPS}/255"},
        "pgd": {"steps": PGD_STEPS, "step": f"{PGD_STEP}/255", "random_start": "uniform in the eps ball", "seed": args.seed},
        "quantisation": "round to 8 bits, clamped to the eps ball around the clean pixels",
        "surrogate": {"arch": SURROGATE_ARCH, "seed": SURROGATE_SEED, "recipe": SURROGATE_RECIPE,
                      "state_sha256": sha, "holdout": ckpt["holdout"], "train_seconds": ckpt["train_seconds"],
                      "note": "not one of the track's baselines: same architecture as unet_s, another seed"},
        "surrogate_figures": figures,
        "framework": {"torch": torch.__version__, "numpy": np.__version__, "threads": torch.get_num_threads()},
        "num_classes": NUM_CLASSES,
    }
    with open(os.path.join(args.out, "attack.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    ts.log(f"wrote {args.out} in {time.time() - t0:.0f}s")


if __name__ == "__main__":
    main()
