"""The book's SimpleConvNet (conv 30x5x5 -> ReLU -> max-pool 2x2 -> affine 100 -> ReLU -> affine 10)
in PyTorch with jgrad's convnet defaults: He-normal init, zero biases, Adam lr 0.001, batch 100,
reshuffled epochs. Prints the test accuracy after each epoch.
Run: /usr/bin/python3 scripts/convnet_torch.py [epochs] [seed] [threads]"""
import sys
import time
import torch
import torch.nn as nn
import torch.nn.functional as F
from mnist_idx import load_mnist


def train(model, epochs, seed, threads=None):
    """He-normal weights, zero biases, constant Adam 0.001, batch 100 over reshuffled epochs of MNIST;
    prints the test accuracy after each epoch. Shared with deepconvnet_torch.py."""
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(seed)
    (x_train, t_train), (x_test, t_test) = load_mnist(one_hot_label=False)
    x_train = torch.from_numpy(x_train).view(-1, 1, 28, 28)
    x_test = torch.from_numpy(x_test).view(-1, 1, 28, 28)
    t_train = torch.from_numpy(t_train)
    t_test = torch.from_numpy(t_test)
    net = model()
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(net.parameters(), lr=0.001)
    steps = 0
    start = time.perf_counter()
    for epoch in range(epochs):
        net.train()
        perm = torch.randperm(x_train.shape[0])
        for i in range(0, x_train.shape[0] - 99, 100):
            idx = perm[i:i + 100]
            opt.zero_grad()
            loss = F.cross_entropy(net(x_train[idx]), t_train[idx])
            loss.backward()
            opt.step()
            steps += 1
        net.eval()
        with torch.no_grad():
            right = sum((net(x_test[j:j + 1000]).argmax(1) == t_test[j:j + 1000]).sum().item()
                        for j in range(0, x_test.shape[0], 1000))
        print(f"epoch {epoch + 1}: loss {loss.item():.4f} test accuracy {right / x_test.shape[0]:.4f} "
              f"({(time.perf_counter() - start) * 1000 / steps:.1f} ms/step)", flush=True)


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else None
    train(lambda: nn.Sequential(nn.Conv2d(1, 30, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(),
                                nn.Linear(4320, 100), nn.ReLU(), nn.Linear(100, 10)), epochs, seed, threads)


if __name__ == "__main__":
    main()
