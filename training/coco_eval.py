"""COCO bbox evaluation for the training scripts (pycocotools is not installable here).

    /usr/bin/python3 training/coco_eval.py GT.json RESULTS.json     prints the 12 stats as JSON

The same evaluation as the harness's scoring/coco-map.ts (pycocotools' COCOeval for iouType 'bbox', with the
differences that file lists), written again in plain Python, standard library only, so that a training
script's own evaluation of a detector can be set beside `lpcv evaluate` / `lpcv score` on the same files
(test/cli/coco-eval-python.test.ts checks that the two agree on every stat). The arithmetic is done in the same
order as the TypeScript, so the numbers agree to the last bit, not just to a tolerance.
"""
import json
import sys

EPS = 2.0 ** -52
MAX_DETS = [1, 10, 100]
AREAS = [('all', 0.0, 1e5 ** 2), ('small', 0.0, 32.0 ** 2), ('medium', 32.0 ** 2, 96.0 ** 2), ('large', 96.0 ** 2, 1e5 ** 2)]
DT_FP, DT_TP, DT_IGNORED = 0, 1, 2


def linspace(start, stop, num):
    """numpy.linspace with endpoint: start + i * step, the last exactly stop."""
    step = (stop - start) / (num - 1)
    out = [i * step + start for i in range(num)]
    out[-1] = stop
    return out


IOU_T = linspace(0.5, 0.95, 10)
REC_T = linspace(0.0, 1.0, 101)


def bbox_iou(dt, gt, crowd):
    w = min(dt[2] + dt[0], gt[2] + gt[0]) - max(dt[0], gt[0])
    if w <= 0:
        return 0.0
    h = min(dt[3] + dt[1], gt[3] + gt[1]) - max(dt[1], gt[1])
    if h <= 0:
        return 0.0
    inter = w * h
    dt_area = dt[2] * dt[3]
    union = dt_area if crowd else dt_area + gt[2] * gt[3] - inter
    return inter / union


def match_image(ious, n_dets, gt_area, gt_crowd, dt_area, lo, hi):
    """States [t][d] and the number of ground truths that count: pycocotools' evaluateImg."""
    g_n = len(gt_area)

    def unmatched(d):
        return DT_IGNORED if dt_area[d] < lo or dt_area[d] > hi else DT_FP

    if g_n == 0:
        return [[unmatched(d) for d in range(n_dets)] for _ in IOU_T], 0
    ignored = [gt_crowd[g] or gt_area[g] < lo or gt_area[g] > hi for g in range(g_n)]
    order = sorted(range(g_n), key=lambda g: (ignored[g], g))
    num_gt = sum(1 for i in ignored if not i)
    states = []
    for t in IOU_T:
        taken = [False] * g_n
        row = []
        for d in range(n_dets):
            best = min(t, 1 - 1e-10)
            m = -1
            for k in range(g_n):
                g = order[k]
                if taken[k] and not gt_crowd[g]:
                    continue
                if m > -1 and not ignored[order[m]] and ignored[g]:
                    break
                iou = ious[d][g]
                if iou < best:
                    continue
                best = iou
                m = k
            if m == -1:
                row.append(unmatched(d))
            else:
                taken[m] = True
                row.append(DT_IGNORED if ignored[order[m]] else DT_TP)
        states.append(row)
    return states, num_gt


def accumulate(images):
    """Per maxDet: (precision[t][r], recall[t]) or None when no ground truth counts: COCOeval.accumulate."""
    num_gt = sum(im['num_gt'] for im in images)
    if num_gt == 0:
        return [None for _ in MAX_DETS]
    entries = []
    for i, im in enumerate(images):
        for d, s in enumerate(im['scores']):
            entries.append((s, i, d))
    ranked = sorted(range(len(entries)), key=lambda e: (-entries[e][0], e))
    out = []
    for max_det in MAX_DETS:
        precision = []
        recall = []
        for t in range(len(IOU_T)):
            tp = fp = 0
            rc = []
            pr = []
            for e in ranked:
                _, i, d = entries[e]
                if d >= max_det:
                    continue
                state = images[i]['states'][t][d]
                if state == DT_TP:
                    tp += 1
                elif state == DT_FP:
                    fp += 1
                rc.append(tp / num_gt)
                pr.append(tp / (fp + tp + EPS))
            recall.append(rc[-1] if rc else 0.0)
            for k in range(len(pr) - 1, 0, -1):
                if pr[k] > pr[k - 1]:
                    pr[k - 1] = pr[k]
            row = [0.0] * len(REC_T)
            k = 0
            for r, thr in enumerate(REC_T):
                while k < len(rc) and rc[k] < thr:
                    k += 1
                if k == len(rc):
                    break
                row[r] = pr[k]
            precision.append(row)
        out.append((precision, recall))
    return out


def evaluate(gt, dets):
    image_ids = sorted({im['id'] for im in gt['images']})
    image_index = {i: n for n, i in enumerate(image_ids)}
    cat_ids = sorted({c['id'] for c in gt['categories']})
    cat_index = {c: k for k, c in enumerate(cat_ids)}
    cells = {}
    for a in gt['annotations']:
        i = image_index.get(a['image_id'])
        k = cat_index.get(a['category_id'])
        if i is None or k is None:
            continue
        cells.setdefault((k, i), ([], []))[0].append((a['bbox'], a['area'], a.get('iscrowd', 0) == 1))
    for n, d in enumerate(dets):
        i = image_index.get(d['image_id'])
        k = cat_index.get(d['category_id'])
        if i is None or k is None:
            raise SystemExit('detection %d is for an image or category the ground truth does not list' % n)
        cells.setdefault((k, i), ([], []))[1].append((d['bbox'], d['score']))
    matches = [[[] for _ in AREAS] for _ in cat_ids]
    for key in sorted(cells):
        gts, dts = cells[key]
        dts = sorted(dts, key=lambda x: -x[1])[:MAX_DETS[-1]]
        ious = [[bbox_iou(d[0], g[0], g[2]) for g in gts] for d in dts]
        for a, (_, lo, hi) in enumerate(AREAS):
            states, num_gt = match_image(ious, len(dts), [g[1] for g in gts], [g[2] for g in gts], [d[0][2] * d[0][3] for d in dts], lo, hi)
            matches[key[0]][a].append({'states': states, 'num_gt': num_gt, 'scores': [d[1] for d in dts]})
    curves = [[accumulate(per_area) for per_area in per_cat] for per_cat in matches]
    R = len(REC_T)
    T = len(IOU_T)
    last = len(MAX_DETS) - 1

    def ap_of(c, ts):
        if c is None:
            return None
        s = 0.0
        for t in ts:
            for r in range(R):
                s += c[0][t][r]
        return s / (len(ts) * R)

    def ar_of(c):
        if c is None:
            return None
        s = 0.0
        for v in c[1]:
            s += v
        return s / T

    def mean_over(values):
        v = [x for x in values if x is not None]
        if not v:
            return -1
        s = 0.0
        for x in v:
            s += x
        return s / len(v)

    all_t = list(range(T))
    t50 = IOU_T.index(0.5)
    t75 = IOU_T.index(0.75)

    def ap(a, ts=all_t):
        return mean_over([ap_of(c[a][last], ts) for c in curves])

    def ar(a, m):
        return mean_over([ar_of(c[a][m]) for c in curves])

    return {
        'map': ap(0), 'map50': ap(0, [t50]), 'map75': ap(0, [t75]),
        'mapSmall': ap(1), 'mapMedium': ap(2), 'mapLarge': ap(3),
        'ar1': ar(0, 0), 'ar10': ar(0, 1), 'ar100': ar(0, last),
        'arSmall': ar(1, last), 'arMedium': ar(2, last), 'arLarge': ar(3, last),
    }


def main():
    if len(sys.argv) != 3:
        raise SystemExit('usage: coco_eval.py GT.json RESULTS.json')
    with open(sys.argv[1]) as f:
        gt = json.load(f)
    with open(sys.argv[2]) as f:
        dets = json.load(f)
    print(json.dumps(evaluate(gt, dets)))


if __name__ == '__main__':
    main()
