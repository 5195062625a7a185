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
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any

from feidi.accounts.actions import do_create_user
from feidi.accounts.models import User
from feidi.auctions import actions as auction_actions
from feidi.auctions import models as auctions
from feidi.chains import actions as chain_actions
from feidi.chains import models as chains
from feidi.challenges import actions as challenge_actions
from feidi.challenges import models as challenges
from feidi.core.actions import create_object
from feidi.policies import actions as policy_actions
from feidi.policies import models as policies
from feidi.projects import actions as project_actions
from feidi.projects import models as projects
from feidi.registry import actions as registry_actions
from feidi.registry import models as registry
from feidi.services import actions as service_actions
from feidi.services import models as services
from feidi.techmarket import actions as market_actions
from feidi.techmarket import models as market


class Builder:
    """A model's demo records: its natural key, its defaults, the action that saves it, its count name."""

    def __init__(self, model: type, save: Callable, count: str | None, key: Iterable[str] = (), **defaults: Any):
        self.model, self.save, self.count, self.key, self.defaults = model, save, count, tuple(key), defaults

    def counted(self, count: str | None) -> Builder:
        """The same builder counting under another name (an organization as a 目标企业), or not at all."""
        return Builder(self.model, self.save, count, self.key, **self.defaults)

    def saved_by(self, save: Callable) -> Builder:
        """The same builder saving through another action (a record of the past, which the usual
        action refuses as the present)."""
        return Builder(self.model, save, self.count, self.key, **self.defaults)

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
organization = Builder(registry.Organization, registry_actions.do_save_organization, "单位", ["uscc"],
                       sample=True)
label = Builder(registry.OrganizationLabel, create_object, "单位标签", ["organization", "label"])
person = Builder(registry.Person, registry_actions.do_save_person, "人员", ["kind", "name", "organization"],
                 sample=True)
residency = Builder(registry.Residency, registry_actions.do_save_residency, "飞地入驻", ["organization", "enclave"],
                    sample=True)
agreement = Builder(registry.Agreement, create_object, "合作协议", ["title"], sample=True)
commitment = Builder(registry.Commitment, create_object, "协议承诺", ["agreement", "content"], sample=True)
user = Builder(User, do_create_user, "账号", ["username"])

# 产业链招商
chain = Builder(chains.Chain, chain_actions.do_save_chain, "产业链", ["department", "name"], sample=True)
segment = Builder(chains.Segment, chain_actions.do_save_segment, "产业链环节", ["chain", "name"], sample=True)
member = Builder(chains.SegmentMember, chain_actions.do_save_member, "环节企业", ["segment", "organization"],
                 sample=True)
target = Builder(chains.Target, chain_actions.do_save_target, "招商目标", ["segment", "organization"], sample=True)
trip = Builder(projects.InvestmentTrip, create_object, "外出招商", sample=True)
project = Builder(projects.Project, project_actions.do_save_project, "招商项目", sample=True)
annual_plan = Builder(projects.AnnualPlan, project_actions.do_save_part, "年度计划", sample=True)
monthly_investment = Builder(projects.MonthlyInvestment, project_actions.do_save_part, "月度完成投资", sample=True)
milestone = Builder(projects.Milestone, project_actions.do_save_part, "项目节点", sample=True)
problem = Builder(projects.Problem, project_actions.do_save_part, "问题清单", sample=True)
dispatch = Builder(projects.Dispatch, create_object, "调度会", ["department", "week_start"], sample=True)
task = Builder(projects.Task, project_actions.do_record_decision, "调度任务", sample=True)

# technology market
demand = Builder(market.Demand, market_actions.do_save_demand, "技术需求", ["organization", "title"], sample=True)
supply = Builder(market.Supply, market_actions.do_save_supply, "科技成果", ["organization", "title"], sample=True)
talent = Builder(market.Talent, market_actions.do_save_talent, "引进人才", ["person"], sample=True)
auction = Builder(auctions.Auction, auction_actions.do_save_auction, "成果拍卖会", ["title"], sample=True)
lot = Builder(auctions.Lot, auction_actions.do_save_lot, "拍品", ["auction", "supply"], sample=True)
challenge = Builder(challenges.Challenge, challenge_actions.do_save_challenge, "揭榜挂帅榜单", ["title"], sample=True)

# 惠企政策
policy = Builder(policies.Policy, policy_actions.do_save_policy, "惠企政策", ["department", "title"], sample=True)
policy_item = Builder(policies.PolicyItem, policy_actions.do_save_item, "政策条款", ["policy", "number"], step_days=5,
                      sample=True)
condition = Builder(policies.Condition, policy_actions.do_save_condition, None, ["item", "order"])

# other national zones of the province, for the ranking (not counted, as before)
peer_zone = Builder(registry.Zone, create_object, None, ["name"], sample=True)

# 企业服务
service_settings = Builder(services.ServiceSettings, create_object, None, ["department"], sample=True)
service_group = Builder(services.ServiceGroup, create_object, "服务小组", ["department", "name"], sample=True)
assignment = Builder(services.Assignment, create_object, "挂点", ["organization"], sample=True)
appeal = Builder(services.Appeal, service_actions.do_file_appeal, "诉求", sample=True)
