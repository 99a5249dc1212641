"""Writes the golden file of engine/src/test/java/jgrad/nn/GoldenConvGradsTest: small conv nets
(the book's SimpleConvNet on 1x8x8, ResNets with either stem; the seed-stem one on 1x8x8 ends on
a 1x1 plane, where most 3x3 taps only read padding) with PyTorch-initialised weights,
their loss on a fixed batch and every parameter gradient, computed in float64 by PyTorch.
Names and layouts are jgrad's (Linear weights stored [in, out]).
Run: /usr/bin/python3 scripts/golden_conv_grads.py engine/src/test/resources/jgrad/golden/conv_grads.safetensors"""
import sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from resnet_step_torch import BasicBlock
from safetensors_check import write


class TinyResNet(nn.Module):
    """jgrad's ResNet.build(stem, stemWidth 4, blocks [1, 1], widths [4, 8]) for 1-channel input, 3 classes."""

    def __init__(self, seed_stem):
        super().__init__()
        self.seed_stem = seed_stem
        self.conv1 = nn.Conv2d(1, 4, 7, 2, 3, bias=False) if seed_stem else nn.Conv2d(1, 4, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(4)
        self.layer1 = nn.Sequential(BasicBlock(4, 4, 1))
        self.layer2 = nn.Sequential(BasicBlock(4, 8, 2))
        self.fc = nn.Linear(8, 3)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        if self.seed_stem:
            x = F.max_pool2d(x, 3, 2, 1)
        x = self.layer2(self.layer1(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def convnet():
    return nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(), nn.Linear(120, 4),
                         nn.ReLU(), nn.Linear(4, 3))


CONVNET_NAMES = {"0.weight": "conv1.weight", "0.bias": "conv1.bias", "4.weight": "fc1.weight", "4.bias": "fc1.bias",
                 "6.weight": "fc2.weight", "6.bias": "fc2.bias"}


def main():
    torch.manual_seed(2024)
    out = {}
    cases = [("convnet", convnet(), 8, CONVNET_NAMES), ("resnet_seed", TinyResNet(True), 8, None),
             ("resnet_cifar", TinyResNet(False), 6, None)]
    for case, net, size, names in cases:
        net = net.double().train()
        x = torch.rand(4, 1, size, size, dtype=torch.float64)
        y = torch.tensor([0, 2, 1, 2])
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        out[case + "/input"] = ([4, size * size], x.flatten().tolist())
        out[case + "/labels"] = ([4], y.double().tolist())
        out[case + "/loss"] = ([1], [loss.item()])
        for name, p in net.named_parameters():
            jname = names[name] if names else name
            value, grad = p.detach(), p.grad
            if p.dim() == 2:  # jgrad's Linear weight is [in, out]
                value, grad = value.t(), grad.t()
            out[case + "/p/" + jname] = (list(value.shape), value.flatten().tolist())
            out[case + "/g/" + jname] = (list(grad.shape), grad.flatten().tolist())
    write(sys.argv[1], out, {"generator": "scripts/golden_conv_grads.py", "torch": torch.__version__})


if __name__ == "__main__":
    main()
