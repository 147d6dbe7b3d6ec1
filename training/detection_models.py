"""SSD-style detectors for the fashion-det track: input [N, 1, 128, 128], outputs `locations` [N, P, 4] and
`confidences` [N, P, 11] (raw logits, class 0 the background), P the track's prior count (ssd_boxes.PRIORS).

Every model is the same three parts, so that only the backbone differs between them:

- a stem shared by all (conv3x3/2 16 @64x64, conv3x3/2 32 @32x32, maxpool -> 16x16x32);
- a backbone that makes three feature maps: 64 channels at 16x16 (stride 8), 128 at 8x8 (stride 16) and 128
  at 4x4 (stride 32);
- SSD's heads: on each map one 3x3 conv for the offsets (A x 4 channels) and one for the class logits
  (A x 11), A the map's boxes per cell; each output permuted to [N, H, W, A x k] and reshaped to [N, HWA, k],
  then concatenated map after map: the prior order of harness/detection/ssd-priors.ts (per map, per cell row
  by row, per box of the cell).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from models import HarDBlock, conv_bn_relu
from ssd_boxes import BOXES_PER_CELL, NUM_CLASSES

CHANNELS = (64, 128, 128)


def stem():
    return nn.Sequential(conv_bn_relu(1, 16, stride=2), conv_bn_relu(16, 32, stride=2), nn.MaxPool2d(2))


class SSD(nn.Module):
    def __init__(self, backbone):
        super().__init__()
        self.stem = stem()
        self.backbone = backbone
        self.loc = nn.ModuleList(nn.Conv2d(c, a * 4, 3, padding=1) for c, a in zip(CHANNELS, BOXES_PER_CELL))
        self.conf = nn.ModuleList(nn.Conv2d(c, a * (NUM_CLASSES + 1), 3, padding=1) for c, a in zip(CHANNELS, BOXES_PER_CELL))

    def forward(self, x):
        maps = self.backbone(self.stem(x))
        n = x.shape[0]
        loc = [h(m).permute(0, 2, 3, 1).reshape(n, -1, 4) for h, m in zip(self.loc, maps)]
        conf = [h(m).permute(0, 2, 3, 1).reshape(n, -1, NUM_CLASSES + 1) for h, m in zip(self.conf, maps)]
        return torch.cat(loc, 1), torch.cat(conf, 1)


class VGGBackbone(nn.Module):
    """VGG-style (as SSD300's VGG-16 base, scaled down): plain 3x3 conv-BN-ReLU pairs, maxpool between stages.
    16x16: conv 64, conv 64; maxpool; 8x8: conv 128, conv 128; maxpool; 4x4: conv 128."""

    def __init__(self):
        super().__init__()
        self.s1 = nn.Sequential(conv_bn_relu(32, 64), conv_bn_relu(64, 64))
        self.s2 = nn.Sequential(nn.MaxPool2d(2), conv_bn_relu(64, 128), conv_bn_relu(128, 128))
        self.s3 = nn.Sequential(nn.MaxPool2d(2), conv_bn_relu(128, 128))

    def forward(self, x):
        a = self.s1(x)
        b = self.s2(a)
        return a, b, self.s3(b)


class HarDNetBackbone(nn.Module):
    """HarDNet-style (Chao et al. 2019; training/models.py's HarDBlock, multiplier 2 so widths are multiples of 8).
    16x16: HarDBlock(base 32, growth 16, 4 layers: 16, 32, 16, 64; out 96), 1x1 transition 64;
    avgpool; 8x8: HarDBlock(base 64, growth 24, 4 layers: 24, 48, 24, 96; out 144), 1x1 transition 128;
    avgpool; 4x4: conv 128."""

    def __init__(self):
        super().__init__()
        b1 = HarDBlock(32, 16, 2.0, 4)
        b2 = HarDBlock(64, 24, 2.0, 4)
        self.s1 = nn.Sequential(b1, conv_bn_relu(b1.out_channels, 64, k=1))
        self.s2 = nn.Sequential(nn.AvgPool2d(2, count_include_pad=False), b2, conv_bn_relu(b2.out_channels, 128, k=1))
        self.s3 = nn.Sequential(nn.AvgPool2d(2, count_include_pad=False), conv_bn_relu(128, 128))

    def forward(self, x):
        a = self.s1(x)
        b = self.s2(a)
        return a, b, self.s3(b)


def dw_separable(cin, cout, stride=1):
    """MobileNet's depthwise 3x3 conv-BN-ReLU then pointwise 1x1 conv-BN-ReLU."""
    return nn.Sequential(
        nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU(inplace=True),
        conv_bn_relu(cin, cout, k=1))


class MobileBackbone(nn.Module):
    """MobileNet-style (depthwise separable convs, as SSDLite's base): 16x16: dw-sep 64, dw-sep 64;
    8x8: dw-sep 128 /2, dw-sep 128, dw-sep 128; 4x4: dw-sep 128 /2, dw-sep 128."""

    def __init__(self):
        super().__init__()
        self.s1 = nn.Sequential(dw_separable(32, 64), dw_separable(64, 64))
        self.s2 = nn.Sequential(dw_separable(64, 128, 2), dw_separable(128, 128), dw_separable(128, 128))
        self.s3 = nn.Sequential(dw_separable(128, 128, 2), dw_separable(128, 128))

    def forward(self, x):
        a = self.s1(x)
        b = self.s2(a)
        return a, b, self.s3(b)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.c1 = conv_bn_relu(cin, cout, stride=stride)
        self.c2 = nn.Sequential(nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout))
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return F.relu(self.c2(self.c1(x)) + (x if self.short is None else self.short(x)))


class ResNetBackbone(nn.Module):
    """ResNet-style: 16x16: basic block 64 (1x1 projection); 8x8: basic block 128 /2; 4x4: conv 128 /2.
    The attack surrogate's architecture (training/attack_detectors.py), not a baseline."""

    def __init__(self):
        super().__init__()
        self.s1 = BasicBlock(32, 64)
        self.s2 = BasicBlock(64, 128, 2)
        self.s3 = conv_bn_relu(128, 128, stride=2)

    def forward(self, x):
        a = self.s1(x)
        b = self.s2(a)
        return a, b, self.s3(b)


BACKBONES = {
    "ssd_vgg": (VGGBackbone, "SSD with a VGG-style backbone: shared stem conv 16/2, conv 32/2, maxpool; conv 64 x2 @16x16; "
                             "maxpool, conv 128 x2 @8x8; maxpool, conv 128 @4x4; 3x3 SSD heads on the three maps"),
    "ssd_hardnet": (HarDNetBackbone, "SSD with a HarDNet-style backbone: shared stem conv 16/2, conv 32/2, maxpool; "
                                     "HarDBlock(growth 16, x2, 4 layers) + 1x1 64 @16x16; avgpool, HarDBlock(growth 24, "
                                     "x2, 4 layers) + 1x1 128 @8x8; avgpool, conv 128 @4x4; 3x3 SSD heads on the three maps"),
    "ssd_mobile": (MobileBackbone, "SSD with a MobileNet-style backbone (depthwise separable convs): shared stem conv 16/2, "
                                   "conv 32/2, maxpool; dw-sep 64 x2 @16x16; dw-sep 128 x3 @8x8; dw-sep 128 x2 @4x4; "
                                   "3x3 SSD heads on the three maps"),
    "surrogate_resnet": (ResNetBackbone, "attack surrogate, not a baseline: SSD with a ResNet-style backbone: shared stem; "
                                         "basic block 64 @16x16; basic block 128 /2 @8x8; conv 128 /2 @4x4; 3x3 SSD heads"),
}


def build(name):
    return SSD(BACKBONES[name][0]())
