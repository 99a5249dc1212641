#!/usr/bin/env python3
"""Minimal reference safetensors reader/writer (json + struct, optional torch) for checking jgrad's
Java implementation by hand; the `safetensors` package is not needed.

  safetensors_check.py write FILE   # write the standard sample tensors (reference layout)
  safetensors_check.py check FILE   # read FILE, print it, and verify it holds the standard sample
"""
import json, math, struct, sys

SAMPLE = {"a": ([2, 3], [i * 0.5 - 1 for i in range(6)]),
          "b.bias": ([4], [1e-3, -2.0, float("inf"), -0.0]),
          "scalar": ([], [3.25]),
          "empty": ([0, 2], [])}

def write(path, tensors, metadata):
    header, blobs, off = {"__metadata__": metadata} if metadata else {}, [], 0
    for name in sorted(tensors, key=lambda n: n.encode()):  # reference order: by name
        shape, vals = tensors[name]
        blob = struct.pack("<%df" % len(vals), *vals)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [off, off + len(blob)]}
        blobs.append(blob); off += len(blob)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))

def read(path):
    data = open(path, "rb").read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta, buf, out = header.pop("__metadata__", {}), data[8 + n:], {}
    read.offsets = {name: e["data_offsets"] for name, e in header.items()}
    for name, e in header.items():
        b, end = e["data_offsets"]
        assert e["dtype"] == "F32" and end - b == 4 * math.prod(e["shape"]), name
        out[name] = (e["shape"], list(struct.unpack("<%df" % ((end - b) // 4), buf[b:end])))
    return meta, out, buf

def check(path):
    meta, tensors, buf = read(path)
    print("metadata:", meta)
    for name, (shape, vals) in tensors.items():
        print(f"  {name}: shape={shape} values={vals}")
    same = lambda x, y: struct.pack("<f", x) == struct.pack("<f", y)  # bitwise, so -0.0 != 0.0
    for name, (shape, vals) in SAMPLE.items():
        got_shape, got = tensors[name]
        assert got_shape == shape and len(got) == len(vals) and all(map(same, got, vals)), name
    assert set(tensors) == set(SAMPLE), sorted(tensors)
    try:
        import torch
        b, end = read.offsets["a"]
        t = torch.frombuffer(bytearray(buf[b:end]), dtype=torch.float32).reshape(tensors["a"][0])
        assert torch.equal(t, torch.tensor(SAMPLE["a"][1]).reshape(2, 3))
        print("torch.frombuffer agrees:", t.tolist())
    except ImportError:
        print("(torch not installed; skipped the torch cross-check)")
    print("OK: holds the standard sample")

if __name__ == "__main__":
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "write":
        write(path, SAMPLE, {"format": "pt", "writer": "safetensors_check.py"})
    elif cmd == "check":
        check(path)
    else:
        sys.exit(__doc__)
