"""The demo logins printed by ``feidi serve`` (one per role)."""

DEMO_PASSWORD = "Feidi@2025demo"

# The administrator duties (sysadmin, secadmin, auditor) sign in with a second factor. The demo
# binds them to this fixed base32 TOTP secret so that browser tests can compute codes:
# pyotp.TOTP(DEMO_TOTP_SECRET).now(). Never use a known secret outside the demo.
DEMO_TOTP_SECRET = "FEIDIDEMOTOTPKEYFORBROWSERTESTS2"

# username, role shown to the newcomer
DEMO_USERS = [
    ("leader", "区主要领导（上饶经开区）"),
    ("invest", "招商局干部"),
    ("project", "项目办"),
    ("service", "安商办主任"),
    ("cadre", "挂点干部（办理企业诉求）"),
    ("tech", "科技局 / 飞地运营"),
    ("stats", "统计局"),
    ("gaotie_clerk", "上饶高铁经济试验区 办事员"),
    ("ent_jinko", "企业用户（晶科能源）"),
    ("inst_sjtu", "机构用户（上海高校）"),
    ("expert", "评审专家（揭榜挂帅评审打分）"),
    ("policy", "政策兑现办（惠企政策）"),
    ("sysadmin", "系统管理员（需动态口令）"),
    ("secadmin", "安全管理员（需动态口令）"),
    ("auditor", "审计管理员（需动态口令）"),
]


def describe_logins() -> list[str]:
    from feidi.accounts.models import User

    existing = set(User.objects.filter(username__in=[u for u, _ in DEMO_USERS]).values_list("username", flat=True))
    if not existing:
        return ["尚未加载演示数据：运行 feidi demo"]
    lines = [f"演示账号（密码均为 {DEMO_PASSWORD}）："]
    for username, role in DEMO_USERS:
        if username in existing:
            lines.append(f"  {username:<14} {role}")
    return lines
