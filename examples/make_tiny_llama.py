#!/usr/bin/env python3
"""Writes examples/tiny-llama: a random 2-layer LlamaForCausalLM checkpoint in BF16.

The safetensors bytes are produced here from the published format (8-byte little-endian header
length, JSON header, raw little-endian data) with NumPy only, so Amalgam's reader is exercised on a
file it did not write. Deterministic: rerunning gives identical bytes.
Usage: python3 examples/make_tiny_llama.py [OUTPUT_DIR] [SEED]
"""
import json
import os
import struct
import sys

import numpy as np

VOCAB, HIDDEN, INTER, LAYERS, HEADS, KV_HEADS = 48, 32, 64, 2, 4, 2
HEAD_DIM = HIDDEN // HEADS


def bf16_bytes(a):
    """Round-to-nearest-even fp32 -> bf16, little-endian bytes."""
    bits = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype("<u2").tobytes()


def tensors(rng):
    out = {"model.embed_tokens.weight": rng.normal(0, 0.02, (VOCAB, HIDDEN))}
    for i in range(LAYERS):
        p = f"model.layers.{i}."
        out[p + "input_layernorm.weight"] = np.ones(HIDDEN)
        out[p + "post_attention_layernorm.weight"] = np.ones(HIDDEN)
        out[p + "self_attn.q_proj.weight"] = rng.normal(0, 0.02, (HEADS * HEAD_DIM, HIDDEN))
        out[p + "self_attn.k_proj.weight"] = rng.normal(0, 0.02, (KV_HEADS * HEAD_DIM, HIDDEN))
        out[p + "self_attn.v_proj.weight"] = rng.normal(0, 0.02, (KV_HEADS * HEAD_DIM, HIDDEN))
        out[p + "self_attn.o_proj.weight"] = rng.normal(0, 0.02, (HIDDEN, HEADS * HEAD_DIM))
        out[p + "mlp.gate_proj.weight"] = rng.normal(0, 0.02, (INTER, HIDDEN))
        out[p + "mlp.up_proj.weight"] = rng.normal(0, 0.02, (INTER, HIDDEN))
        out[p + "mlp.down_proj.weight"] = rng.normal(0, 0.02, (HIDDEN, INTER))
    out["model.norm.weight"] = np.ones(HIDDEN)
    out["lm_head.weight"] = rng.normal(0, 0.02, (VOCAB, HIDDEN))
    return out


def write_safetensors(path, named):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(named):
        data = bf16_bytes(named[name])
        header[name] = {"dtype": "BF16", "shape": list(named[name].shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def tokenizer():
    words = ["<unk>", "<s>", "</s>", " ", "+", "-", "=", "?", "is", "what", "older", "than"]
    words += [str(d) for d in range(10)]
    words += list("abcdefghijklmnopqrstuvwxyz")
    vocab = {w: i for i, w in enumerate(words[:VOCAB])}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True} for i, t in enumerate(["<unk>", "<s>", "</s>"])],
        "normalizer": None,
        "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "\\d|[a-z]+|\\s|[^\\sa-z\\d]"},
                          "behavior": "Isolated", "invert": False},
        "post_processor": None,
        "decoder": None,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"},
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "tiny-llama")
    os.makedirs(out, exist_ok=True)
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    write_safetensors(os.path.join(out, "model.safetensors"), tensors(np.random.default_rng(seed)))
    config = {
        "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": HIDDEN,
        "intermediate_size": INTER, "num_hidden_layers": LAYERS, "num_attention_heads": HEADS,
        "num_key_value_heads": KV_HEADS, "vocab_size": VOCAB, "max_position_embeddings": 128,
        "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": False,
        "hidden_act": "silu", "bos_token_id": 1, "eos_token_id": 2, "torch_dtype": "bfloat16",
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    with open(os.path.join(out, "tokenizer.json"), "w") as f:
        json.dump(tokenizer(), f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
