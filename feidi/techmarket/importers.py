from django.utils.translation import gettext_noop

from feidi.core.importer import Importer

from . import actions
from .forms import ThesaurusEntryForm


class ThesaurusEntryImporter(Importer):
    """Thesaurus entries from the .xlsx template: all rows or none, each checked by the entry form
    and written by the entry's action (a new entry belongs to the importing operator's department);
    an entry that exists (the same chain and term) is refused with its row, to be edited on its
    page."""

    form_class = ThesaurusEntryForm
    unique_in_file = (("chain", "term"),)  # the entry's key; PV and ｐｖ are one term
    action = staticmethod(actions.do_save_thesaurus_entry)
    title = gettext_noop("领域词表")
    columns = {
        "术语": "term", "同义词/缩写": "equivalents", "上位词": "broader", "相关词": "related",
        "产业链/领域": "chain", "扩展权重": "weight", "启用": "active",
    }
    synonyms = {"词语": "术语", "同义词": "同义词/缩写", "缩写": "同义词/缩写", "产业链": "产业链/领域",
                "领域": "产业链/领域", "权重": "扩展权重", "关联词": "相关词"}
    example = {"术语": "发黄", "同义词/缩写": "泛黄, 黄变", "上位词": "外观缺陷", "相关词": "耐紫外, 湿热老化, 光稳定剂",
               "产业链/领域": "光伏", "扩展权重": "0.5", "启用": "是"}
