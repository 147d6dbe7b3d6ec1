"""Encoder-decoder segmenters for the fashion-seg track: [N, 1, 128, 128] -> logits [N, 11, 128, 128].

Both models share one encoder (a strided 3x3 stem, then three stages that halve the map, 128 -> 64 -> 32 ->
16 -> 8) and differ in the decoder:

- `unet_s`: U-Net-style: each decoder stage upsamples (2x2 transposed conv, stride 2) and concatenates the
  encoder's map of the same size (skip connection) before a 3x3 conv; the last stage concatenates the input
  image itself at 128x128, so that garment edges can be read off the pixels.
- `fcn_s`: the same encoder and the same decoder widths, without any skip connection: every pixel's class
  and the garment outline must pass through the 8x8 bottleneck (a plain encoder-decoder).

Every convolution but the last is conv-BN-ReLU (the exporter folds BN into the conv); widths are multiples of
8 where it matters for onnxruntime's CPU kernels. Ops in the ONNX graph: Conv, ConvTranspose, Relu, Concat.
"""
import torch
import torch.nn as nn

ENC = (16, 32, 64, 64)   # encoder widths at 64, 32, 16 and 8 px
DEC = (32, 16, 8, 8)     # decoder widths at 16, 32, 64 and 128 px
NUM_CLASSES = 11         # background + the ten Fashion-MNIST classes


def cbr(cin, cout, stride=1):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


def up(cin, cout):
    """2x upsampling: a 2x2 transposed convolution with stride 2, then BN and ReLU."""
    return nn.Sequential(nn.ConvTranspose2d(cin, cout, 2, 2, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class Encoder(nn.Module):
    """128 -> 64 (stem, stride 2, then one conv) -> 32 -> 16 -> 8; returns the maps at 64, 32, 16 and 8 px."""

    def __init__(self):
        super().__init__()
        a, b, c, d = ENC
        self.s64 = nn.Sequential(cbr(1, a, 2), cbr(a, a))
        self.s32 = nn.Sequential(cbr(a, b, 2), cbr(b, b))
        self.s16 = nn.Sequential(cbr(b, c, 2), cbr(c, c))
        self.s8 = nn.Sequential(cbr(c, d, 2), cbr(d, d))

    def forward(self, x):
        f64 = self.s64(x)
        f32 = self.s32(f64)
        f16 = self.s16(f32)
        return f64, f32, f16, self.s8(f16)


class UNetS(nn.Module):
    """Encoder, then four decoder stages, each: upsample x2, concatenate the same-size skip, 3x3 conv."""

    def __init__(self, num_classes=NUM_CLASSES):
        super().__init__()
        self.enc = Encoder()
        e64, e32, e16, e8 = ENC
        d16, d32, d64, d128 = DEC
        self.up16, self.dec16 = up(e8, d16), cbr(d16 + e16, d16)
        self.up32, self.dec32 = up(d16, d32), cbr(d32 + e32, d32)
        self.up64, self.dec64 = up(d32, d64), cbr(d64 + e64, d64)
        self.up128, self.dec128 = up(d64, d128), cbr(d128 + 1, d128)
        self.head = nn.Conv2d(d128, num_classes, 1)

    def forward(self, x):
        f64, f32, f16, f8 = self.enc(x)
        y = self.dec16(torch.cat([self.up16(f8), f16], 1))
        y = self.dec32(torch.cat([self.up32(y), f32], 1))
        y = self.dec64(torch.cat([self.up64(y), f64], 1))
        y = self.dec128(torch.cat([self.up128(y), x], 1))
        return self.head(y)


class FCNS(nn.Module):
    """Encoder, then four decoder stages without skips: upsample x2, 3x3 conv."""

    def __init__(self, num_classes=NUM_CLASSES):
        super().__init__()
        self.enc = Encoder()
        e8 = ENC[3]
        d16, d32, d64, d128 = DEC
        self.dec = nn.Sequential(
            up(e8, d16), cbr(d16, d16),
            up(d16, d32), cbr(d32, d32),
            up(d32, d64), cbr(d64, d64),
            up(d64, d128), cbr(d128, d128),
        )
        self.head = nn.Conv2d(d128, num_classes, 1)

    def forward(self, x):
        return self.head(self.dec(self.enc(x)[3]))


MODELS = {
    "unet_s": (UNetS, "U-Net-style: stride-2 stem, encoder 16/32/64/64 ch at 64/32/16/8 px; decoder 32/16/8/8 ch, "
                      "each stage a 2x2 transposed conv then a 3x3 conv on the concatenated same-size encoder map "
                      "(the input image at 128 px); 1x1 head, 11 classes"),
    "fcn_s": (FCNS, "Plain encoder-decoder (no skips): the same encoder as unet_s, decoder 32/16/8/8 ch, each stage "
                    "a 2x2 transposed conv then a 3x3 conv; 1x1 head, 11 classes"),
}
