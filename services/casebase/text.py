"""Tokenisation of Chinese and English incident text, and TF-IDF vectors over it."""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

import jieba
import numpy as np
from numpy.typing import NDArray
from scipy import sparse

jieba.setLogLevel(logging.WARNING)

_RUN = re.compile(r"[\u3400-\u9fff]+|[A-Za-z][A-Za-z0-9]*(?:['-][A-Za-z0-9]+)*")
_CJK = re.compile(r"[\u3400-\u9fff]")
_SENTENCE = re.compile(r"[.;!?。；！？\n]+")

_EN_STOP_TEXT = """a an the and or of in on at to from by for with as is was were be been being are it its this
    that these those which who whom into over under after before during about than then there their they he
    she we our us his her them also not no but if so such while when where within without between through
    per all any some more most other one two three several many much very up out off near had has have did
    do does can could would should may might will shall s t"""
EN_STOPWORDS = frozenset(_EN_STOP_TEXT.split())
_ZH_STOP_TEXT = """的 了 在 是 和 与 及 并 等 对 被 由 从 向 将 把 为 以 其 之 于 后 前 中 时 约
    一个 这 那 也 又 已 并且 因 而"""
ZH_STOPWORDS = frozenset(_ZH_STOP_TEXT.split())

# fmt: off
# Canonical forms of English words, so inflections and synonyms meet.
EN_SYNONYMS: dict[str, str] = {
    "blast": "explosion", "blasts": "explosion", "exploded": "explosion", "explosions": "explosion",
    "explode": "explosion", "detonation": "explosion", "detonated": "explosion", "deflagration": "explosion",
    "fires": "fire", "blaze": "fire", "burning": "fire", "burned": "fire", "burnt": "fire", "flames": "fire",
    "leaked": "leak", "leaking": "leak", "leakage": "leak", "leaks": "leak",
    "released": "release", "releases": "release", "releasing": "release",
    "spilled": "spill", "spilt": "spill", "spills": "spill",
    "gases": "gas", "tanks": "tank", "petrol": "gasoline", "derailed": "derailment", "derail": "derailment",
    "train": "rail", "railway": "rail", "railroad": "rail", "trains": "rail",
    "trucks": "tanker", "truck": "tanker", "lorry": "tanker", "tankers": "tanker",
    "pipelines": "pipeline", "pipe": "pipeline", "pipes": "pipeline",
    "evacuated": "evacuation", "evacuate": "evacuation", "evacuations": "evacuation",
    "poisoned": "poisoning", "toxicity": "toxic", "polluted": "pollution", "contaminated": "pollution",
    "contamination": "pollution", "rivers": "river", "ships": "ship", "vessel": "ship", "vessels": "ship",
    "tanker-ship": "ship", "jetties": "jetty", "wharf": "jetty", "pier": "jetty", "berth": "jetty",
    "harbour": "port", "harbor": "port", "warehouses": "warehouse", "reactors": "reactor",
    "refrigerated": "refrigeration", "cold-storage": "refrigeration", "lpg": "lpg",
    "overfilled": "overfill", "overflowed": "overfill", "overflow": "overfill",
}

# Chinese terms that map to English concepts, so a Chinese query meets English text and back.
ZH_GLOSSARY: dict[str, tuple[str, ...]] = {
    "氯气": ("chlorine",), "液氯": ("chlorine",), "氯罐": ("chlorine", "tank"), "氨气": ("ammonia",),
    "液氨": ("ammonia",), "硫化氢": ("sulfide",),
    "泄漏": ("leak",), "泄露": ("leak",), "外泄": ("leak",), "释放": ("release",),
    "爆炸": ("explosion",), "爆燃": ("explosion",), "闪爆": ("explosion",),
    "火灾": ("fire",), "着火": ("fire",), "起火": ("fire",), "燃烧": ("fire",), "大火": ("fire",),
    "储罐": ("tank",), "罐区": ("tank", "farm"), "油罐": ("tank", "oil"), "储油": ("tank", "oil"),
    "码头": ("jetty",), "港口": ("port",), "港区": ("port",), "管道": ("pipeline",), "管线": ("pipeline",),
    "槽车": ("tanker",), "罐车": ("tanker",), "货车": ("tanker",), "列车": ("rail",), "火车": ("rail",),
    "脱轨": ("derailment",), "铁路": ("rail",), "高速": ("highway",), "公路": ("highway",),
    "水源": ("water", "supply"), "饮用水": ("drinking", "water"),
    "污染": ("pollution",), "溢油": ("oil", "spill"), "漏油": ("oil", "spill"), "原油": ("crude", "oil"),
    "汽油": ("gasoline",), "石脑油": ("naphtha",), "液化石油气": ("lpg",), "液化气": ("lpg",),
    "天然气": ("natural", "gas"), "氯乙烯": ("vinyl", "chloride"), "丙烯": ("propylene",),
    "丁二烯": ("butadiene",), "纯苯": ("benzene",), "硝基苯": ("nitrobenzene",), "苯酚": ("phenol",),
    "硝酸铵": ("ammonium", "nitrate"), "氯酸钠": ("chlorate",), "硝酸胍": ("nitrate",),
    "氢氟酸": ("hydrofluoric",), "氟化氢": ("hydrofluoric",), "氰化": ("cyanide",), "镉": ("cadmium",),
    "硫酸": ("sulfuric", "acid"), "疏散": ("evacuation",), "中毒": ("poisoning",), "有毒": ("toxic",),
    "冷库": ("refrigeration",), "制冷": ("refrigeration",), "化工": ("chemical",), "园区": ("park",),
    "反应釜": ("reactor",), "失控": ("runaway",), "船舶": ("ship",), "油轮": ("ship", "tanker"),
    "危险品": ("hazardous",),
    "仓库": ("warehouse",), "硝化": ("nitration",), "废料": ("waste",), "炼油": ("refinery",),
    "炼化": ("refinery",), "石化": ("petrochemical",), "化肥": ("fertiliser",), "农药": ("pesticide",),
    "水幕": ("curtain",), "泡沫": ("foam",), "堵漏": ("plugging",), "井喷": ("blowout",), "气田": ("gas", "field"),
    "蒸气云": ("vapour", "cloud"), "沸溢": ("boilover",), "雷击": ("lightning",),
}
# fmt: on
# Single characters are matched against whole jieba words (or, for rivers, word endings) to avoid
# false hits such as the 江 in 江苏.
ZH_SINGLE: dict[str, tuple[str, ...]] = {"苯": ("benzene",), "氨": ("ammonia",), "氯": ("chlorine",)}
ZH_SUFFIX: dict[str, tuple[str, ...]] = {"江": ("river",), "河": ("river",), "船": ("ship",), "轮": ("ship",)}
_EN_EXTRA = {"fertilizer": "fertiliser", "vapor": "vapour", "sulphide": "sulfide", "sulphuric": "sulfuric"}


def _normalise_en(word: str) -> str | None:
    w = word.lower().removesuffix("'s")
    w = _EN_EXTRA.get(w, w)
    if w in EN_STOPWORDS or len(w) < 2:
        return None
    if w in EN_SYNONYMS:
        return EN_SYNONYMS[w]
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return EN_SYNONYMS.get(w, w)


@lru_cache(maxsize=200_000)
def _tokenize_sentence(sentence: str) -> tuple[str, ...]:
    out: list[str] = []
    for match in _RUN.finditer(sentence):
        run = match.group(0)
        if _CJK.match(run):
            words = jieba.lcut(run)
            out += [w for w in words if len(w) >= 2 and w not in ZH_STOPWORDS]
            for term, concepts in ZH_GLOSSARY.items():
                if term in run:
                    out += concepts
            for w in words:
                if w in ZH_SINGLE:
                    out += ZH_SINGLE[w]
                elif len(w) >= 2 and w[-1] in ZH_SUFFIX:
                    out += ZH_SUFFIX[w[-1]]
        elif (w := _normalise_en(run)) is not None:
            out.append(w)
    return tuple(out)


def tokenize(text: str) -> list[str]:
    """Tokens of mixed Chinese/English text: jieba words, glossary concepts, normalised English words."""
    tokens: list[str] = []
    for sentence in _SENTENCE.split(text):
        if sentence.strip():
            tokens += _tokenize_sentence(sentence.strip())
    return tokens


class TfidfIndex:
    """Sublinear TF-IDF vectors of a document collection, L2-normalised, in a CSR matrix."""

    def __init__(self, documents: Sequence[Sequence[str]]) -> None:
        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for r, doc in enumerate(documents):
            for term, count in Counter(doc).items():
                cols.append(vocab.setdefault(term, len(vocab)))
                rows.append(r)
                vals.append(1.0 + math.log(count))
        self.vocabulary = vocab
        self.terms = list(vocab)
        n = len(documents)
        tf = sparse.csr_matrix((vals, (rows, cols)), shape=(n, len(vocab)), dtype=np.float64)
        df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=len(vocab))
        self.idf: NDArray[np.float64] = np.log((1.0 + n) / (1.0 + df)) + 1.0
        weighted = tf.multiply(self.idf.reshape(1, -1)).tocsr()
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        self.matrix: sparse.csr_matrix = sparse.csr_matrix(sparse.diags(1.0 / norms) @ weighted)

    def query_vector(self, tokens: Iterable[str]) -> dict[int, float]:
        """Normalised sparse query vector (term index -> weight); unknown terms are dropped."""
        counts = Counter(t for t in tokens if t in self.vocabulary)
        vec = {self.vocabulary[t]: (1.0 + math.log(c)) * float(self.idf[self.vocabulary[t]]) for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {k: v / norm for k, v in vec.items()}

    def scores(self, qvec: dict[int, float]) -> NDArray[np.float64]:
        """Cosine similarity of the query with every document."""
        if not qvec:
            return np.zeros(self.matrix.shape[0])
        idx = np.fromiter(qvec.keys(), dtype=np.int64)
        val = np.fromiter(qvec.values(), dtype=np.float64)
        return np.asarray(self.matrix[:, idx] @ val).ravel()

    def shared_terms(self, qvec: dict[int, float], doc: int, limit: int = 5) -> list[str]:
        """Terms that contribute most to the query's similarity with one document."""
        row = self.matrix.getrow(doc)
        weights = {int(j): float(v) * qvec[int(j)] for j, v in zip(row.indices, row.data, strict=True) if j in qvec}
        top = sorted(weights, key=lambda j: -weights[j])[:limit]
        return [self.terms[j] for j in top]


def clear_token_cache() -> None:
    """Forget cached sentence tokenisations (benchmarks use it to time fresh text)."""
    _tokenize_sentence.cache_clear()
