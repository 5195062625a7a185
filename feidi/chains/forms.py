from feidi.core.forms import ColleagueChoicesMixin
from feidi.core.forms import ScopedModelForm
from feidi.core.forms import scoped_form

from .models import Chain
from .models import Segment
from .models import SegmentMember
from .models import Target

ChainForm = scoped_form(Chain,
                        ["name", "order", "leader", "leader_title", "weak_enterprises", "weak_output", "description"],
                        base=(ColleagueChoicesMixin, ScopedModelForm), colleague_fields=("leader",))


SegmentForm = scoped_form(Segment, ["chain", "parent", "name", "order", "description"])


SegmentMemberForm = scoped_form(SegmentMember, ["segment", "organization", "role", "declared_output", "note"])


TargetForm = scoped_form(Target, ["segment", "organization", "priority", "status", "reason"])
