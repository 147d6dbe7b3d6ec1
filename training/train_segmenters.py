#!/usr/bin/python3
"""Train the fashion-seg baseline segmenters, export them to ONNX and write baselines.json.

Run from the repository root with Debian's PyTorch, after making the training canvases from the Fashion-MNIST
*train* file (outside the repository):

    /usr/bin/python3 training/make_canvases.py \\
        --images /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz \\
        --labels /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz \\
        --part 0:55000:10000 --part 55000:5000:500 --seed 1 --out /tmp/lpcv-seg-train
    /usr/bin/python3 training/train_segmenters.py --train /tmp/lpcv-seg-train --out baselines/fashion-seg [--only NAME]

Canvases 0..9999 of the training folder (garments of train images 0..54999) are fitted; canvases 10000..10499
(garments of train images 55000..59999) are a holdout, only watched. The track's val (canvases 00000-00199 of
tracks/fashion-canvases/data) and test (00200-00699) splits are evaluated once, after training.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_export  # noqa: E402
from seg_metrics import SegmentationAccumulator, argmax_map  # noqa: E402
from segmentation_models import MODELS, NUM_CLASSES  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CANVASES = os.path.join(REPO, "tracks", "fashion-canvases", "data")
SPLITS = {"val": (0, 200), "test": (200, 700)}
N_FIT = 10000            # training canvases 0..N_FIT-1 are fitted, N_FIT..N_FIT+N_HOLDOUT-1 are the holdout
N_HOLDOUT = 500
SIZE = 128
OPSET = 13
BATCH = 32
THREADS = 1              # two trainings share the 2-core machine
NEAR_TIE = 1e-4

# Pre-processing contract (tracks/fashion-seg/track.json): float32(pixel) / 255, then (x - MEAN) / STD, each step
# in float32. MEAN and STD are the pixel mean and standard deviation of 1,000 training canvases (0.1132, 0.2634).
MEAN = np.float32(0.113)
STD = np.float32(0.263)

# Per-model recipe: epochs over the 10,000 fitting canvases, peak learning rate of a one-cycle schedule with Adam,
# the side of the random square crop each batch is trained on (the models are fully convolutional: a 64 px crop
# costs a quarter of a canvas, so four times the updates for the same time), and the cross-entropy weight of the
# background class (0.82 of the pixels; the ten garment classes weigh 1). About 45-70 s per epoch on one thread of
# this machine while it was shared. Looked at on the holdout only: a first run of whole canvases (batch 32, 2 epochs)
# stayed below an all-background answer; two 5-minute probes (batch 8 of whole canvases; batch 32 of 64 px crops with
# background weight 0.2) showed the crops learning faster per second; 5 epochs gave holdout mDice 0.30 (unet_s) and
# 0.26 (fcn_s), hence 8 and 10.
RECIPES = {
    "unet_s": {"arch": "unet_s", "epochs": 8, "max_lr": 3e-3, "weight_decay": 1e-4, "crop": 64, "bg_weight": 0.2},
    "fcn_s": {"arch": "fcn_s", "epochs": 10, "max_lr": 3e-3, "weight_decay": 1e-4, "crop": 64, "bg_weight": 0.2},
}
ORDER = ["unet_s", "fcn_s"]


def log(*a):
    print(*a, flush=True)


def setup_determinism(seed):
    torch.set_num_threads(THREADS)
    try:
        torch.use_deterministic_algorithms(True)
    except Exception as e:  # pragma: no cover - depends on the build
        log(f"warning: deterministic algorithms unavailable: {e}")
    np.random.seed(seed)
    torch.manual_seed(seed)


def read_folder(folder, first, count):
    """uint8 [count, H, W] of folder/NNNNN.png for NNNNN in first..first+count-1 (8-bit grey PNGs)."""
    out = np.empty((count, SIZE, SIZE), np.uint8)
    for i in range(count):
        with Image.open(os.path.join(folder, f"{first + i:05d}.png")) as im:
            a = np.asarray(im)
        if a.shape != (SIZE, SIZE) or a.dtype != np.uint8:
            raise ValueError(f"{folder}/{first + i:05d}.png: expected {SIZE}x{SIZE} 8-bit grey, got {a.shape} {a.dtype}")
        out[i] = a
    return out


def read_canvases(root, first, count):
    return read_folder(os.path.join(root, "images"), first, count), read_folder(os.path.join(root, "masks"), first, count)


def preprocess(images_u8):
    """uint8 [N, H, W] -> float32 [N, 1, H, W], the harness's normalisation (harness/preprocess/normalise.ts)."""
    x = images_u8.astype(np.float32) / np.float32(255.0)
    x = (x - MEAN) / STD
    assert x.dtype == np.float32
    return np.ascontiguousarray(x[:, None, :, :])


@torch.no_grad()
def logits_of(model, x_u8, bs=50):
    """float32 logits [N, 11, H, W] of the eval-mode model for uint8 images [N, H, W]."""
    model.eval()
    return np.concatenate([model(torch.from_numpy(preprocess(x_u8[i:i + bs]))).numpy() for i in range(0, len(x_u8), bs)])


def evaluate(model, images, masks):
    """The harness's figures (argmax with ties to the lowest class, then mDice/mIoU), plus how close the closest
    per-pixel call is: the smallest gap between the top two logits and the pixels with a gap below NEAR_TIE."""
    acc = SegmentationAccumulator(NUM_CLASSES)
    min_gap, near = float("inf"), 0
    for i in range(0, len(images), 50):
        lg = logits_of(model, images[i:i + 50])
        pred = argmax_map(lg)
        s = np.sort(lg, axis=1)
        gap = s[:, -1] - s[:, -2]
        min_gap = min(min_gap, float(gap.min()))
        near += int((gap < NEAR_TIE).sum())
        for p, g in zip(pred, masks[i:i + 50]):
            acc.add(p, g)
    r = acc.result()
    return {"mdice": r["mdice"], "miou": r["miou"], "count": r["images"],
            "per_class": [{"class": c["classIndex"], "dice": c["dice"], "iou": c["iou"]} for c in r["perClass"]],
            "min_top1_margin": min_gap, "near_ties": near}


def trivial(masks):
    """The figures of an all-background answer, the floor a model must clearly beat."""
    acc = SegmentationAccumulator(NUM_CLASSES)
    for g in masks:
        acc.add(np.zeros_like(g), g)
    r = acc.result()
    return {"mdice": r["mdice"], "miou": r["miou"]}


def count_cost(model):
    """MACs of Conv and ConvTranspose layers for one 128x128 image, as submissions/onnx/model-cost.ts counts them."""
    macs = [0]

    def hook(m, inp, out):
        k = m.kernel_size[0] * m.kernel_size[1]
        if isinstance(m, torch.nn.ConvTranspose2d):
            macs[0] += int(inp[0].numel() * (m.out_channels // m.groups) * k)
        else:
            macs[0] += int(out.numel() * (m.in_channels // m.groups) * k)

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 1, SIZE, SIZE))
    for h in hs:
        h.remove()
    return macs[0]


def train(arch, rec, fit, holdout, seed):
    """Adam + OneCycleLR, batch BATCH, per-pixel cross-entropy (background weighted by rec["bg_weight"]) on a
    random rec["crop"] px square (one position per batch), random horizontal flip (p = 0.5) of image and mask
    together. The data order, crop positions and flips come from a generator seeded with `seed`."""
    fit_x, fit_y = fit
    setup_determinism(seed)
    model = MODELS[arch][0]()
    opt = torch.optim.Adam(model.parameters(), lr=rec["max_lr"], weight_decay=rec["weight_decay"])
    n = len(fit_x)
    steps = (n + BATCH - 1) // BATCH
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=rec["max_lr"], epochs=rec["epochs"], steps_per_epoch=steps)
    gen = torch.Generator().manual_seed(seed)
    x_all = torch.from_numpy(preprocess(fit_x))
    y_all = torch.from_numpy(fit_y)  # uint8; a batch is widened to int64
    weight = torch.ones(NUM_CLASSES)
    weight[0] = rec["bg_weight"]
    crop = rec["crop"]
    t0 = time.time()
    ho = None
    for ep in range(rec["epochs"]):
        model.train()
        perm = torch.randperm(n, generator=gen)
        flips = torch.rand(n, generator=gen) < 0.5
        offsets = torch.randint(0, SIZE - crop + 1, (steps, 2), generator=gen)
        tot, te = 0.0, time.time()
        for b in range(steps):
            idx = perm[b * BATCH:(b + 1) * BATCH]
            oy, ox = int(offsets[b, 0]), int(offsets[b, 1])
            x = x_all[idx, :, oy:oy + crop, ox:ox + crop]
            y, f = y_all[idx, oy:oy + crop, ox:ox + crop].long(), flips[idx]
            x = torch.where(f[:, None, None, None], x.flip(-1), x)
            y = torch.where(f[:, None, None], y.flip(-1), y)
            loss = F.cross_entropy(model(x), y, weight=weight)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss) * len(idx)
            if (b + 1) % 100 == 0:
                log(f"    step {b + 1}/{steps}: loss {tot / ((b + 1) * BATCH):.4f} ({time.time() - te:.0f}s)")
        ho = evaluate(model, *holdout)
        log(f"  [{arch} seed {seed}] epoch {ep + 1}/{rec['epochs']}: loss {tot / n:.4f} holdout mdice {ho['mdice']:.4f} "
            f"miou {ho['miou']:.4f} ({time.time() - te:.0f}s)")
    model.eval()
    return model, ho, time.time() - t0


def export(model, path):
    return onnx_export.export(model, path, (1, 1, SIZE, SIZE), ["logits"], OPSET)


def harness_check(onnx_path, model, splits):
    """Scores the exported file with the harness itself (`lpcv score --predictions`, onnxruntime on the CPU) on each
    split and counts the pixels where onnxruntime's argmax differs from PyTorch's: a different summation order
    moves a logit by an ulp or so, which flips a pixel whose top two logits are that close."""
    out = {}
    for split, (images, _masks) in splits.items():
        with tempfile.TemporaryDirectory(prefix="lpcv-seg-check-") as tmp:
            pred = os.path.join(tmp, "pred")
            r = subprocess.run([
                "node", os.path.join(REPO, "bin", "lpcv.js"), "score", onnx_path, "--track", "fashion-seg", "--split", split,
                "--trials", "1", "--runs", "5", "--warmup", "1", "--no-robustness", "--json", "--predictions", pred,
            ], cwd=REPO, capture_output=True, text=True, check=True)
            rec = json.loads(r.stdout)
            first = SPLITS[split][0]
            torch_pred = np.concatenate([argmax_map(logits_of(model, images[i:i + 50])) for i in range(0, len(images), 50)])
            differ, where = 0, []
            for j in range(len(images)):
                with Image.open(os.path.join(pred, f"{first + j:05d}.png")) as im:
                    d = int((np.asarray(im) != torch_pred[j]).sum())
                if d:
                    differ += d
                    where.append(f"{first + j:05d}")
        out[split] = {"mdice": rec["accuracy"]["mdice"], "miou": rec["accuracy"]["miou"],
                      "pixels_differing": differ, "images_differing": where}
        log(f"   harness on {split}: mdice {rec['accuracy']['mdice']!r} miou {rec['accuracy']['miou']!r}, "
            f"{differ} pixel(s) differ from PyTorch's argmax {where}")
    return out


def load_training(folder):
    fit = read_canvases(folder, 0, N_FIT)
    holdout = read_canvases(folder, N_FIT, N_HOLDOUT)
    return fit, holdout


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--train", help="training canvases made by make_canvases.py from the train file (not with --recheck)")
    ap.add_argument("--out", default=os.path.join(REPO, "baselines", "fashion-seg"))
    ap.add_argument("--only", action="append", choices=ORDER, help="train only this model (repeatable); "
                    "other entries of an existing baselines.json are kept")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-harness-check", action="store_true", help="skip scoring the exported models with the harness "
                    "(lpcv score, which needs the repository's npm packages)")
    ap.add_argument("--recheck", metavar="DIR", help="train nothing: load NAME.pt from DIR (made by --save-state), check "
                    "that its export is the recorded .onnx, and redo the harness check for the --only models")
    ap.add_argument("--save-state", metavar="DIR", help="also save each trained model's state_dict as DIR/NAME.pt "
                    "(outside the repository), e.g. to compare PyTorch with onnxruntime pixel by pixel")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    json_path = os.path.join(args.out, "baselines.json")
    names = args.only or ORDER

    setup_determinism(args.seed)
    log(f"torch {torch.__version__}, onnx {onnx.__version__}, numpy {np.__version__}, threads {torch.get_num_threads()}")
    if args.recheck:
        return recheck(args, names, json_path)
    if not args.train:
        ap.error("--train is required (unless --recheck)")
    fit, holdout = load_training(args.train)
    splits = {k: read_canvases(CANVASES, a, b - a) for k, (a, b) in SPLITS.items()}

    entries = {}
    if args.only and os.path.exists(json_path):
        with open(json_path) as f:
            entries = {m["name"]: m for m in json.load(f)["models"]}

    t_all = time.time()
    for name in names:
        rec = RECIPES[name]
        log(f"== {name}: {MODELS[rec['arch']][1]} ({rec['epochs']} epochs)")
        model, ho, secs = train(rec["arch"], rec, fit, holdout, args.seed)
        if args.save_state:
            os.makedirs(args.save_state, exist_ok=True)
            torch.save(model.state_dict(), os.path.join(args.save_state, f"{name}.pt"))
        onnx_file = f"{name}.onnx"
        sha, size, ops = export(model, os.path.join(args.out, onnx_file))
        res = {k: evaluate(model, *v) for k, v in splits.items()}
        entries[name] = {
            "name": name,
            "file": onnx_file,
            "description": MODELS[rec["arch"]][1],
            "params": int(sum(p.numel() for p in model.parameters())),
            "macs": count_cost(model),
            "onnx_bytes": size,
            "onnx_ops": ops,
            "sha256": sha,
            "val": res["val"],
            "test": res["test"],
            "holdout": {"mdice": ho["mdice"], "miou": ho["miou"], "count": ho["count"]},
            "training": {"epochs": rec["epochs"], "seed": args.seed, "batch_size": BATCH, "optimizer": "Adam",
                         "weight_decay": rec["weight_decay"], "lr_schedule": f"OneCycleLR(max_lr={rec['max_lr']})",
                         "loss": f"per-pixel cross-entropy, background weight {rec['bg_weight']}",
                         "augmentation": f"random {rec['crop']}x{rec['crop']} crop (one position per batch), random horizontal flip (p=0.5)",
                         "train_canvases": f"canvases 0..{N_FIT - 1} of make_canvases.py --part 0:55000:{N_FIT} "
                                           f"--part 55000:5000:{N_HOLDOUT} --seed 1 (Fashion-MNIST train file)",
                         "train_seconds": round(secs, 1), "threads": torch.get_num_threads()},
        }
        if not args.no_harness_check:
            entries[name]["harness"] = harness_check(os.path.join(args.out, onnx_file), model, splits)
        log(f"   {name}: params {entries[name]['params']}, val mdice {res['val']['mdice']:.4f} miou "
            f"{res['val']['miou']:.4f}, test mdice {res['test']['mdice']:.4f} miou {res['test']['miou']:.4f}, "
            f"{size} bytes, sha256 {sha[:12]}, near ties val {res['val']['near_ties']} test {res['test']['near_ties']}, "
            f"trained in {secs:.0f}s")

    write_doc(json_path, entries, {k: v[1] for k, v in splits.items()})
    log(f"wrote {json_path} ({len(entries)} models) in {time.time() - t_all:.0f}s")


def recheck(args, names, json_path):
    with open(json_path) as f:
        doc = json.load(f)
    entries = {m["name"]: m for m in doc["models"]}
    splits = {k: read_canvases(CANVASES, a, b - a) for k, (a, b) in SPLITS.items()}
    for name in names:
        model = MODELS[RECIPES[name]["arch"]][0]()
        model.load_state_dict(torch.load(os.path.join(args.recheck, f"{name}.pt")))
        model.eval()
        onnx_path = os.path.join(args.out, entries[name]["file"])
        with tempfile.TemporaryDirectory(prefix="lpcv-seg-export-") as tmp:
            sha, _, _ = export(model, os.path.join(tmp, "m.onnx"))
        if sha != entries[name]["sha256"]:
            raise SystemExit(f"{name}: the state in {args.recheck} exports to sha256 {sha}, not the recorded {entries[name]['sha256']}")
        for k, (images, masks) in splits.items():
            r = evaluate(model, images, masks)
            if (r["mdice"], r["miou"]) != (entries[name][k]["mdice"], entries[name][k]["miou"]):
                raise SystemExit(f"{name}: {k} figures differ from the recorded ones")
        entries[name]["harness"] = harness_check(onnx_path, model, splits)
    write_doc(json_path, entries, {k: v[1] for k, v in splits.items()})
    log(f"rechecked {', '.join(names)} in {json_path}")


def write_doc(json_path, entries, split_masks):
    doc = {
        "track": "fashion-seg",
        "generated_by": "training/train_segmenters.py",
        "framework": {"torch": torch.__version__, "onnx": onnx.__version__, "numpy": np.__version__,
                      "opset": OPSET, "threads": THREADS, "deterministic_algorithms": torch.are_deterministic_algorithms_enabled()},
        "preprocessing": {"layout": "NCHW", "shape": [None, 1, SIZE, SIZE], "dtype": "float32",
                          "formula": "((float32(pixel) / 255) - mean) / std, each step in float32",
                          "mean": float(MEAN), "std": float(STD)},
        "io": {"input": "input", "output": "logits", "output_kind": "raw logits [N, 11, 128, 128] (no softmax)",
               "dynamic_axis": "batch"},
        "splits": {k: {"first": a, "end": b, "folder": "tracks/fashion-canvases/data"} for k, (a, b) in SPLITS.items()},
        "trivial_all_background": {k: trivial(v) for k, v in split_masks.items()},
        "metric_notes": "mdice / miou: scoring/segmentation.ts's definition (per image nanmean over the 11 classes, "
                        "background included; mean over images), computed by training/seg_metrics.py on the argmax of "
                        "the PyTorch model's float32 logits (eval mode, ties to the lowest class index) for the model "
                        "that was exported. per_class: pooled over the split. min_top1_margin / near_ties (pixels whose "
                        "top-two gap is below 1e-4) show how close the closest per-pixel call is. harness: the same "
                        "file scored by `lpcv score` (onnxruntime-node, CPU), and the pixels whose argmax differs from "
                        "PyTorch's.",
        "models": [entries[n] for n in ORDER if n in entries],
    }
    with open(json_path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
