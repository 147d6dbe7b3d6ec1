"""The fashion-det track's SSD priors, box encoding, and decoding + non-maximum suppression.

SPEC is the track's `output.ssd` (tracks/fashion-det/track.json; train_detectors.py refuses to run when the two
differ). `priors`, `decode` and `nms` are a port of the harness's harness/detection/ssd-priors.ts and
ssd-decode.ts: the same float64 arithmetic in the same order (Python floats are IEEE doubles, like JavaScript
numbers), so that the boxes and scores are the ones `lpcv score` computes from the same heads. The one
function that differs between the two is exp: the C library's (Python's math.exp) and V8's Math.exp disagree
in the last bit for about 10 % of the arguments, so `exp` here is V8's (a port of fdlibm's e_exp.c, as V8's
src/base/ieee754.cc has it). On 221,009 arguments it equals Node 20's Math.exp every time, and `decode` equals
the harness's decodeSsd bit for bit on the heads of 40 canvases (1,925 boxes).

`encode` and `match` (training only) are SSD's (Liu et al. 2016, as ssd.pytorch does them) in torch.
"""
import math
import struct

import numpy as np

CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']
NUM_CLASSES = len(CLASSES)
WIDTH = HEIGHT = 128

SPEC = {
    "featureMaps": [
        {"size": 16, "minSize": 16, "maxSize": 28, "aspectRatios": [2]},
        {"size": 8, "minSize": 28, "maxSize": 44, "aspectRatios": [2, 3]},
        {"size": 4, "minSize": 44, "maxSize": 72, "aspectRatios": [2, 3]},
    ],
    "variances": [0.1, 0.2],
    "confidences": "logits",
    "scoreThreshold": 0.01,
    "iouThreshold": 0.45,
    "maxDetections": 100,
    "clip": True,
}

BOXES_PER_CELL = [1 + ("maxSize" in fm) + 2 * len(fm["aspectRatios"]) for fm in SPEC["featureMaps"]]


_LN2HI = (6.93147180369123816490e-01, -6.93147180369123816490e-01)
_LN2LO = (1.90821492927058770002e-10, -1.90821492927058770002e-10)
_HALF = (0.5, -0.5)
_INVLN2 = 1.44269504088896338700e+00
_P1, _P2, _P3 = 1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05
_P4, _P5 = -1.65339022054652515390e-06, 4.13813679705723846039e-08
_TWOM1000 = 9.33263618503218878990e-302


def _high_word(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0] >> 32


def _from_words(hi, lo=0):
    return struct.unpack("<d", struct.pack("<Q", (hi << 32) | lo))[0]


def exp(x):
    """V8's Math.exp: fdlibm's __ieee754_exp as src/base/ieee754.cc writes it (same operations, same order)."""
    hx = _high_word(x)
    xsb = (hx >> 31) & 1
    hx &= 0x7FFFFFFF
    if hx >= 0x40862E42:
        if hx >= 0x7FF00000:
            return x + x if math.isnan(x) else (x if xsb == 0 else 0.0)
        if x > 7.09782712893383973096e+02:
            return math.inf
        if x < -7.45133219101941108420e+02:
            return 0.0
    k = 0
    hi = lo = 0.0
    if hx > 0x3FD62E42:
        if hx < 0x3FF0A2B2:
            hi = x - _LN2HI[xsb]
            lo = _LN2LO[xsb]
            k = 1 - xsb - xsb
        else:
            k = int(_INVLN2 * x + _HALF[xsb])
            t = float(k)
            hi = x - t * _LN2HI[0]
            lo = t * _LN2LO[0]
        x = hi - lo
    elif hx < 0x3E300000:
        return 1.0 + x
    t = x * x
    twopk = _from_words(0x3FF00000 + (k << 20)) if k >= -1021 else _from_words(0x3FF00000 + ((k + 1000) << 20))
    c = x - t * (_P1 + t * (_P2 + t * (_P3 + t * (_P4 + t * _P5))))
    if k == 0:
        return 1.0 - ((x * c) / (c - 2.0) - x)
    y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi)
    if k >= -1021:
        if k == 1024:
            return y * 2.0 * 8.98846567431158e+307
        return y * twopk
    return y * twopk * _TWOM1000


def prior_count(spec=SPEC):
    return sum(fm["size"] * fm["size"] * (1 + ("maxSize" in fm) + 2 * len(fm["aspectRatios"])) for fm in spec["featureMaps"])


def priors(spec=SPEC, width=WIDTH, height=HEIGHT):
    """[[cx, cy, w, h], ...] in pixels, as ssdPriors computes them (a list of Python floats)."""
    boxes = []
    for fm in spec["featureMaps"]:
        cell = [(fm["minSize"], fm["minSize"])]
        if "maxSize" in fm:
            s = math.sqrt(fm["minSize"] * fm["maxSize"])
            cell.append((s, s))
        for r in fm["aspectRatios"]:
            q = math.sqrt(r)
            cell += [(fm["minSize"] * q, fm["minSize"] / q), (fm["minSize"] / q, fm["minSize"] * q)]
        for i in range(fm["size"]):
            for j in range(fm["size"]):
                cx = ((j + 0.5) / fm["size"]) * width
                cy = ((i + 0.5) / fm["size"]) * height
                for w, h in cell:
                    boxes.append([float(cx), float(cy), float(w), float(h)])
    return boxes


def iou(a, b):
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def nms(boxes, scores, iou_threshold):
    """nonMaximumSuppression: best score first (ties by lower index), kept unless it overlaps a kept box by more
    than iou_threshold; the kept indices in that order. Vectorised (numpy float64, iou's operations in iou's
    order, so the same bits): when a box is kept, every later box it overlaps by more than the threshold goes,
    which keeps exactly the boxes that no kept box before them overlaps too much."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    if not order:
        return []
    b = np.array([boxes[i] for i in order], dtype=np.float64).reshape(-1, 4)
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    alive = np.ones(len(order), dtype=bool)
    kept = []
    for n in range(len(order)):
        if not alive[n]:
            continue
        kept.append(order[n])
        a = b[n]
        w = np.minimum(a[2], b[:, 2]) - np.maximum(a[0], b[:, 0])
        h = np.minimum(a[3], b[:, 3]) - np.maximum(a[1], b[:, 1])
        inter = w * h
        with np.errstate(divide="ignore", invalid="ignore"):
            ov = inter / ((a[2] - a[0]) * (a[3] - a[1]) + area_b - inter)
        ov[(w <= 0) | (h <= 0)] = 0
        alive &= ~(ov > iou_threshold)
        alive[:n + 1] = False
    return kept


def nms_reference(boxes, scores, iou_threshold):
    """The harness's loop as it is written (slow): for checking nms."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    kept = []
    for i in order:
        if all(iou(boxes[k], boxes[i]) <= iou_threshold for k in kept):
            kept.append(i)
    return kept


def _decode_box(loc, pr, p, v0, v1, clip, width, height):
    pcx, pcy, pw, ph = pr[p]
    cx = pcx + loc[4 * p] * v0 * pw
    cy = pcy + loc[4 * p + 1] * v0 * ph
    w = pw * exp(loc[4 * p + 2] * v1)
    h = ph * exp(loc[4 * p + 3] * v1)
    box = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]
    if clip:
        box = [max(0, box[0]), max(0, box[1]), min(width, box[2]), min(height, box[3])]
    return box


def decode(locations, confidences, pr, spec=SPEC, classes=NUM_CLASSES, width=WIDTH, height=HEIGHT):
    """decodeSsd for one image: locations [P, 4] and confidences [P, C + 1] as float32 numpy arrays (the model's
    raw heads); answers [(box [x1, y1, x2, y2], score, class_index)], best first, at most maxDetections."""
    P = len(pr)
    C = classes + 1
    v0, v1 = spec["variances"]
    thr = spec["scoreThreshold"]
    loc = locations.astype(np.float64).reshape(-1).tolist()
    conf64 = confidences.astype(np.float64).reshape(P, C)
    # Priors where no class can reach the threshold are skipped: a vectorised softmax with a margin finds the
    # others, which are then computed exactly as the harness does (V8's exp, the sum in class order).
    if spec["confidences"] == "logits":
        z = np.exp(conf64 - conf64.max(1, keepdims=True))
        approx = z / z.sum(1, keepdims=True)
    else:
        approx = conf64
    candidates = np.nonzero((approx[:, 1:] >= thr * (1 - 1e-9) - 1e-12).any(1))[0].tolist()
    per_class = [([], []) for _ in range(classes)]
    for p in candidates:
        row = conf64[p].tolist()
        if spec["confidences"] == "logits":
            mx = -math.inf
            for c in range(C):
                mx = max(mx, row[c])
            probs = [0.0] * C
            s = 0.0
            for c in range(C):
                probs[c] = exp(row[c] - mx)
                s += probs[c]
            for c in range(C):
                probs[c] /= s
        else:
            probs = row
        box = None
        for c in range(1, C):
            score = probs[c]
            if not (score >= thr) or score == 0:
                continue
            if box is None:
                box = _decode_box(loc, pr, p, v0, v1, spec["clip"], width, height)
            if box[2] <= box[0] or box[3] <= box[1]:
                break
            per_class[c - 1][0].append(box)
            per_class[c - 1][1].append(score)
    out = []
    for k, (boxes, scores) in enumerate(per_class):
        for i in nms(boxes, scores, spec["iouThreshold"]):
            out.append((boxes[i], scores[i], k))
    out.sort(key=lambda d: -d[1])  # stable: equal scores keep class order
    return out[:spec["maxDetections"]]


# ----------------------------------------------------------------------------------------------------------
# Training: matching and encoding (torch, float32)

def priors_tensor(pr):
    import torch
    return torch.tensor(pr, dtype=torch.float32)


def corners(cxcywh):
    import torch
    return torch.cat([cxcywh[:, :2] - cxcywh[:, 2:] / 2, cxcywh[:, :2] + cxcywh[:, 2:] / 2], 1)


def box_iou(a, b):
    """IoU of corner boxes a [A, 4] and b [B, 4]: [A, B]."""
    import torch
    lt = torch.max(a[:, None, :2], b[None, :, :2])
    rb = torch.min(a[:, None, 2:], b[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    return inter / (area_a[:, None] + area_b[None, :] - inter)


def match(gt_boxes, gt_labels, pr_t, pr_corners, threshold=0.5, variances=SPEC["variances"]):
    """SSD's matching for one image: gt_boxes [G, 4] corners in pixels, gt_labels [G] in 1..10. Each prior takes the
    ground truth it overlaps most when that IoU >= threshold, and each ground truth takes its best prior
    whatever the IoU. Answers (encoded offsets [P, 4], labels [P], 0 = background)."""
    import torch
    P = pr_t.shape[0]
    if gt_boxes.shape[0] == 0:
        return torch.zeros(P, 4), torch.zeros(P, dtype=torch.long)
    ov = box_iou(gt_boxes, pr_corners)  # [G, P]
    best_prior = ov.argmax(1)  # [G]
    best_gt_ov, best_gt = ov.max(0)  # [P]
    best_gt_ov = best_gt_ov.index_fill(0, best_prior, 2.0)
    for g in range(best_prior.shape[0]):
        best_gt[best_prior[g]] = g
    labels = gt_labels[best_gt].clone()
    labels[best_gt_ov < threshold] = 0
    return encode(gt_boxes[best_gt], pr_t, variances), labels


def encode(gt_corners, pr_t, variances=SPEC["variances"]):
    import torch
    c = (gt_corners[:, :2] + gt_corners[:, 2:]) / 2
    wh = (gt_corners[:, 2:] - gt_corners[:, :2]).clamp(min=1e-3)
    return torch.cat([(c - pr_t[:, :2]) / (variances[0] * pr_t[:, 2:]), torch.log(wh / pr_t[:, 2:]) / variances[1]], 1)
