#!/usr/bin/env python3
"""NumPy baseline for the merge benchmark: the same methods on the same safetensors files.

Reads each input with numpy.memmap (no extra copy), merges tensor by tensor in float32 with the
semantics of docs/merge-methods (task vectors against the base, TIES sign consensus, DARE random
masks with rescale), and writes one safetensors file. Usage:
  numpy_merge.py METHOD OUT BASE MODEL1 [MODEL2 ...]   (METHOD: linear|task_arithmetic|ties|dare_ties)
Weights are 1/N for every model; TIES/DARE use density 0.5.
"""
import json
import struct
import sys
import time

import numpy as np

DTYPES = {"F32": np.float32, "F16": np.float16, "BF16": np.uint16}


def open_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    header.pop("__metadata__", None)
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    return header, data


def tensor(header, data, name):
    h = header[name]
    begin, end = h["data_offsets"]
    raw = data[begin:end].view(DTYPES[h["dtype"]])
    if h["dtype"] == "BF16":
        return (raw.astype(np.uint32) << 16).view(np.float32).reshape(h["shape"])
    return raw.astype(np.float32).reshape(h["shape"])


def to_bf16(a):
    bits = a.view(np.uint32)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def magnitude_mask(d, density):
    k = int(density * d.size)
    flat = np.abs(d).ravel()
    keep = np.zeros(d.size, dtype=bool)
    keep[np.argpartition(-flat, k - 1)[:k]] = True
    return keep.reshape(d.shape)


def merge(method, base, xs, rng):
    w = 1.0 / len(xs)
    if method == "linear":
        return sum(w * x for x in xs) / (w * len(xs))
    deltas = [x - base for x in xs]
    if method in ("ties", "dare_ties"):
        masked = []
        for d in deltas:
            if method == "ties":
                m = magnitude_mask(d, 0.5)
                kept = d * m
            else:
                m = rng.random(d.shape, dtype=np.float32) < 0.5
                kept = d * m
                l1, l1k = np.abs(d).sum(dtype=np.float64), np.abs(kept).sum(dtype=np.float64)
                if l1 > 1e-7 and l1k > 1e-7:
                    kept = kept * np.float32(l1 / l1k)
            masked.append(w * kept)
        s = np.sign(sum(masked))
        s[s == 0] = 1
        mix = np.zeros_like(base)
        divisor = np.zeros_like(base)
        for mk in masked:
            agree = np.sign(mk) == s
            mix += np.where(agree, mk, 0)
            divisor += np.where(agree, w, 0)
        if method == "ties":
            divisor[divisor == 0] = 1
            mix = mix / divisor
        return base + mix
    return base + sum(w * d for d in deltas)


def main():
    method, out, base_path, model_paths = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    base_h, base_d = open_safetensors(base_path)
    models = [open_safetensors(p) for p in model_paths]
    rng = np.random.default_rng(0)
    names = sorted(base_h)
    header, offset = {}, 0
    for name in names:
        size = int(np.prod(base_h[name]["shape"])) * 2
        header[name] = {"dtype": "BF16", "shape": base_h[name]["shape"],
                        "data_offsets": [offset, offset + size]}
        offset += size
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    with open(out, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for name in names:
            b = tensor(base_h, base_d, name)
            xs = [tensor(h, d, name) for h, d in models]
            if method == "linear":
                xs = [b] + xs
            f.write(to_bf16(np.ascontiguousarray(merge(method, b, xs, rng), dtype=np.float32)).tobytes())
    print("cpu", time.process_time())


if __name__ == "__main__":
    main()
