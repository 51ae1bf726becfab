"""Runs lm-evaluation-harness itself on these task files and prints what it did per document, as JSON.

python lmeval_run.py MODEL TASK [TASK ...] [--apply_chat_template] [--fewshot_as_multiturn] [--system_instruction=T]
(run in this folder, offline: HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1)
MODEL is "dummy" (lm-eval's DummyLM: the prompts without a model; expected.json was written this way) or a local
Hugging Face model folder (HF backend, float32, CPU, batch 1, greedy). num_fewshot comes from each task file,
few-shot examples from lm-eval's samplers with its default seed. For each task and document, per filter: the
requests' arguments (context and continuation, or context and the stop strings), the responses, the filtered
response, the target and the metric values.
"""
import contextlib
import json
import sys

import lm_eval
from lm_eval.tasks import TaskManager

model, rest = sys.argv[1], sys.argv[2:]
tasks = [a for a in rest if not a.startswith("--")]
flags = dict(a[2:].split("=", 1) if "=" in a else (a[2:], True) for a in rest if a.startswith("--"))
kwargs = {"model": "dummy"} if model == "dummy" else {
    "model": "hf", "model_args": {"pretrained": model, "dtype": "float32", "device": "cpu"}, "batch_size": 1}
# --apply_chat_template, --fewshot_as_multiturn, --system_instruction=TEXT: lm-eval's own options
for key in ("apply_chat_template", "fewshot_as_multiturn", "system_instruction"):
    if key in flags:
        v = flags[key]
        kwargs[key] = {"true": True, "false": False}.get(v.lower(), v) if isinstance(v, str) else v
with contextlib.redirect_stdout(sys.stderr):
    out = lm_eval.simple_evaluate(tasks=tasks, task_manager=TaskManager(include_path="."), log_samples=True, **kwargs)


def plain(x):
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if hasattr(x, "item"):
        return x.item()
    return x


result = {}
for task, samples in out["samples"].items():
    docs = {}
    for s in sorted(samples, key=lambda s: (int(s["doc_id"]), s["filter"])):
        args = s["arguments"]
        entry = docs.setdefault(str(s["doc_id"]), {"target": plain(s["target"]), "filters": {}})
        if isinstance(args[0][1], dict):
            entry["context"] = args[0][0]
            entry["until"] = args[0][1].get("until")
        else:
            entry["context"] = args[0][0]
            entry["continuations"] = [a[1] for a in args]
        if model == "dummy":  # random responses: keep the prompts and targets only
            continue
        metrics = {m: plain(s[m]) for m in s.get("metrics", []) if m in s}
        entry["filters"][s["filter"]] = {"resps": plain(s["resps"]), "filtered": plain(s["filtered_resps"]),
                                         "metrics": metrics}
    result[task] = {"docs": docs}
    if model != "dummy":
        result[task]["results"] = plain(out["results"].get(task, {}))
json.dump({"version": lm_eval.__version__ if hasattr(lm_eval, "__version__") else "?", "tasks": result},
          sys.stdout, ensure_ascii=False, indent=1, default=str)
sys.stdout.write("\n")
