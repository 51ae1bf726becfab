#!/usr/bin/env python3
"""Independent numpy reference for Llama-family causal LMs (Llama, Mistral, Qwen2, Qwen3).

Follows the semantics of Hugging Face transformers' modeling_llama / modeling_qwen2 / modeling_qwen3
(rotate_half RoPE, default / linear / llama3 frequencies, grouped-query attention, q_norm/k_norm per head,
SiLU-gated MLP, tied embeddings) but computes everything in float64. Needs numpy only; reads safetensors itself.

Usage: reference_llama.py MODEL_DIR < request.json > response.json
request:  {"sequences": [[ids...], ...], "loglik": [[[ctx...], [cont...]], ...], "generate": [[[prompt...], n, eos], ...]}
response: {"logits": [[[...vocab] per position] per sequence],
           "loglik": [{"logprob": x, "greedy": b, "margin": m}, ...],
           "generate": [{"tokens": [ids...], "margins": [m per step]}, ...]}
A margin is how far a greedy decision is from flipping; a float32 implementation agrees with it only where the
margin exceeds its own rounding error.
"""
import json
import math
import os
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        begin, end = meta["data_offsets"]
        raw = data[base + begin:base + end]
        dt = meta["dtype"]
        if dt == "F32":
            arr = np.frombuffer(raw, dtype="<f4")
        elif dt == "F16":
            arr = np.frombuffer(raw, dtype="<f2")
        elif dt == "F64":
            arr = np.frombuffer(raw, dtype="<f8")
        elif dt == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError("unsupported dtype " + dt)
        tensors[name] = arr.astype(np.float64).reshape(meta["shape"])
    return tensors


def load_weights(folder):
    index = os.path.join(folder, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = [n for n in os.listdir(folder) if n.endswith(".safetensors")]
    weights = {}
    for name in files:
        weights.update(read_safetensors(os.path.join(folder, name)))
    return weights


class Model:
    def __init__(self, folder):
        with open(os.path.join(folder, "config.json")) as f:
            c = json.load(f)
        self.c = c
        self.w = load_weights(folder)
        arch = c["architectures"][0]
        self.arch = arch
        self.hidden = c["hidden_size"]
        self.heads = c["num_attention_heads"]
        self.kv_heads = c.get("num_key_value_heads") or self.heads
        default_hd = 128 if arch == "Qwen3ForCausalLM" else self.hidden // self.heads
        self.head_dim = c.get("head_dim") or default_hd
        self.eps = c.get("rms_norm_eps", 1e-6)
        self.layers = c["num_hidden_layers"]
        self.tied = c.get("tie_word_embeddings", False)
        self.qk_norm = arch == "Qwen3ForCausalLM"
        self.inv_freq = self.rope_inv_freq()

    def rope_inv_freq(self):
        c = self.c
        scaling = c.get("rope_scaling") or c.get("rope_parameters") or {}
        theta = c.get("rope_theta") or scaling.get("rope_theta") or 10000.0
        dim = self.head_dim
        inv = 1.0 / (theta ** (np.arange(0, dim, 2, dtype=np.float64) / dim))
        kind = scaling.get("rope_type", scaling.get("type", "default"))
        if kind == "linear":
            inv = inv / scaling["factor"]
        elif kind == "llama3":
            factor = scaling["factor"]
            low = scaling["low_freq_factor"]
            high = scaling["high_freq_factor"]
            old = scaling.get("original_max_position_embeddings", c.get("max_position_embeddings"))
            low_wavelen = old / low
            high_wavelen = old / high
            wavelen = 2 * math.pi / inv
            scaled = np.where(wavelen > low_wavelen, inv / factor, inv)
            smooth = (old / wavelen - low) / (high - low)
            smoothed = (1 - smooth) * scaled / factor + smooth * scaled
            medium = ~(wavelen < high_wavelen) & ~(wavelen > low_wavelen)
            inv = np.where(medium, smoothed, scaled)
        elif kind != "default":
            raise ValueError("rope type " + kind)
        return inv

    def rms(self, x, weight):
        var = np.mean(x * x, axis=-1, keepdims=True)
        return weight * (x / np.sqrt(var + self.eps))

    @staticmethod
    def rotate_half(x):
        half = x.shape[-1] // 2
        return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)

    def linear(self, x, name):
        y = x @ self.w[name + ".weight"].T
        if name + ".bias" in self.w:
            y = y + self.w[name + ".bias"]
        return y

    def logits(self, ids):
        """Logits [T, V] for one unpadded sequence."""
        ids = np.asarray(ids, dtype=np.int64)
        t = len(ids)
        x = self.w["model.embed_tokens.weight"][ids]
        pos = np.arange(t, dtype=np.float64)
        freqs = np.outer(pos, self.inv_freq)
        emb = np.concatenate([freqs, freqs], axis=-1)
        cos, sin = np.cos(emb), np.sin(emb)
        causal = np.tril(np.ones((t, t), dtype=bool))
        n_rep = self.heads // self.kv_heads
        d = self.head_dim
        for i in range(self.layers):
            p = "model.layers.%d." % i
            h = self.rms(x, self.w[p + "input_layernorm.weight"])
            q = self.linear(h, p + "self_attn.q_proj").reshape(t, self.heads, d)
            k = self.linear(h, p + "self_attn.k_proj").reshape(t, self.kv_heads, d)
            v = self.linear(h, p + "self_attn.v_proj").reshape(t, self.kv_heads, d)
            if self.qk_norm:
                q = self.rms(q, self.w[p + "self_attn.q_norm.weight"])
                k = self.rms(k, self.w[p + "self_attn.k_norm.weight"])
            q = q.transpose(1, 0, 2)  # [H, T, D]
            k = k.transpose(1, 0, 2)
            v = v.transpose(1, 0, 2)
            q = q * cos + self.rotate_half(q) * sin
            k = k * cos + self.rotate_half(k) * sin
            k = np.repeat(k, n_rep, axis=0)  # repeat_kv: kv head j serves query heads j*n_rep .. j*n_rep+n_rep-1
            v = np.repeat(v, n_rep, axis=0)
            scores = q @ k.transpose(0, 2, 1) / math.sqrt(d)
            scores = np.where(causal, scores, -np.inf)
            scores = scores - scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs = probs / probs.sum(axis=-1, keepdims=True)
            attn = (probs @ v).transpose(1, 0, 2).reshape(t, self.heads * d)
            x = x + self.linear(attn, p + "self_attn.o_proj")
            h = self.rms(x, self.w[p + "post_attention_layernorm.weight"])
            gate = self.linear(h, p + "mlp.gate_proj")
            up = self.linear(h, p + "mlp.up_proj")
            act = gate / (1.0 + np.exp(-gate)) * up
            x = x + self.linear(act, p + "mlp.down_proj")
        x = self.rms(x, self.w["model.norm.weight"])
        head = self.w["model.embed_tokens.weight"] if self.tied else self.w["lm_head.weight"]
        return x @ head.T

    @staticmethod
    def log_softmax(z):
        z = z - z.max(axis=-1, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))

    def loglik(self, ctx, cont):
        seq = list(ctx) + list(cont)
        logp = self.log_softmax(self.logits(seq[:-1]))
        rows = logp[len(ctx) - 1:len(seq) - 1]
        total = float(sum(rows[j, cont[j]] for j in range(len(cont))))
        greedy = bool(all(int(np.argmax(rows[j])) == cont[j] for j in range(len(cont))))
        # how far each is_greedy decision is from flipping: |logp(token) - best other logp|
        margin = min(abs(rows[j, cont[j]] - np.max(np.delete(rows[j], cont[j]))) for j in range(len(cont)))
        return {"logprob": total, "greedy": greedy, "margin": float(margin)}

    def generate(self, prompt, n, eos):
        seq = list(prompt)
        out = []
        margins = []
        for _ in range(n):
            last = self.logits(seq)[-1]
            nxt = int(np.argmax(last))
            margins.append(float(last[nxt] - np.max(np.delete(last, nxt))))
            if nxt == eos:
                break
            out.append(nxt)
            seq.append(nxt)
        return {"tokens": out, "margins": margins}


def main():
    model = Model(sys.argv[1])
    req = json.load(sys.stdin)
    resp = {
        "logits": [model.logits(s).tolist() for s in req.get("sequences", [])],
        "loglik": [model.loglik(c, k) for c, k in req.get("loglik", [])],
        "generate": [model.generate(p, n, e) for p, n, e in req.get("generate", [])],
    }
    json.dump(resp, sys.stdout)


if __name__ == "__main__":
    main()
