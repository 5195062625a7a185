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


def test_formula_looking_cells_are_neutralised(cast, client_for):
    from feidi.registry.models import Organization

    Organization.objects.filter(pk=cast.org_a1.pk).update(name="=HYPERLINK(\"http://x\")")
    rows = rows_of(client_for("clerk").get(reverse("registry:organization_list"), {"export": "xlsx"}).content)
    assert any(str(r[0]).startswith("'=") for r in rows[1:])


def test_a_large_export_lands_in_the_download_centre(cast, client_for, settings,
                                                     django_capture_on_commit_callbacks):
    settings.EXPORT_INLINE_MAX_ROWS = 1
    c = client_for("clerk")
    with django_capture_on_commit_callbacks(execute=True):
        response = c.get(reverse("registry:organization_list"), {"export": "xlsx"})
    assert response.status_code == 302 and response.url == reverse("core:exportfile_list")
    job = ExportFile.objects.get(user=cast.clerk)
    assert job.status == ExportFile.Status.DONE and job.rows == 2
    page = c.get(reverse("core:exportfile_list")).content.decode()
    assert "下载" in page
    download = c.get(reverse("core:exportfile_download", kwargs={"pk": job.pk}))
    names = sorted(r[0] for r in rows_of(b"".join(download.streaming_content))[1:])
    assert names == sorted(["甲光伏科技有限公司", "乙锂电材料有限公司"])
    # Another user's download centre does not show it, and the file answers 404.
    other = client_for("other_clerk")
    assert "下载" not in other.get(reverse("core:exportfile_list")).content.decode().split("<tbody>")[1]
    assert other.get(reverse("core:exportfile_download", kwargs={"pk": job.pk})).status_code == 404


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
