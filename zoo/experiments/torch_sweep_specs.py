"""Writes the run lists of the family-B sweeps of 2026-11-24 (zoo/README.md) as SWEEP.json.

usage: torch_sweep_specs.py SWEEP OUT_DIR   (SWEEP: smoke, sweep1, sweep2 or sweep3)
Each spec is zoo/configs/family-b.yml's schedule with one change; budget_s is the time a worker
expects the run to take and is used only to skip runs that would pass the deadline.
"""

import json
import os
import sys

COMMITTED = dict(train="train20k", steps=3600, batch=32, lr=2e-3, min_lr=1e-4, warmup=50, wd=0.1)


def spec(name, seed, **changes):
    run = dict(COMMITTED, name="%s-s%d" % (name, seed), seed=seed, budget_s=1)
    run.update(changes)
    return run


def runs(sweep):
    seeds4 = range(1, 5)
    if sweep == "smoke":
        return [spec("smoke", 1, steps=100, n_eval=100, budget_s=120)]
    if sweep == "sweep1":
        return (
            [r for s in range(1, 9) for r in (spec("base20k", s), spec("n100k", s, train="train100k"))]
            + [r for s in seeds4 for r in (
                spec("n100k-b16x7200", s, train="train100k", batch=16, steps=7200, budget_s=240),
                spec("n100k-lr3e-3", s, train="train100k", lr=3e-3))])
    if sweep == "sweep2":
        return (
            [spec("n100k-b16x7200", s, train="train100k", batch=16, steps=7200) for s in seeds4]
            + [spec("n100k-b32x4800", s, train="train100k", steps=4800) for s in seeds4]
            + [spec("n100k-minlr6e-4", s, train="train100k", min_lr=6e-4) for s in seeds4])
    if sweep == "sweep3":
        return (
            [spec("n100k-b64x1800", s, train="train100k", batch=64, steps=1800) for s in seeds4]
            + [spec("n100k-b64x1800-lr3e-3", s, train="train100k", batch=64, steps=1800, lr=3e-3)
               for s in seeds4]
            + [spec("n100k-b64x2400", s, train="train100k", batch=64, steps=2400) for s in seeds4])
    raise SystemExit("torch_sweep_specs.py: unknown sweep '%s' (smoke, sweep1, sweep2, sweep3)" % sweep)


if __name__ == "__main__":
    sweep, out_dir = sys.argv[1:3]
    specs = runs(sweep)
    with open(os.path.join(out_dir, sweep + ".json"), "w") as f:
        json.dump(specs, f, indent=0)
    print("%d runs in %s" % (len(specs), os.path.join(out_dir, sweep + ".json")))
