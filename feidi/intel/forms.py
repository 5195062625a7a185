from django import forms
from django.utils.translation import gettext_lazy as _

from feidi.core.forms import ScopedModelForm
from feidi.core.forms import StyledFormMixin
from feidi.core.forms import scoped_form

from .models import DocKind
from .models import NewsItem
from .models import Source


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class NewsItemForm(ScopedModelForm):
    class Meta:
        model = NewsItem
        fields = ["title", "source", "doc_kind", "published_on", "url", "text"]
        widgets = {"published_on": forms.DateInput(attrs={"type": "date"}),
                   "text": forms.Textarea(attrs={"rows": 12})}


class IntakeForm(StyledFormMixin, forms.Form):
    """Paste a story, or upload files (.txt .html .docx .pdf), several at once."""

    title = forms.CharField(label=_("标题"), max_length=300, required=False,
                            help_text=_("留空则取正文第一行"))
    source = forms.CharField(label=_("来源"), max_length=100, required=False)
    doc_kind = forms.ChoiceField(label=_("类型"), choices=DocKind.choices, initial=DocKind.NEWS)
    published_on = forms.DateField(label=_("发布日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text=_("留空为今天"))
    url = forms.CharField(label=_("原文链接"), max_length=500, required=False)
    text = forms.CharField(label=_("正文"), required=False, max_length=200_000,
                           widget=forms.Textarea(attrs={"rows": 10}))
    files = MultipleFileField(label=_("或上传文件"), required=False,
                            widget=MultipleFileInput(attrs={"accept": ".txt,.html,.htm,.docx,.pdf"}),
                            help_text=_("支持 .txt .html .docx .pdf，可多选"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("files"):
            raise forms.ValidationError(_("请粘贴正文或上传文件"))
        return data


SourceForm = scoped_form(Source, ["name", "kind", "location", "every_hours", "active"])
