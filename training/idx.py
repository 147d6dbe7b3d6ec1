"""Minimal reader for the IDX files of (Fashion-)MNIST, plus the harness's pre-processing contract."""
import gzip
import struct

import numpy as np

# Pre-processing contract shared with the harness (see training/README.md):
#   float32(pixel) / 255, then (x - MEAN) / STD, all in float32, layout [N, 1, 28, 28].
MEAN = np.float32(0.2860)
STD = np.float32(0.3530)

_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """Read a (possibly gzip-compressed) IDX file into a numpy array."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code not in _DTYPES:
        raise ValueError(f"{path}: not an IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    arr = np.frombuffer(data, dtype=_DTYPES[dtype_code], offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {dims} items, found {arr.size}")
    return arr.reshape(dims)


def preprocess(images_u8):
    """uint8 [N, 28, 28] -> float32 [N, 1, 28, 28] following the harness contract exactly."""
    x = images_u8.astype(np.float32) / np.float32(255.0)
    x = (x - MEAN) / STD
    assert x.dtype == np.float32
    return np.ascontiguousarray(x[:, None, :, :])
