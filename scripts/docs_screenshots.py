"""The README's screenshots, taken from a running demo (``make run``) with Debian's chromium.

    .venv/bin/python scripts/docs_screenshots.py [--url http://127.0.0.1:8000] [--out docs/screenshots]

Each shot is a user's page as the demo shows it: 我的待办 of the zone leader, the investment officer,
the 安商办 and the technology bureau; 统计查询 answering one of the leader's saved questions.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
SHOTS = [
    # (file, user, path, width, what must be on the page)
    ("workbench-leader.png", "leader", "/todo/", 1366, "我的待办"),
    ("workbench-investment.png", "invest", "/todo/", 1366, "我的待办"),
    ("workbench-service.png", "service", "/todo/", 1366, "我的待办"),
    ("workbench-tech.png", "tech", "/todo/", 1366, "我的待办"),
]


def main() -> None:
    from playwright.sync_api import sync_playwright

    from feidi.demo.logins import DEMO_PASSWORD

    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "docs" / "screenshots"))
    parser.add_argument("--stats", default="", help="统计查询 parameters for stats.png (default: the leader's first saved)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        pages = {}

        def page_of(user: str, width: int):
            if (user, width) not in pages:
                context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN",
                                              base_url=args.url)
                page = context.new_page()
                page.goto("/accounts/login/")
                page.fill("input[name=username]", user)
                page.fill("input[name=password]", DEMO_PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(re.compile(r"/$"))
                pages[user, width] = page
            return pages[user, width]

        for name, user, path, width, expected in SHOTS:
            page = page_of(user, width)
            page.goto(path)
            assert expected in page.content(), (name, path)
            page.screenshot(path=str(out / name), full_page=True)
            print(out / name)
        page = page_of("leader", 1366)
        page.goto("/core/stats/")
        link = args.stats or page.locator("text=我保存的查询").locator("xpath=../..").locator("a").first.get_attribute("href")
        page.goto(link if link.startswith("/") else f"/core/stats/?{link}")
        page.wait_for_selector("#stats-sentence")
        page.screenshot(path=str(out / "stats.png"), full_page=False)
        print(out / "stats.png")
        browser.close()


if __name__ == "__main__":
    main()
