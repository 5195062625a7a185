from feidi.core.forms import ColleagueChoicesMixin, ScopedModelForm, scoped_form

from .models import Chain, Segment, SegmentMember, Target

ChainForm = scoped_form(Chain,
                        ["name", "order", "leader", "leader_title", "weak_enterprises", "weak_output", "description"],
                        base=(ColleagueChoicesMixin, ScopedModelForm), colleague_fields=("leader",))


SegmentForm = scoped_form(Segment, ["chain", "parent", "name", "order", "description"])


SegmentMemberForm = scoped_form(SegmentMember, ["segment", "organization", "role", "declared_output", "note"])


TargetForm = scoped_form(Target, ["segment", "organization", "priority", "status", "reason"])
