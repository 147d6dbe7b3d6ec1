#!/usr/bin/python3
"""Adversarial versions of the fashion-det track's test split (canvases 00200-00699), transferred from a surrogate.

    /usr/bin/python3 training/attack_detectors.py [--work /tmp/lpcv-det-work] [--surrogate surrogate_resnet]
        [--eps 8] [--steps 10] [--step 2] [--seed 0] [--out tracks/fashion-det/adversarial] [--white-box]

The surrogate is an SSD that training/train_detectors.py trains beside the baselines (its state dict in --work)
but that is not one of the attacked baselines: a transfer (black-box) setting. Both attacks maximise the SSD
training loss of the surrogate (train_detectors.multibox_loss: matching to the ground-truth boxes, smooth L1 +
cross-entropy with hard negatives) in pixel space, within an L-infinity ball of --eps/255 around the clean
canvas and inside [0, 1]:

- fgsm: one step, x + eps * sign(grad), computed on the uint8 pixels directly (pixel + eps * sign, clipped);
- pgd: a uniform random start in the ball (a torch.Generator seeded with --seed), then --steps steps of
  --step/255 along sign(grad), each projected back to the ball and to [0, 1]; rounded to uint8 at the end
  (still within eps, which is a whole number of levels).

Images are written as 8-bit grey PNGs named as the clean ones (00200.png ...) into OUT/fgsm and OUT/pgd, and
OUT/attack.json records the parameters, the surrogate's hashes, the perturbation's size, and the mAP of the
surrogate and of every baseline (PyTorch, decoded as the harness does) on test, test~fgsm and test~pgd.
Deterministic: the same surrogate, arguments and seed give the same bytes (batches of a fixed size, one thread).

--white-box also attacks each baseline with its own gradients (the same attacks; the images are not written) and
writes their PyTorch mAP to OUT/white-box.json: how robust each model is when the attacker knows it.
"""
import argparse
import hashlib
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ssd_boxes  # noqa: E402
import train_detectors as td  # noqa: E402
from detection_models import build  # noqa: E402
from make_canvases import png_gray  # noqa: E402

BATCH = 50


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def load_model(work, name):
    path = os.path.join(work, f"{name}.pt")
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing: train it first (training/train_detectors.py --only {name})")
    model = build(name)
    model.load_state_dict(torch.load(path))
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model, sha256_of(path)


def normalised(pixels01):
    """The track's pre-processing on [0, 1] pixels, differentiable."""
    return (pixels01 - torch.tensor(td.MEAN)) / torch.tensor(td.STD)


def loss_grad(model, pixels01, targets, pr_t, pr_corners):
    """Gradient of the surrogate's SSD loss against the ground truth, with respect to the [0, 1] pixels."""
    x = pixels01.clone().requires_grad_(True)
    loc_t, lab_t = td.targets_of(targets, pr_t, pr_corners, [False] * len(targets))
    loc, conf = model(normalised(x)[:, None])
    ll, lc = td.multibox_loss(loc, conf, loc_t, lab_t)
    (ll + lc).backward()
    return x.grad


def fgsm(model, u8, targets, eps, pr_t, pr_corners):
    g = loss_grad(model, torch.from_numpy(u8.astype(np.float32) / np.float32(255)), targets, pr_t, pr_corners)
    return np.clip(u8.astype(np.int32) + eps * np.sign(g.numpy()).astype(np.int32), 0, 255).astype(np.uint8)


def pgd(model, u8, targets, eps, steps, step, gen, pr_t, pr_corners):
    x0 = torch.from_numpy(u8.astype(np.float32) / np.float32(255))
    e, a = eps / 255.0, step / 255.0
    x = (x0 + (torch.rand(x0.shape, generator=gen) * 2 - 1) * e).clamp(0, 1)
    for _ in range(steps):
        g = loss_grad(model, x, targets, pr_t, pr_corners)
        x = torch.min(torch.max(x + a * g.sign(), x0 - e), x0 + e).clamp(0, 1)
    out = np.rint(x.numpy().astype(np.float64) * 255)
    lo, hi = u8.astype(np.int32) - eps, u8.astype(np.int32) + eps
    return np.clip(np.clip(out, lo, hi), 0, 255).astype(np.uint8)


def attack(model, u8, targets, args, gen, pr_t, pr_corners):
    """{'fgsm': uint8 images, 'pgd': uint8 images} against `model`, in batches of BATCH."""
    sets = {"fgsm": [], "pgd": []}
    for b in range(0, len(u8), BATCH):
        x, t = u8[b:b + BATCH], targets[b:b + BATCH]
        sets["fgsm"].append(fgsm(model, x, t, args.eps, pr_t, pr_corners))
        sets["pgd"].append(pgd(model, x, t, args.eps, args.steps, args.step, gen, pr_t, pr_corners))
        td.log(f"  attacked {min(b + BATCH, len(u8))}/{len(u8)}")
    return {k: np.concatenate(v) for k, v in sets.items()}


def evaluate(model, u8, gt, pr):
    r = td.evaluate(model, torch.from_numpy(td.preprocess(u8)), gt, pr)
    return {"map": r["map"], "map50": r["map50"], "detections": r["detections"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", default="/tmp/lpcv-det-work", help="the state dicts train_detectors.py saved")
    ap.add_argument("--surrogate", default="surrogate_resnet")
    ap.add_argument("--eps", type=int, default=8, help="L-infinity radius in pixel levels (of 255)")
    ap.add_argument("--steps", type=int, default=10, help="PGD steps")
    ap.add_argument("--step", type=float, default=2, help="PGD step in pixel levels (of 255)")
    ap.add_argument("--seed", type=int, default=0, help="PGD's random start")
    ap.add_argument("--out", default=os.path.join(td.REPO, "tracks", "fashion-det", "adversarial"))
    ap.add_argument("--baselines", default=os.path.join(td.REPO, "baselines", "fashion-det", "baselines.json"))
    ap.add_argument("--white-box", action="store_true", help="also attack every baseline with its own gradients (same "
                    "attacks and seed; images not written) and write the PyTorch mAP to OUT/white-box.json")
    args = ap.parse_args()
    td.setup_determinism(args.seed)

    first, end = td.SPLITS["test"]
    u8, gt, targets = td.load_canvases(td.CANVASES, first, end - first)
    pr = ssd_boxes.priors()
    pr_t = ssd_boxes.priors_tensor(pr)
    pr_corners = ssd_boxes.corners(pr_t)
    surrogate, surrogate_sha = load_model(args.work, args.surrogate)
    gen = torch.Generator().manual_seed(args.seed)

    sets = attack(surrogate, u8, targets, args, gen, pr_t, pr_corners)

    perturbation = {}
    for name, adv in sets.items():
        folder = os.path.join(args.out, name)
        os.makedirs(folder, exist_ok=True)
        for im, px in zip(gt["images"], adv):
            png_gray(os.path.join(folder, im["file_name"]), 128, 128, px.tobytes())
        d = np.abs(adv.astype(np.int32) - u8.astype(np.int32))
        assert d.max() <= args.eps
        perturbation[name] = {"max_levels": int(d.max()), "mean_abs_levels": round(float(d.mean()), 4),
                              "changed_pixels": round(float((d > 0).mean()), 4),
                              "bytes": sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))}

    # The mAP of each model on the clean and attacked test split, PyTorch heads decoded as the harness does.
    with open(args.baselines) as f:
        shipped = json.load(f)
    results = {}
    for name in [args.surrogate] + [m["name"] for m in shipped["models"]]:
        model, _ = load_model(args.work, name) if name != args.surrogate else (surrogate, surrogate_sha)
        results[name] = {"test": evaluate(model, u8, gt, pr), **{f"test~{k}": evaluate(model, v, gt, pr) for k, v in sets.items()}}
        td.log(f"  {name}: " + ", ".join(f"{k} mAP {v['map']:.4f} mAP50 {v['map50']:.4f}" for k, v in results[name].items()))
    surrogate_entry = shipped.get("surrogate") or {}
    doc = {
        "generated_by": "training/attack_detectors.py",
        "split": "test (canvases 00200-00699 of tracks/fashion-canvases)",
        "surrogate": {"name": args.surrogate, "state_dict_sha256": surrogate_sha,
                      "onnx": surrogate_entry.get("file"), "onnx_sha256": surrogate_entry.get("sha256"),
                      "baseline": False},
        "loss": "SSD multibox loss of the surrogate against the ground truth (train_detectors.multibox_loss)",
        "attacks": {
            "fgsm": {"norm": "linf", "eps": f"{args.eps}/255", "steps": 1},
            "pgd": {"norm": "linf", "eps": f"{args.eps}/255", "steps": args.steps, "step": f"{args.step:g}/255",
                    "random_start": "uniform in the ball", "seed": args.seed},
        },
        "quantisation": "rounded to uint8, clipped to [0, 255] and to the eps ball",
        "perturbation": perturbation,
        "map_pytorch": results,
        "framework": {"torch": torch.__version__, "numpy": np.__version__, "threads": torch.get_num_threads()},
    }
    with open(os.path.join(args.out, "attack.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    td.log(f"wrote {args.out}")

    if args.white_box:
        white = {}
        for m in shipped["models"]:
            model, sha = load_model(args.work, m["name"])
            adv = attack(model, u8, targets, args, torch.Generator().manual_seed(args.seed), pr_t, pr_corners)
            white[m["name"]] = {"state_dict_sha256": sha, "test": results[m["name"]]["test"],
                                **{f"test~{k}-white-box": evaluate(model, v, gt, pr) for k, v in adv.items()}}
            td.log(f"  {m['name']} white-box: " + ", ".join(f"{k} mAP {v['map']:.4f}" for k, v in white[m["name"]].items() if k != "state_dict_sha256"))
        with open(os.path.join(args.out, "white-box.json"), "w") as f:
            json.dump({"generated_by": "training/attack_detectors.py --white-box", "attacks": doc["attacks"],
                       "note": "each baseline attacked with its own gradients (not a transfer); PyTorch mAP on the test split",
                       "map_pytorch": white}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
