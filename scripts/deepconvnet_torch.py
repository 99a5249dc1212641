"""The book's DeepConvNet (ch. 8, deep_convnet.py; the definition torch_load_check.py strict-loads jgrad's
weights into) trained in PyTorch with jgrad's deepconvnet defaults: He-normal init, zero biases, Adam lr
0.001 (constant, as the book; jgrad's default anneals it with a cosine), batch 100, reshuffled epochs.
Prints the test accuracy after each epoch: the reference for what the book's network reaches in a few
epochs, independent of jgrad.
Run: /usr/bin/python3 scripts/deepconvnet_torch.py [epochs] [seed] [threads]"""
import sys
from convnet_torch import train
from torch_load_check import DeepConvNet


def main():
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else None
    train(lambda: DeepConvNet(1, 28, [50], 10, "relu"), epochs, seed, threads)


if __name__ == "__main__":
    main()
