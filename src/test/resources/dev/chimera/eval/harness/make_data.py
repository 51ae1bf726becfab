"""Writes the small datasets of these lm-eval fixture tasks (deterministic; run once, output committed)."""
import csv
import json
import os
import random

rnd = random.Random(7)
COLOURS = ["red", "blue", "green", "white", "yellow", "black"]
THINGS = ["sky", "grass", "snow", "sun", "night", "sea"]


def write_jsonl(path, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


# ARC-style: choices {text, label}, answerKey a label
def arc(n, prefix):
    rows = []
    for i in range(n):
        k = rnd.choice([3, 4])
        labels = ["A", "B", "C", "D"][:k] if i % 3 else ["1", "2", "3", "4"][:k]
        text = rnd.sample(COLOURS, k)
        rows.append({"id": f"{prefix}-{i}", "question": f"which colour is the {rnd.choice(THINGS)} ?",
                     "choices": {"text": text, "label": labels}, "answerKey": rnd.choice(labels)})
    return rows


write_jsonl("data/arc/test.jsonl", arc(6, "test"))
write_jsonl("data/arc/train.jsonl", arc(8, "train"))

# HellaSwag-style (already preprocessed): query, choices, label (a string, as in hellaswag)
def hella(n):
    return [{"query": f"the {rnd.choice(THINGS)} is very", "choices": [f"{c} at night" for c in rnd.sample(COLOURS, 4)],
             "label": str(rnd.randrange(4))} for _ in range(n)]


write_jsonl("data/hellaswag/validation.jsonl", hella(5))
write_jsonl("data/hellaswag/train.jsonl", hella(6))

# GSM8K-style
def gsm(n):
    rows = []
    for _ in range(n):
        a, b = rnd.randrange(2, 40), rnd.randrange(2, 40)
        rows.append({"question": f"Tom has {a} apples and gets {b} more . How many apples has Tom ?",
                     "answer": f"Tom has {a} + {b} = {a + b} apples .\n#### {a + b}"})
    return rows


write_jsonl("data/gsm8k/test.jsonl", gsm(6))
write_jsonl("data/gsm8k/train.jsonl", gsm(8))

# MMLU-style: question, choices (4), answer index; dev split for few-shot
def mmlu(n, topic):
    return [{"question": f" which {topic} colour is the {rnd.choice(THINGS)} ? ", "subject": topic,
             "choices": rnd.sample(COLOURS, 4), "answer": rnd.randrange(4)} for _ in range(n)]


for topic in ["anatomy", "astronomy"]:
    write_jsonl(f"data/mmlu/{topic}/test.jsonl", mmlu(4, topic))
    write_jsonl(f"data/mmlu/{topic}/dev.jsonl", mmlu(5, topic))

# MGSM-style (Japanese): test has answer None; train has the worked answer
def mgsm(n, test):
    rows = []
    for _ in range(n):
        a, b = rnd.randrange(2, 20), rnd.randrange(2, 20)
        rows.append({"question": f"トムはりんごを{a}個持っていて、{b}個もらいました。全部で何個ですか？",
                     "answer": None if test else f"ステップごとの答え：{a}+{b}={a + b}。答えは{a + b}です。",
                     "answer_number": a + b, "equation_solution": None if test else f"{a}+{b}={a + b}"})
    return rows


write_jsonl("data/mgsm/test.jsonl", mgsm(5, True))
write_jsonl("data/mgsm/train.jsonl", mgsm(4, False))

# LAMBADA-style loglikelihood
write_jsonl("data/lambada/test.jsonl", [{"text": f"the {t} is {c}"} for t, c in zip(THINGS, rnd.sample(COLOURS, 6))])

# the ARC test split again as CSV-friendly flat rows and as parquet
flat = [{"question": f"which colour is the {t} ?", "a": c1, "b": c2, "gold": i % 2, "score": 0.5 * i}
        for i, (t, c1, c2) in enumerate(zip(THINGS, COLOURS, reversed(COLOURS)))]
write_jsonl("data/flat/test.jsonl", flat)
with open("data/flat/test.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.DictWriter(f, fieldnames=list(flat[0]))
    w.writeheader()
    w.writerows(flat)
try:
    import pandas as pd

    pd.DataFrame(flat).to_parquet("data/flat/test.parquet", index=False)
except ImportError:
    print("no pandas/pyarrow: data/flat/test.parquet not written")
