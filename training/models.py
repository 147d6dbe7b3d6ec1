"""The baseline architectures for the fashion-mnist track (input [N, 1, 28, 28], output 10 raw logits)."""
import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_bn_relu(cin, cout, k=3, stride=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Linear(nn.Module):
    """Multinomial logistic regression on the 784 normalised pixels."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(28 * 28, 10)

    def forward(self, x):
        return self.fc(torch.flatten(x, 1))


class MLP(nn.Module):
    """Two hidden layers (256, 128), ReLU."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(1), nn.Linear(784, 256), nn.ReLU(inplace=True),
            nn.Linear(256, 128), nn.ReLU(inplace=True), nn.Linear(128, 10))

    def forward(self, x):
        return self.net(x)


class CNNSmall(nn.Module):
    """LeNet-like: conv16-pool-conv32-pool-fc, no BatchNorm."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 16, 3, padding=1)
        self.c2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        return self.fc(torch.flatten(x, 1))


class CNNWide(nn.Module):
    """VGG-like: conv32-pool-conv64-pool-conv128-pool (BN+ReLU after the last two), fc 1152-128-10, dropout."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2),  # 14x14
            conv_bn_relu(32, 64), nn.MaxPool2d(2),     # 7x7
            conv_bn_relu(64, 128), nn.MaxPool2d(2),    # 3x3
        )
        self.head = nn.Sequential(
            nn.Flatten(1), nn.Dropout(0.25), nn.Linear(128 * 3 * 3, 128),
            nn.ReLU(inplace=True), nn.Dropout(0.25), nn.Linear(128, 10))

    def forward(self, x):
        return self.head(self.features(x))


# ---------------------------------------------------------------------------------------------
# ResNet-style
class BasicBlock(nn.Module):
    """ResNet basic block: 3x3 conv-BN-ReLU, 3x3 conv-BN, + identity (or 1x1 projection), ReLU."""

    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.short = None
        if stride != 1 or cin != cout:
            self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.short is None else self.short(x)))


class ResNetS(nn.Module):
    """Stem conv16 (28x28) + conv32/2 (14x14); 2 basic blocks @32 (14x14); 1 basic block 32->64 /2 (7x7);
    global average pool; fc 64->10."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(conv_bn_relu(1, 16), conv_bn_relu(16, 32, stride=2))
        self.stages = nn.Sequential(BasicBlock(32, 32), BasicBlock(32, 32), BasicBlock(32, 64, stride=2))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        x = self.stages(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# ---------------------------------------------------------------------------------------------
# HarDNet-style (Chao et al., "HarDNet: A Low Memory Traffic Network", ICCV 2019)
def hardnet_link(layer, base_ch, growth, grmul):
    """Return (out_channels, in_channels, links) of layer `layer` of a harmonic dense block.

    Layer 0 is the block input (base_ch channels). Layer k >= 1 takes as input the concatenation of
    layers k - 2^n for every n with 2^n dividing k; its width is growth * grmul^n for the largest
    such n, rounded down to an even number (as in the reference implementation).
    """
    if layer == 0:
        return base_ch, 0, []
    out_ch = growth
    links = []
    for i in range(10):
        dv = 2 ** i
        if layer % dv == 0:
            links.append(layer - dv)
            if i > 0:
                out_ch *= grmul
    out_ch = int(int(out_ch + 1) / 2) * 2
    in_ch = sum(hardnet_link(k, base_ch, growth, grmul)[0] for k in links)
    return out_ch, in_ch, links


class HarDBlock(nn.Module):
    """Harmonic dense block: n_layers 3x3 conv-BN-ReLU layers with harmonic links. The block's output
    concatenates the odd-indexed layers and the last layer (the block input is not kept)."""

    def __init__(self, in_ch, growth, grmul, n_layers):
        super().__init__()
        self.links = []
        layers = []
        for k in range(1, n_layers + 1):
            out_ch, cin, link = hardnet_link(k, in_ch, growth, grmul)
            self.links.append(link)
            layers.append(conv_bn_relu(cin, out_ch))
        self.layers = nn.ModuleList(layers)
        self.keep = [k for k in range(1, n_layers + 1) if k % 2 == 1 or k == n_layers]
        self.out_channels = sum(hardnet_link(k, in_ch, growth, grmul)[0] for k in self.keep)

    def forward(self, x):
        outs = [x]
        for layer, link in zip(self.layers, self.links):
            tin = [outs[i] for i in link]
            outs.append(layer(torch.cat(tin, 1) if len(tin) > 1 else tin[0]))
        return torch.cat([outs[k] for k in self.keep], 1)


class HarDNetS(nn.Module):
    """Stem conv16 (28x28) + conv16/2 (14x14);
    HarDBlock(base 16, growth 8, x2, 4 layers: widths 8, 16, 8, 32; output 48) @14x14 -> 1x1 conv 32, avgpool/2;
    HarDBlock(base 32, growth 16, x2, 4 layers: widths 16, 32, 16, 64; output 96) @7x7 -> 1x1 conv 96;
    global average pool; fc 96->10.

    The width multiplier is 2.0 (the paper uses 1.6-1.7 on ImageNet) so that every layer width is a multiple
    of 8, which CPU convolution kernels (e.g. onnxruntime's NCHWc blocks of 8) need to run at full speed;
    with x1.7 the widths (e.g. 12, 20, 34) made the exported model ~50% slower in onnxruntime for nothing.
    """

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(conv_bn_relu(1, 16), conv_bn_relu(16, 16, stride=2))
        b1 = HarDBlock(16, 8, 2.0, 4)
        b2 = HarDBlock(32, 16, 2.0, 4)
        self.body = nn.Sequential(
            # count_include_pad=False only avoids a no-op Pad node in the ONNX export (padding is 0)
            b1, conv_bn_relu(b1.out_channels, 32, k=1), nn.AvgPool2d(2, count_include_pad=False),
            b2, conv_bn_relu(b2.out_channels, 96, k=1),
        )
        self.fc = nn.Linear(96, 10)

    def forward(self, x):
        x = self.body(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


MODELS = {
    "linear": (Linear, "Logistic regression on the 784 normalised pixels"),
    "mlp": (MLP, "MLP 784-256-128-10, ReLU"),
    "cnn_small": (CNNSmall, "LeNet-like CNN: conv3x3x16, maxpool, conv3x3x32, maxpool, fc"),
    "resnet_s": (ResNetS, "ResNet-style: stem 16/32(/2), 2 basic blocks @32ch 14x14, "
                          "1 basic block 64ch 7x7 (/2, 1x1 projection), GAP, fc"),
    "hardnet_s": (HarDNetS, "HarDNet-style: stem 16/16(/2), harmonic dense block (4 layers, growth 8, x2) "
                            "@14x14, 1x1 transition 32, avgpool, harmonic dense block (4 layers, growth 16, "
                            "x2) @7x7, 1x1 transition 96, GAP, fc"),
    "cnn_wide": (CNNWide, "VGG-like CNN: conv 32/64/128 (ReLU and maxpool each, BN on the last two), fc 1152-128-10, dropout 0.25"),
}
