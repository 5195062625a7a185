"""Files attached to records (``models.Attachment``): checked on the way in — the type by its
extension and its first bytes, the size (``lib.files``) — stored with an audit row, and served
only to a user who reaches the record they belong to through the scope layer (another zone's
user, another enterprise: 404), as a download, never inline."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_noop
from django.views import View

from . import audit
from .views import ObjectMixin


def attach(attachment, upload, *, acting_user, after: dict | None = None):
    """Check ``upload`` and store it as ``attachment`` (an unsaved ``Attachment`` of the record's
    model, its record set), with its audit row; a refused file raises ``ValidationError({"file": …})``
    in Chinese and stores nothing."""
    from feidi.lib.files import check_django_upload
    from feidi.lib.files import shortened

    check_django_upload(upload)
    limit = type(attachment)._meta.get_field("name").max_length
    attachment.name, attachment.size, attachment.uploaded_by = shortened(upload.name, limit), upload.size, acting_user
    with transaction.atomic():
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        audit.record(audit.AuditRecord.Action.CREATE, attachment, user=acting_user,
                     after={**(after or {}), "name": attachment.name, "size": attachment.size})
    return attachment


def detach(attachment, *, acting_user, after: dict | None = None) -> None:
    """Remove an attachment and its file, with the audit row (the file goes after the commit)."""
    name = attachment.file.name
    storage = attachment.file.storage
    with transaction.atomic():
        audit.record(audit.AuditRecord.Action.DELETE, attachment, user=acting_user,
                     before={**(after or {}), "name": attachment.name, "size": attachment.size})
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(name))


class AttachmentView(ObjectMixin, View):
    """Download one file of a record: the record (``model``) is loaded through the scope first,
    then the file among its own (``files_of``); the URL names them ``pk`` and ``file_kwarg``."""

    file_kwarg = "file"
    missing = gettext_noop("附件不存在")

    def files_of(self, obj):
        return obj.attachments.all()

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        found = self.files_of(obj).filter(pk=kwargs[self.file_kwarg]).first()
        if found is None:
            raise Http404(gettext(self.missing))
        return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.name)


class AttachView(ObjectMixin, View):
    """Upload (POST ``file``) to a record reached through the scope of the view's permission
    (``get_permission``: ``change`` of a policy, ``add`` of an application …); ``store`` calls the
    action. A refused file is said on the record's page, in Chinese, and nothing is stored.
    Each page names its action in ``store(obj, upload)`` (the appeal's, the policy's, the
    application's: each checks its own rules before attaching)."""

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, gettext("请选择文件"))
        else:
            from . import formtokens

            try:
                with formtokens.once(request, obj.get_absolute_url()):  # the same upload posted twice: one file
                    self.store(obj, upload)
            except formtokens.AlreadySubmitted as exc:
                messages.warning(request, str(exc))
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, gettext("已上传 {name}").format(name=upload.name))
        return redirect(obj.get_absolute_url())
