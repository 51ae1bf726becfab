#!/usr/bin/env python3
"""Chimera external evaluator: lm-evaluation-harness on a candidate folder.

Chimera runs the objective's command with the candidate's folder as $1 and a file of item ids as $2 (one per line)
and reads JSON lines on stdout: {"id": ..., "correct": 0|1} per item, or {"score": x} when no ids are asked.
Here the item ids are lm-eval document ids (doc_id), so a run file's `items = N` means the task's first N
documents; lm-eval evaluates exactly the asked ones (its `samples` option) and logs them.

Run file objective (see docs/runs.md, "External evaluators"):
  { name = arc, command = "python3 examples/lm-eval/chimera_lm_eval.py \"$1\" \"$2\" --task arc_easy", items = 500,
    n = 100, timeout = 30m }
Use --include-path for task YAMLs of your own and --model-args for anything lm-eval's `hf` model takes (e.g.
device=cuda:0, or switch --model to vllm). Everything lm-eval prints goes to stderr: stdout is the protocol's.
"""
import argparse
import contextlib
import json
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model", help="the candidate's folder ($1)")
    ap.add_argument("items", help="the file of document ids ($2)")
    ap.add_argument("--task", required=True, help="an lm-eval task name")
    ap.add_argument("--include-path", help="a folder of task YAMLs of your own")
    ap.add_argument("--metric", default="acc", help="the per-document metric that counts as correct when > 0")
    ap.add_argument("--model-type", default="hf", help="lm-eval's model type (hf, vllm, ...)")
    ap.add_argument("--model-args", default="dtype=float32,device=cpu", help="extra lm-eval model arguments")
    ap.add_argument("--batch-size", default="1")
    ap.add_argument("--num-fewshot", type=int, default=None)
    args = ap.parse_args()

    with open(args.items) as f:
        ids = [line.strip() for line in f if line.strip()]

    with contextlib.redirect_stdout(sys.stderr):
        import lm_eval
        from lm_eval.tasks import TaskManager

        out = lm_eval.simple_evaluate(
            model=args.model_type,
            model_args=f"pretrained={args.model},{args.model_args}",
            tasks=[args.task],
            task_manager=TaskManager(include_path=args.include_path),
            batch_size=args.batch_size,
            num_fewshot=args.num_fewshot,
            samples={args.task: [int(i) for i in ids]} if ids else None,
            log_samples=True,
        )

    if not ids:
        print(json.dumps({"score": float(out["results"][args.task][args.metric + ",none"])}))
        return
    for s in sorted(out["samples"][args.task], key=lambda s: s["doc_id"]):
        print(json.dumps({"id": str(s["doc_id"]), "correct": 1 if float(s[args.metric]) > 0 else 0}))


if __name__ == "__main__":
    main()
