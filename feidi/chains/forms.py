from feidi.core.forms import ColleagueChoicesMixin, ScopedModelForm

from .models import Chain, Segment, SegmentMember, Target


class ChainForm(ColleagueChoicesMixin, ScopedModelForm):
    colleague_fields = ("leader",)

    class Meta:
        model = Chain
        fields = ["name", "order", "leader", "leader_title", "weak_enterprises", "weak_output", "description"]


class SegmentForm(ScopedModelForm):
    class Meta:
        model = Segment
        fields = ["chain", "parent", "name", "order", "description"]


class SegmentMemberForm(ScopedModelForm):
    class Meta:
        model = SegmentMember
        fields = ["segment", "organization", "role", "declared_output", "note"]


class TargetForm(ScopedModelForm):
    class Meta:
        model = Target
        fields = ["segment", "organization", "priority", "status", "reason"]
