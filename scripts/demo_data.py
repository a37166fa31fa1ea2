"""A realistic demo company through the API: a few hundred customers with contacts (solar and
lunar birthdays, roles, hobbies), two years of purchases, referrals, groups, notes, and some
customers lost with their reasons."""
from __future__ import annotations

import random
import time
from datetime import date, timedelta

import httpx

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超"]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "苏州", "西安"]
TRADES = ["科技", "贸易", "食品", "医疗器械", "建材", "教育咨询", "物流", "电子", "服装", "餐饮"]
TITLES = ["总经理", "采购经理", "技术总监", "财务主管", "行政主管"]
ROLES = ["decision_maker", "driver", "supporter", "neutral", "opponent"]
HOBBIES = ["集邮", "钓鱼", "茶道", "高尔夫", "书法", "跑步", "摄影"]
LOST_REASONS = [("price", "嫌贵"), ("service", "服务不稳定"), ("closure", "客户倒闭"),
                ("competitor", "竞品更好"), ("service", "服务差")]
REPS = [("rep-li", "team-east"), ("rep-wang", "team-east"), ("rep-zhang", "team-south"),
        ("rep-chen", "team-south")]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", rng.choice(GIVEN)])


DEMO_USERS = [("li", "李伟", "rep", "team-east", "rep-li"), ("wang", "王芳", "rep", "team-east", "rep-wang"),
              ("zhang", "张磊", "rep", "team-south", "rep-zhang"),
              ("chen", "陈静", "rep", "team-south", "rep-chen"),
              ("zhao", "赵敏", "manager", "team-east", None),
              ("sun", "孙杰", "manager", "team-south", None)]


def create_demo_users(http: httpx.Client, password: str) -> dict[str, str]:
    """Reps and managers who can sign in to the console; returns demo owner -> user id."""
    owners = {}
    for username, name, role, team, owner in DEMO_USERS:
        resp = http.post("/api/v1/users", json={"username": username, "password": password,
                                                "role": role, "team_id": team, "name": name})
        if resp.status_code == 409:  # already there (a second load)
            found = http.get("/api/v1/users", params={"limit": 500}).json()["items"]
            user = next(u for u in found if u["username"] == username)
        else:
            resp.raise_for_status()
            user = resp.json()
        if owner:
            owners[owner] = user["id"]
    return owners


def load_demo_work(http: httpx.Client, rng: random.Random, ids: list[str], today: date) -> None:
    """A working day: tasks due today for each owner, needs, opportunities and complaints."""
    real_post = http.post

    def post(path: str, **kwargs) -> httpx.Response:  # a service may not know the customer yet
        for _ in range(40):
            resp = real_post(path, **kwargs)
            if resp.status_code not in (404, 409, 422) or "ustomer" not in resp.text:
                return resp
            time.sleep(0.25)
        return resp

    http = type("Poster", (), {"post": staticmethod(post)})()
    kinds = [("call", "回访：了解产品使用情况"), ("gift", "春节礼品寄送"), ("call", "生日问候"),
             ("visit", "季度拜访"), ("call", "合同续约提醒")]
    for n, cid in enumerate(rng.sample(ids, k=min(40, len(ids)))):
        kind, title = kinds[n % len(kinds)]
        http.post("/api/v1/engagement/tasks", json={
            "customer_id": cid, "kind": kind, "title": title,
            "due_on": (today + timedelta(days=n % 3 - (1 if n % 7 == 0 else 0))).isoformat()},
            headers={"Idempotency-Key": f"demo-t{n}"}).raise_for_status()
    for n, cid in enumerate(rng.sample(ids, k=min(30, len(ids)))):
        http.post("/api/v1/needs/needs", json={
            "customer_id": cid, "need_class": rng.choice(["product", "positively_correlated",
                                                          "restrictive"]),
            "source": "sales", "description": rng.choice(["需要员工培训", "希望缩短交付周期",
                                                          "想了解新产品", "需要分期付款"])},
            headers={"Idempotency-Key": f"demo-nd{n}"}).raise_for_status()
    stages = ["prospecting", "qualified", "proposal", "negotiation"]
    for n, cid in enumerate(rng.sample(ids, k=min(25, len(ids)))):
        http.post("/api/v1/needs/opportunities", json={
            "customer_id": cid, "title": rng.choice(["年度采购", "设备升级", "培训服务", "扩容"]),
            "money": rng.random() < 0.7, "authority": rng.random() < 0.5,
            "need": rng.random() < 0.8, "stage": stages[n % len(stages)],
            "expected_amount": f"{rng.randint(5, 200) * 1000}"},
            headers={"Idempotency-Key": f"demo-o{n}"}).raise_for_status()
    # Contracts ending over the last year and the next months; the ended ones renewed or not.
    for n, cid in enumerate(rng.sample(ids, k=min(30, len(ids)))):
        ends = today + timedelta(days=rng.randint(-330, 60))
        made = http.post("/api/v1/engagement/contracts", json={
            "customer_id": cid, "title": "年度服务合同", "ends_on": ends.isoformat(),
            "amount": f"{rng.randint(2, 60) * 1000}"}, headers={"Idempotency-Key": f"demo-k{n}"})
        made.raise_for_status()
        if ends < today:
            lost = rng.random() < 0.35
            http.post(f"/api/v1/engagement/contracts/{made.json()['id']}/renewal", json={
                "renewal": "lost" if lost else "renewed",
                **({"reason_code": rng.choice(["price", "service", "competitor", "budget_cut"])}
                   if lost else {})}, headers={"Idempotency-Key": f"demo-kr{n}"}).raise_for_status()
    for n, cid in enumerate(rng.sample(ids, k=min(8, len(ids)))):
        http.post("/api/v1/needs/complaints", json={
            "customer_id": cid, "channel": "phone", "severity": rng.choice(["low", "medium"]),
            "summary": rng.choice(["交货延迟", "发票信息有误", "售后响应慢"])},
            headers={"Idempotency-Key": f"demo-cp{n}"}).raise_for_status()


def load_demo_craft(http: httpx.Client, rng: random.Random, ids: list[str], today: date) -> None:
    """Products with USP and FFAB (the course's 4000G USB drive), purchases naming them, needs
    that fit, a launch with its call list, promises, and balances moved by complaints and
    expectation checks."""
    def send(method: str, path: str, key: str | None = None, **kwargs) -> dict:
        headers = {"Idempotency-Key": key} if key else {}
        for _ in range(40):  # needs may not have heard of the customer yet
            resp = http.request(method, "/api/v1/needs" + path, headers=headers, **kwargs)
            if resp.status_code not in (404, 422) or "ustomer" not in resp.text:
                break
            time.sleep(0.25)
        resp.raise_for_status()
        return resp.json()

    storage = send("POST", "/categories", "demo-cat-storage", json={"name": "存储设备"})["id"]
    data = send("POST", "/categories", "demo-cat-data", json={"name": "数据服务"})["id"]

    def product(key: str, body: dict) -> dict:
        return send("POST", "/products", f"demo-prod-{key}", json={"currency": "CNY", **body})

    cloud = product("cloud", {
        "name": "云备份服务", "line": "数据服务", "lifecycle": "current", "price_from": "600.00",
        "price_to": "3000.00", "category_ids": [data], "summary": "按年订阅的异地备份",
        "usp": {"statement": "断电、丢失、损坏，文件都还在",
                "points": [{"direction": "service", "dimension": "safety",
                            "claim": "三地异地备份", "proof": "2025 年全年零数据丢失"}]},
        "ffab": [{"feature": "异地三副本", "function": "自动同步每一个文件",
                  "advantage": "不依赖任何一块硬盘", "benefit": "再大的意外也不丢数据"}]})
    recovery = product("recovery", {
        "name": "数据恢复服务", "line": "数据服务", "lifecycle": "current",
        "price_from": "300.00", "price_to": "5000.00", "category_ids": [data]})
    small = product("1000g", {
        "name": "1000G U盘", "line": "移动存储", "lifecycle": "current", "price_from": "199.00",
        "price_to": "259.00", "category_ids": [storage],
        "related_product_ids": [recovery["id"]], "back_end_product_ids": [cloud["id"]]})
    product("500g", {"name": "500G U盘", "line": "移动存储", "lifecycle": "retired",
                     "price_from": "99.00", "price_to": "99.00"})
    drive = product("4000g", {
        "name": "4000G U盘", "line": "移动存储", "lifecycle": "new", "price_from": "899.00",
        "price_to": "1099.00", "category_ids": [storage],
        "summary": "口袋大小的 4000G 存储", "related_product_ids": [cloud["id"]],
        "usp": {"statement": "唯一装得下 4000G 的口袋 U盘",
                "versus_competitors": "同类产品最大 2000G",
                "points": [{"direction": "product", "dimension": "capacity",
                            "claim": "4000G 超大容量", "proof": "第三方实测"},
                           {"direction": "product", "dimension": "quality",
                            "claim": "防水防摔金属外壳", "proof": "1.5 米跌落测试"}]},
        "ffab": [{"feature": "超大容量", "function": "存储海量数据", "advantage": "便携耐用",
                  "benefit": "您的重要文件永不丢失"}]})
    send("POST", "/experience-maps", "demo-craft-map", json={  # 客户体验地图 of the U盘
        "name": "U盘 客户体验地图", "product_id": small["id"], "repurchase_after_days": 365,
        "touchpoints": [
            {"stage": "before", "kind": "visit", "title": "上门演示样品"},
            {"stage": "during", "kind": "call", "title": "到货电话：是否完好", "offset_days": 2},
            {"stage": "after", "kind": "message", "title": "感谢信"},
            {"stage": "in_use", "kind": "check", "title": "使用 30 天回访", "offset_days": 30},
            {"stage": "in_use", "kind": "visit", "title": "复购前拜访：介绍 4000G 新品",
             "anchor": "repurchase", "offset_days": -30}]})
    buyers = rng.sample(ids, k=min(30, len(ids)))
    for n, cid in enumerate(buyers):  # a small first deal: the 1000G drive
        http.post("/api/v1/registry/purchases", json={
            "customer_id": cid, "purchased_on": (today - timedelta(days=20 + n * 7)).isoformat(),
            "channel": "门店", "external_ref": f"DEMO-CRAFT-{n}",
            "lines": [{"product": "1000G U盘", "product_id": small["id"],
                       "quantity": str(rng.randint(1, 20)), "unit_price": "229.00"}]},
            headers={"Idempotency-Key": f"demo-craft-p{n}"}).raise_for_status()
    for n, cid in enumerate(rng.sample(ids, k=min(20, len(ids)))):
        send("POST", "/needs", f"demo-craft-n{n}", json={
            "customer_id": cid, "need_class": "product", "category_id": storage,
            "source": "sales", "urgency": rng.choice(["low", "normal", "high", "urgent"]),
            "description": rng.choice(["设计图纸太大，现有 U盘装不下", "需要随身带全部项目资料",
                                       "想要更耐摔的移动存储"])})
    for n, cid in enumerate(buyers[:5]):
        send("POST", "/needs", f"demo-craft-pc{n}", json={
            "customer_id": cid, "need_class": "positively_correlated", "category_id": data,
            "source": "service", "description": "担心 U盘丢失后资料找不回"})
    for _ in range(60):  # the purchases reach needs through the registry's events
        if send("GET", f"/customers/{buyers[-1]}/suggestions")["items"]:
            break
        time.sleep(0.5)
    launch = send("POST", f"/products/{drive['id']}/launches", "demo-craft-launch",
                  json={"kind": "launch", "note": "新品上市：先打给最需要的重点客户"})
    announce_launch(http, drive, launch)
    promises = ["下周一前发送 4000G U盘 样品", "月底前提供数据恢复报价", "周五回电确认交货时间",
                "两天内上门检查设备", "下次拜访带上培训资料"]
    for n, cid in enumerate(buyers[:10]):
        send("POST", "/commitments", f"demo-craft-c{n}", json={
            "customer_id": cid, "promise": promises[n % len(promises)],
            "due_on": (today + timedelta(days=n % 8)).isoformat(),
            "origin": ["visit", "call", "call"][n % 3]})
    for n, cid in enumerate(buyers[10:16]):  # a complaint, handled well or not yet
        opened = send("POST", "/complaints", f"demo-craft-cp{n}", json={
            "customer_id": cid, "channel": "wechat", "severity": "medium",
            "summary": rng.choice(["U盘读写变慢", "送货晚了两天", "发票抬头错误"])})
        if n % 2 == 0:
            send("POST", f"/complaints/{opened['id']}/resolve", f"demo-craft-cr{n}",
                 json={"resolution": "已更换新品并致歉"})
    for n, cid in enumerate(buyers[16:22]):  # expectations met, exceeded, or missed
        goal = send("POST", "/expectations", f"demo-craft-e{n}", json={
            "customer_id": cid, "goal_kind": "single", "goal": "资料备份零丢失"})
        send("POST", f"/expectations/{goal['id']}/checks", f"demo-craft-ec{n}", json={
            "result": "季度回访检查", "expected_score": "100",
            "experienced_score": ["120", "100", "85"][n % 3]})


def announce_launch(http: httpx.Client, drive: dict, launch: dict) -> None:
    """A template quoting the new drive's USP and FFAB pitch, sent to the top of its call list
    (engagement knows the product once needs' product.changed has reached it)."""
    name = "新品推荐：4000G U盘"
    template = next((t for t in http.get("/api/v1/engagement/templates", params={
        "limit": 200}).json()["items"] if t["name"] == name), None)
    for _ in range(60):  # a 422 until engagement has heard of the product
        if template is not None:
            break
        resp = http.post("/api/v1/engagement/templates", json={
            "name": name, "product_id": drive["id"], "subject": {"zh": "新品：{product.name}"},
            "body": {"zh": "{name}您好！{product.usp}。\n{product.pitch}\n欢迎联系我们试用。"}})
        if resp.status_code != 422:
            template = resp.raise_for_status().json()
        else:
            time.sleep(0.5)
    if template is None:
        raise RuntimeError("engagement never heard of the 4000G drive (product.changed)")
    calls = http.get(f"/api/v1/needs/launches/{launch['id']}/calls",
                     params={"limit": 10}).json()["items"]
    if calls:
        http.post("/api/v1/engagement/messages/mass", json={
            "channel": "log", "kind": "marketing", "occasion": "新品上市 4000G",
            "template_id": template["id"],
            "audience": {"customer_ids": [c["customer_id"] for c in calls]}}).raise_for_status()


def load_demo_visits(http: httpx.Client, ids: list[str], today: date) -> None:
    """Visits done right: a planned visit with the company checklist and a 2:8 outline, one
    closed with its next appointment and one closed without (managers see it); a VIP event
    ahead and a customer meeting held, with answers, attendance and follow-ups."""
    def send(path: str, key: str, body: dict) -> dict:
        for _ in range(40):  # engagement may not have heard of the customer yet
            resp = http.post("/api/v1/engagement" + path, json=body,
                             headers={"Idempotency-Key": key})
            if resp.status_code != 404 or "ustomer" not in resp.text:
                break
            time.sleep(0.25)
        resp.raise_for_status()
        return resp.json()

    def at(days: int) -> str:
        return f"{(today + timedelta(days=days)).isoformat()}T02:00:00Z"

    agenda = [{"topic": "了解设备使用情况", "minutes": 2, "kind": "business"},
              {"topic": "聊聊孩子的集邮爱好", "minutes": 5, "kind": "small_talk"},
              {"topic": "节日安排", "minutes": 3, "kind": "small_talk"}]
    send("/visits", "demo-visit-plan", {
        "customer_id": ids[0], "purpose": "bond", "appointment_at": at(1),
        "planned_minutes": 15, "agenda": agenda,
        "checklist": [{"item": "带一本邮票册给客户的儿子"}]})
    kept = send("/visits", "demo-visit-kept", {
        "customer_id": ids[1], "purpose": "sell", "appointment_at": at(-3),
        "planned_minutes": 20, "agenda": [{"topic": "新品介绍", "minutes": 5},
                                          {"topic": "家常", "minutes": 15,
                                           "kind": "small_talk"}]})
    send(f"/visits/{kept['id']}/complete", "demo-visit-kept-done", {
        "result": "客户有意试用新品", "next_appointment_on": (today + timedelta(days=14)).isoformat(),
        "actual_minutes": 25})
    silent = send("/visits", "demo-visit-silent", {
        "customer_id": ids[2], "purpose": "solve_problem", "appointment_at": at(-5)})
    send(f"/visits/{silent['id']}/complete", "demo-visit-silent-done", {
        "result": "问题已解决", "no_follow_up_reason": "客户暂无新需求"})
    # A VIP gathering (联谊) in ten days for the top tier, announced a week ahead, and last
    # month's customer meeting with its answers and attendance.
    vip = send("/customer-events", "demo-event-vip", {
        "name": "VIP 客户联谊会", "kind": "vip_gathering", "starts_at": at(10),
        "location": "上海 外滩茶室", "capacity": 40, "channel": "wechat",
        "invitation_text": "{name}您好，诚邀{customer}出席{event}（{date}），期待相聚。"})
    send(f"/customer-events/{vip['id']}/invitations", "demo-event-vip-invite",
         {"tiers": ["invest"], "roles": ["decision_maker", "driver"]})
    met = send("/customer-events", "demo-event-meeting", {
        "name": "年度客户会", "kind": "customer_meeting", "starts_at": at(-20),
        "location": "杭州", "channel": "sms", "follow_up_days": 3,
        "invitation_text": "{name}您好，{event}将于{date}举行，欢迎参加。"})
    send(f"/customer-events/{met['id']}/invitations", "demo-event-meeting-invite",
         {"customer_ids": ids[:12]})
    guests = http.get(f"/api/v1/engagement/customer-events/{met['id']}/invitations",
                      params={"limit": 100}).json()["items"]
    for n, guest in enumerate(guests):
        send(f"/customer-events/{met['id']}/invitations/{guest['id']}/rsvp",
             f"demo-event-rsvp{n}", {"answer": ["yes", "yes", "no", "maybe"][n % 4]})
    came = [g["id"] for n, g in enumerate(guests) if n % 4 == 0]
    if came:
        send(f"/customer-events/{met['id']}/attendance", "demo-event-came",
             {"invitation_ids": came})


def load_demo_loyalty(http: httpx.Client, rng: random.Random, ids: list[str]) -> None:
    """Loyalty: benefit rules by tier and years (离开障碍), would-recommend answers and
    budgets for some customers, so the matrix shows passive and latent loyalty."""
    base = "/api/v1/segmentation/loyalty"
    for n, rule in enumerate((
            {"tier": "invest", "kind": "discount", "value": "5%",
             "description": "重点客户批量采购九五折"},
            {"min_years": 1, "kind": "credit_days", "value": "60天",
             "description": "合作满一年，账期延长至60天"},
            {"tier": "invest", "min_years": 3, "kind": "support", "value": "专属工程师",
             "description": "合作满三年，配专属技术支持"},
            {"tier": "invest", "min_years": 2, "kind": "gift", "value": "节日礼盒",
             "description": "合作满两年，春节和中秋礼盒"})):
        http.post(f"{base}/benefits", json=rule,
                  headers={"Idempotency-Key": f"demo-benefit{n}"}).raise_for_status()
    for cid in rng.sample(ids, k=min(60, len(ids))):
        body = {"would_recommend": rng.randint(2, 10)}
        if rng.random() < 0.5:
            body["wallet_budget"] = f"{rng.randint(2, 60) * 1000}"
        http.put(f"{base}/customers/{cid}/inputs", json=body).raise_for_status()


def load_demo_data(gateway_url: str, api_key: str, customers: int = 300, seed: int = 7,
                   users_password: str | None = None) -> None:
    """`users_password`: also create the demo reps and managers (console logins) and make
    them the customers' owners."""
    rng = random.Random(seed)
    today = date.today()
    registry = "/api/v1/registry"
    with httpx.Client(base_url=gateway_url, timeout=60,
                      headers={"Authorization": f"Bearer {api_key}"}) as http:
        def post(path: str, body: dict, key: str) -> dict:
            resp = http.post(registry + path, json=body, headers={"Idempotency-Key": key})
            resp.raise_for_status()
            return resp.json()

        owners = create_demo_users(http, users_password) if users_password else {}
        groups = [post("/groups", {"name": name}, f"demo-g{k}")["id"]
                  for k, name in enumerate(("重点客户", "集团客户", "普通客户", "朋友"))]
        ids, purchases = [], []
        for i in range(customers):
            is_company = rng.random() < 0.6
            city = rng.choice(CITIES)
            owner, team = rng.choice(REPS)
            owner = owners.get(owner, owner)
            name = (f"{city}{person(rng)}{rng.choice(TRADES)}有限公司" if is_company
                    else person(rng))
            customer = post("/customers", {
                "kind": "company" if is_company else "person", "name": name, "region": city,
                "status": "active", "owner_id": owner, "team_id": team,
                "industry": rng.choice(TRADES) if is_company else None,
                "employee_count": rng.randint(5, 2000) if is_company else None,
                "founded_on": (today - timedelta(days=rng.randint(400, 9000))).isoformat()
                if is_company else None,
                "phone": f"13{rng.randint(100000000, 999999999)}",
                "tags": rng.sample(["vip", "新客", "老客户", "华东", "华南"], k=rng.randint(0, 2))},
                f"demo-c{i}")
            ids.append(customer["id"])
            for j in range(rng.choice([1, 1, 2, 3]) if is_company else 1):
                lunar = rng.random() < 0.3
                birthday = {"birthday_calendar": "lunar", "lunar_birthday_month": rng.randint(1, 12),
                            "lunar_birthday_day": rng.randint(1, 29)} if lunar else {
                    "birthday_calendar": "solar",
                    "birthday": date(rng.randint(1960, 1998), rng.randint(1, 12),
                                     rng.randint(1, 28)).isoformat()}
                post(f"/customers/{customer['id']}/contacts", {
                    "name": person(rng) if is_company else name, "role": rng.choice(ROLES),
                    "job_title": rng.choice(TITLES) if is_company else None,
                    "hobbies": rng.sample(HOBBIES, k=rng.randint(0, 2)),
                    "cares_about_people": ["儿子喜欢集邮"] if rng.random() < 0.1 else [],
                    "phones": [{"kind": "mobile", "number": f"139{rng.randint(10000000, 99999999)}"}],
                    **birthday}, f"demo-ct{i}-{j}")
            # Pareto-like spend: a few big buyers, many small ones, over two years.
            scale = rng.paretovariate(1.3) * 800
            for j in range(rng.choice([0, 1, 1, 2, 3, 4, 6, 9, 14])):
                purchases.append({
                    "customer_id": customer["id"], "channel": rng.choice(["门店", "线上", "ERP"]),
                    "purchased_on": (today - timedelta(days=rng.randint(0, 730))).isoformat(),
                    "amount": f"{scale * rng.uniform(0.5, 1.5):.2f}", "external_ref": f"DEMO-{i}-{j}"})
            if rng.random() < 0.3:
                http.post(f"{registry}/groups/{rng.choice(groups)}/members",
                          json={"customer_ids": [customer["id"]]}).raise_for_status()
            if rng.random() < 0.2:
                post("/notes", {"customer_id": customer["id"],
                                "body": rng.choice(["<p>关心交付周期</p>", "<p>希望有培训</p>",
                                                    "<p>对价格敏感</p>"])}, f"demo-n{i}")
        for start in range(0, len(purchases), 1000):
            post("/purchases/bulk", {"purchases": purchases[start:start + 1000]}, f"demo-p{start}")
        for k in range(1, len(ids)):  # ~15% were referred by an earlier customer
            if rng.random() < 0.15:
                post("/referrals", {"referrer_customer_id": ids[rng.randrange(k)],
                                    "referred_customer_id": ids[k]}, f"demo-r{k}")
        for cid in rng.sample(ids, k=len(ids) // 12):
            code, note = rng.choice(LOST_REASONS)
            http.patch(f"{registry}/customers/{cid}", json={
                "status": "lost", "lost_reason_code": code,
                "lost_reason": note}).raise_for_status()
        # Score everyone once the events have reached segmentation (nightly runs do the rest).
        last = purchases[-1]["customer_id"]
        for _ in range(60):
            card = http.get(f"/api/v1/segmentation/customers/{last}/value")
            if card.status_code == 200 and card.json()["purchase_count"]:
                break
            time.sleep(0.5)
        # Two snapshots a month apart, so segment migration has something to show.
        http.post("/api/v1/segmentation/recompute", json={
            "snapshot": True, "as_of": (today - timedelta(days=30)).isoformat()}).raise_for_status()
        http.post("/api/v1/segmentation/recompute", json={"snapshot": True}).raise_for_status()
        if users_password:
            load_demo_work(http, rng, ids, today)
        load_demo_craft(http, rng, ids, today)
        load_demo_visits(http, ids, today)
        load_demo_loyalty(http, rng, ids)
