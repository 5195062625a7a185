"""The named cast of test users and a small world for them to live in.

Two zones (上饶经开区 and 另一园区), each with its administration department; two enterprises
in zone A, one in zone B; an institution in the partner region. Users:
leader (区主要领导, zone A), clerk (园区办事员 who also serves enterprises as 挂点干部, zone A), other_clerk (园区办事员, zone B),
ent_a and ent_b (enterprise users of two enterprises of zone A), inst (institution user),
sysadmin, secadmin, auditor (the three administrator duties), invest (招商局干部, zone A) and
other_pmo (项目办, zone B: an outsider who holds every pipeline permission).
"""

from __future__ import annotations

from dataclasses import dataclass

from feidi.accounts import actions as account_actions
from feidi.accounts.models import Department
from feidi.accounts.models import Role
from feidi.accounts.models import User
from feidi.core.context import acting
from feidi.core.models import DictItem
from feidi.lib import uscc
from feidi.registry import actions as registry_actions
from feidi.registry.models import Organization
from feidi.registry.models import Person
from feidi.registry.models import Residency
from feidi.registry.models import Zone

PASSWORD = "Cast#Passw0rd!"


@dataclass
class Cast:
    city: Department
    dept_a: Department
    dept_a_bureau: Department
    dept_b: Department
    zone_a: Zone
    zone_b: Zone
    enclave: Zone
    org_a1: Organization
    org_a2: Organization
    org_b1: Organization
    institution: Organization
    institution_a: Organization
    person_a1: Person
    person_b1: Person
    residency_a1: Residency
    leader: User
    clerk: User
    other_clerk: User
    ent_a: User
    ent_b: User
    inst: User
    sysadmin: User
    secadmin: User
    auditor: User
    invest: User
    other_pmo: User
    inst_a: User
    tech: User
    expert: User

    def users(self) -> dict[str, User]:
        return {name: getattr(self, name) for name in (
            "leader", "clerk", "other_clerk", "ent_a", "ent_b", "inst", "sysadmin", "secadmin", "auditor", "invest",
            "other_pmo", "inst_a", "tech", "expert")}


def _dept(name, kind, parent=None):
    dept = Department(name=name, kind=kind, parent=parent)
    return account_actions.do_save_department(dept, acting_user=None)


def _user(username, full_name, *, roles, department=None, organization=None):
    user = User(username=username, full_name=full_name, department=department, organization=organization)
    account_actions.do_create_user(user, password=PASSWORD, roles=list(Role.objects.filter(code__in=roles)),
                                   acting_user=None)
    return user


_seq = [0]


def make_uscc(region: str = "361100") -> str:
    _seq[0] += 1
    return uscc.make(f"91{region}{_seq[0]:08d}X"[:17].replace("X", "0"))


def make_org(name, zone, *, kind=Organization.Kind.ENTERPRISE, region="", sample=False) -> Organization:
    org = Organization(name=name, uscc=make_uscc(), kind=kind, zone=zone, region=region, industry_code="C3825",
                       sample=sample)
    return registry_actions.do_save_organization(org, acting_user=None)


def build_cast() -> Cast:
    with acting("cli"):
        province = _dept("江西省", Department.Kind.PROVINCE)
        city = _dept("上饶市", Department.Kind.CITY, province)
        dept_a = _dept("上饶经开区管委会", Department.Kind.ZONE, city)
        dept_a_bureau = _dept("招商局", Department.Kind.BUREAU, dept_a)
        dept_b = _dept("另一园区管委会", Department.Kind.ZONE, city)
        national = DictItem.objects.get(type__code="zone_kind", code="national_etdz")
        enclave_kind = DictItem.objects.get(type__code="zone_kind", code="tech_enclave")
        zone_a = registry_actions.do_save_zone(
            Zone(name="上饶经开区", kind=national, host_region="江西省上饶市", department=dept_a), acting_user=None)
        zone_b = registry_actions.do_save_zone(
            Zone(name="另一园区", kind=national, host_region="江西省上饶市", department=dept_b), acting_user=None)
        enclave = registry_actions.do_save_zone(
            Zone(name="上饶科创中心", kind=enclave_kind, host_region="上海市松江区", department=dept_a,
                 home_zone=zone_a), acting_user=None)
        org_a1 = make_org("甲光伏科技有限公司", zone_a)
        org_a2 = make_org("乙锂电材料有限公司", zone_a, sample=True)  # shown with the 示例 badge
        org_b1 = make_org("丙汽车零部件有限公司", zone_b)
        institution = make_org("某大学", None, kind=Organization.Kind.UNIVERSITY, region="上海市")
        # the institution whose records the scope tests hide from the other one (``inst``)
        institution_a = make_org("甲研究院", None, kind=Organization.Kind.INSTITUTE, region="上海市")
        person_a1 = registry_actions.do_save_person(
            Person(name="张联络", organization=org_a1, phone="13800001234", id_card="36110219900101123X",
                   department=dept_a), acting_user=None)
        person_b1 = registry_actions.do_save_person(
            Person(name="李联络", organization=org_b1, phone="13900005678", department=dept_b), acting_user=None)
        residency_a1 = registry_actions.do_save_residency(
            Residency(organization=org_a1, enclave=enclave), acting_user=None)
        cast = Cast(
            city=city, dept_a=dept_a, dept_a_bureau=dept_a_bureau, dept_b=dept_b, zone_a=zone_a, zone_b=zone_b,
            enclave=enclave, org_a1=org_a1, org_a2=org_a2, org_b1=org_b1, institution=institution,
            institution_a=institution_a,
            person_a1=person_a1, person_b1=person_b1, residency_a1=residency_a1,
            leader=_user("leader", "甲区领导", roles=["zone_leader"], department=dept_a),
            # …who also serves enterprises (挂点干部): the factories name him cadre, group leader and 安商办主任
            clerk=_user("clerk", "甲区办事员", roles=["zone_clerk", "service_cadre"], department=dept_a),
            other_clerk=_user("other_clerk", "乙区办事员", roles=["zone_clerk"], department=dept_b),
            ent_a=_user("ent_a", "甲企业用户", roles=["enterprise"], organization=org_a1),
            ent_b=_user("ent_b", "乙企业用户", roles=["enterprise"], organization=org_a2),
            inst=_user("inst", "机构用户", roles=["institution"], organization=institution),
            sysadmin=_user("sysadmin", "系统管理员", roles=["sysadmin"], department=city),
            secadmin=_user("secadmin", "安全管理员", roles=["secadmin"], department=city),
            auditor=_user("auditor", "审计管理员", roles=["auditor"], department=city),
            invest=_user("invest", "甲区招商干部", roles=["investment"], department=dept_a_bureau),
            other_pmo=_user("other_pmo", "乙区项目办", roles=["project_office"], department=dept_b),
            inst_a=_user("inst_a", "甲研究院用户", roles=["institution"], organization=institution_a),
            tech=_user("tech", "甲区科技局干部", roles=["tech_bureau"], department=dept_a),
            expert=_user("expert", "评审专家", roles=["tech_expert"], department=dept_a),
        )
    return cast
