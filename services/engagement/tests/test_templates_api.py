"""Templates: a write the read model could not load back is refused (issue 15)."""
import pytest

from guanxi_engagement.store.tables import Template
from guanxi_shared.errors import Invalid
from guanxi_testing.fixtures import assert_problem


def new_template(client):
    resp = client.post("/v1/templates", json={"name": "生日", "subject": {"zh": "生日快乐"},
                                              "body": {"zh": "{name}，生日快乐！"}})
    assert resp.status_code == 201, resp.text
    return resp.json()


@pytest.mark.parametrize("field", ["subject", "body", "name"])
def test_a_null_that_would_poison_the_list_is_a_422(client, field):
    """PATCH {"subject": null} stored the JSON null, which TemplateRead cannot load: from then
    on GET /v1/templates answered 500 for everybody."""
    template = new_template(client)
    body = assert_problem(client.patch(f"/v1/templates/{template['id']}", json={field: None}),
                          422)
    assert [(e["loc"], e["type"]) for e in body["errors"]] == [
        (["body", field], "null_not_allowed")]
    listed = client.get("/v1/templates")
    assert listed.status_code == 200 and listed.json()["items"] == [template]


def test_the_session_refuses_emptying_a_column_whatever_the_schema_said(client):
    """The net under every update, for a route whose schema lets a null through."""
    template = new_template(client)
    with client.app.state.sessions() as session:
        row = session.get(Template, template["id"])
        row.subject = None
        with pytest.raises(Invalid) as refused:
            session.commit()
        assert refused.value.errors[0]["loc"] == ["body", "subject"]
    assert client.get("/v1/templates").json()["items"] == [template]


def test_a_list_index_in_an_error_location_is_a_string_as_documented(client):
    """Found by Schemathesis (issue 15): a day outside the year was a 422 whose errors[].loc
    held the integer 0, which the documented problem schema (loc: list of strings) refuses."""
    body = assert_problem(client.put("/v1/calendar/official/2031", json={
        "days_off": [{"on": "2000-01-01", "name": "元旦"}], "workdays": []}), 422)
    assert all(isinstance(part, str) for e in body["errors"] for part in e["loc"]), body
