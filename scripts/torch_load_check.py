#!/usr/bin/python3
"""Loads jgrad's model.safetensors into the matching torch.nn definition with strict=True and prints
its MNIST test accuracy, which should equal `jgrad eval`'s (issue 16).

  /usr/bin/python3 scripts/torch_load_check.py RUN_DIR/model.safetensors [MORE.safetensors ...] [--limit N]
  /usr/bin/python3 scripts/torch_load_check.py --table     # the state_dict table the e2e test checks against
  /usr/bin/python3 scripts/torch_load_check.py --save CONFIG OUT [--limit N]
      # a freshly initialised torch model of a --table CONFIG (seed 0) saved as safetensors.torch.save_file
      # would, with the network in its metadata, and its test accuracy: for `jgrad eval --weights OUT`
      # and `jgrad train --init-from OUT`

Needs PyTorch (Debian's python3-torch 1.13 is enough) and MNIST in $JGRAD_DATA or ~/.cache/jgrad; the
safetensors package is not needed: the file is read by hand (8-byte header length, JSON header,
raw little-endian data). Inputs are scaled as jgrad scaled them: pixels / 255 (mnist_idx.load_mnist),
then, for a run trained with --normalize mean-std, (x - mean) / std with the file's mean and std.
"""
import functools
import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

from resnet_step_torch import BasicBlock  # torchvision's block, one definition for both scripts

DTYPES = {"F32": torch.float32, "I64": torch.int64}
ACTIVATIONS = {"sigmoid": nn.Sigmoid, "relu": nn.ReLU, "tanh": nn.Tanh}


def load_file(path):
    """What safetensors.torch.load_file returns: name -> tensor, plus the metadata."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta, buf, out = header.pop("__metadata__", {}), data[8 + n:], {}
    for name, e in header.items():
        begin, end = e["data_offsets"]
        t = torch.frombuffer(bytearray(buf[begin:end]), dtype=DTYPES[e["dtype"]]) if end > begin \
            else torch.empty(0, dtype=DTYPES[e["dtype"]])
        out[name] = t.reshape(e["shape"])
    return out, meta


def save_file(state, path, metadata=None):
    """safetensors.torch.save_file without the package: wider dtypes first, then by name."""
    names = {torch.float32: "F32", torch.int64: "I64"}
    order = sorted(state, key=lambda n: (-state[n].element_size(), n.encode()))
    header, blobs, off = ({"__metadata__": metadata} if metadata else {}), [], 0
    for name in order:
        blob = state[name].contiguous().numpy().tobytes()
        header[name] = {"dtype": names[state[name].dtype], "shape": list(state[name].shape),
                        "data_offsets": [off, off + len(blob)]}
        blobs.append(blob)
        off += len(blob)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


class Mlp(nn.Module):
    """The book's MultiLayerNet: [Linear -> (BatchNorm1d) -> activation -> (Dropout)]* -> Linear."""
    def __init__(self, inputs, hidden, classes, activation, batch_norm):
        super().__init__()
        self.steps = []
        width = inputs
        for i, h in enumerate(hidden, 1):
            self.add_module(f"fc{i}", nn.Linear(width, h))
            self.steps.append(f"fc{i}")
            if batch_norm:
                self.add_module(f"bn{i}", nn.BatchNorm1d(h))
                self.steps.append(f"bn{i}")
            self.add_module(f"act{i}", ACTIVATIONS[activation]())
            self.steps.append(f"act{i}")
            width = h
        self.add_module(f"fc{len(hidden) + 1}", nn.Linear(width, classes))
        self.steps.append(f"fc{len(hidden) + 1}")

    def forward(self, x):
        x = x.flatten(1)
        for name in self.steps:
            x = getattr(self, name)(x)
        return x


class ConvNet(nn.Module):
    """The book's SimpleConvNet: conv 30x5x5 -> act -> max-pool 2x2 -> [Linear -> act]* -> Linear."""
    def __init__(self, channels, flat, hidden, classes, activation):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, 30, 5)
        self.act = ACTIVATIONS[activation]()
        self.fcs = []
        width = flat
        for i, h in enumerate(hidden + [classes], 1):
            self.add_module(f"fc{i}", nn.Linear(width, h))
            self.fcs.append(f"fc{i}")
            width = h

    def forward(self, x):
        x = nn.functional.max_pool2d(self.act(self.conv1(x)), 2, 2).flatten(1)
        for i, name in enumerate(self.fcs):
            x = getattr(self, name)(x)
            if i < len(self.fcs) - 1:
                x = self.act(x)
        return x


class DeepConvNet(nn.Module):
    """The book's DeepConvNet (ch08/deep_convnet.py): six 3x3 convs 16-16-32-32-64-64 (pad 1, the fourth pad 2)
    with a 2x2 max-pool after every second, then [Linear -> act -> Dropout(0.5)]* -> Linear -> Dropout(0.5)."""
    CONVS = [(16, 1), (16, 1), (32, 1), (32, 2), (64, 1), (64, 1)]

    def __init__(self, channels, size, hidden, classes, activation):
        super().__init__()
        self.act = ACTIVATIONS[activation]()
        cin = channels
        for i, (cout, pad) in enumerate(self.CONVS, 1):
            self.add_module(f"conv{i}", nn.Conv2d(cin, cout, 3, 1, pad))
            size = size + 2 * pad - 2
            if i % 2 == 0:
                size //= 2
            cin = cout
        self.fcs = []
        width = cin * size * size
        for i, h in enumerate(hidden + [classes], 1):
            self.add_module(f"fc{i}", nn.Linear(width, h))
            self.fcs.append(f"fc{i}")
            width = h
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        for i in range(1, len(self.CONVS) + 1):
            x = self.act(getattr(self, f"conv{i}")(x))
            if i % 2 == 0:
                x = nn.functional.max_pool2d(x, 2, 2)
        x = x.flatten(1)
        for i, name in enumerate(self.fcs):
            x = getattr(self, name)(x)
            if i < len(self.fcs) - 1:
                x = self.act(x)
            x = self.drop(x)
        return x


class ResNet(nn.Module):
    """torchvision's ResNet of BasicBlocks, with jgrad's 1-channel 'seed' stem or the 'cifar' one."""
    def __init__(self, channels, classes, stem, stem_width, blocks, widths):
        super().__init__()
        if stem == "seed":
            self.conv1 = nn.Conv2d(channels, stem_width, 7, 2, 3, bias=False)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
        else:
            self.conv1 = nn.Conv2d(channels, stem_width, 3, 1, 1, bias=False)
            self.maxpool = nn.Identity()
        self.bn1 = nn.BatchNorm2d(stem_width)
        cin = stem_width
        for s, (n, w) in enumerate(zip(blocks, widths), 1):
            stage = []
            for b in range(n):
                stage.append(BasicBlock(cin, w, 2 if s > 1 and b == 0 else 1))
                cin = w
            self.add_module(f"layer{s}", nn.Sequential(*stage))
        self.stages = len(blocks)
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.maxpool(torch.relu(self.bn1(self.conv1(x))))
        for s in range(1, self.stages + 1):
            x = getattr(self, f"layer{s}")(x)
        return self.fc(x.mean((2, 3)))


LAYOUTS = {"resnet8": (16, [1, 1, 1], [16, 32, 64]), "resnet18": (64, [2, 2, 2, 2], [64, 128, 256, 512])}


def build(model, hidden, activation, batch_norm, stem, channels=1, size=28, classes=10):
    if model == "mlp":
        return Mlp(channels * size * size, hidden, classes, activation, batch_norm)
    if model == "convnet":
        return ConvNet(channels, 30 * ((size - 4) // 2) ** 2, hidden, classes, activation)
    if model == "deepconvnet":
        return DeepConvNet(channels, size, hidden, classes, activation)
    return ResNet(channels, classes, stem, *LAYOUTS[model])


def from_metadata(meta, state):
    hidden = json.loads(meta.get("hidden", "[]"))
    channels = state["conv1.weight"].shape[1] if "conv1.weight" in state else 1
    return build(meta["model"], hidden, meta.get("activation", "relu"), meta.get("batch_norm") == "true",
                 meta.get("stem", "seed"), channels)


# The configurations whose state_dict the e2e test (TorchLayoutTest) checks model.safetensors against.
TABLE_CONFIGS = {
    "mlp": ("mlp", [100], "sigmoid", False, "seed"),
    "mlp-bn": ("mlp", [50, 30], "relu", True, "seed"),
    "convnet": ("convnet", [100], "relu", False, "seed"),
    "deepconvnet": ("deepconvnet", [50], "relu", False, "seed"),
    "resnet8": ("resnet8", [], "relu", False, "seed"),
    "resnet8-cifar": ("resnet8", [], "relu", False, "cifar"),
    "resnet18": ("resnet18", [], "relu", False, "seed"),
}


def table():
    """One line per state_dict entry: config, name, dtype, shape, straight from the torch definitions."""
    names = {torch.float32: "F32", torch.int64: "I64"}
    for key, cfg in TABLE_CONFIGS.items():
        for name, t in build(*cfg).state_dict().items():
            print(f"{key} {name} {names[t.dtype]} {list(t.shape)}".replace(", ", ","))


@functools.lru_cache(maxsize=None)
def mnist_test():
    from mnist_idx import load_mnist
    return load_mnist(one_hot_label=False)[1]


def test_accuracy(model, limit, meta=None):
    x, t = mnist_test()
    if limit:
        x, t = x[:limit], t[:limit]
    x = torch.from_numpy(x).reshape(-1, 1, 28, 28)
    if meta and meta.get("normalize") == "mean-std":
        mean, std = json.loads(meta["mean"]), json.loads(meta["std"])
        x = (x - torch.tensor(mean).reshape(1, -1, 1, 1)) / torch.tensor(std).reshape(1, -1, 1, 1)
    correct = 0
    with torch.no_grad():
        for i in range(0, len(t), 500):
            correct += int((model(x[i:i + 500]).argmax(1).numpy() == t[i:i + 500]).sum())
    return f"test accuracy {correct / len(t):.4f} ({correct}/{len(t)})"


def read_or_exit(path):
    """load_file, or one line naming the file and exit 1 (a user's wrong path is no traceback)."""
    try:
        return load_file(path)
    except OSError as e:
        sys.exit(f"{path}: {e.strerror or e}")
    except (ValueError, KeyError, TypeError, RuntimeError, struct.error) as e:
        sys.exit(f"{path}: not a readable safetensors file ({type(e).__name__}: {e})")


def main():
    if sys.argv[1:] in ([], ["-h"], ["--help"]):
        print(__doc__.strip(), file=sys.stdout if sys.argv[1:] else sys.stderr)
        sys.exit(0 if sys.argv[1:] else 2)
    if sys.argv[1:] == ["--table"]:
        return table()
    limit = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else 0
    if sys.argv[1] == "--save":
        torch.manual_seed(0)
        model = build(*TABLE_CONFIGS[sys.argv[2]]).eval()
        kind, hidden, activation, batch_norm, stem = TABLE_CONFIGS[sys.argv[2]]
        # What a PyTorch user passes as save_file(..., metadata=...) so that `jgrad eval --weights` knows the network.
        save_file(model.state_dict(), sys.argv[3], {"model": kind, "hidden": json.dumps(hidden),
                                                    "activation": activation, "stem": stem,
                                                    "batch_norm": "true" if batch_norm else "false"})
        return print(f"{sys.argv[2]}: saved a freshly initialised model to {sys.argv[3]}; "
                     f"{test_accuracy(model, limit)}")
    args = sys.argv[1:]
    if "--limit" in args:
        del args[args.index("--limit"):args.index("--limit") + 2]
    for path in args:  # several files in one process: torch and MNIST load once
        state, meta = read_or_exit(path)
        if meta.get("format") != "pt":
            sys.exit(f"{path}: metadata format {meta.get('format')!r}, not PyTorch's layout ('pt')")
        model = from_metadata(meta, state)
        model.load_state_dict(state, strict=True)
        model.eval()
        params = sum(p.numel() for p in model.parameters())
        print(f"{path}: {meta['model']}: load_state_dict(strict=True) OK ({len(state)} tensors, {params} parameters); "
              f"{test_accuracy(model, limit, meta)}", flush=True)


if __name__ == "__main__":
    main()
