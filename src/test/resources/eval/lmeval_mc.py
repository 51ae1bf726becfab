"""Runs lm-evaluation-harness itself (HF backend, float32, CPU, batch 1) on a local model folder and a task folder.

Usage: lmeval_mc.py MODEL_DIR INCLUDE_DIR TASK_NAME  (run with HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1)
Prints JSON: {"docs": [{"doc_id", "loglik": [per choice], "acc", "acc_norm"}], "acc", "acc_norm", "version"}.
Uses lm_eval.simple_evaluate (what `lm_eval --include_path ... --log_samples` calls) and reads the logged samples;
the CLI's result table needs pytablewriter, which is not needed for the numbers.
"""
import json
import sys

import lm_eval
from lm_eval.tasks import TaskManager

model_dir, include_dir, task = sys.argv[1:4]
out = lm_eval.simple_evaluate(
    model="hf",
    model_args={"pretrained": model_dir, "dtype": "float32", "device": "cpu"},
    tasks=[task],
    task_manager=TaskManager(include_path=include_dir),
    batch_size=1,
    log_samples=True,
    num_fewshot=0,
)
docs = []
for s in sorted(out["samples"][task], key=lambda s: s["doc_id"]):
    # resps: per choice [(loglikelihood, is_greedy)]
    docs.append({"doc_id": s["doc_id"], "loglik": [float(r[0][0]) for r in s["resps"]],
                 "acc": float(s["acc"]), "acc_norm": float(s["acc_norm"])})
res = out["results"][task]
json.dump({"docs": docs, "acc": res["acc,none"], "acc_norm": res["acc_norm,none"],
           "version": lm_eval.__version__ if hasattr(lm_eval, "__version__") else "?"}, sys.stdout)
