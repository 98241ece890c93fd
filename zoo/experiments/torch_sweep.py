"""A PyTorch re-implementation of Amalgam's trainer (TrainingRun + CausalLmTrainer) for
hyper-parameter sweeps of the family-B composite expert on a GPU machine, many runs at once.

It is an experiment aid, not part of the build, and it never makes a zoo model: the zoo is trained
by `amalgam train` alone. It uses the same data (JSONL from `amalgam tasks generate`), tokenizer file
and encoding ([bos] + instruction + "\n", then response + [eos], loss on the response only), the
same init (normal with std 0.02, ones for norms), AdamW (0.9, 0.95, 1e-8, decoupled decay on
matrices), linear warmup then cosine decay to the minimum, global-norm clipping at 1.0, uniform draws
with replacement, greedy decoding and the same answer extraction. Its random streams are not the
Java ones, so a seed here is not the same run as that seed in `amalgam train`: compare
configurations over several seeds, not single runs.

usage: torch_sweep.py DATA_DIR TOKENIZER SPECS.json WORKER WORKERS DEADLINE_EPOCH OUT_DIR
  DATA_DIR holds dev.jsonl.gz, test.jsonl.gz and the training files the specs name (NAME.jsonl.gz);
  worker W of N runs specs W, W + N, ...; a spec is skipped when its budget_s would pass the
  deadline; one JSON line per finished run is appended to OUT_DIR/all.jsonl.
"""

import gzip
import json
import math
import os
import re
import sys
import time

import numpy as np
import torch
from tokenizers import Tokenizer
from transformers import LlamaConfig, LlamaForCausalLM


def read_jsonl(data_dir, name):
    with gzip.open(os.path.join(data_dir, name + ".jsonl.gz"), "rt") as f:
        return [json.loads(line) for line in f]


class Encoding:
    def __init__(self, tokenizer_file):
        self.tok = Tokenizer.from_file(tokenizer_file)
        self.bos = self.tok.token_to_id("<s>")
        self.eos = self.tok.token_to_id("</s>")

    def prompt(self, ex):
        return [self.bos] + self.tok.encode(ex["instruction"] + "\n", add_special_tokens=False).ids

    def response(self, ex):
        return self.tok.encode(ex["response"], add_special_tokens=False).ids + [self.eos]

    def training(self, ex):
        """The example's ids and where its response starts (the loss covers what follows)."""
        prompt = self.prompt(ex)
        return prompt + self.response(ex), len(prompt)

    def decode(self, ids):
        return self.tok.decode(ids, skip_special_tokens=True)


def normalize(text):
    text = re.sub(r"\s+", " ", text.strip())
    while text.endswith("."):
        text = text[:-1].strip()
    return text.lower()


def extract(output):
    at = output.lower().rfind("answer:")
    if at < 0:
        return None
    rest = output[at + len("answer:"):].split("\n", 1)[0]
    n = normalize(rest)
    return n or None


def build_model(spec, device):
    cfg = LlamaConfig(
        vocab_size=262,
        hidden_size=spec.get("hidden", 160),
        intermediate_size=spec.get("inter", 448),
        num_hidden_layers=spec.get("layers", 4),
        num_attention_heads=spec.get("heads", 5),
        num_key_value_heads=spec.get("heads", 5),
        max_position_embeddings=512,
        rope_theta=10000.0,
        rms_norm_eps=1e-6,
        tie_word_embeddings=True,
        attention_bias=False,
        bos_token_id=1,
        eos_token_id=2,
        pad_token_id=0,
        initializer_range=0.02,
    )
    torch.manual_seed(spec["seed"])
    model = LlamaForCausalLM(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.fill_(1.0)
            else:
                p.normal_(0.0, spec.get("init_std", 0.02))
    return model.to(device)


def lr_at(step, spec):
    lr, lo, warm, total = spec["lr"], spec["min_lr"], spec["warmup"], spec["steps"]
    if step < warm:
        return lr * (step + 1) / warm
    progress = min(1.0, (step - warm) / max(1, total - warm))
    return lo + 0.5 * (lr - lo) * (1 + math.cos(math.pi * progress))


def batch_tensors(seqs, device):
    length = max(len(t) for t, _ in seqs)
    ids = torch.zeros((len(seqs), length), dtype=torch.long)
    att = torch.zeros((len(seqs), length), dtype=torch.long)
    lab = torch.full((len(seqs), length), -100, dtype=torch.long)
    for b, (t, p) in enumerate(seqs):
        ids[b, : len(t)] = torch.tensor(t)
        att[b, : len(t)] = 1
        lab[b, p: len(t)] = torch.tensor(t[p:])
    return ids.to(device), att.to(device), lab.to(device)


def train(spec, pools, device):
    model = build_model(spec, device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    rest = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": spec["wd"]}, {"params": rest, "weight_decay": 0.0}],
        lr=spec["lr"], betas=(0.9, 0.95), eps=1e-8, foreach=True)
    pool = pools[spec["train"]]
    rng = np.random.default_rng(spec["seed"] * 31 + 7)
    avg = None
    skipped = 0
    curve = []
    for step in range(spec["steps"]):
        picks = rng.integers(0, len(pool), spec["batch"])
        ids, att, lab = batch_tensors([pool[i] for i in picks], device)
        logits = model(input_ids=ids, attention_mask=att).logits[:, :-1, :].float()
        target = lab[:, 1:]
        loss = torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.size(-1)), target.reshape(-1), ignore_index=-100,
            reduction="sum") / (target != -100).sum()
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        value = loss.item()
        if math.isfinite(value) and math.isfinite(norm.item()):
            for g in opt.param_groups:
                g["lr"] = lr_at(step, spec)
            opt.step()
        else:
            skipped += 1
        opt.zero_grad(set_to_none=True)
        avg = value if avg is None else 0.95 * avg + 0.05 * value
        if (step + 1) % 200 == 0:
            curve.append((step + 1, round(avg, 4)))
    return model, avg, skipped, curve


@torch.no_grad()
def evaluate(model, enc, examples, device, max_new):
    model.eval()
    correct = 0
    wrong = []
    for start in range(0, len(examples), 500):
        part = examples[start: start + 500]
        prompts = [enc.prompt(e) for e in part]
        length = max(len(p) for p in prompts)
        ids = torch.zeros((len(part), length), dtype=torch.long)
        att = torch.zeros((len(part), length), dtype=torch.long)
        for b, p in enumerate(prompts):
            ids[b, length - len(p):] = torch.tensor(p)
            att[b, length - len(p):] = 1
        out = model.generate(
            input_ids=ids.to(device), attention_mask=att.to(device), max_new_tokens=max_new,
            do_sample=False, pad_token_id=0, eos_token_id=enc.eos)
        for b, e in enumerate(part):
            gen = out[b, length:].tolist()
            text = enc.decode(gen)
            if extract(text) == normalize(e["answer"]):
                correct += 1
            elif len(wrong) < 3:
                wrong.append(text)
    model.train()
    return correct, wrong


def main():
    data_dir, tokenizer_file, specs_file, worker, workers, deadline, out_dir = sys.argv[1:8]
    worker, workers, deadline = int(worker), int(workers), float(deadline)
    specs = json.load(open(specs_file))[worker::workers]
    torch.set_num_threads(1)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    enc = Encoding(tokenizer_file)
    cache = {}
    dev = read_jsonl(data_dir, "dev")
    test = read_jsonl(data_dir, "test")
    max_new = max(len(enc.response(e)) for e in dev + test) + 8
    out = open(os.path.join(out_dir, "all.jsonl"), "a")
    for spec in specs:
        if time.time() + spec.get("budget_s", 120) > deadline:
            print("skip (no time)", spec["name"], flush=True)
            continue
        if spec["train"] not in cache:
            cache[spec["train"]] = [enc.training(e) for e in read_jsonl(data_dir, spec["train"])]
        t0 = time.time()
        model, loss, skipped, curve = train(spec, cache, device)
        t1 = time.time()
        n_eval = spec.get("n_eval", 1000)
        dev_ok, dev_wrong = evaluate(model, enc, dev[:n_eval], device, max_new)
        test_ok, _ = evaluate(model, enc, test[:n_eval], device, max_new)
        row = dict(spec, loss=round(loss, 4), skipped=skipped, dev=dev_ok / n_eval,
                   test=test_ok / n_eval, n=n_eval, train_s=round(t1 - t0, 1),
                   eval_s=round(time.time() - t1, 1), curve=curve, dev_wrong=dev_wrong)
        out.write(json.dumps(row) + "\n")
        out.flush()
        print("%-28s loss %.4f dev %.3f test %.3f train %.0fs eval %.0fs" % (
            spec["name"], loss, row["dev"], row["test"], t1 - t0, time.time() - t1), flush=True)


if __name__ == "__main__":
    main()
