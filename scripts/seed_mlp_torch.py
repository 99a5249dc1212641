"""The seed's PyTorch TwoLayerNet job (document 001), timed, on the CPU or a GPU:
10 000 steps, batch 100 sampled with replacement (np.random.choice, as the seed), SGD lr 0.1,
data moved to the device once. On the CPU it keeps PyTorch's default thread count unless [threads] sets one:
Debian's PyTorch 1.13 picks 1 on the 2-core dev box, and for this small net that is its fastest setting
(2026-12-06: 6.9 s of training with 1 thread, 25.0 s with 2).
Run: /usr/bin/python3 scripts/seed_mlp_torch.py [cpu|cuda] [steps] [threads]"""
import sys
import time
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from mnist_idx import load_mnist


class TwoLayerNetPyTorch(nn.Module):
    def __init__(self, input_size=784, hidden_size=100, output_size=10):
        super().__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.fc2 = nn.Linear(hidden_size, output_size)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return self.fc2(self.sigmoid(self.fc1(x)))


def main():
    device = torch.device(sys.argv[1] if len(sys.argv) > 1 else "cpu")
    iters_num = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    if len(sys.argv) > 3:
        torch.set_num_threads(int(sys.argv[3]))
    (x_train, t_train), (x_test, t_test) = load_mnist()
    x_train = torch.from_numpy(x_train).float().to(device)
    t_train = torch.from_numpy(t_train).float().to(device)
    x_test = torch.from_numpy(x_test).float().to(device)
    t_test = torch.from_numpy(t_test).float().to(device)
    torch.manual_seed(0)
    np.random.seed(0)
    network = TwoLayerNetPyTorch().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(network.parameters(), lr=0.1)
    losses = []
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for i in range(iters_num):
        batch_mask = np.random.choice(x_train.shape[0], 100)
        x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
        outputs = network(x_batch)
        loss = criterion(outputs, torch.argmax(t_batch, dim=1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    if device.type == "cuda":
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    network.eval()
    with torch.no_grad():
        acc = (torch.argmax(network(x_test), 1) == torch.argmax(t_test, 1)).float().mean().item()
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else f"cpu ({torch.get_num_threads()} threads)"
    print(f"pytorch {torch.__version__} seed MLP on {name}: steps {iters_num}  train seconds {seconds:.3f}"
          f"  ms/step {seconds / iters_num * 1000:.4f}  final loss {losses[-1]:.4f}  test accuracy {acc:.4f}")


if __name__ == "__main__":
    main()
