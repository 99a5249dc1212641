"""Loads MNIST from jgrad's data directory ($JGRAD_DATA or ~/.cache/jgrad/mnist), as the seed's
load_mnist(normalize=True, flatten=True, one_hot_label=True) does."""
import os
import numpy as np


def _read(path, offset):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), np.uint8, offset=offset)


def load_mnist(one_hot_label=True):
    root = os.path.join(os.environ.get("JGRAD_DATA", os.path.expanduser("~/.cache/jgrad")), "mnist")
    def images(name):
        return (_read(os.path.join(root, name), 16).reshape(-1, 784).astype(np.float32) / 255.0)
    def labels(name):
        t = _read(os.path.join(root, name), 8).astype(np.int64)
        if one_hot_label:
            out = np.zeros((t.size, 10), np.float32)
            out[np.arange(t.size), t] = 1
            return out
        return t
    return ((images("train-images-idx3-ubyte"), labels("train-labels-idx1-ubyte")),
            (images("t10k-images-idx3-ubyte"), labels("t10k-labels-idx1-ubyte")))
