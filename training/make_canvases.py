"""Detection and segmentation canvases from Fashion-MNIST garments (the planned fashion-det and fashion-seg tracks).

    /usr/bin/python3 training/make_canvases.py --images t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz \\
        --first 2000 --count 8000 --canvases 1000 --seed 7 --out DIR

Each canvas is a black square (--size pixels) with 1 to 6 garments pasted at random scales (x0.75 to x2.5,
nearest neighbour) and positions, taken from the garment pool images [first, first + count) of the IDX files:
the classification track's val/test partition decides which garments a split may use (val: the first 2,000
test images; test: the other 8,000; training canvases: the train set). With --part FIRST:COUNT:CANVASES
(repeatable) one folder holds several such parts in order, e.g. the val canvases and then the test ones:

    --part 0:2000:200 --part 2000:8000:500 A later garment covers an earlier one
where its pixels are brighter than --threshold. Written into DIR:

- images/NNNNN.png: the canvas, 8-bit grey;
- masks/NNNNN.png: per pixel 0 for background, else the garment's class + 1 (the pixels above the threshold
  of the garment on top), 8-bit grey: the segmentation track's masks;
- annotations.json: COCO instances: one image per canvas (id from 1), one annotation per garment with its box
  from its own pixels above the threshold (before anything covers it), `area` the number of those pixels, and
  the ten Fashion-MNIST classes as categories 1 to 10.

Standard library only, and deterministic: the same arguments give the same bytes
(test/cli/make-canvases.test.ts checks it, and that the files read back through the harness).
"""
import argparse
import gzip
import json
import os
import random
import struct
import zlib

CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']


def read_idx(path):
    """(dims, bytes) of a uint8 IDX file, gzipped or not."""
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        data = f.read()
    zero, code, ndim = struct.unpack('>HBB', data[:4])
    if zero != 0 or code != 0x08:
        raise SystemExit('%s: not a uint8 IDX file' % path)
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return dims, data[4 + 4 * ndim:]


def png_gray(path, width, height, pixels):
    """An 8-bit grey PNG of `pixels` (bytes, row by row), written the same way every time."""
    raw = b''.join(b'\x00' + pixels[y * width:(y + 1) * width] for y in range(height))

    def chunk(kind, body):
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body) & 0xFFFFFFFF)

    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n')
        f.write(chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0)))
        f.write(chunk(b'IDAT', zlib.compress(raw, 9)))
        f.write(chunk(b'IEND', b''))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--images', required=True)
    p.add_argument('--labels', required=True)
    p.add_argument('--first', type=int, default=0)
    p.add_argument('--count', type=int)
    p.add_argument('--canvases', type=int)
    p.add_argument('--part', action='append', default=[], metavar='FIRST:COUNT:CANVASES',
                   help='canvases from the pool [FIRST, FIRST + COUNT), after the previous part\'s (repeatable; instead of --first/--count/--canvases)')
    p.add_argument('--size', type=int, default=128)
    p.add_argument('--seed', type=int, required=True)
    p.add_argument('--threshold', type=int, default=30)
    p.add_argument('--out', required=True)
    a = p.parse_args()

    (n, rows, cols), pixels = read_idx(a.images)
    (n_labels,), labels = read_idx(a.labels)
    if a.part:
        if a.count is not None or a.canvases is not None:
            raise SystemExit('give either --part or --count and --canvases, not both')
        try:
            parts = [tuple(int(v) for v in spec.split(':')) for spec in a.part]
        except ValueError:
            raise SystemExit('--part takes FIRST:COUNT:CANVASES (three integers)')
        if any(len(part) != 3 for part in parts):
            raise SystemExit('--part takes FIRST:COUNT:CANVASES (three integers)')
    elif a.count is None or a.canvases is None:
        raise SystemExit('give --count and --canvases, or --part')
    else:
        parts = [(a.first, a.count, a.canvases)]
    if n != n_labels:
        raise SystemExit('%s has %d labels for %d images' % (a.labels, n_labels, n))
    for first, count, canvases in parts:
        if first < 0 or count < 1 or first + count > n or canvases < 1:
            raise SystemExit('the garment pool [%d, %d) is not inside the %d images (or no canvases)' % (first, first + count, n))
    pools = [(first, count) for first, count, canvases in parts for _ in range(canvases)]
    rng = random.Random(a.seed)
    size = a.size
    os.makedirs(os.path.join(a.out, 'images'), exist_ok=True)
    os.makedirs(os.path.join(a.out, 'masks'), exist_ok=True)
    images = []
    annotations = []
    for c, (first, count) in enumerate(pools):
        canvas = bytearray(size * size)
        mask = bytearray(size * size)
        name = '%05d.png' % c
        images.append({'id': c + 1, 'file_name': name, 'width': size, 'height': size})
        for _ in range(rng.randint(1, 6)):
            g = first + rng.randrange(count)
            cls = labels[g]
            scale = rng.uniform(0.75, 2.5)
            side = max(1, int(round(rows * scale)))
            x0 = rng.randrange(0, size - side + 1) if side <= size else 0
            y0 = rng.randrange(0, size - side + 1) if side <= size else 0
            base = g * rows * cols
            xs, ys, area = [], [], 0
            for y in range(min(side, size - y0)):
                src_y = min(rows - 1, int(y / scale))
                for x in range(min(side, size - x0)):
                    v = pixels[base + src_y * cols + min(cols - 1, int(x / scale))]
                    if v <= a.threshold:
                        continue
                    at = (y0 + y) * size + x0 + x
                    canvas[at] = v
                    mask[at] = cls + 1
                    xs.append(x0 + x)
                    ys.append(y0 + y)
                    area += 1
            if area == 0:
                continue
            box = [min(xs), min(ys), max(xs) - min(xs) + 1, max(ys) - min(ys) + 1]
            annotations.append({'id': len(annotations) + 1, 'image_id': c + 1, 'category_id': cls + 1, 'bbox': box, 'area': area, 'iscrowd': 0})
        png_gray(os.path.join(a.out, 'images', name), size, size, bytes(canvas))
        png_gray(os.path.join(a.out, 'masks', name), size, size, bytes(mask))
    categories = [{'id': i + 1, 'name': c} for i, c in enumerate(CLASSES)]
    with open(os.path.join(a.out, 'annotations.json'), 'w') as f:
        json.dump({'images': images, 'annotations': annotations, 'categories': categories}, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    main()
