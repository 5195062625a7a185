"""Core API: dictionaries (read by every client for its choice lists), imports, 我的待办 and 统计查询."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from ninja import Field
from ninja import File
from ninja import Form
from ninja import Query
from ninja import Router
from ninja import Schema
from ninja import UploadedFile
from ninja.pagination import paginate

from .api import MAX_ID
from .api import Id
from .api import Pages
from .api import model_of
from .models import DictItem

router = Router(tags=["字典与导入 core"])


class DictItemSchema(Schema):
    id: int
    type: str = Field(alias="type.code")
    code: str
    label: str
    order: int
    active: bool


@router.get("/dictionaries/{type_code}", response=list[DictItemSchema], summary="字典条目")
def dictionary(request, type_code: str):
    return DictItem.objects.visible_to(request.user).filter(type__code=type_code).select_related("type")


# --- imports: another system feeds Feidi the same files, checked by the same rules --------------------

class ImportRowSchema(Schema):
    row: int
    column: str
    value: str
    message: str


class ImportJobSchema(Schema):
    """One import: its status and, while it runs, its progress; then its outcome."""

    id: int
    kind: str
    title: str
    filename: str
    sha256: str
    status: str
    status_display: str
    phase: str
    done: int
    progress_total: int
    written: int | None  # of the rows done, how many are written (in the import's open transaction)
    percent: int | None
    seconds_left: int | None
    sheet: str
    total: int
    created: int
    error_count: int
    warning_count: int
    errors: list[ImportRowSchema]
    warnings: list[ImportRowSchema]
    message: str
    confirmed: bool
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _job_out(job) -> dict:
    from . import imports

    live = imports.state(job)
    return {"id": job.pk, "kind": job.kind, "title": job.title, "filename": job.filename, "sha256": job.sha256,
            "status": job.status, "status_display": live["status_display"], "phase": live["phase"],
            "done": live["done"], "progress_total": live["total"], "written": live["written"],
            "percent": live["percent"],
            "seconds_left": live["seconds_left"], "sheet": job.sheet, "total": job.total, "created": job.created,
            "error_count": job.error_count, "warning_count": job.warning_count, "errors": job.errors,
            "warnings": job.warnings, "message": job.message, "confirmed": job.confirmed,
            "created_at": job.created_at, "finished_at": job.finished_at}


def _own_job(request, pk: int):
    from django.http import Http404

    from .models import ImportJob

    if not 1 <= int(pk) <= MAX_ID:
        raise Http404
    job = ImportJob.objects.visible_to(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


IMPORT_HELP = ("上传一个导入文件（.xlsx 或 UTF-8/GBK 编码的 .csv），kind 为 organizations（单位）、projects（招商项目）"
               "或 indicators（指标数据），规则与网页导入相同：任何一行有错误则整个文件不导入并逐行列出。小文件立即检查并写入，"
               "返回 200；大文件进入后台队列，返回 202，请轮询 GET /core/imports/{pk} 查看进度与结果。指标数据有波动提醒时"
               "状态为 awaiting，核实后 POST /core/imports/{pk}/confirm 确认导入。")


@router.post("/imports", response={200: ImportJobSchema, 202: ImportJobSchema}, summary="上传导入文件",
             description=IMPORT_HELP, openapi_extra=model_of("core.importjob"))
def upload_import(request, kind: Form[str], file: File[UploadedFile]):
    from . import imports
    from .importer import ImportFileError

    if kind not in imports.KINDS:
        raise ValidationError({"kind": [gettext("未知的导入类型：{kind}（可选：{join}）").format(
            kind=kind, join='、'.join(sorted(imports.KINDS)))]})
    if file.size > imports.importer_for(kind).limits.bytes:
        raise ValidationError({"file": [gettext("文件超过{megabytes}MB，请分批导入").format(
            megabytes=imports.importer_for(kind).limits.megabytes)]})
    try:
        job = imports.submit(request.user, kind, file.read(), file.name or "导入文件")
    except ImportFileError as exc:
        raise ValidationError({"file": [str(exc)]}) from None
    return (202 if job.status in ("queued", "running") else 200), _job_out(job)


@router.get("/imports", response=list[ImportJobSchema], summary="我的导入记录", openapi_extra=model_of("core.importjob"))
@paginate(Pages)
def list_imports(request):
    from .models import ImportJob

    return [_job_out(job) for job in ImportJob.objects.visible_to(request.user)[:500]]


@router.get("/imports/{pk}", response=ImportJobSchema, summary="导入的进度与结果",
            openapi_extra=model_of("core.importjob"))
def get_import(request, pk: Id):
    return _job_out(_own_job(request, pk))


@router.post("/imports/{pk}/confirm", response={200: ImportJobSchema, 202: ImportJobSchema},
             summary="确认有波动提醒的导入", openapi_extra=model_of("core.importjob", action="view"))
def confirm_import(request, pk: Id):
    from . import imports

    job = imports.confirm(request.user, _own_job(request, pk))
    return (202 if job.status in ("queued", "running") else 200), _job_out(job)


# --- 我的待办 -----------------------------------------------------------------------------------------

class TodoItemSchema(Schema):
    text: str
    url: str
    due: dt.datetime | dt.date | None
    overdue: bool
    note: str


class TodoSchema(Schema):
    key: str
    label: str
    count: int
    urgent: int
    action: str
    url: str
    items: list[TodoItemSchema]


@router.get("/todos", response=list[TodoSchema], summary="我的待办：各类待办的数量、逾期数与前几项（与页面 /todo/ 相同）")
def todos(request, limit: int = Query(5, ge=1, le=30, description="每类列出的条数")):
    """What waits for the signed-in user, each group read through the scope of the step it waits for
    (as the page shows it: the overdue groups first)."""
    from . import workbench

    return [{"key": t.key, "label": t.label, "count": t.count, "urgent": t.urgent, "action": t.action, "url": t.url,
             "items": [{"text": i.text, "url": i.url, "due": i.due, "overdue": i.overdue, "note": i.note}
                       for i in t.items]}
            for t in workbench.for_user(request.user, limit=limit)]


# --- 统计查询 -----------------------------------------------------------------------------------------

class StatsCatalogueSchema(Schema):
    key: str
    label: str
    noun: str
    unit: str
    state: bool
    help: str
    measures: list[dict]
    dates: list[dict]
    dimensions: list[dict]
    bands: list[dict]


@router.get("/stats/subjects", response=list[StatsCatalogueSchema], summary="统计查询：可统计的对象、统计项、日期、分类与分档")
def stats_subjects(request):
    from . import stats

    return stats.catalogue(request.user)


@router.get("/stats/query", summary="统计查询：任一可引用的数（计数、合计、同比/环比、两日变化、其中、分组、分档），附表述与口径",
            description="参数与页面 /core/stats/ 相同（可复制页面链接的查询串）：subject、measure（可重复）、date、"
                        "window（ytd、month、last3、last6、last12、year、day、all、range）、as_of、start、end、"
                        "compare（yoy、prev、change）、within、f.<分类>（可重复）、by、band、min、max、approx。")
def stats_query(request, subject: str):
    from . import stats

    try:
        answer = stats.evaluate(stats.parse(request.GET, request.user), request.user)
    except stats.QueryError as exc:
        raise ValidationError({"query": [str(exc)]}) from None
    return answer.as_dict()
