#!/usr/bin/python3
"""Train the fashion-det SSD baselines, export them to ONNX and write baselines.json.

Run from the repository root with Debian's PyTorch, after making the training canvases (from the Fashion-MNIST
*train* set; the track's canvases come from the test set):

    python3 training/make_canvases.py --images /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz \\
        --labels /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz \\
        --part 0:55000:6000 --part 55000:5000:500 --seed 11 --out /tmp/lpcv-det-train
    /usr/bin/python3 training/train_detectors.py --data /tmp/lpcv-det-train [--only NAME ...]

Canvases 0..5999 (garments of train images 0..54999) are fitted; canvases 6000..6499 (train images
55000..59999) are the holdout that training is watched on. The track's val and test canvases
(tracks/fashion-canvases) are only evaluated, after training. The attack surrogate (`surrogate_resnet`) is
trained by the same script (it is in ORDER) but recorded apart from the baselines, under `surrogate`.

Evaluation is the harness's: the track's pre-processing in float32, the model's raw heads, ssd_boxes.decode
(a port of the harness's decoding and NMS), COCO mAP by coco_eval.py (equal to `lpcv evaluate`).
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coco_eval  # noqa: E402
import onnx_export  # noqa: E402
import ssd_boxes  # noqa: E402
from detection_models import BACKBONES, build  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CANVASES = os.path.join(REPO, "tracks", "fashion-canvases", "data")
TRACK = os.path.join(REPO, "tracks", "fashion-det", "track.json")
N_FIT, N_HOLDOUT = 6000, 500
SPLITS = {"val": (0, 200), "test": (200, 700)}
OPSET = 13
BATCH = 32
THREADS = 1
MEAN = np.float32(0.113)
STD = np.float32(0.264)
NEG_POS = 3

# Epochs and peak learning rate of a one-cycle schedule with Adam; chosen on the holdout only, for about
# five minutes a model on one thread of this machine.
RECIPES = {
    "ssd_vgg":          {"epochs": 8, "max_lr": 3e-3, "weight_decay": 1e-4, "seed": 0},
    "ssd_hardnet":      {"epochs": 8, "max_lr": 3e-3, "weight_decay": 1e-4, "seed": 0},
    "ssd_mobile":       {"epochs": 8, "max_lr": 3e-3, "weight_decay": 1e-4, "seed": 0},
    "surrogate_resnet": {"epochs": 8, "max_lr": 3e-3, "weight_decay": 1e-4, "seed": 1},
}
ORDER = ["ssd_vgg", "ssd_hardnet", "ssd_mobile", "surrogate_resnet"]
SURROGATES = {"surrogate_resnet"}


def log(*a):
    print(*a, flush=True)


def setup_determinism(seed):
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)
    np.random.seed(seed)
    torch.manual_seed(seed)


def preprocess(images_u8):
    """uint8 [N, 128, 128] -> float32 [N, 1, 128, 128]: ((float32(x) / 255) - mean) / std, each step in float32,
    as the harness does it (harness/preprocess/normalise.ts)."""
    x = images_u8.astype(np.float32) / np.float32(255.0)
    x = (x - MEAN) / STD
    assert x.dtype == np.float32
    return np.ascontiguousarray(x[:, None, :, :])


def load_canvases(folder, first=0, count=None):
    """(uint8 images [N, 128, 128], COCO ground truth restricted to them, [(boxes [G, 4] corners, labels [G])]):
    the JSON's images ordered by id (the harness's sample order), samples [first, first + count)."""
    with open(os.path.join(folder, "annotations.json")) as f:
        gt = json.load(f)
    assert [c["name"] for c in sorted(gt["categories"], key=lambda c: c["id"])] == ssd_boxes.CLASSES
    assert [c["id"] for c in sorted(gt["categories"], key=lambda c: c["id"])] == list(range(1, 11))
    images = sorted(gt["images"], key=lambda im: im["id"])
    images = images[first:] if count is None else images[first:first + count]
    keep = {im["id"] for im in images}
    anns = [a for a in gt["annotations"] if a["image_id"] in keep]
    by_image = {im["id"]: [] for im in images}
    for a in anns:
        by_image[a["image_id"]].append(a)
    pixels = np.stack([np.array(Image.open(os.path.join(folder, "images", im["file_name"]))) for im in images])
    assert pixels.dtype == np.uint8 and pixels.shape[1:] == (128, 128), pixels.shape
    targets = []
    for im in images:
        b = [[a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]] for a in by_image[im["id"]]]
        targets.append((torch.tensor(b, dtype=torch.float32).reshape(-1, 4),
                        torch.tensor([a["category_id"] for a in by_image[im["id"]]], dtype=torch.long)))
    sub = {"images": images, "annotations": anns, "categories": gt["categories"]}
    return pixels, sub, targets


def multibox_loss(loc, conf, loc_t, labels_t):
    """SSD's loss: smooth L1 over the positive priors' offsets + cross-entropy over the positives and the
    hardest negatives (NEG_POS per positive, per image), both divided by the number of positives."""
    pos = labels_t > 0
    n_pos = pos.sum(1, keepdim=True)
    loss_l = F.smooth_l1_loss(loc[pos], loc_t[pos], reduction="sum")
    ce = F.cross_entropy(conf.reshape(-1, conf.shape[-1]), labels_t.reshape(-1), reduction="none").reshape(labels_t.shape)
    mining = ce.detach().clone()
    mining[pos] = 0
    _, idx = mining.sort(1, descending=True)
    _, rank = idx.sort(1)
    neg = rank < (NEG_POS * n_pos).clamp(max=labels_t.shape[1] - 1)
    loss_c = ce[pos | neg].sum()
    n = n_pos.sum().clamp(min=1).float()
    return loss_l / n, loss_c / n


def targets_of(batch_targets, pr_t, pr_corners, flips):
    locs, labels = [], []
    for (boxes, lab), f in zip(batch_targets, flips):
        if f:
            boxes = torch.stack([128 - boxes[:, 2], boxes[:, 1], 128 - boxes[:, 0], boxes[:, 3]], 1)
        l, c = ssd_boxes.match(boxes, lab, pr_t, pr_corners)
        locs.append(l)
        labels.append(c)
    return torch.stack(locs), torch.stack(labels)


@torch.no_grad()
def heads_of(model, x, bs=100):
    model.eval()
    locs, confs = [], []
    for i in range(0, len(x), bs):
        l, c = model(x[i:i + bs])
        locs.append(l)
        confs.append(c)
    return torch.cat(locs).numpy(), torch.cat(confs).numpy()


def detections_of(model, x, gt, pr):
    """COCO results of the model on preprocessed inputs x, image i under gt['images'][i]['id']."""
    locs, confs = heads_of(model, x)
    out = []
    for i, im in enumerate(gt["images"]):
        for box, score, k in ssd_boxes.decode(locs[i], confs[i], pr):
            out.append({"image_id": im["id"], "category_id": k + 1,
                        "bbox": [box[0], box[1], box[2] - box[0], box[3] - box[1]], "score": score})
    return out, locs, confs


def evaluate(model, x, gt, pr):
    dets, locs, confs = detections_of(model, x, gt, pr)
    stats = coco_eval.evaluate(gt, dets)
    return {"map": stats["map"], "map50": stats["map50"], "stats": stats, "detections": len(dets),
            "images": len(gt["images"]), "annotations": len(gt["annotations"])}


def train(name, fit, holdout, pr):
    fit_x, fit_targets = fit
    rec = RECIPES[name]
    setup_determinism(rec["seed"])
    model = build(name)
    opt = torch.optim.Adam(model.parameters(), lr=rec["max_lr"], weight_decay=rec["weight_decay"])
    steps = (N_FIT + BATCH - 1) // BATCH
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=rec["max_lr"], epochs=rec["epochs"], steps_per_epoch=steps)
    gen = torch.Generator().manual_seed(rec["seed"])
    pr_t = ssd_boxes.priors_tensor(pr)
    pr_corners = ssd_boxes.corners(pr_t)
    t0 = time.time()
    for ep in range(rec["epochs"]):
        model.train()
        perm = torch.randperm(N_FIT, generator=gen)
        flips = torch.rand(N_FIT, generator=gen) < 0.5
        tl, tc, te = 0.0, 0.0, time.time()
        for b in range(steps):
            idx = perm[b * BATCH:(b + 1) * BATCH]
            f = flips[idx]
            x = fit_x[idx]
            x = torch.where(f[:, None, None, None], x.flip(-1), x)  # horizontal flip, boxes flipped with it
            loc_t, lab_t = targets_of([fit_targets[i] for i in idx.tolist()], pr_t, pr_corners, f.tolist())
            loc, conf = model(x)
            ll, lc = multibox_loss(loc, conf, loc_t, lab_t)
            loss = ll + lc
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            tl += float(ll) * len(idx)
            tc += float(lc) * len(idx)
        log(f"  [{name}] epoch {ep + 1}/{rec['epochs']}: loc {tl / N_FIT:.4f} conf {tc / N_FIT:.4f} "
            f"({time.time() - te:.1f}s)")
    secs = time.time() - t0
    ho_x, ho_gt = holdout
    ho = evaluate(model, ho_x, ho_gt, pr)
    log(f"  [{name}] holdout mAP {ho['map']:.4f} mAP50 {ho['map50']:.4f}; trained in {secs:.0f}s")
    return model, ho, secs


def count_macs(model):
    macs = [0]

    def hook(m, inp, out):
        macs[0] += int(out.numel() * m.kernel_size[0] * m.kernel_size[1] * m.in_channels // m.groups)

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 1, 128, 128))
    for h in hs:
        h.remove()
    return macs[0]


def export(model, path):
    return onnx_export.export(model, path, (1, 1, 128, 128), ["locations", "confidences"], OPSET)


def check_track():
    """The track file's output.ssd and preprocess must be what the models were trained for."""
    if not os.path.exists(TRACK):
        return
    with open(TRACK) as f:
        t = json.load(f)
    ssd = t["output"]["ssd"]
    if ssd != ssd_boxes.SPEC:
        raise SystemExit(f"{TRACK}: output.ssd differs from ssd_boxes.SPEC")
    pre = t["input"]["preprocess"]
    if abs(pre["scale"] * 255 - 1) > 1e-6 or pre["mean"] != [0.113] or pre["std"] != [0.264]:
        raise SystemExit(f"{TRACK}: input.preprocess differs from MEAN/STD")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="the training canvases (make_canvases.py --out)")
    ap.add_argument("--out", default=os.path.join(REPO, "baselines", "fashion-det"))
    ap.add_argument("--work", default="/tmp/lpcv-det-work", help="where the state dicts go (the attack's surrogate)")
    ap.add_argument("--only", action="append", choices=ORDER, help="train only this model (repeatable); "
                    "other entries of an existing baselines.json are kept")
    ap.add_argument("--evaluate-only", action="store_true", help="no training: load the state dicts from --work, "
                    "check that they export to the recorded sha256, and evaluate them again (val, test, holdout)")
    args = ap.parse_args()
    check_track()
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.work, exist_ok=True)
    json_path = os.path.join(args.out, "baselines.json")
    names = args.only or ORDER
    setup_determinism(0)
    log(f"torch {torch.__version__}, onnx {onnx.__version__}, numpy {np.__version__}, threads {torch.get_num_threads()}")

    pr = ssd_boxes.priors()
    assert len(pr) == ssd_boxes.prior_count()
    tr_px, _, tr_targets = load_canvases(args.data, 0, N_FIT + N_HOLDOUT)
    assert len(tr_px) == N_FIT + N_HOLDOUT, len(tr_px)
    fit = (torch.from_numpy(preprocess(tr_px[:N_FIT])), tr_targets[:N_FIT])
    _, ho_gt, _ = load_canvases(args.data, N_FIT, N_HOLDOUT)
    holdout = (torch.from_numpy(preprocess(tr_px[N_FIT:])), ho_gt)
    split_data = {}
    for split, (a, b) in SPLITS.items():
        px, gt, _ = load_canvases(CANVASES, a, b - a)
        split_data[split] = (torch.from_numpy(preprocess(px)), gt)

    doc = {"models": [], "surrogate": None}
    if (args.only or args.evaluate_only) and os.path.exists(json_path):
        with open(json_path) as f:
            doc = json.load(f)
    entries = {m["name"]: m for m in doc["models"]}
    if doc.get("surrogate"):
        entries[doc["surrogate"]["name"]] = doc["surrogate"]

    for name in names:
        rec = RECIPES[name]
        if args.evaluate_only:
            model = build(name)
            model.load_state_dict(torch.load(os.path.join(args.work, f"{name}.pt")))
            model.eval()
            secs = entries[name]["training"]["train_seconds"]
            ho = evaluate(model, holdout[0], holdout[1], pr)
        else:
            log(f"== {name}: {BACKBONES[name][1]} ({rec['epochs']} epochs)")
            model, ho, secs = train(name, fit, holdout, pr)
            model.eval()
            torch.save(model.state_dict(), os.path.join(args.work, f"{name}.pt"))
        sha, size, ops = export(model, os.path.join(args.out, f"{name}.onnx"))
        if args.evaluate_only and sha != entries[name]["sha256"]:
            raise SystemExit(f"{name}: the state dict exports to sha256 {sha}, baselines.json records {entries[name]['sha256']}")
        res = {split: evaluate(model, x, gt, pr) for split, (x, gt) in split_data.items()}
        entries[name] = {
            "name": name,
            "file": f"{name}.onnx",
            "description": BACKBONES[name][1],
            "params": int(sum(p.numel() for p in model.parameters())),
            "macs": count_macs(model),
            "onnx_bytes": size,
            "onnx_ops": ops,
            "sha256": sha,
            "val": res["val"],
            "test": res["test"],
            "holdout": {k: ho[k] for k in ("map", "map50", "detections", "images")},
            "training": {"epochs": rec["epochs"], "seed": rec["seed"], "batch_size": BATCH, "optimizer": "Adam",
                         "weight_decay": rec["weight_decay"], "lr_schedule": f"OneCycleLR(max_lr={rec['max_lr']})",
                         "loss": f"SSD multibox: smooth L1 + cross-entropy, IoU >= 0.5 matching, hard negatives {NEG_POS}:1",
                         "augmentation": "random horizontal flip (p=0.5)",
                         "train_images": f"canvases 0..{N_FIT - 1} of {args.data} (Fashion-MNIST train images 0..54999)",
                         "train_seconds": round(secs, 1), "threads": THREADS},
        }
        log(f"   {name}: params {entries[name]['params']}, MACs {entries[name]['macs']}, {size} bytes, "
            f"val mAP {res['val']['map']:.4f} / mAP50 {res['val']['map50']:.4f}, "
            f"test mAP {res['test']['map']:.4f} / mAP50 {res['test']['map50']:.4f}, sha256 {sha[:12]}")

    out = {
        "track": "fashion-det",
        "generated_by": "training/train_detectors.py",
        "framework": {"torch": torch.__version__, "onnx": onnx.__version__, "numpy": np.__version__,
                      "opset": OPSET, "threads": THREADS, "deterministic_algorithms": True},
        "preprocessing": {"layout": "NCHW", "shape": [None, 1, 128, 128], "dtype": "float32",
                          "formula": "((float32(pixel) / 255) - mean) / std, each step in float32",
                          "mean": float(MEAN), "std": float(STD)},
        "io": {"input": "input", "outputs": ["locations", "confidences"],
               "output_kind": "raw SSD heads: offsets [1, P, 4], logits [1, P, 11] (class 0 background)",
               "priors": len(pr), "ssd": ssd_boxes.SPEC},
        "splits": {k: {"first": a, "end": b, "data": "tracks/fashion-canvases/data"} for k, (a, b) in SPLITS.items()},
        "metric_notes": "map / map50 and stats: COCO bbox evaluation (training/coco_eval.py, equal to lpcv evaluate) of "
                        "the PyTorch model's heads (eval mode, float32) decoded by training/ssd_boxes.py (the harness's "
                        "decoding and NMS), over the split's images.",
        "models": [entries[n] for n in ORDER if n in entries and n not in SURROGATES],
        "surrogate": next((entries[n] for n in ORDER if n in entries and n in SURROGATES), None),
    }
    with open(json_path, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    log(f"wrote {json_path}")


if __name__ == "__main__":
    main()
