"""One small builder per model of the demo city.

Every demo module used to spell the same steps for each record: look the record up by what makes it
the same record on a second run, build the instance with the demo's defaults (``sample=True`` and the
like), save it through the app's action (so the audit trail records the load) and count it under its
Chinese name for the command's summary. A ``Builder`` holds those four things for one model, so the
modules are left with their data and one call per record.

The builders never change what is written or in which order: a module calls ``ensure`` where it looked
the record up first and ``make`` where it already knew the record was missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from feidi.accounts.actions import do_create_user
from feidi.accounts.models import User
from feidi.chains.actions import do_save_chain, do_save_member, do_save_segment, do_save_target
from feidi.chains.models import Chain, Segment, SegmentMember, Target
from feidi.core.actions import create_object
from feidi.policies import actions as policy_actions
from feidi.policies.models import Condition, Policy, PolicyItem
from feidi.projects.actions import do_record_decision, do_save_part, do_save_project
from feidi.projects.models import (
    AnnualPlan,
    Dispatch,
    InvestmentTrip,
    Milestone,
    MonthlyInvestment,
    Problem,
    Project,
    Task,
)
from feidi.registry.actions import do_save_organization, do_save_person, do_save_residency
from feidi.registry.models import Agreement, Commitment, Organization, OrganizationLabel, Person, Residency
from feidi.services import actions as service_actions
from feidi.services.models import Appeal, Assignment, ServiceGroup, ServiceSettings
from feidi.techmarket import actions as market_actions
from feidi.techmarket.models import Demand, Supply, Talent


class Builder:
    """A model's demo records: its natural key, its defaults, the action that saves it, its count name."""

    def __init__(self, model: type, save: Callable, count: str | None, key: Iterable[str] = (), **defaults: Any):
        self.model, self.save, self.count, self.key, self.defaults = model, save, count, tuple(key), defaults

    def counted(self, count: str) -> Builder:
        """The same builder counting its records under another name (an organization as a 目标企业)."""
        return Builder(self.model, self.save, count, self.key, **self.defaults)

    def key_of(self, fields: dict) -> tuple:
        """The natural key of a record about to be built (related objects by their primary key)."""
        return tuple(getattr(fields[k], "pk", fields[k]) for k in self.key)

    def existing(self, **filters: Any) -> set[tuple]:
        """The natural keys already stored (among ``filters``), read once for a whole loop."""
        return set(self.model.objects.filter(**filters).values_list(*self.key))

    def find(self, **fields: Any):
        return self.model.objects.filter(**{k: fields[k] for k in self.key}).first()

    def make(self, created: Counter | dict, *, acting_user: User | None = None, action: dict | None = None,
             **fields: Any):
        """Build the record with the defaults, save it through the action and count it."""
        obj = self.model(**{**self.defaults, **fields})
        saved = self.save(obj, acting_user=acting_user, **(action or {}))
        if self.count:
            created[self.count] += 1
        return obj if saved is None else saved

    def ensure(self, created: Counter | dict, *, have: set | None = None, acting_user: User | None = None,
               action: dict | None = None, **fields: Any):
        """The stored record with this natural key, or a new one (``None`` when ``have`` says it is stored)."""
        if have is not None:
            return None if self.key_of(fields) in have else self.make(
                created, acting_user=acting_user, action=action, **fields)
        return self.find(**fields) or self.make(created, acting_user=acting_user, action=action, **fields)


# registry (the demo city)
organization = Builder(Organization, do_save_organization, "单位", ["uscc"], sample=True)
label = Builder(OrganizationLabel, create_object, "单位标签", ["organization", "label"])
person = Builder(Person, do_save_person, "人员", ["kind", "name", "organization"], sample=True)
residency = Builder(Residency, do_save_residency, "飞地入驻", ["organization", "enclave"], sample=True)
agreement = Builder(Agreement, create_object, "合作协议", ["title"], sample=True)
commitment = Builder(Commitment, create_object, "协议承诺", ["agreement", "content"], sample=True)
user = Builder(User, do_create_user, "账号", ["username"])

# 产业链招商
chain = Builder(Chain, do_save_chain, "产业链", ["department", "name"], sample=True)
segment = Builder(Segment, do_save_segment, "产业链环节", ["chain", "name"], sample=True)
member = Builder(SegmentMember, do_save_member, "环节企业", ["segment", "organization"], sample=True)
target = Builder(Target, do_save_target, "招商目标", ["segment", "organization"], sample=True)
trip = Builder(InvestmentTrip, create_object, "外出招商", sample=True)
project = Builder(Project, do_save_project, "招商项目", sample=True)
annual_plan = Builder(AnnualPlan, do_save_part, "年度计划", sample=True)
monthly_investment = Builder(MonthlyInvestment, do_save_part, "月度完成投资", sample=True)
milestone = Builder(Milestone, do_save_part, "项目节点", sample=True)
problem = Builder(Problem, do_save_part, "问题清单", sample=True)
dispatch = Builder(Dispatch, create_object, "调度会", ["department", "week_start"], sample=True)
task = Builder(Task, do_record_decision, "调度任务", sample=True)

# technology market
demand = Builder(Demand, market_actions.do_save_demand, "技术需求", ["organization", "title"], sample=True)
supply = Builder(Supply, market_actions.do_save_supply, "科技成果", ["organization", "title"], sample=True)
talent = Builder(Talent, market_actions.do_save_talent, "引进人才", ["person"], sample=True)

# 惠企政策
policy = Builder(Policy, policy_actions.do_save_policy, "惠企政策", ["department", "title"], sample=True)
policy_item = Builder(PolicyItem, policy_actions.do_save_item, "政策条款", ["policy", "number"], step_days=5,
                      sample=True)
condition = Builder(Condition, policy_actions.do_save_condition, None, ["item", "order"])

# 企业服务
service_settings = Builder(ServiceSettings, create_object, None, ["department"], sample=True)
service_group = Builder(ServiceGroup, create_object, "服务小组", ["department", "name"], sample=True)
assignment = Builder(Assignment, create_object, "挂点", ["organization"], sample=True)
appeal = Builder(Appeal, service_actions.do_file_appeal, "诉求", sample=True)
