"""ms per training step of the seed's MNIST ResNet-18 (document 002) in PyTorch, on random
1x28x28 data: torchvision's resnet18 layout written out (torchvision is not needed), conv1
replaced by 1->64 7x7 stride 2 pad 3, fc -> 10, SGD lr 0.01 momentum 0.9 weight decay 5e-4.
Run: /usr/bin/python3 scripts/resnet_step_torch.py [batch] [steps] [threads] [cpu|cuda]"""
import sys
import time
import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


class ResNet18(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        layers, cin = [], 64
        for i, width in enumerate([64, 128, 256, 512]):
            layers.append(nn.Sequential(BasicBlock(cin, width, 1 if i == 0 else 2), BasicBlock(width, width, 1)))
            cin = width
        self.layer1, self.layer2, self.layer3, self.layer4 = layers
        self.fc = nn.Linear(512, classes)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


def main():
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 32
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    if len(sys.argv) > 3:
        torch.set_num_threads(int(sys.argv[3]))
    device = torch.device(sys.argv[4] if len(sys.argv) > 4 else "cpu")
    torch.manual_seed(0)
    model = ResNet18().to(device)
    print("parameters", sum(p.numel() for p in model.parameters()))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(batch, 1, 28, 28, device=device)
    y = torch.randint(0, 10, (batch,), device=device)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    for _ in range(3):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step().item()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(f"torch {torch.__version__} {device} threads {torch.get_num_threads()} batch {batch}: "
          f"median {times[len(times) // 2]:.1f} ms/step, min {times[0]:.1f}, max {times[-1]:.1f}")


if __name__ == "__main__":
    main()
