"""Renders every chat template here (and Qwen3's, from ../shared/data) on CONVERSATIONS with transformers.

python expected.py [shared-data-dir] > expected.json   (transformers 5.x; the Java test reads expected.json)
Templates of this folder render through transformers' render_jinja_template (what apply_chat_template calls) with
the model's special tokens from SOURCES.md; Qwen3's through AutoTokenizer(...).apply_chat_template itself.
"""
import json
import pathlib
import sys

from transformers.utils.chat_template_utils import render_jinja_template

HERE = pathlib.Path(__file__).parent
TOKENS = {
    "llama3": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "llama3.1": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "llama3.2": {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"},
    "mistral-v0.2": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
    "mistral-nemo": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
    "gemma2": {"bos_token": "<bos>", "eos_token": "<eos>", "unk_token": "<unk>", "pad_token": "<pad>"},
    "gemma3": {"bos_token": "<bos>", "eos_token": "<eos>", "unk_token": "<unk>", "pad_token": "<pad>"},
    "qwen2.5": {"eos_token": "<|im_end|>", "pad_token": "<|endoftext|>"},
    "phi3.5": {"bos_token": "<s>", "eos_token": "<|endoftext|>", "unk_token": "<unk>", "pad_token": "<|endoftext|>"},
    "deepseek-r1-distill": {"bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>"},
    "llama2-chat": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
    "zephyr": {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>"},
}
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather now in a city.",
          "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "Name, e.g. Köln"}},
                         "required": ["city"]}}}]
SYSTEM = {"role": "system", "content": "You are a helpful assistant."}
U1 = {"role": "user", "content": "Hello, who are you?"}
A1 = {"role": "assistant", "content": "I am an assistant."}
U2 = {"role": "user", "content": "What is 17 + 25?"}
CONVERSATIONS = {
    "user": ([U1], True, {}),
    "system-multi": ([SYSTEM, U1, A1, U2], True, {}),
    "system-multi-no-prompt": ([SYSTEM, U1, A1, U2], False, {}),
    "multi": ([U1, A1, U2], True, {}),
    "thinking-history": ([U1, {"role": "assistant", "content": "<think>\nThe user greets.\n</think>\n\nHi there!"}, U2],
                         True, {}),
    "no-thinking": ([U2], True, {"enable_thinking": False}),
    "thinking": ([U2], True, {"enable_thinking": True}),
    "unicode": ([{"role": "user", "content": "  日本語で答えて 🤖\n\n\"quotes\" & <tags>  "}], True, {}),
    "tools": ([U2], True, {"tools": TOOLS}),
    "tool-call": ([{"role": "user", "content": "Weather in Paris?"},
                   {"role": "assistant", "content": "", "tool_calls": [
                       {"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
                   {"role": "tool", "content": "{\"temp_c\": 21}"}], True, {"tools": TOOLS}),
}


def render(template, tokens, messages, agp, kwargs):
    out, _ = render_jinja_template(conversations=[messages], chat_template=template, add_generation_prompt=agp,
                                   **{**tokens, "date_string": "06 Dec 2026", **kwargs})
    return out[0]


def main():
    result = {"conversations": {k: {"messages": m, "add_generation_prompt": a, "kwargs": kw}
                                for k, (m, a, kw) in CONVERSATIONS.items()},
              "tokens": TOKENS, "templates": {}}
    for name in TOKENS:
        template = (HERE / (name + ".jinja")).read_text(encoding="utf-8")
        result["templates"][name] = {k: attempt(lambda m=m, a=a, kw=kw: render(template, TOKENS[name], m, a, kw))
                                     for k, (m, a, kw) in CONVERSATIONS.items()}
    shared = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else HERE / "../../../../../../../../shared/data")
    qwen3 = shared / "tokenizers/qwen3"
    if qwen3.is_dir():
        from transformers import AutoTokenizer

        tok = AutoTokenizer.from_pretrained(str(qwen3))
        result["templates"]["qwen3"] = {
            k: attempt(lambda m=m, a=a, kw=kw: tok.apply_chat_template(m, tokenize=False, add_generation_prompt=a,
                                                                       date_string="06 Dec 2026", **kw))
            for k, (m, a, kw) in CONVERSATIONS.items()}
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def attempt(f):
    try:
        return {"text": f()}
    except Exception as e:  # noqa: BLE001
        return {"error": type(e).__name__ + ": " + str(e)}


main()
