"""Excel out: a list exports what the page shows; a large export goes through the job queue."""

import io

from django.urls import reverse
from python_calamine import CalamineWorkbook

from feidi.core.models import AuditRecord
from feidi.core.models import ExportFile


def rows_of(content: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_name(book.sheet_names[0]).to_python()


def test_the_export_has_the_list_columns_and_only_the_filtered_rows(cast, client_for):
    c = client_for("clerk")
    response = c.get(reverse("registry:organization_list"), {"q": "光伏", "export": "xlsx"})
    assert response.status_code == 200
    rows = rows_of(response.content)
    assert rows[0][:2] == ["名称", "统一社会信用代码"]
    assert [r[0] for r in rows[1:]] == ["甲光伏科技有限公司"]
    assert AuditRecord.objects.filter(action="export").exists()


def quoted_texts(content: bytes) -> set[str]:
    """The texts of the first sheet whose cell style carries Excel's quote prefix."""
    import re
    import zipfile
    from xml.etree import ElementTree

    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    archive = zipfile.ZipFile(io.BytesIO(content))
    styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    quoted = {i for i, xf in enumerate(styles.find("m:cellXfs", ns)) if xf.get("quotePrefix") == "1"}
    strings = [re.sub(r"<[^>]+>", "", si) for si in re.findall(r"<si>(.*?)</si>", archive.read(
        "xl/sharedStrings.xml").decode(), re.S)] if "xl/sharedStrings.xml" in archive.namelist() else []
    out = set()
    for cell in ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml")).iter(f"{{{ns['m']}}}c"):
        if int(cell.get("s", 0)) in quoted:
            inline = cell.find("m:is/m:t", ns)
            out.add(inline.text if inline is not None else strings[int(cell.find("m:v", ns).text)])
    return out


def test_formula_looking_text_is_exported_as_written_and_kept_text(cast, client_for):
    """A text starting as a formula is neither run nor changed: the cell holds it as written, with
    Excel's quote prefix (so editing it keeps it text), never an apostrophe that becomes data and
    is imported back as "'=…"."""
    from feidi.registry.models import Organization

    name = "=HYPERLINK(\"http://x\")"
    Organization.objects.filter(pk=cast.org_a1.pk).update(name=name)
    Organization.objects.filter(pk=cast.org_a2.pk).update(name="-5 号公司")
    content = client_for("clerk").get(reverse("registry:organization_list"), {"export": "xlsx"}).content
    names = [r[0] for r in rows_of(content)[1:]]
    assert name in names and "-5 号公司" in names and not any(str(n).startswith("'") for n in names)
    quoted = quoted_texts(content)
    assert {name, "-5 号公司"} <= quoted and "名称" not in quoted


def test_every_workbook_quotes_formula_like_text_whatever_writes_it():
    """The quote prefix is the workbook's, not one exporter's: write, write_row and merge_range, with
    a format of the caller's or none, all give it, the caller's format otherwise kept."""
    from feidi.core.exports import workbook

    buffer = io.BytesIO()
    book = workbook(buffer)
    sheet = book.add_worksheet("x")
    bold = book.add_format({"bold": True})
    sheet.write(0, 0, "=1+1")
    sheet.write_row(1, 0, ["@SUM(A1)", "plain", "+86 139"], bold)
    sheet.merge_range(2, 0, 2, 2, "-cmd", bold)
    sheet.write_row(3, 0, ["＝1+1", "＋86", "－1", "＠SUM(A1)"])  # typed by a Chinese input method
    book.close()
    content = buffer.getvalue()
    assert quoted_texts(content) == {"=1+1", "@SUM(A1)", "+86 139", "-cmd", "＝1+1", "＋86", "－1", "＠SUM(A1)"}
    assert [row[:3] for row in rows_of(content)[:3]] == [["=1+1", "", ""], ["@SUM(A1)", "plain", "+86 139"],
                                                        ["-cmd", "", ""]]
    import zipfile
    from xml.etree import ElementTree

    xfs = ElementTree.fromstring(zipfile.ZipFile(io.BytesIO(content)).read("xl/styles.xml")).find(
        "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}cellXfs")
    bold_font = {xf.get("fontId") for xf in xfs if xf.get("quotePrefix") != "1"} - {"0"}
    assert {xf.get("fontId") for xf in xfs if xf.get("quotePrefix") == "1"} == {"0"} | bold_font  # bold kept


def test_a_large_export_lands_in_the_download_centre(cast, client_for, settings,
                                                     django_capture_on_commit_callbacks):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    c = client_for("clerk")
    # The export link asks first: a GET queues nothing (a crawler or a prefetch would queue jobs).
    page = c.get(reverse("registry:organization_list"), {"export": "xlsx", "sort": "name"})
    assert page.status_code == 200 and not ExportFile.objects.exists()
    body = page.content.decode()
    assert "共 2 行" in body and 'name="query" value="sort=name"' in body
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("core:exportfile_queue"),
                          {"view_name": "registry:organization_list", "query": "sort=name&export=xlsx"})
    assert response.status_code == 302 and response.url == reverse("core:exportfile_list")
    job = ExportFile.objects.get(user=cast.clerk)
    assert job.status == ExportFile.Status.DONE and job.rows == 2 and job.query == "sort=name"
    page = c.get(reverse("core:exportfile_list")).content.decode()
    assert "下载" in page
    download = c.get(reverse("core:exportfile_download", kwargs={"pk": job.pk}))
    names = sorted(r[0] for r in rows_of(b"".join(download.streaming_content))[1:])
    assert names == sorted(["甲光伏科技有限公司", "乙锂电材料有限公司"])
    # Another user's download centre does not show it, and the file answers 404.
    other = client_for("other_clerk")
    assert "下载" not in other.get(reverse("core:exportfile_list")).content.decode().split("<tbody>")[1]
    assert other.get(reverse("core:exportfile_download", kwargs={"pk": job.pk})).status_code == 404


def test_an_export_waiting_is_not_queued_twice_and_only_a_list_is_queued(cast, client_for, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    c = client_for("clerk")
    data = {"view_name": "registry:organization_list", "query": ""}
    for _ in range(3):  # no worker runs: the first stays pending, the others find it
        assert c.post(reverse("core:exportfile_queue"), data).status_code == 302
    assert ExportFile.objects.filter(user=cast.clerk).count() == 1
    # Another filter is another export.
    c.post(reverse("core:exportfile_queue"), {**data, "query": "q=甲"})
    assert ExportFile.objects.filter(user=cast.clerk).count() == 2
    # A name that is no list (or no page at all) queues nothing; nor does a GET.
    for name in ("core:workbench", "accounts:logout", "nothing:here", ""):
        assert c.post(reverse("core:exportfile_queue"), {**data, "view_name": name}).status_code == 404
    assert c.get(reverse("core:exportfile_queue")).status_code == 405
    assert ExportFile.objects.filter(user=cast.clerk).count() == 2


def test_an_export_whose_worker_died_is_failed_and_may_be_asked_for_again(cast, client_for, settings, monkeypatch):
    """A worker killed mid-export leaves it 生成中 and silent: past ``progress.STALE_SECONDS`` the same
    export asked for again is queued (the dead one failed, saying so), while one still heard from
    is not queued twice."""
    import datetime as dt
    import time

    from feidi.core import progress
    from feidi.core.jobs import fail_abandoned_jobs

    settings.EXPORT_INLINE_MAX_ROWS = 1
    c = client_for("clerk")
    data = {"view_name": "registry:organization_list", "query": ""}
    c.post(reverse("core:exportfile_queue"), data)
    alive = ExportFile.objects.get(user=cast.clerk)
    ExportFile.objects.filter(pk=alive.pk).update(status=ExportFile.Status.RUNNING)
    progress.publish(f"export-{alive.pk}", done=2000)  # its worker spoke just now
    c.post(reverse("core:exportfile_queue"), data)
    assert ExportFile.objects.filter(user=cast.clerk).count() == 1
    fail_abandoned_jobs()
    assert ExportFile.objects.get(pk=alive.pk).status == ExportFile.Status.RUNNING
    # silent for longer than a working export ever is (the clock moved on, not the export)
    later = time.time() + progress.STALE_SECONDS + 60
    with monkeypatch.context() as patched:
        patched.setattr(progress.time, "time", lambda: later)
        c.post(reverse("core:exportfile_queue"), data)
    dead = ExportFile.objects.get(pk=alive.pk)
    assert dead.status == ExportFile.Status.FAILED and "生成中断" in dead.error
    assert ExportFile.objects.filter(user=cast.clerk, status=ExportFile.Status.PENDING).count() == 1
    # one from before exports spoke: failed 2 hours after it was asked for
    old = ExportFile.objects.create(user=cast.clerk, title="单位", view_name="registry:organization_list",
                                    query="q=旧", status=ExportFile.Status.RUNNING)
    ExportFile.objects.filter(pk=old.pk).update(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=3))
    fail_abandoned_jobs()
    assert ExportFile.objects.get(pk=old.pk).status == ExportFile.Status.FAILED
    progress.clear(f"export-{alive.pk}")


def test_an_export_is_queued_only_of_a_list_its_user_may_open(cast, client_for, settings):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    ent = client_for("ent_a")
    response = ent.post(reverse("core:exportfile_queue"), {"view_name": "core:auditrecord_list", "query": ""})
    assert response.status_code == 403 and not ExportFile.objects.exists()


def test_a_distinct_filter_pages_and_sorts(cast, client_for):
    """The label filter joins labels (DISTINCT); paging over ids must still sort by name."""
    import datetime as dt

    from feidi.core.models import DictItem
    from feidi.registry.models import OrganizationLabel

    item = DictItem.objects.get(type__code="org_label", code="high_tech")
    for org in (cast.org_a1, cast.org_a2):
        for year in (2020, 2023):
            OrganizationLabel.objects.create(organization=org, label=item, since=dt.date(year, 1, 1),
                                             department=cast.dept_a)
    page = client_for("clerk").get(reverse("registry:organization_list"), {"label": item.pk, "sort": "-name"})
    rows = [row.name for row in page.context["table"].rows]
    assert len(rows) == 2  # each organization once, though it has two labels
    assert rows == sorted(rows, reverse=True)


def test_a_keyword_typed_full_width_or_in_traditional_characters_finds_the_row(cast, client_for):
    """What a Chinese input method leaves (ＡＢＣ) and a Hong Kong or Taiwan colleague types
    (電池) find the row written in half-width letters and simplified characters, in every list's
    search (the shared filter set); another zone's user still finds nothing of ours."""
    from feidi.registry.models import Organization

    Organization.objects.filter(pk=cast.org_a1.pk).update(name="甲光伏电池有限公司ABC")
    for q in ("光伏电池", "光伏電池", "ＡＢＣ", "abc"):
        response = client_for("clerk").get(reverse("registry:organization_list"), {"q": q})
        assert [o.name for o in response.context["page"].object_list] == ["甲光伏电池有限公司ABC"], q
    other = client_for("other_pmo").get(reverse("registry:organization_list"), {"q": "光伏電池"})
    assert other.status_code == 200 and not list(other.context["page"].object_list)


def test_every_workbook_writes_strings_as_strings():
    """``exports.workbook``: a text that looks like a formula, a web address or a network share
    is written as text — no formula, no hyperlink (a click on \\\\host\\share leaks the reader's
    login), no number."""
    import io
    import zipfile

    from feidi.core.exports import workbook

    buffer = io.BytesIO()
    book = workbook(buffer)
    sheet = book.add_worksheet("x")
    for row, text in enumerate(["=1+1", "https://evil.example/login", r"external:\\evil.example\s\x.exe", "00123"]):
        sheet.write(row, 0, text)
    book.close()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
        names = z.namelist()
    assert "<f>" not in xml and "hyperlink" not in xml and not any("sheet1.xml.rels" in n for n in names)
    assert xml.count('t="s"') == 4
