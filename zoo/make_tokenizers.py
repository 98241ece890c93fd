#!/usr/bin/env python3
"""Builds the two zoo tokenizers (Hugging Face tokenizer.json) from the task generators' output.

Family A: WordLevel. A Split pre-tokenizer isolates every digit, every punctuation mark and every
whitespace character, except that a run of letters takes the single space before it (" taller"), as
GPT-2 style tokenizers do: that halves the length of the word problems. Decoded with Fuse (plain
concatenation).

Family B: Unigram over Metaspace pieces ("\u2581word"), the SentencePiece style: spaces become
"\u2581" and start the next piece. Every character seen is also a piece, so nothing is lost.

Both have <unk> (id 0), <s> (1) and </s> (2) as special tokens. The vocabulary comes from the
words and characters in generated examples of every task family and split, so encoding the task
texts never produces <unk>.

Usage: zoo/make_tokenizers.py [--amalgam ./amalgam] [--n 3000] [--out zoo/tokenizers] [--family a|b|both]
Standard library only.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

TASKS = ("arithmetic", "relational", "composite")
SPLITS = ("train", "dev", "test")
SPECIALS = ("<unk>", "<s>", "</s>")
SPACE = "\u2581"
# Family A's pre-tokenizer: a word with its leading space, a digit, one whitespace char, or one other char.
SPLIT_PATTERN = r" ?[A-Za-z]+|\d|\s|[^\sA-Za-z\d]"
WORD = re.compile(r"[A-Za-z]+")
SPACED_WORD = re.compile(r" ?[A-Za-z]+")


def generated_texts(amalgam, n, seed):
    """Instruction + prompt separator and response of every example, for every family and split."""
    texts = []
    with tempfile.TemporaryDirectory() as tmp:
        for task in TASKS:
            for split in SPLITS:
                path = os.path.join(tmp, f"{task}-{split}.jsonl")
                subprocess.run(
                    [amalgam, "tasks", "generate", "--task", task, "--split", split,
                     "--n", str(n), "--seed", str(seed), "-o", path],
                    check=True, stdout=subprocess.DEVNULL)
                with open(path, encoding="utf-8") as f:
                    for line_no, line in enumerate(f, 1):
                        try:
                            row = json.loads(line)
                        except json.JSONDecodeError as e:
                            sys.exit(f"{path}:{line_no}: not JSON: {e}")
                        texts.append(row["instruction"] + "\n")
                        texts.append(row["response"])
    return texts


def added_tokens():
    return [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True} for i, t in enumerate(SPECIALS)]


def family_a(texts):
    chars = sorted({c for t in texts for c in t})
    words = sorted({w for t in texts for w in SPACED_WORD.findall(t)} - set(chars))
    vocab = {t: i for i, t in enumerate(list(SPECIALS) + chars + words)}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added_tokens(),
        "normalizer": None,
        "pre_tokenizer": {"type": "Split", "pattern": {"Regex": SPLIT_PATTERN},
                          "behavior": "Isolated", "invert": False},
        "post_processor": None,
        "decoder": {"type": "Fuse"},
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"},
    }


def family_b(texts):
    chars = sorted({c for t in texts for c in t} - {" "})
    counts = {}
    for t in texts:
        for w in WORD.findall(t):
            counts[w] = counts.get(w, 0) + 1
    pieces = {}
    # Whole words, with and without the word-start marker, outscore any split into characters.
    for w, c in counts.items():
        if len(w) > 1:
            pieces[SPACE + w] = -2.0 - 1.0 / c
            pieces[w] = -3.0 - 1.0 / c
    for c in chars:
        pieces.setdefault(c, -10.0)
        pieces.setdefault(SPACE + c, -10.5)
    pieces[SPACE] = -11.0
    ordered = sorted(pieces.items(), key=lambda kv: (-kv[1], kv[0]))
    vocab = [[s, 0.0] for s in SPECIALS] + [[p, s] for p, s in ordered]
    metaspace = {"type": "Metaspace", "replacement": SPACE, "prepend_scheme": "always",
                 "split": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added_tokens(),
        "normalizer": None,
        "pre_tokenizer": metaspace,
        "post_processor": None,
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": 0, "vocab": vocab, "byte_fallback": False},
    }


def write(tokenizer, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(tokenizer, f, ensure_ascii=False, indent=1)
        f.write("\n")
    size = len(tokenizer["model"]["vocab"])
    print(f"{path}: {tokenizer['model']['type']}, {size} tokens")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--amalgam", default=os.path.join(here, "..", "amalgam"))
    p.add_argument("--n", type=int, default=3000, help="examples per family and split")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default=os.path.join(here, "tokenizers"))
    p.add_argument("--family", choices=("a", "b", "both"), default="both",
                   help="which tokenizer(s) to write (family B's piece scores, hence its ids, "
                        "follow word frequencies: a changed generator reorders them)")
    args = p.parse_args()
    texts = generated_texts(args.amalgam, args.n, args.seed)
    if args.family in ("a", "both"):
        write(family_a(texts), os.path.join(args.out, "family-a", "tokenizer.json"))
    if args.family in ("b", "both"):
        write(family_b(texts), os.path.join(args.out, "family-b", "tokenizer.json"))


if __name__ == "__main__":
    main()
