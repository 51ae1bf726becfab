"""Runs Mergenetic's estimator functions on cases sent by MergeneticComparisonTest (JSON on stdin, JSON on stdout).

Mergenetic is not part of Chimera: its estimator module is loaded from the checkout named by the environment variable
CHIMERA_MERGENETIC (the repository root, holding src/mergenetic/estimator/utils.py). Needs numpy, scipy, requests.

Mergenetic reads its IRT parameters from tinyBenchmarks' pickle ("lb" benchmark, A and B of shape (1, D, N), one
block of items per scenario). Here the same structure is built from the parameters Chimera fitted, with all N items
in the scenario "gsm8k" and b_j in the first row of B (Mergenetic sums the D rows of B), so both sides use the same
items, subsets, weights and parent abilities; only the estimators differ.

Request: {"a": [[..D..] x N], "b": [N], "cases": [{"y": [n], "anchors": [n], "weights": [n],
          "parents": [[..D..], ...] or null}]}
Reply:   {"cases": [{"weighted": x, "pirt": x, "gpirt": x, "mpirt": x | null, "gmpirt": x | null, "theta": [D]}]}
  pirt / gpirt: theta = estimate_theta_anchors (ML, BFGS from 0), then estimate_fitness with that single theta
                (Mergenetic's PerformanceEstimator mode "mpirt" / "gmpirt" with one theta; delta 0.5)
  mpirt / gmpirt: estimate_fitness with the parents' thetas (lambda by ML, BFGS from 1/K; delta 0.5)
"""
import importlib.util
import json
import math
import os
import sys
import types
import warnings

import numpy as np


def load_mergenetic_utils():
    root = os.environ.get("CHIMERA_MERGENETIC")
    if not root:
        sys.exit("CHIMERA_MERGENETIC is not set")
    path = os.path.join(root, "src", "mergenetic", "estimator", "utils.py")
    if not os.path.isfile(path):
        sys.exit("no " + path)
    # mergenetic/__init__.py needs GitPython only to compute PROJECT_ROOT; utils.py imports just that name
    pkg = types.ModuleType("mergenetic")
    pkg.PROJECT_ROOT = root
    pkg.__path__ = [os.path.join(root, "src", "mergenetic")]
    sys.modules["mergenetic"] = pkg
    spec = importlib.util.spec_from_file_location("mergenetic.estimator.utils", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def finite_or_none(x):
    x = float(x)
    return x if math.isfinite(x) else None


def main():
    utils = load_mergenetic_utils()
    req = json.load(sys.stdin)
    a = np.asarray(req["a"], dtype=float)  # N x D
    b = np.asarray(req["b"], dtype=float)  # N
    n_items, dims = a.shape
    A = a.T[None, :, :]  # (1, D, N)
    B = np.zeros((1, dims, n_items))
    B[0, 0, :] = b
    tb = {"lb": {"irt_parameters": {"A": A, "B": B},
                 "scenarios_position": {"gsm8k": np.arange(n_items)}}}
    out = []
    warnings.simplefilter("ignore")  # overflow in exp for extreme thetas is part of the behaviour measured
    for case in req["cases"]:
        y = np.asarray(case["y"], dtype=float)
        anchors = [int(i) for i in case["anchors"]]
        w = np.asarray(case["weights"], dtype=float)
        theta = utils.estimate_theta_anchors(y, "gsm8k", anchors, tb)
        single = utils.estimate_fitness(y, [theta.reshape(dims)], "gsm8k", anchors, w, tb)
        res = {"weighted": finite_or_none(single["weighted_avg"]), "pirt": finite_or_none(single["pirt"]), "gpirt": finite_or_none(single["gpirt"]),
               "mpirt": None, "gmpirt": None, "theta": [finite_or_none(v) for v in theta.reshape(dims)]}
        if case.get("parents"):
            thetas = [np.asarray(t, dtype=float) for t in case["parents"]]
            mix = utils.estimate_fitness(y, thetas, "gsm8k", anchors, w, tb)
            res["mpirt"] = finite_or_none(mix["mpirt"])
            res["gmpirt"] = finite_or_none(mix["gmpirt"])
        out.append(res)
    json.dump({"cases": out}, sys.stdout)


if __name__ == "__main__":
    main()
