"""The book's DeepConvNet (ch. 8, deep_convnet.py; the definition torch_load_check.py strict-loads jgrad's
weights into) trained in PyTorch with jgrad's deepconvnet defaults: He-normal init, zero biases, Adam lr
0.001 (constant, as the book; jgrad's default anneals it with a cosine), batch 100, reshuffled epochs.
Prints the test accuracy after each epoch: the reference for what the book's network reaches in a few
epochs, independent of jgrad.
Run: /usr/bin/python3 scripts/deepconvnet_torch.py [epochs] [seed] [threads]"""
import sys
import time
import torch
import torch.nn as nn
import torch.nn.functional as F
from mnist_idx import load_mnist
from torch_load_check import DeepConvNet


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    if len(sys.argv) > 3:
        torch.set_num_threads(int(sys.argv[3]))
    torch.manual_seed(seed)
    (x_train, t_train), (x_test, t_test) = load_mnist(one_hot_label=False)
    x_train = torch.from_numpy(x_train).view(-1, 1, 28, 28)
    x_test = torch.from_numpy(x_test).view(-1, 1, 28, 28)
    t_train = torch.from_numpy(t_train)
    t_test = torch.from_numpy(t_test)
    model = DeepConvNet(1, 28, [50], 10, "relu")
    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    steps = 0
    start = time.perf_counter()
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(x_train.shape[0])
        for i in range(0, x_train.shape[0] - 99, 100):
            idx = perm[i:i + 100]
            opt.zero_grad()
            loss = F.cross_entropy(model(x_train[idx]), t_train[idx])
            loss.backward()
            opt.step()
            steps += 1
        model.eval()
        with torch.no_grad():
            acc = sum((model(x_test[j:j + 1000]).argmax(1) == t_test[j:j + 1000]).sum().item()
                      for j in range(0, x_test.shape[0], 1000)) / x_test.shape[0]
        print(f"epoch {epoch + 1}: loss {loss.item():.4f} test accuracy {acc:.4f} "
              f"({(time.perf_counter() - start) * 1000 / steps:.1f} ms/step)", flush=True)


if __name__ == "__main__":
    main()
