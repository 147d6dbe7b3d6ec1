#!/usr/bin/python3
"""Train the fashion-mnist baseline classifiers, export them to ONNX and write baselines.json.

Run from the repository root with Debian's PyTorch:

    /usr/bin/python3 training/train_baselines.py --out baselines/fashion-mnist [--only NAME ...]

Training uses the 60k Fashion-MNIST training file only (images 0..54999 to fit, 55000..59999 as a
holdout for monitoring). The track's val (test-file images 0..1999) and test (2000..9999) splits are
only evaluated, after training, to record the reference accuracies.
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from idx import MEAN, STD, preprocess, read_idx  # noqa: E402
import onnx_export  # noqa: E402
from models import MODELS  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN_DIR = "/usr/share/datasets/fashion-mnist"
TEST_DIR = os.path.join(REPO, "tracks", "fashion-mnist", "data")
N_FIT = 55000            # train images 0..N_FIT-1 are fitted, the rest is the holdout
SPLITS = {"val": (0, 2000), "test": (2000, 10000)}
OPSET = 13
BATCH = 128

# Per-model recipe: epochs and peak learning rate of a one-cycle schedule with Adam.
# Chosen for a ~12 minute total on 2 CPU cores; hyper-parameters were only looked at on the holdout.
RECIPES = {
    "linear":    {"epochs": 5, "max_lr": 3e-3, "weight_decay": 0.0},
    "mlp":       {"epochs": 4, "max_lr": 2e-3, "weight_decay": 1e-4},
    "cnn_small": {"epochs": 6, "max_lr": 4e-3, "weight_decay": 1e-4},
    "resnet_s":  {"epochs": 5, "max_lr": 4e-3, "weight_decay": 1e-4},
    "hardnet_s": {"epochs": 5, "max_lr": 4e-3, "weight_decay": 1e-4},
    "cnn_wide":  {"epochs": 3, "max_lr": 3e-3, "weight_decay": 1e-4},
}
ORDER = ["linear", "mlp", "cnn_small", "resnet_s", "hardnet_s", "cnn_wide"]


def log(*a):
    print(*a, flush=True)


def setup_determinism(seed):
    torch.set_num_threads(2)
    try:
        torch.use_deterministic_algorithms(True)
    except Exception as e:  # pragma: no cover - depends on the build
        log(f"warning: deterministic algorithms unavailable: {e}")
    np.random.seed(seed)
    torch.manual_seed(seed)


def load_data():
    tr_x = read_idx(os.path.join(TRAIN_DIR, "train-images-idx3-ubyte.gz"))
    tr_y = read_idx(os.path.join(TRAIN_DIR, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    te_x = read_idx(os.path.join(TEST_DIR, "t10k-images-idx3-ubyte.gz"))
    te_y = read_idx(os.path.join(TEST_DIR, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    assert tr_x.shape == (60000, 28, 28) and te_x.shape == (10000, 28, 28)
    return (torch.from_numpy(preprocess(tr_x)), torch.from_numpy(tr_y),
            torch.from_numpy(preprocess(te_x)), torch.from_numpy(te_y))


@torch.no_grad()
def logits_of(model, x, bs=1000):
    model.eval()
    return torch.cat([model(x[i:i + bs]) for i in range(0, len(x), bs)]).numpy()


def accuracy(logits, labels):
    """top-1 = argmax with ties to the lowest index; top-5 = label among the 5 largest (stable order)."""
    labels = np.asarray(labels)
    top1 = np.argmax(logits, axis=1)  # numpy returns the first maximal index
    top5 = np.argsort(-logits, axis=1, kind="stable")[:, :5]
    c1 = int((top1 == labels).sum())
    c5 = int((top5 == labels[:, None]).any(axis=1).sum())
    s = np.sort(logits, axis=1)
    gap = s[:, -1] - s[:, -2]
    n = len(labels)
    return {"top1": round(c1 / n, 6), "top5": round(c5 / n, 6), "correct": c1, "correct_top5": c5,
            "count": n, "min_top1_margin": float(gap.min()), "near_ties": int((gap < 1e-4).sum())}


def count_cost(model):
    """MACs and HarDNet's CIO (sum over conv/linear layers of input + output tensor sizes, batch 1)."""
    stats = {"macs": 0, "cio": 0}

    def hook(m, inp, out):
        i, o = inp[0], out
        if isinstance(m, nn.Conv2d):
            k = m.kernel_size[0] * m.kernel_size[1] * m.in_channels // m.groups
        else:
            k = m.in_features
        stats["macs"] += int(o.numel() * k)
        stats["cio"] += int(i.numel() + o.numel())

    hs = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 1, 28, 28))
    for h in hs:
        h.remove()
    return stats


def train(name, data, seed):
    tr_x, tr_y, te_x, te_y = data
    fit_x, fit_y = tr_x[:N_FIT], tr_y[:N_FIT]
    ho_x, ho_y = tr_x[N_FIT:], tr_y[N_FIT:]
    rec = RECIPES[name]
    setup_determinism(seed)
    model = MODELS[name][0]()
    opt = torch.optim.Adam(model.parameters(), lr=rec["max_lr"], weight_decay=rec["weight_decay"])
    steps_per_epoch = (N_FIT + BATCH - 1) // BATCH
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=rec["max_lr"], epochs=rec["epochs"],
                                                steps_per_epoch=steps_per_epoch)
    gen = torch.Generator().manual_seed(seed)  # data order and flips: same for every model
    t0 = time.time()
    for ep in range(rec["epochs"]):
        model.train()
        perm = torch.randperm(N_FIT, generator=gen)
        flips = torch.rand(N_FIT, generator=gen) < 0.5
        tot_loss, tot_ok, te = 0.0, 0, time.time()
        for b in range(steps_per_epoch):
            idx = perm[b * BATCH:(b + 1) * BATCH]
            x, y = fit_x[idx], fit_y[idx]
            f = flips[idx]
            x = torch.where(f[:, None, None, None], x.flip(-1), x)  # random horizontal flip
            out = model(x)
            loss = F.cross_entropy(out, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            tot_loss += float(loss) * len(y)
            tot_ok += int((out.argmax(1) == y).sum())
        ho = accuracy(logits_of(model, ho_x), ho_y.numpy())
        log(f"  [{name}] epoch {ep + 1}/{rec['epochs']}: loss {tot_loss / N_FIT:.4f} "
            f"train {tot_ok / N_FIT:.4f} holdout {ho['top1']:.4f} ({time.time() - te:.1f}s)")
    train_seconds = time.time() - t0
    return model, ho, train_seconds


def export(model, path):
    return onnx_export.export(model, path, (1, 1, 28, 28), ["logits"], OPSET)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=os.path.join(REPO, "baselines", "fashion-mnist"))
    ap.add_argument("--only", action="append", choices=ORDER, help="train only this model (repeatable); "
                    "other entries of an existing baselines.json are kept")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    json_path = os.path.join(args.out, "baselines.json")
    names = args.only or ORDER

    setup_determinism(args.seed)
    log(f"torch {torch.__version__}, onnx {onnx.__version__}, numpy {np.__version__}, "
        f"threads {torch.get_num_threads()}")
    data = load_data()
    te_x, te_y = data[2], data[3].numpy()

    entries = {}
    if args.only and os.path.exists(json_path):
        with open(json_path) as f:
            entries = {m["name"]: m for m in json.load(f)["models"]}

    t_all = time.time()
    for name in names:
        rec = RECIPES[name]
        log(f"== {name}: {MODELS[name][1]} ({rec['epochs']} epochs)")
        model, holdout, secs = train(name, data, args.seed)
        model.eval()
        onnx_file = f"{name}.onnx"
        sha, size, ops = export(model, os.path.join(args.out, onnx_file))
        logits = logits_of(model, te_x)
        res = {}
        for split, (a, b) in SPLITS.items():
            res[split] = accuracy(logits[a:b], te_y[a:b])
        cost = count_cost(model)
        entries[name] = {
            "name": name,
            "file": onnx_file,
            "description": MODELS[name][1],
            "params": int(sum(p.numel() for p in model.parameters())),
            "macs": cost["macs"],
            "cio": cost["cio"],
            "onnx_bytes": size,
            "onnx_ops": ops,
            "sha256": sha,
            "val": res["val"],
            "test": res["test"],
            "holdout": {k: holdout[k] for k in ("top1", "top5", "correct", "count")},
            "training": {"epochs": rec["epochs"], "seed": args.seed, "batch_size": BATCH,
                         "optimizer": "Adam", "weight_decay": rec["weight_decay"],
                         "lr_schedule": f"OneCycleLR(max_lr={rec['max_lr']})",
                         "augmentation": "random horizontal flip (p=0.5)",
                         "train_images": f"train file 0..{N_FIT - 1}",
                         "train_seconds": round(secs, 1)},
        }
        log(f"   {name}: params {entries[name]['params']}, val top1 {res['val']['top1']:.4f} "
            f"({res['val']['correct']}/{res['val']['count']}), test top1 {res['test']['top1']:.4f}, "
            f"MACs {cost['macs']}, CIO {cost['cio']}, {size} bytes, sha256 {sha[:12]}, "
            f"near ties on val {res['val']['near_ties']}, trained in {secs:.0f}s")

    doc = {
        "track": "fashion-mnist",
        "generated_by": "training/train_baselines.py",
        "framework": {"torch": torch.__version__, "onnx": onnx.__version__, "numpy": np.__version__,
                      "opset": OPSET, "threads": torch.get_num_threads()},
        "preprocessing": {"layout": "NCHW", "shape": [None, 1, 28, 28], "dtype": "float32",
                          "formula": "((float32(pixel) / 255) - mean) / std, each step in float32",
                          "mean": float(MEAN), "std": float(STD)},
        "io": {"input": "input", "output": "logits", "output_kind": "raw logits (no softmax)",
               "dynamic_axis": "batch"},
        "splits": {k: {"first": a, "end": b, "file": "tracks/fashion-mnist/data/t10k-images-idx3-ubyte.gz"}
                   for k, (a, b) in SPLITS.items()},
        "metric_notes": "top1: argmax with ties to the lowest class index; correct = top-1 correct count. "
                        "Accuracies computed by PyTorch (eval mode, float32) on the model that was exported. "
                        "min_top1_margin / near_ties (gap < 1e-4) show how close the closest call is.",
        "models": [entries[n] for n in ORDER if n in entries],
    }
    with open(json_path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    log(f"wrote {json_path} ({len(doc['models'])} models) in {time.time() - t_all:.0f}s")


if __name__ == "__main__":
    main()
