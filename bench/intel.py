"""Issue 18 benchmark: news items through the job queue (extraction, grouping, scoring, saving),
beside the NER model alone on the same items in the same run.

Builds on PostgreSQL (database ``feidi_bench_intel`` on FEIDI_BENCH_DATABASE_URL, default the
local server) one zone with an investment officer and a chain (segments, 链主, residents), then
generates ``--items`` news items of about 1,000 characters (deterministic: a headline sentence
with a firm, place, amount and event drawn from lists, then stories of the labelled set; a tenth
of the items are reposts of another item with a different header and byline), stores them unanalysed and queues their analysis in batches of
``actions.BATCH`` — what the intake does. A ``feidi worker --workers 2`` process (the production
consumer: two worker threads) then works the queue; the time is from its start to the last
item analysed. Beside it, in the same run, the LAC model alone tags the same texts on two
threads (the same parallelism). Target: 10,000 items ≤ 10 minutes on 2 cores.

    .venv/bin/python bench/intel.py [--items 1000]        # 10,000 for the issue's figure
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.utils import timezone

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from foundation import ensure_database  # noqa: E402
from foundation import setup_django  # noqa: E402

FIRMS = ["丁锂科技股份有限公司", "戊光能科技有限公司", "己芯半导体股份有限公司", "庚航智能", "辛光学科技集团", "壬医药股份有限公司",
         "癸材料科技有限公司", "子车新能源汽车有限公司", "丑储能科技", "寅无人机科技有限公司", "卯碳纤维股份有限公司", "辰电子集团"]
PLACES = ["江西省上饶市", "湖南省长沙市", "安徽省合肥市", "四川省宜宾市", "江苏省常州市", "广东省江门市", "浙江省宁波市"]
EVENTS = ["扩产", "新建", "完成B轮融资", "收购", "中标", "签约", "科创板上市"]
TOPICS = ["磷酸铁锂正极材料", "TOPCon电池", "12英寸晶圆", "车载镜头", "创新药制剂", "eVTOL整机", "碳纤维", "动力电池电芯",
          "光伏组件", "储能电池", "碳化硅衬底", "电驱系统"]
def story(rng: random.Random, i: int, pool: list[str]) -> tuple[str, str]:
    """A headline sentence about a generated firm, then stories of the labelled set (different
    firms, chains and styles) until about 1,000 characters: items share no more text than the
    few labelled stories two of them happen to draw."""
    firm, place, event, topic = rng.choice(FIRMS), rng.choice(PLACES), rng.choice(EVENTS), rng.choice(TOPICS)
    amount = f"{rng.randint(2, 300)}亿元" if rng.random() < 0.8 else f"{rng.randint(1, 50)}亿美元"
    day = f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日"
    title = f"{firm}{event}{topic}项目（第{i}号）"
    text = f"{firm}{day}公告，拟在{place}投资约{amount}{event}{topic}项目。"
    while len(text) < 1000:
        text += rng.choice(pool)
    return title, text[:1050]


def build(n: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from feidi.accounts.models import Department
    from feidi.accounts.models import Role
    from feidi.accounts.models import User
    from feidi.chains.models import Chain
    from feidi.chains.models import Segment
    from feidi.chains.models import SegmentMember
    from feidi.intel import dedup
    from feidi.intel.actions import fingerprint
    from feidi.intel.models import NewsItem
    from feidi.registry.models import Organization

    call_command("migrate", verbosity=0)
    zone = Department.objects.filter(name="基准情报园区").first()
    if zone is None:
        city = Department.objects.create(name="基准情报市", kind=Department.Kind.CITY)
        zone = Department.objects.create(name="基准情报园区", kind=Department.Kind.ZONE, parent=city)
    user = User.objects.filter(username="bench_intel").first()
    if user is None:
        user = User.objects.create(username="bench_intel", full_name="基准招商干部", department=zone,
                                   password=make_password(None))
        user.roles.add(Role.objects.get(code="investment"))
    chain, _ = Chain.objects.get_or_create(name="锂电新能源", department=zone)
    for order, name in enumerate(["锂矿", "正极材料", "电芯", "储能电池"], start=1):
        seg, _ = Segment.objects.get_or_create(chain=chain, name=name, defaults={"order": order, "department": zone})
        if name in ("电芯", "锂矿"):
            org, _ = Organization.objects.get_or_create(name=f"基准{name}企业有限公司", defaults={
                "uscc": f"91360000MA{order:08d}", "department": zone})
            SegmentMember.objects.get_or_create(segment=seg, organization=org, defaults={
                "role": SegmentMember.Role.MASTER, "department": zone})
    NewsItem.objects.filter(department=zone).delete()
    from feidi.intel.evaluation import load

    pool = [item["text"] for item in load()]
    rng = random.Random(18)
    rows, texts = [], []
    today = timezone.localdate()
    for i in range(n):
        if texts and rng.random() < 0.1:  # a repost of an earlier story
            title, text = texts[rng.randrange(len(texts))]
            text = "【转载】" + text.replace("，", "。", 1) + "（记者 某某）"
        else:
            title, text = story(rng, i, pool)
        texts.append((title, text))
        item = NewsItem(title=title, text=text, published_on=today - dt.timedelta(days=rng.randint(0, 30)),
                        source="基准", department=zone, created_by=user, content_hash=dedup.content_hash(text))
        fingerprint(item)  # as do_add_item does when an item is stored
        rows.append(item)
    NewsItem.objects.bulk_create(rows, batch_size=2000)
    ids = list(NewsItem.objects.filter(department=zone).order_by("pk").values_list("pk", flat=True))
    return {"ids": ids, "texts": [f"{t}\n{x}" for t, x in texts], "zone": zone.pk}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--database", default=os.environ.get(
        "FEIDI_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/feidi_bench_intel"))
    args = parser.parse_args()
    ensure_database(args.database)
    var = tempfile.mkdtemp(prefix="feidi-bench-intel-")
    os.environ["FEIDI_VAR_DIR"] = var
    setup_django(args.database)
    from django.conf import settings

    settings.HUEY["immediate"] = False  # the jobs go to the queue the worker reads
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False
    built = build(args.items)
    ids, texts = built["ids"], built["texts"]
    chars = sum(len(t) for t in texts) / len(texts)
    print(f"{len(ids)} items, {chars:.0f} characters on average; database {args.database.rsplit('/', 1)[-1]}")

    from feidi.intel import extract
    from feidi.intel.jobs import queue_analysis
    from feidi.intel.models import NewsItem

    queue_analysis(ids)  # batches of actions.BATCH into the job queue, as the intake does
    env = {**os.environ, "FEIDI_DATABASE_URL": args.database, "FEIDI_VAR_DIR": var, "FEIDI_JOBS_IMMEDIATE": "false"}
    started = time.perf_counter()
    worker = subprocess.Popen([sys.executable, "-m", "feidi", "worker", "--workers", "2"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            done = NewsItem.objects.filter(pk__in=ids, analysed_at__isnull=False).count()
            if done >= len(ids):
                break
            if worker.poll() is not None:
                raise SystemExit(f"the worker stopped after {done} items")
            time.sleep(1)
        job_seconds = time.perf_counter() - started
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    groups = NewsItem.objects.filter(pk__in=ids, duplicate_of__isnull=False).count()
    print(f"job queue (feidi worker --workers 2): {job_seconds:.1f} s, {len(ids) / job_seconds:.1f} items/s; "
          f"{groups} grouped as reposts")

    extract.model()  # loaded once, as in the worker
    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(extract.tokens, texts, chunksize=50))
    ner_seconds = time.perf_counter() - started
    print(f"NER model alone (LAC on ONNX Runtime, 2 threads): {ner_seconds:.1f} s, {len(ids) / ner_seconds:.1f} items/s")
    print(f"ratio job / NER alone: {job_seconds / ner_seconds:.2f}")
    print(f"10,000 items at this pace: {10_000 * job_seconds / len(ids) / 60:.1f} min (target ≤ 10 min)")


if __name__ == "__main__":
    main()
