"""Importing phone contacts: CSV in UTF-8 or GBK, vCard, dry run, bad rows, size limit."""
from contextlib import contextmanager

from guanxi_testing.fixtures import assert_problem

CSV = ("Name,Mobile Phone,E-mail Address,Company,Job Title,Birthday\n"
       "王芳,13800138000,wang@example.cn,华为技术有限公司,经理,1988-08-15\n"
       "李雷,13900139000,,华为技术有限公司,工程师,\n"
       "王芳(重复),138-0013-8000,,,,\n"
       "坏号码,12345,,,,\n"
       ",,,,,\n"
       "张伟,,zhang@example.cn,,,\n")


def post(client, data, **params):
    return client.post("/v1/imports", content=data, params=params,
                       headers={"content-type": "text/csv"})


def test_dry_run_reports_and_writes_nothing(client):
    report = post(client, CSV.encode(), dry_run="true").json()
    assert (report["created"], report["merged"], report["rejected"]) == (3, 1, 1)
    assert client.get("/v1/customers").json()["items"] == []


def test_a_row_repeating_an_earlier_one_completes_its_contact(client):
    report = post(client, ("Name,Mobile Phone,Business Phone,Job Title,E-mail Address\n"
                           "李四,13800138001,,,li@example.cn\n"
                           "李四(公司),13800138001,010-88886666,采购经理,other@example.cn\n"
                           ).encode()).json()
    assert [r["outcome"] for r in report["rows"]] == ["created", "merged"]
    assert report["rows"][1]["reason"] == "same phone or email as line 2"
    contact = client.get(f"/v1/contacts/{report['rows'][0]['contact_id']}").json()
    assert [p["number"] for p in contact["phones"]] == ["+8613800138001", "+861088886666"]
    assert contact["job_title"] == "采购经理"  # the first row had none
    assert contact["email"] == "li@example.cn" and contact["primary_phone"] == "+8613800138001"


def test_import_creates_companies_and_people_and_reports_each_row(client):
    report = post(client, CSV.encode("gbk"), filename="../../etc/通讯录.csv").json()
    assert report["filename"] == "通讯录.csv"
    outcomes = {r["name"]: (r["outcome"], r["reason"]) for r in report["rows"]}
    assert outcomes["王芳"] == ("created", None)
    assert outcomes["王芳(重复)"][0] == "merged"
    assert outcomes["坏号码"] == ("rejected", "'12345' is not a valid phone number")
    customers = {c["name"]: c for c in client.get("/v1/customers").json()["items"]}
    assert set(customers) == {"华为技术有限公司", "张伟"}
    hw = customers["华为技术有限公司"]
    contacts = client.get(f"/v1/customers/{hw['id']}/contacts").json()["items"]
    assert sorted(c["name"] for c in contacts) == ["李雷", "王芳"]
    found = client.get("/v1/customers", params={"q": "华为技术"}).json()["items"]
    assert [c["id"] for c in found] == [hw["id"]]  # imported rows are searchable at once
    again = post(client, CSV.encode()).json()
    assert (again["created"], again["updated"]) == (0, 4)  # every known phone or email


def test_vcard_import(client):
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:张伟\r\nTEL;TYPE=CELL:13900139000\r\nEND:VCARD\r\n"
    report = client.post("/v1/imports", content=card.encode(),
                         headers={"content-type": "text/vcard"}).json()
    assert report["format"] == "vcard" and report["created"] == 1


def test_oversized_and_empty_imports_are_refused(client, monkeypatch):
    from guanxi_registry.api import imports

    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 1000)
    assert_problem(post(client, b"Name,Phone\n" + b"x,13800138000\n" * 200), 413)
    assert_problem(post(client, b""), 422)
    assert client.get("/v1/customers").json()["items"] == []


def test_search_keeps_indexing_after_an_import_and_after_a_failed_one(client, monkeypatch):
    from guanxi_registry.store import imports

    post(client, CSV.encode())
    created = client.post("/v1/customers", json={"kind": "company", "name": "腾讯科技有限公司"})
    assert created.status_code == 201
    assert [c["name"] for c in client.get("/v1/customers", params={"q": "腾讯科技"}).json()[
        "items"]] == ["腾讯科技有限公司"]

    real = imports.streaming_insert

    @contextmanager
    def broken(session, table):  # the customers are in when writing the contacts fails
        if table.name == "contact":
            raise RuntimeError("disk full")
        with real(session, table) as add:
            yield add

    monkeypatch.setattr(imports, "streaming_insert", broken)
    try:
        post(client, "Name,Mobile Phone\n赵六,13700137000\n".encode())
    except RuntimeError:
        pass  # the test client re-raises the server error
    monkeypatch.undo()
    client.post("/v1/customers", json={"kind": "company", "name": "阿里巴巴网络技术有限公司"})
    found = client.get("/v1/customers", params={"q": "阿里巴巴网"}).json()["items"]
    assert [c["name"] for c in found] == ["阿里巴巴网络技术有限公司"]
    assert client.get("/v1/customers", params={"q": "赵六"}).json()["items"] == []


def test_old_mac_line_ends_nul_bytes_and_unreadable_csv(client):
    # lines ended by a lone \r (classic Mac exports) are lines; NUL bytes are dropped
    report = post(client, b"Name,Mobile Phone\r\xe7\x8e\x8b\x00\xe8\x8a\xb3,13800138000\r"
                          b"\xe6\x9d\x8e\xe9\x9b\xb7,13900139000\r", dry_run="true").json()
    assert [r["name"] for r in report["rows"]] == ["王芳", "李雷"]
    assert report["created"] == 2
    body = assert_problem(post(client, b'Name,Note\n"a","b"x\n' + b"y" * 200_000), 422)
    assert "not readable as CSV" in body["detail"]
    assert client.get("/v1/customers").json()["items"] == []


def test_a_form_upload_imports_the_file_field_with_its_name_and_type(client):
    """What a browser form and most HTTP clients send for a file (issue 15): the multipart
    framing is not read as if it were the CSV."""
    resp = client.post("/v1/imports", params={"dry_run": "true"},
                       files={"file": ("通讯录.csv", CSV.encode("gbk"), "text/csv")})
    assert resp.status_code == 200, resp.text
    report = resp.json()
    assert (report["format"], report["filename"]) == ("csv", "通讯录.csv")
    assert (report["created"], report["merged"], report["rejected"]) == (3, 1, 1)
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:张伟\r\nTEL;TYPE=CELL:13900139000\r\nEND:VCARD\r\n"
    report = client.post("/v1/imports", files={"file": ("phone.vcf", card.encode(),
                                                        "application/octet-stream")}).json()
    assert (report["format"], report["created"]) == ("vcard", 1)
    assert [c["name"] for c in client.get("/v1/customers").json()["items"]] == ["张伟"]


def test_a_form_upload_without_a_file_field_says_so(client):
    body = assert_problem(client.post("/v1/imports", files={"upload": ("a.csv", CSV.encode())}),
                          422)
    assert "'file'" in body["detail"] and body["errors"][0]["loc"] == ["body", "file"]
    broken = client.post("/v1/imports", content=b"--xyz\r\nnot a part",
                         headers={"content-type": "multipart/form-data; boundary=xyz"})
    assert 400 <= broken.status_code < 500, broken.text
    assert_problem(broken, broken.status_code)
    assert client.get("/v1/customers").json()["items"] == []


def test_a_body_that_is_not_the_format_is_refused_not_reported_as_rows(client):
    framing = ("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\""
               "\r\nContent-Type: text/csv\r\n\r\n" + CSV + "\r\n--b0undary--\r\n")
    body = assert_problem(post(client, framing.encode()), 422)  # multipart sent as text/csv
    assert "not a contact CSV" in body["detail"] and "--b0undary" in body["detail"]
    body = assert_problem(client.post("/v1/imports", content=CSV.encode(),
                                      params={"format": "vcard"}), 422)
    assert "vCard" in body["detail"]
    body = assert_problem(client.post("/v1/imports", content=b'{"name": "x"}',
                                      headers={"content-type": "application/json"}), 415)
    assert "multipart/form-data" in body["detail"]
    assert client.get("/v1/customers").json()["items"] == []
