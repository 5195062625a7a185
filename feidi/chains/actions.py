"""Writes on chains: segments and members carry their chain's department (the scope follows it)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from feidi.core.actions import create_object
from feidi.core.actions import refuse_outside_scope
from feidi.core.actions import update_object

from .models import Segment
from .models import SegmentMember
from .models import Target


def _save(obj, *, acting_user, expected_version=None, m2m=None):
    if obj.pk is None:
        return create_object(obj, acting_user=acting_user, m2m=m2m)
    return update_object(obj, acting_user=acting_user, expected_version=expected_version, m2m=m2m)


def do_save_chain(chain, *, acting_user, expected_version=None, m2m=None):
    with transaction.atomic():
        saved = _save(chain, acting_user=acting_user, expected_version=expected_version, m2m=m2m)
        # Segments, members and targets follow their chain's department.
        Segment.objects.filter(chain=saved).exclude(department_id=saved.department_id).update(
            department_id=saved.department_id)
    return saved


def do_save_segment(segment: Segment, *, acting_user, expected_version=None, m2m=None):
    if segment.chain_id:
        segment.department_id = segment.chain.department_id
    return _save(segment, acting_user=acting_user, expected_version=expected_version, m2m=m2m)


def do_save_member(member: SegmentMember, *, acting_user, expected_version=None, m2m=None):
    if member.segment_id:
        member.department_id = member.segment.department_id
    return _save(member, acting_user=acting_user, expected_version=expected_version, m2m=m2m)


def do_save_target(target: Target, *, acting_user, expected_version=None, m2m=None):
    if target.segment_id and not target.department_id:
        target.department_id = target.segment.department_id
    return _save(target, acting_user=acting_user, expected_version=expected_version, m2m=m2m)


def do_target_to_lead(target: Target, zone, *, acting_user):
    """Turn a target into a pipeline lead (线索) owned by the acting officer, aimed at the segment."""
    from feidi.projects.actions import do_save_project
    from feidi.projects.models import Channel
    from feidi.projects.models import Project

    if target.status in (Target.Status.LEAD, Target.Status.DROPPED):
        raise ValidationError(gettext("该目标状态为“{status}”，不能再转为线索").format(status=target.get_status_display()))
    with transaction.atomic():
        project = do_save_project(Project(
            name=gettext("{name}{name2}项目").format(name=target.organization.name,
                                                   name2=target.segment.name), zone=zone,
                                                   investor=target.organization.name,
            organization=target.organization, segment=target.segment, channel=Channel.OTHER,
            owner=acting_user, introducer=getattr(acting_user, "full_name", ""),
            introducer_department_id=getattr(acting_user, "department_id", None),
            description=gettext("由招商目标库转入。列为目标的理由：{reason}").format(
                reason=target.reason)), acting_user=acting_user)
        refuse_outside_scope(project, acting_user, "add")  # a zone one only sees takes no lead
        target.status = Target.Status.LEAD
        update_object(target, acting_user=acting_user)
    return project
