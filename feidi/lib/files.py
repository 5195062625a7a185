"""Upload checks: allowed types by extension AND by the file's first bytes, and a size limit."""

from __future__ import annotations

import re

from django.utils.translation import gettext

# extension → the magic numbers its files start with
SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".zip": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".ofd": (b"PK\x03\x04",),  # 版式文档 OFD (GB/T 33190) is a zip container
}


class RejectedFile(ValueError):
    pass


def shortened(name: str, limit: int) -> str:
    """``name`` within ``limit`` characters, its extension kept (a name cut at the limit lost its
    ".png", and the download came back without a type)."""
    if len(name) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) + 1 >= limit:
        return name[:limit]
    return stem[:limit - len(ext) - 1] + "." + ext


# what a file name may not hold on any system a download or the media folder lands on: path
# separators, Windows' reserved characters, control characters (a tab, a line break)
UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def file_name(text: str, suffix: str = "", limit: int = 120) -> str:
    """A file name made of a record's text (a report's title, a rule's name): what no file name may
    hold (``/``, ``\\``, ``..`` as a path, quotes, control characters) replaced by "_", leading
    dots and spaces dropped, at most ``limit`` characters with ``suffix`` (".docx") kept. A title
    "重点项目\\..\\x" made the report's file a path out of its folder, refused, and no report was
    made; "专报/第二版" a folder."""
    stem = UNSAFE_IN_NAME.sub("_", str(text)).strip().lstrip(". ").strip() or "file"
    return shortened(stem + suffix, limit)


def check_upload(name: str, head: bytes, size: int, max_bytes: int) -> str:
    """Return the normalized extension or raise RejectedFile with a Chinese message."""
    ext = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in SIGNATURES:
        allowed = "、".join(sorted(e.lstrip(".") for e in SIGNATURES))
        raise RejectedFile(gettext("不支持的文件类型“{ext}”，允许：{allowed}").format(
            ext=ext or gettext("无扩展名"), allowed=allowed))
    if size > max_bytes:
        raise RejectedFile(gettext("文件超过{value}MB上限").format(value=max_bytes // (1024 * 1024)))
    if size == 0:
        raise RejectedFile(gettext("文件为空"))
    if not any(head.startswith(sig) for sig in SIGNATURES[ext]):
        raise RejectedFile(gettext("文件内容与扩展名{ext}不符").format(ext=ext))
    return ext


def validate_upload(upload) -> None:
    """``check_upload`` for a Django ``UploadedFile`` against ``ATTACHMENT_MAX_BYTES``, as a form
    field's validator (``ValidationError`` with the Chinese message)."""
    from django.conf import settings
    from django.core.exceptions import ValidationError

    head = upload.read(16)
    upload.seek(0)
    try:
        check_upload(upload.name, head, upload.size, settings.ATTACHMENT_MAX_BYTES)
    except RejectedFile as exc:
        raise ValidationError(str(exc)) from None


def check_django_upload(upload) -> None:
    """``validate_upload`` raising the form-style ``ValidationError({"file": …})`` every attaching
    action reports."""
    from django.core.exceptions import ValidationError

    try:
        validate_upload(upload)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
