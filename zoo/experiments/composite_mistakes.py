#!/usr/bin/env python3
"""Sorts the wrong answers of a composite evaluation by the first step that goes wrong.

Usage: amalgam eval MODEL --task composite --n 1000 --samples S.jsonl
       python3 zoo/experiments/composite_mistakes.py S.jsonl

For each wrong answer whose line 1 (the restated facts) is right, it compares line 2 step by step
with the gold walk and names the first difference: a wrong person ("link"), a wrong running total,
a wrong sign and amount, or a wrong amount with the right sign, or wrong arithmetic. For a wrong
sign or amount it says which fact it was borrowed from: the next link's (the fact that the step's
second person opens in line 1), another one, or none.
"""
import collections
import json
import re
import sys

STEP = re.compile(r"(\w+) (\w+): (\d+) ([+-]) (\d+) = (\d+)\.")
FACT = re.compile(r"(\w+) (\w+) ([+-]) (\d+)\.")


def first_mistake(gold, output):
    gold_lines, out_lines = gold.split("\n"), output.split("\n")
    if len(out_lines) < 2:
        return "too short", None
    if out_lines[0] != gold_lines[0]:
        return "line 1", None
    facts = FACT.findall(gold_lines[0])
    gold_steps, out_steps = STEP.findall(gold_lines[1]), STEP.findall(out_lines[1])
    for i, (g, o) in enumerate(zip(gold_steps, out_steps), start=1):
        if g == o:
            continue
        if (o[0], o[1]) != (g[0], g[1]):
            return "link", i
        if o[2] != g[2]:
            return "running total", i
        if (o[3], o[4]) != (g[3], g[4]):
            what = "sign and amount" if o[3] != g[3] else "amount"
            nxt = [f for f in facts if f[0] == g[1]]
            if nxt and (nxt[0][2], nxt[0][3]) == (o[3], o[4]):
                return f"{what} of the next link's fact", i
            if any((f[2], f[3]) == (o[3], o[4]) for f in facts):
                return f"{what} of another fact", i
            return f"{what} (no fact's)", i
        return "arithmetic", i
    return ("number of steps" if len(out_steps) != len(gold_steps) else "answer line"), None


def main(path):
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    total, wrong = collections.Counter(), collections.Counter()
    kinds = collections.Counter()
    for row in rows:
        links = row["response"].split("\n")[1].count(":")
        total[links] += 1
        if row["correct"]:
            continue
        wrong[links] += 1
        kinds[first_mistake(row["response"], row["output"])] += 1
    right = len(rows) - sum(wrong.values())
    print(f"{path}: {right}/{len(rows)} right")
    for links in sorted(total):
        print(f"  {links} links: {total[links] - wrong[links]}/{total[links]} right")
    for (kind, step), count in kinds.most_common():
        print(f"  {count:4d}  {kind}" + (f" at step {step}" if step else ""))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: composite_mistakes.py SAMPLES.jsonl")
    main(sys.argv[1])
