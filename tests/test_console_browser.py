"""The web console in a real headless Chromium (Debian's `chromium`, driven by Playwright; no
browser is ever downloaded). A rep and a manager sign in and walk every page, a task is
completed, a visit recorded, a heat-map cell opened, and no page may write a JavaScript error to
the console. The browser may reach nothing but this machine: every other request is refused
and recorded, which is also how /docs is shown to work offline. The screenshots in the README
(docs/console-*.png) are taken here when GUANXI_SCREENSHOTS=1 (else into a temporary folder,
so a test run leaves the checkout as it was)."""
from __future__ import annotations

import os
import secrets
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from harness import discover_routes, start_suite

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "docs" if os.environ.get("GUANXI_SCREENSHOTS") == "1" else \
    Path(tempfile.mkdtemp(prefix="guanxi-shots-"))
sys.path.insert(0, str(ROOT / "scripts"))
from demo_data import load_demo_data  # noqa: E402

CHROMIUM = os.environ.get("GUANXI_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "console-demo-" + secrets.token_hex(4)
LOCAL = {"127.0.0.1", "localhost", "[::1]", "::1"}

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def suite(tmp_path_factory):
    s = start_suite(tmp_path_factory.mktemp("console"),
                    extra_env={"GUANXI_ADMIN_PASSWORD": PASSWORD})
    try:
        load_demo_data(s.url("gateway"), s.admin_api_key, customers=60, users_password=PASSWORD)
        yield s
    finally:
        s.stop_all()


@pytest.fixture(scope="module")
def api(suite):
    with httpx.Client(base_url=suite.url("gateway") + "/api/v1", timeout=30,
                      headers={"Authorization": f"Bearer {suite.admin_api_key}"}) as client:
        yield client


@pytest.fixture(scope="module")
def context():
    with sync_api.sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        ctx = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900}, locale="zh-CN", accept_downloads=True)
        ctx.set_default_timeout(20_000)
        ctx.outside = []  # every request for anything beyond this machine, refused

        def guard(route):
            host = urlsplit(route.request.url).hostname or ""
            if route.request.url.startswith(("data:", "blob:")) or host in LOCAL:
                route.continue_()
            else:
                ctx.outside.append(route.request.url)
                route.abort("addressunreachable")
        ctx.route("**/*", guard)
        yield ctx
        ctx.close()


class Console:
    """One page of the console, with every console error and uncaught exception it logs."""

    def __init__(self, context, base: str):
        context.clear_cookies()
        self.base = base
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def sign_in(self, username: str, password: str = PASSWORD) -> Console:
        self.page.goto(f"{self.base}/console/")
        self.page.fill("#login-form input[name=username]", username)
        self.page.fill("#login-form input[name=password]", password)
        self.page.click("#login-form button[type=submit]")
        self.page.wait_for_selector("#nav a", state="attached")
        self.page.wait_for_selector("#view[data-ready]")
        return self

    def go(self, route: str) -> None:
        """Open a page of the console and wait until it has drawn."""
        self.page.evaluate("r => { location.hash = r; }", f"#/{route}")
        self.page.wait_for_function("r => document.getElementById('view').dataset.ready === r",
                                    arg=f"#/{route}")

    def menu(self) -> list[str]:
        return self.page.locator("#nav a").evaluate_all("links => links.map(a => a.dataset.page)")

    def toast(self, text: str) -> None:
        """Wait for the message the console shows after a save."""
        self.page.wait_for_function(
            "t => document.querySelector('#toast.show')?.textContent.startsWith(t)", arg=text)

    def act_on_first(self, items: str, key: str, button: str, toast: str) -> str:
        """Click `button` in the first of `items` and wait for the `toast`; that item's `key`
        attribute (its id)."""
        item = self.page.locator(items).first
        value = item.get_attribute(key)
        item.locator(button).click()
        self.toast(toast)
        return value

    def clean(self, allowed: tuple[str, ...] = ()) -> None:
        left = [e for e in self.errors if not any(a in e for a in allowed)]
        assert left == [], left
        self.page.close()


def user_id(api, username: str) -> str:
    return next(u["id"] for u in api.get("/users", params={"limit": 500}).json()["items"]
                if u["username"] == username)


def test_docs_work_with_no_network_beyond_the_machine(context, suite, api):
    with httpx.Client(base_url=suite.url("gateway"), timeout=30) as gw:
        discover_routes(gw, timeout=60)  # every service is in the merged document
    c = Console(context, suite.url("gateway"))
    c.page.goto(f"{suite.url('gateway')}/docs")
    c.page.wait_for_selector(".opblock", timeout=60_000)  # Swagger UI renders ~150 operations
    assert c.page.locator(".opblock").count() > 50
    assert "/api/v1/registry/customers" in c.page.inner_text("body")
    c.page.goto(f"{suite.url('gateway')}/redoc")
    c.page.wait_for_selector("text=Log in with a user name and password", state="attached",
                             timeout=60_000)
    c.page.goto(f"{suite.url('registry')}/docs")  # a service's own docs too
    c.page.wait_for_selector(".opblock", timeout=60_000)
    assert context.outside == []
    c.clean()


def test_a_rep_walks_the_day(context, suite, api):
    c = Console(context, suite.url("gateway")).sign_in("li")
    # no manager or admin screens
    assert c.menu() == ["today", "customers", "products", "events", "import"]
    for forbidden in ("dashboard", "settings"):
        c.go(forbidden)
        assert "无权" in c.page.inner_text("#view")
        assert c.page.locator(f"#nav a[data-page={forbidden}]").count() == 0
    c.page.set_viewport_size({"width": 390, "height": 844})  # a phone on the road
    c.go("today")
    cards = c.page.locator("#agenda .agenda-item")
    assert cards.count() >= 2
    assert "最近购买" in cards.first.inner_text()
    c.page.screenshot(path=str(SHOTS / "console-today.png"), full_page=False)

    # complete a task with its outcome
    task_id = cards.first.get_attribute("data-task")
    cards.first.locator("[data-action=complete]").click()
    c.page.fill(f"[data-task='{task_id}'] textarea[name=outcome]", "客户满意，下月初再联系")
    c.page.click(f"[data-task='{task_id}'] .complete-form button[type=submit]")
    c.toast("任务已完成")
    c.page.wait_for_selector(f"[data-task='{task_id}']", state="detached")
    task = api.get(f"/engagement/tasks/{task_id}").json()
    assert task["status"] == "done" and task["outcome"] == "客户满意，下月初再联系"

    # a need in two taps
    card = c.page.locator("#agenda .agenda-item").first
    customer_link = card.locator(".context a").first.get_attribute("href")
    customer_id = customer_link.rsplit("/", 1)[1]
    card.locator("[data-action=need]").click()                  # tap 1
    card.locator("[data-need=qn_training]").click()             # tap 2
    c.toast("已记录需求：需要培训")
    needs = api.get("/needs/needs", params={"customer_id": customer_id}).json()["items"]
    assert any(n["description"] == "需要培训" and n["source"] == "sales" for n in needs)

    # plan a visit, prepare it, record the result and the next step
    c.page.click("#plan-visit")
    c.page.select_option("#visit-form select[name=customer_id]", customer_id)
    c.page.select_option("#visit-form select[name=purpose]", "sell")
    c.page.click("#visit-form button[type=submit]")
    c.toast("拜访已安排")
    visit = c.page.locator(".visit").first
    visit_id = visit.get_attribute("data-visit")
    for _ in range(3):  # the three preparation items, each saved with If-Match
        card = c.page.locator(f"[data-visit='{visit_id}']")
        version = int(card.get_attribute("data-version"))
        # one click (check() would click again if the card redrew before it looked)
        card.locator(".own-items input[type=checkbox]:not(:checked)").first.click()
        c.page.wait_for_selector(f"[data-visit='{visit_id}'][data-version='{version + 1}']")
    # prepared: purpose, preparation and appointment are done, the result is next
    c.page.wait_for_selector(f"[data-visit='{visit_id}'] .steps span:nth-child(4).current")
    c.page.fill(f"[data-visit='{visit_id}'] textarea[name=result]", "谈妥试用，下周送样品")
    c.page.fill(f"[data-visit='{visit_id}'] input[name=next_appointment_on]", "2099-01-15")
    c.page.click(f"[data-visit='{visit_id}'] .visit-result button[type=submit]")
    c.toast("拜访已完成")
    done = api.get(f"/engagement/visits/{visit_id}").json()
    assert done["status"] == "done" and done["result"] == "谈妥试用，下周送样品"
    own = [item for item in done["checklist"] if not item.get("mistake")
           and item.get("phase", "before") == "before"]
    assert len(own) == 3 and all(item["done"] for item in own) and done["purpose"] == "sell"
    follow = api.get("/engagement/tasks", params={"customer_id": customer_id}).json()["items"]
    assert any(t["visit_id"] == visit_id and t["due_on"] == "2099-01-15" for t in follow)

    # care steps of experience maps and open promises sit beside the tasks (a week of them)
    c.page.click("#view .tabs button:nth-child(2)")
    c.page.wait_for_selector("#care-steps .due-item")
    c.page.wait_for_selector("#promises .due-item")
    step_id = c.act_on_first("#care-steps .due-item", "data-id", "[data-action=done]",
                             "关怀步骤已记录")
    c.page.wait_for_selector(f"#care-steps [data-id='{step_id}']", state="detached")
    done = api.get("/needs/care-steps", params={"status": "done", "limit": 200}).json()
    assert step_id in [s["id"] for s in done["items"]]
    promise_id = c.act_on_first("#promises .due-item", "data-id", "[data-action=kept]",
                                "承诺已兑现")
    assert api.get(f"/needs/commitments/{promise_id}").json()["status"] == "kept"

    # English with one click
    c.page.click("#lang")
    c.page.wait_for_selector("text=Agenda")
    assert "Today" in c.page.inner_text("#nav")
    c.page.click("#lang")
    c.page.wait_for_selector("text=今日待办")
    c.clean()


def test_a_customer_page_and_an_edit_conflict(context, suite, api):
    li = user_id(api, "li")
    mine = api.get("/registry/customers", params={"owner_id": li, "limit": 200}).json()["items"]
    lunar = next(ct for ct in api.get("/registry/contacts", params={"limit": 500}).json()["items"]
                 if ct["birthday_calendar"] == "lunar"
                 and ct["customer_id"] in {m["id"] for m in mine})
    cid = lunar["customer_id"]
    c = Console(context, suite.url("gateway")).sign_in("li")
    c.go(f"customer/{cid}")
    for tab in ("profile", "contacts", "purchases", "value", "relationship", "needs",
                "opportunities", "complaints", "timeline"):
        c.page.click(f"[data-tab={tab}]")
        assert c.page.inner_text("#customer-panel").strip(), tab
    c.page.click("[data-tab=contacts]")
    expected = f"农历{'闰' if lunar['lunar_birthday_leap'] else ''}" \
               f"{lunar['lunar_birthday_month']}月{lunar['lunar_birthday_day']}日"
    assert expected in c.page.inner_text("#customer-panel")
    c.page.click("[data-tab=value]")
    assert c.page.locator("#value-card [data-value=rfm_cell]").inner_text().startswith("R")
    c.page.click("[data-tab=relationship]")  # loyalty (segmentation), balance (needs)
    loyalty = api.get(f"/segmentation/loyalty/customers/{cid}")
    if loyalty.status_code == 200:
        group = {"loyal": "忠诚", "passive": "被动忠诚", "latent": "潜在忠诚",
                 "disloyal": "不忠诚", "unmeasured": "未测量"}[loyalty.json()["group"]]
        assert c.page.inner_text("#loyalty-card [data-loyalty=l_group]") == group
    else:
        assert "尚无已评分的购买" in c.page.inner_text("#loyalty-card")
    balance = api.get(f"/needs/customers/{cid}/balance").json()["balance"]
    assert c.page.get_attribute("#balance-card [data-balance]", "data-balance") == balance

    # someone else saves first: the console shows the conflict and overwrites nothing
    c.page.click("[data-tab=profile]")
    c.page.click("#edit-customer")
    c.page.fill("#customer-edit input[name=phone]", "13900000001")
    current = api.get(f"/registry/customers/{cid}")
    api.patch(f"/registry/customers/{cid}", json={"phone": "13800000002"},
              headers={"If-Match": current.headers["etag"]}).raise_for_status()
    c.page.click("#customer-edit button[type=submit]")
    c.page.wait_for_selector("#conflict")
    assert "13800000002" in c.page.inner_text("#conflict")  # what is stored now, shown
    assert api.get(f"/registry/customers/{cid}").json()["phone"].endswith("13800000002")
    c.page.click("#conflict button")  # reload, then the edit goes through
    c.page.wait_for_selector("#conflict", state="detached")
    c.page.wait_for_selector("#edit-customer")
    c.page.click("#edit-customer")
    c.page.fill("#customer-edit input[name=phone]", "13900000001")
    c.page.click("#customer-edit button[type=submit]")
    c.toast("已保存")
    assert api.get(f"/registry/customers/{cid}").json()["phone"].endswith("13900000001")
    c.clean(allowed=("status of 412",))  # the refused save, as intended


def test_a_manager_reads_the_dashboard(context, suite, api):
    c = Console(context, suite.url("gateway")).sign_in("zhao")
    assert c.menu() == ["today", "customers", "dashboard", "products", "events", "import"]
    c.go("dashboard")
    for panel in ("retention", "funnel", "rfm-heat", "pareto", "migration", "churn", "renewals",
                  "pipeline", "at-risk"):
        c.page.wait_for_selector(f"#{panel} canvas")
    assert "前 20% 的客户贡献了" in c.page.inner_text("#top20")
    assert "李伟" in c.page.locator("#at-risk").inner_text() or \
        c.page.locator("#at-risk canvas").count() == 1
    c.page.screenshot(path=str(SHOTS / "console-dashboard.png"), full_page=True)

    # open a heat-map cell: click the chart, then the same through its table
    box = c.page.locator("#rfm-heat canvas").first.bounding_box()
    c.page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.45)
    c.page.wait_for_selector("#heat-drill h3")
    assert c.page.inner_text("#heat-drill h3").startswith("R")
    c.page.click("#rfm-heat [data-action=toggle]")
    rows = c.page.locator("#rfm-heat .panel-body > .table-wrap tbody tr")
    busiest = max(range(rows.count()), key=lambda i: int(rows.nth(i).locator("td").nth(2).inner_text()))
    r, f, n = (rows.nth(busiest).locator("td").nth(k).inner_text() for k in range(3))
    rows.nth(busiest).click()
    c.page.wait_for_selector(f"#heat-drill >> text=R{r} F{f}")
    c.page.click("#rfm-heat [data-action=toggle]")  # back to the chart
    c.page.wait_for_selector("#heat-drill tbody tr")
    assert c.page.locator("#heat-drill tbody tr").count() == int(n)

    # every chart's table is one click away, with a CSV of the same rows
    c.page.click("#retention [data-action=toggle]")
    assert "回头率" in c.page.inner_text("#retention table")
    with c.page.expect_download() as download:
        c.page.click("#retention [data-action=csv]")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    shown = c.page.locator("#retention tbody tr").count()
    assert text.splitlines()[0].startswith("期间,") and len(text.splitlines()) == 1 + shown >= 13
    c.clean()


def test_a_manager_works_a_launch_call_list_and_the_vip_gathering(context, suite, api):
    c = Console(context, suite.url("gateway")).sign_in("zhao")
    c.go("products")
    c.page.click("#product-list tr:has-text('4000G U盘')")
    c.page.wait_for_selector("#product-detail .usp >> text=唯一装得下 4000G 的口袋 U盘")
    assert "超大容量 -> 存储海量数据" in c.page.inner_text("#product-detail .pitch")
    c.page.wait_for_selector("#call-list tbody tr")  # the demo launch's list, best fit first
    first = c.page.locator("#call-list select[name=status]").first
    customer_id = first.get_attribute("data-call")
    first.select_option("interested")
    c.toast("已记录")
    launch = api.get("/needs/launches").json()["items"][0]
    call = api.get(f"/needs/launches/{launch['id']}/calls/{customer_id}").json()
    assert call["status"] == "interested"
    c.page.click("#launch")  # launched again: a new call list
    c.toast("电话名单已生成")
    assert len(api.get("/needs/launches").json()["items"]) == 2

    c.go("events")  # the VIP gathering: invite the whole top tier, not only decision makers
    c.page.click(".customer-event:has-text('VIP') a")
    c.page.wait_for_selector("#guests #invite")
    c.page.click("#guests #invite")
    c.toast("新邀请")
    c.go("events")  # last month's customer meeting: a guest of the team changes their answer
    c.page.click(".customer-event:has-text('年度客户会') a")
    c.page.wait_for_selector("#guests tbody tr")
    guest_id = c.act_on_first("#guests [data-rsvp]:not([data-rsvp=yes])", "data-guest",
                              "[data-answer=yes]", "回复已记录")
    c.page.wait_for_selector(f"#guests [data-guest='{guest_id}'][data-rsvp=yes]")
    meeting = next(e for e in api.get("/engagement/customer-events").json()["items"]
                   if e["name"] == "年度客户会")
    answered = api.get(f"/engagement/customer-events/{meeting['id']}/invitations",
                       params={"rsvp": "yes", "limit": 200}).json()["items"]
    assert guest_id in [g["id"] for g in answered]
    c.clean()


def test_importing_a_phone_export_dry_run_then_confirm(context, suite, api):
    csv = "姓名,手机,公司\n测试导入甲,13700000011,甲公司\n测试导入乙,13700000012,乙公司\n,,\n"
    c = Console(context, suite.url("gateway")).sign_in("li")
    c.go("import")
    c.page.set_input_files("#import-form input[type=file]", files=[{
        "name": "contacts.csv", "mimeType": "text/csv", "buffer": csv.encode()}])
    c.page.click("#import-form button[type=submit]")
    c.page.wait_for_selector("#import-summary")
    assert "预检" in c.page.inner_text("#import-summary")
    assert c.page.locator("#import-report tbody tr").count() >= 2
    assert api.get("/registry/customers", params={"q": "测试导入甲"}).json()["items"] == []
    c.page.click("#confirm-import")
    c.page.wait_for_selector("#import-summary >> text=导入完成")
    assert api.get("/registry/customers", params={"q": "测试导入甲"}).json()["items"]
    c.clean()


def test_an_admin_walks_the_settings(context, suite, api):
    c = Console(context, suite.url("gateway")).sign_in("admin")
    assert c.menu() == ["today", "customers", "dashboard", "products", "events", "import",
                        "settings"]
    for tab in ("users", "keys", "rules", "templates", "taboos", "policy"):
        c.go(f"settings/{tab}")
        assert c.page.locator("#settings-body table, #settings-body form").count() >= 1, tab
    c.go("settings/users")
    assert "zhao" in c.page.inner_text("#settings-body")
    c.go("settings/taboos")
    c.page.fill("#taboo-form input[name=category]", "umbrella")
    c.page.fill("#taboo-form input[name=reason]", "伞 = 散")
    c.page.click("#taboo-form button[type=submit]")
    c.page.wait_for_selector("#settings-body >> text=伞 = 散")
    taboos = api.get("/engagement/gifts/taboos").json()["items"]
    assert any(tb["category"] == "umbrella" for tb in taboos)
    c.clean()


def test_the_session_survives_a_reload_and_ends_at_logout(context, suite):
    c = Console(context, suite.url("gateway")).sign_in("li")
    assert c.page.evaluate("document.cookie") == ""  # the refresh token is HttpOnly
    c.page.reload()
    c.page.wait_for_selector("#nav a[data-page=today]", state="attached")
    c.page.click("#logout")
    c.page.wait_for_selector("#login-form")
    c.page.reload()
    c.page.wait_for_selector("#login-form")  # nothing left to refresh with
    c.page.fill("#login-form input[name=username]", "li")
    c.page.fill("#login-form input[name=password]", "not-the-password")
    c.page.click("#login-form button[type=submit]")
    c.page.wait_for_selector("#login-form .error")
    c.clean(allowed=("status of 401",))  # the wrong password, as intended
