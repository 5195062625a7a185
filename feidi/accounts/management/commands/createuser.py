"""``feidi createuser``: how an installation gets its first 系统管理员, and scripts add accounts."""

from __future__ import annotations

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.db import transaction

from feidi.accounts.actions import do_create_user
from feidi.accounts.models import Department
from feidi.accounts.models import Role
from feidi.accounts.models import User
from feidi.core.context import acting


class Command(BaseCommand):
    help = "创建账号：--role 可重复；政府用户指定部门，企业/机构用户指定单位的统一社会信用代码"

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--full-name", required=True)
        parser.add_argument("--role", action="append", default=[], help="角色编码，如 sysadmin、zone_clerk")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--department", type=int, help="部门ID")
        group.add_argument("--department-name", help="部门名称（须唯一）")
        group.add_argument("--organization-uscc", help="企业/机构用户所属单位的统一社会信用代码")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help="不提供则交互输入两次")
        parser.add_argument("--must-change-password", action="store_true")

    def handle(self, *args, **o):
        from feidi.registry.models import Organization

        if User.objects.filter(username=o["username"]).exists():
            raise CommandError(f"用户名 {o['username']} 已存在")
        roles = list(Role.objects.filter(code__in=o["role"]))
        unknown = sorted(set(o["role"]) - {r.code for r in roles})
        if unknown:
            raise CommandError(f"未知角色：{'、'.join(unknown)}（可用：{'、'.join(Role.objects.values_list('code', flat=True))}）")
        dept = org = None
        if o["department"] is not None:
            dept = Department.objects.filter(pk=o["department"]).first()
            if dept is None:
                raise CommandError(f"部门 {o['department']} 不存在")
        elif o["department_name"]:
            found = list(Department.objects.filter(name=o["department_name"])[:2])
            if len(found) != 1:
                raise CommandError(f"部门“{o['department_name']}”{'不存在' if not found else '不唯一，请用 --department ID'}")
            dept = found[0]
        elif o["organization_uscc"]:
            org = Organization.objects.filter(uscc=o["organization_uscc"].strip().upper()).first()
            if org is None:
                raise CommandError(f"统一社会信用代码 {o['organization_uscc']} 对应的单位不存在")
        password = o["password"]
        if not password:
            password = getpass.getpass("密码：")
            if password != getpass.getpass("再次输入密码："):
                raise CommandError("两次输入的密码不一致")
        user = User(username=o["username"], full_name=o["full_name"], email=o["email"], department=dept,
                    organization=org, must_change_password=o["must_change_password"])
        try:
            with acting("cli"), transaction.atomic():
                do_create_user(user, password=password, roles=roles, acting_user=None)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        self.stdout.write(self.style.SUCCESS(f"已创建 {user}，角色：{'、'.join(r.name for r in roles) or '无'}"))
