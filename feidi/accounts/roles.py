"""The standard roles every installation starts with. ``ensure_standard_roles`` runs after each
``migrate`` (and test flush): it creates missing roles with their standard permissions and never
touches an existing role, so what the 安全管理员 changed stays. A release that gives existing
roles a new permission does so in a data migration."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from feidi.core.scope import DataScope

VIEW, EDIT, FULL = ("view",), ("view", "add", "change"), ("view", "add", "change", "delete")


def _perms(app: str, models: dict[str, tuple[str, ...]]) -> list[str]:
    return [f"{app}.{action}_{model}" for model, actions in models.items() for action in actions]


REGISTRY_VIEW = _perms("registry", {m: VIEW for m in (
    "zone", "organization", "organizationlabel", "person", "residency", "agreement", "commitment")})
REGISTRY_EDIT = _perms("registry", {
    "zone": EDIT, "organization": EDIT, "organizationlabel": FULL, "person": EDIT, "residency": EDIT,
    "agreement": EDIT, "commitment": FULL})
REGISTRY_FULL = _perms("registry", {m: FULL for m in (
    "zone", "organization", "organizationlabel", "person", "residency", "agreement", "commitment")})

SERVICE_MODELS = ("appeal", "assignment", "servicegroup", "servicesettings", "visit")
SERVICES_VIEW = _perms("services", {m: VIEW for m in SERVICE_MODELS})
SERVICES_FULL = [*_perms("services", {m: FULL for m in SERVICE_MODELS}),
                 "services.handle_appeal"]

CHAIN_MODELS = ("chain", "segment", "segmentmember", "target")
CHAINS_VIEW = _perms("chains", {m: VIEW for m in CHAIN_MODELS})
CHAINS_WORK = _perms("chains", {"chain": VIEW, "segment": VIEW, "segmentmember": FULL, "target": FULL})
CHAINS_FULL = _perms("chains", {m: FULL for m in CHAIN_MODELS})

PROJECT_MODELS = ("project", "investmenttrip", "annualplan", "monthlyinvestment", "milestone", "problem",
                  "dispatch", "task", "report", "stagegate", "projectsettings")
PROJECTS_VIEW = [*_perms("projects", {m: VIEW for m in PROJECT_MODELS}), "projects.view_alert"]
PROJECTS_INVESTMENT = [*PROJECTS_VIEW, *_perms("projects", {"project": EDIT, "investmenttrip": FULL}),
                       "projects.transition_project", "projects.claim_project"]
PROJECTS_FULL = [*_perms("projects", {m: FULL for m in PROJECT_MODELS}), "projects.view_alert",
                 "projects.transition_project", "projects.claim_project", "projects.reassign_project",
                 "projects.dispatch_project", "projects.resolve_problem"]

INDICATORS_VIEW = ["indicators.view_indicator", "indicators.view_indicatorvalue", "indicators.view_murule",
                   "indicators.view_muresult", "indicators.view_rankingrule", "indicators.view_rankingrun",
                   "indicators.view_zonefigure", "indicators.view_regionfigure", "indicators.view_benefitshare",
                   "indicators.view_parcel"]
RANKING_FULL = _perms("indicators", {"rankingrule": FULL, "rankingrun": FULL})
INDICATORS_FULL = [*_perms("indicators", {"indicator": EDIT, "indicatorvalue": FULL, "murule": FULL,
                                          "zonefigure": FULL, "regionfigure": FULL, "benefitshare": FULL,
                                          "parcel": FULL}),
                   "indicators.view_muresult", "indicators.view_rankingrule",
                   "indicators.view_rankingrun"]
INDICATORS_ENTERPRISE = ["indicators.view_indicator", "indicators.view_indicatorvalue", "indicators.add_indicatorvalue",
                         "indicators.change_indicatorvalue", "indicators.view_muresult"]

TECH_MODELS = ("demand", "supply", "talent", "thesaurusentry")
CHALLENGE_MODELS = ("challenge", "application", "review", "jointproject")
AUCTION_MODELS = ("auction", "lot", "registration")
TECH_VIEW = [*_perms("techmarket", {m: VIEW for m in TECH_MODELS}),
             *_perms("challenges", {m: VIEW for m in CHALLENGE_MODELS}),
             *_perms("auctions", {m: VIEW for m in AUCTION_MODELS}), "techmarket.view_push", "auctions.view_bid"]
TECH_FULL = [*_perms("techmarket", {m: FULL for m in TECH_MODELS}),
             *_perms("challenges", {m: FULL for m in CHALLENGE_MODELS if m != "review"}),
             *_perms("auctions", {m: FULL for m in AUCTION_MODELS}), "challenges.view_review",
             "techmarket.view_push", "auctions.view_bid", "challenges.publish_challenge",
             "challenges.award_challenge", "challenges.accept_jointproject", "challenges.transfer_jointproject",
             "auctions.settle_lot"]
# What an enterprise or institution does in the market besides seeing what is published.
TECH_MARKET_SIDE = ["techmarket.view_demand", "techmarket.view_supply", "techmarket.view_push",
                    "techmarket.feedback_push", "challenges.view_challenge", "challenges.view_jointproject",
                    "auctions.view_auction", "auctions.view_lot", "auctions.view_registration",
                    "auctions.add_registration", "auctions.view_bid", "auctions.add_bid"]
TECH_ENTERPRISE = [*TECH_MARKET_SIDE, "techmarket.add_demand", "techmarket.change_demand"]
TECH_INSTITUTION = [*TECH_MARKET_SIDE, "techmarket.add_supply", "techmarket.change_supply",
                    "challenges.view_application", "challenges.add_application", "challenges.change_application",
                    "auctions.add_lot", "techmarket.view_talent"]
TECH_EXPERT = ["techmarket.view_demand", "challenges.view_challenge", "challenges.view_application",
               "challenges.view_review", "challenges.add_review", "challenges.change_review"]

POLICY_MODELS = ("policy", "policyitem", "condition", "match", "application", "payment")
POLICIES_VIEW = _perms("policies", {m: VIEW for m in POLICY_MODELS})
POLICIES_FULL = [*_perms("policies", {m: FULL for m in POLICY_MODELS if m != "match"}), "policies.view_match",
                 "policies.handle_application"]
# An enterprise sees its matches, applies, and follows its applications and payments; a cadre
# applies on behalf of the enterprises he serves.
POLICIES_ENTERPRISE = ["policies.view_match", "policies.view_application", "policies.add_application",
                       "policies.view_payment"]

# Decisions of the weekly dispatch are tasks of any unit's staff: whoever may be a task's owner
# sees the tasks of their scope and records what was done (their 我的待办 lists them).
TASKS = ["projects.view_task", "projects.change_task"]
# Likewise a key project's problem names its responsible unit (责任单位): that unit's staff see it
# and report it solved (``projects.actions.do_resolve_problem``); what the problem is, whose it is
# and by when stay the 项目办's to change.
PROBLEMS = ["projects.view_problem", "projects.resolve_problem"]
INTEL_VIEW = ["intel.view_newsitem", "intel.view_source"]
INTEL_FULL = _perms("intel", {"newsitem": FULL, "source": FULL})

# code: (name, duty, data scope, permissions, may see full personal numbers, description)
# The roles of an enterprise's or institution's own people: what such an account may hold at most
ORGANIZATION_ROLES = ("enterprise", "institution")

STANDARD_ROLES = {
    "city_leader": (gettext_noop("市领导"), "", DataScope.ALL, [*REGISTRY_VIEW, *SERVICES_VIEW, *CHAINS_VIEW,
                                                             *PROJECTS_VIEW,
                                                    *INDICATORS_VIEW, *TECH_VIEW, *POLICIES_VIEW, *INTEL_VIEW], False,
                                                    gettext_noop("全市各园区与飞地数据只读")),
    "zone_leader": (gettext_noop("区主要领导"), "", DataScope.ZONE_TREE, [*REGISTRY_VIEW, *SERVICES_VIEW,
                                                                     *CHAINS_VIEW, *PROJECTS_VIEW, *INTEL_VIEW,
                                                       *INDICATORS_VIEW, *TECH_VIEW, *POLICIES_VIEW,
                                                       "projects.transition_project", "projects.reassign_project",
                                                       "projects.change_task", "projects.instruct_problem",
                                                       "services.change_appeal",
                                                       "services.handle_appeal", "registry.reveal_person"], True,
                    gettext_noop("本园区全部数据，四级协调最高一级")),
    "zone_clerk": (gettext_noop("园区办事员"), "", DataScope.ZONE_TREE, [*REGISTRY_FULL, *TASKS, *PROBLEMS], False,
                   gettext_noop("本园区主体库维护")),
    "investment": (gettext_noop("招商局干部"), "", DataScope.ZONE_TREE, [*REGISTRY_EDIT, *CHAINS_WORK,
                                                                    *PROJECTS_INVESTMENT, *INTEL_FULL,
                                                          "projects.change_task", "projects.resolve_problem"], False,
                   gettext_noop("线索、外出招商、签约")),
    "project_office": (gettext_noop("项目办"), "", DataScope.ZONE_TREE, [*REGISTRY_VIEW, *CHAINS_FULL,
                                                                      *PROJECTS_FULL, *INTEL_FULL,
                                                      *INDICATORS_VIEW, *RANKING_FULL], False,
                       gettext_noop("重点项目调度与专报")),
    "service_office": (gettext_noop("安商办"), "", DataScope.ZONE_TREE, [*REGISTRY_EDIT, *SERVICES_FULL,
                                                                      *POLICIES_VIEW, "policies.handle_application",
                                                                      "registry.reveal_person",
                                                             "core.view_delivery", *TASKS, *PROBLEMS], True,
                       gettext_noop("企业服务与诉求办理")),
    "service_cadre": (gettext_noop("挂点干部"), "", DataScope.SELF, [
        "registry.view_organization", "services.view_appeal", "services.add_appeal", "services.change_appeal",
        "services.handle_appeal", "services.view_assignment", "services.view_visit", "services.add_visit",
        "services.change_visit", *POLICIES_ENTERPRISE, *TASKS, *PROBLEMS], False,
        gettext_noop("办理分配给本人的企业诉求，记录走访")),
    "policy_office": (gettext_noop("政策兑现办"), "", DataScope.ZONE_TREE, [
        *REGISTRY_VIEW, *CHAINS_VIEW, *POLICIES_FULL, "indicators.view_indicator", "indicators.view_indicatorvalue",
        *TASKS, *PROBLEMS], False,
        gettext_noop("惠企政策库、匹配、免申即享兑现与申报审核")),
    "tech_bureau": (gettext_noop("科技局/飞地运营"), "", DataScope.DEPT_TREE, [*REGISTRY_EDIT, *CHAINS_VIEW,
                                                                        *TECH_FULL, "projects.view_project",
                                                            *TASKS, *PROBLEMS],
                    False,
                    gettext_noop("技术需求、成果、揭榜挂帅、联合攻关、成果拍卖、引进人才")),
    "tech_expert": (gettext_noop("评审专家"), "", DataScope.SELF, TECH_EXPERT, False,
                    gettext_noop("对受邀评审的揭榜申请打分")),
    "statistics": (gettext_noop("统计局"), "", DataScope.ZONE_TREE, [*REGISTRY_VIEW, *CHAINS_VIEW,
                                                                  *PROJECTS_VIEW, *INDICATORS_FULL,
                                                     "projects.change_task", "projects.resolve_problem"], False,
                   gettext_noop("经济指标采集与分析")),
    "enterprise": (gettext_noop("企业用户"), "", DataScope.SELF, [
        "registry.view_organization", "registry.view_organizationlabel", "registry.view_person",
        "registry.view_residency", "services.view_appeal", "services.add_appeal", "services.rate_appeal",
        *INDICATORS_ENTERPRISE, *TECH_ENTERPRISE, *POLICIES_ENTERPRISE], False,
        gettext_noop("只看本企业数据；提交与评价诉求、发布技术需求、竞买")),
    "institution": (gettext_noop("机构用户"), "", DataScope.SELF, [
        "registry.view_organization", "registry.view_person", "registry.view_residency", *TECH_INSTITUTION], False,
        gettext_noop("高校、科研院所用户，只看本机构数据")),
    "sysadmin": (gettext_noop("系统管理员"), "system", DataScope.ALL, [
        *_perms("accounts", {"user": EDIT, "department": FULL, "role": VIEW}),
        *_perms("core", {"dictitem": EDIT, "dicttype": VIEW, "calendarday": FULL, "calendaryear": FULL,
                         "webhookendpoint": FULL,
                         "delivery": VIEW})], False,
        gettext_noop("账号、部门、字典与工作日历维护")),
    "secadmin": (gettext_noop("安全管理员"), "security", DataScope.ALL, [
        *_perms("accounts", {"user": VIEW, "role": FULL, "securitypolicy": ("view", "change")}),
        "accounts.assign_roles", "accounts.unlock_user", "core.view_calendaryear"], False,
        gettext_noop("角色授权、安全策略、账号解锁")),
    "auditor": (gettext_noop("审计管理员"), "audit", DataScope.ALL, [
        "core.view_auditrecord", "core.verify_auditrecord", "accounts.view_loginlog"], False,
        gettext_noop("审计日志与登录日志")),
}


def resolve_permissions(names):
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    q = Q(pk__in=[])
    for name in names:
        app, codename = name.split(".", 1)
        q |= Q(content_type__app_label=app, codename=codename)
    found = list(Permission.objects.filter(q).select_related("content_type"))
    missing = set(names) - {f"{p.content_type.app_label}.{p.codename}" for p in found}
    if missing:
        raise LookupError(f"unknown permissions: {sorted(missing)}")
    return found


def grant_in_migration(grants: dict[str, list[str]]):
    """A data migration's operation giving existing standard roles the permissions of a new
    release (new databases get them from STANDARD_ROLES when the roles are created)."""

    def run(apps, schema_editor):
        from django.contrib.auth.management import create_permissions
        from django.db.models import Q

        for config in apps.get_app_configs():  # permissions are otherwise created after migrate
            config.models_module = True
            create_permissions(config, apps=apps, verbosity=0)
            config.models_module = None
        role_model, permission = apps.get_model("accounts", "Role"), apps.get_model("auth", "Permission")
        for code, names in grants.items():
            role = role_model.objects.filter(code=code).first()
            if role is None:
                continue
            q = Q(pk__in=[])
            for name in names:
                app, codename = name.split(".", 1)
                q |= Q(content_type__app_label=app, codename=codename)
            role.permissions.add(*permission.objects.filter(q))

    return run


def ensure_standard_roles() -> None:
    from .models import Role

    for code, (name, duty, scope, perms, sensitive, description) in STANDARD_ROLES.items():
        role, created = Role.objects.get_or_create(code=code, defaults={
            "name": name, "duty": duty, "data_scope": scope, "can_view_sensitive": sensitive,
            "description": description})
        if created:
            role.permissions.set(resolve_permissions(perms))


def on_post_migrate(sender, app_config=None, **kwargs):
    from django.apps import apps
    from django.conf import settings
    from django.contrib.auth.management import create_permissions

    if sender.name != settings.INSTALLED_APPS[-1]:
        return
    from feidi.core.seeds import ensure_dictionaries
    from feidi.core.seeds import run_seeders

    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0)
    ensure_dictionaries()
    ensure_standard_roles()
    run_seeders()
