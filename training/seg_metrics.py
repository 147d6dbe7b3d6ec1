"""mIoU and mDice exactly as the harness computes them (scoring/segmentation.ts), in plain Python floats.

Per image, per class c, over the pixels whose ground truth is not the ignore index:
    dice_c = 2 TP / (2 TP + FP + FN),   iou_c = TP / (TP + FP + FN)
with 2 TP + FP + FN = predCount_c + gtCount_c; a class with predCount_c + gtCount_c = 0 in that image is left out
of the image's mean (numpy's nanmean). mdice / miou = the mean over images of those means; an image with no
scorable pixel is skipped. Background (class 0) is a class like the others, so it counts in every image's mean.

The accumulation order is the harness's: classes 0..C-1 summed into the image's value, the image's mean added to
a running sum in image order, the sum divided by the number of scored images once at the end. Pixel counts are
integers (exact in float64), and Python floats are IEEE doubles with the same rounding as JavaScript numbers, so
the figures are equal to the harness's bit for bit. Pooled per-class figures (TP, FP, FN summed over the data
set) are returned too, as the harness's `perClass`.
"""
import numpy as np


class SegmentationAccumulator:
    def __init__(self, num_classes, ignore_index=None):
        if ignore_index is not None and 0 <= ignore_index < num_classes:
            raise ValueError(f"ignore_index {ignore_index} is one of the {num_classes} classes")
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.total_tp = [0] * num_classes
        self.total_pred = [0] * num_classes
        self.total_gt = [0] * num_classes
        self.images = 0
        self.scored = 0
        self.dice_sum = 0.0
        self.iou_sum = 0.0

    def add(self, pred, gt):
        """One image: pred and gt are integer arrays of the same size (any shape)."""
        pred = np.asarray(pred).ravel().astype(np.int64)
        gt = np.asarray(gt).ravel().astype(np.int64)
        n = self.num_classes
        index = self.images
        self.images += 1
        if pred.shape != gt.shape:
            raise ValueError(f"image {index}: prediction has {pred.size} pixels, ground truth {gt.size}")
        if pred.size and (pred.min() < 0 or pred.max() >= n):
            raise ValueError(f"image {index}: a prediction outside [0, {n})")
        keep = gt != self.ignore_index if self.ignore_index is not None else np.ones(gt.shape, bool)
        p, g = pred[keep], gt[keep]
        if g.size and (g.min() < 0 or g.max() >= n):
            raise ValueError(f"image {index}: a ground-truth label outside [0, {n})")
        pred_count = np.bincount(p, minlength=n)
        gt_count = np.bincount(g, minlength=n)
        tp = np.bincount(p[p == g], minlength=n)
        dice = 0.0
        iou = 0.0
        defined = 0
        for c in range(n):
            t, pc, gc = int(tp[c]), int(pred_count[c]), int(gt_count[c])
            both = float(pc + gc)
            self.total_tp[c] += t
            self.total_pred[c] += pc
            self.total_gt[c] += gc
            if both == 0:
                continue
            dice += (2.0 * t) / both
            iou += float(t) / (both - t)
            defined += 1
        if defined == 0:
            return
        self.dice_sum += dice / defined
        self.iou_sum += iou / defined
        self.scored += 1

    def result(self):
        if self.images == 0:
            raise ValueError("no images to score")
        if self.scored == 0:
            raise ValueError(f"none of the {self.images} ground-truth masks has a pixel that is not ignored")
        per_class = []
        for c in range(self.num_classes):
            both = float(self.total_pred[c] + self.total_gt[c])
            t = self.total_tp[c]
            if both == 0:
                per_class.append({"classIndex": c, "iou": None, "dice": None})
            else:
                per_class.append({"classIndex": c, "iou": t / (both - t), "dice": (2.0 * t) / both})
        return {"miou": self.iou_sum / self.scored, "mdice": self.dice_sum / self.scored, "perClass": per_class,
                "images": self.images, "skippedImages": self.images - self.scored}


def segmentation_scores(pairs, num_classes, ignore_index=None):
    """Scores an iterable of (pred, gt) label maps."""
    acc = SegmentationAccumulator(num_classes, ignore_index)
    for pred, gt in pairs:
        acc.add(pred, gt)
    return acc.result()


def argmax_map(logits):
    """[N, C, H, W] or [C, H, W] float logits -> per-pixel class, ties to the lowest class index (as the harness's
    onnx-worker: a later class wins only when strictly greater; numpy's argmax returns the first maximum)."""
    return np.argmax(np.asarray(logits), axis=-3)
