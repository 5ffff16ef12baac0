"""The review report (復盤報告): GET/POST /api/v1/cases/{id}/report (?format=json|html|pdf, ?version=), its versions,
the final one stored at the review, and the same over GraphQL."""

import io
from typing import Any

import pypdfium2
import pytest
from django_tenants.utils import tenant_context

from responses.models import CaseReport, CrisisCase
from responses.reports import charts
from tests.conftest import Api, key_auth, tenant_obj
from tests.responses.test_evaluation import handled
from tests.responses.test_response_effects import admin
from tests.responses.test_review import resolved_case

CASES = "/api/v1/cases"
TITLE = "星河手機電池起火"
SECTIONS = {
    "case",
    "evaluation",
    "timeline",
    "statements",
    "commitments",
    "lessons",
    "action_items",
    "playbooks",
    "playbook_revisions",
    "key_tasks",
    "key_nodes",
    "follow_ups",
    "recovery",
    "trends",
    "markers",
}


@pytest.fixture
def world(alpha) -> dict:
    """The evaluation's hand-made case (talk around a published statement, four follow-ups, six tasks), with a
    Chinese title."""
    found = handled(admin(alpha), alpha.slug)
    with tenant_context(tenant_obj(alpha.slug)):
        CrisisCase.objects.filter(pk=found["case"]).update(title=TITLE)
    return found


def report(api: Api, case_id: int, **params) -> Any:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return api.get(f"{CASES}/{case_id}/report" + (f"?{query}" if query else ""))


def test_the_json_report_holds_every_section_with_the_case_s_numbers(alpha, world):
    api = admin(alpha)

    body = report(api, world["case"]).json()

    assert (body["case_id"], body["version"], body["trigger"], body["final"]) == (world["case"], 1, "requested", False)
    content = body["content"]
    assert set(content) == SECTIONS
    evaluation = api.get(f"{CASES}/{world['case']}/evaluation").json()
    assert (content["evaluation"]["score"], content["evaluation"]["grade"]) == (
        evaluation["score"],
        evaluation["grade"],
    )
    assert content["case"]["title"] == TITLE
    assert [s["body"] for s in content["statements"]] == ["我们已关注。"]
    assert content["statements"][0]["publications"][0]["channel"] == "weibo"
    assert content["follow_ups"]["total"] == 4
    assert [s["count"] for s in content["follow_ups"]["funnel"]] == [4, 2, 2, 1]
    # 120 minutes of 3 a minute (2 negative) before the statement, then 120 of 2 a minute.
    assert sum(p["mentions"] for p in content["trends"]["series"]) == 360 + 240
    assert sum(p["negative"] for p in content["trends"]["series"]) == 240 + 24 * 6
    assert [m["kind"] for m in content["markers"]] == ["statement"]
    assert content["playbooks"] == []
    assert body["pdf_url"] == f"{CASES}/{world['case']}/report?format=pdf&version=1"


def test_html_and_pdf_show_the_chinese_text_on_several_pages(alpha, world):
    api = admin(alpha)

    html = report(api, world["case"], format="html")
    pdf = report(api, world["case"], format="pdf")

    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    page = html.content.decode()
    assert TITLE in page and "我们已关注。" in page and page.count("data:image/svg+xml;base64,") == 3
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'attachment; filename="case-{world["case"]}-report-v1.pdf"'
    assert pdf.content.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(io.BytesIO(pdf.content))
    assert len(document) >= 2
    assert TITLE in document[0].get_textpage().get_text_range()
    image = document[0].render(scale=1).to_pil().convert("L")
    assert image.getextrema()[0] < 128, "the first page is blank"
    nodes = [{"author_external_id": "記者甲", "platform": "weibo", "score": 0.91}]
    assert charts.key_nodes_chart(nodes).startswith("data:image/svg+xml;base64,")
    # Rendered once and kept: the second download is the stored document.
    assert report(api, world["case"], format="pdf").content == pdf.content


def test_each_post_stores_a_new_version_until_the_review_whose_report_is_final(alpha, make_user):
    api = admin(alpha)
    owner = make_user(alpha.slug, "responder", "report-owner@alpha.example")
    case_id = resolved_case(api)

    made = [api.post(f"{CASES}/{case_id}/report") for _ in range(2)]
    reviewed = api.post(
        f"{CASES}/{case_id}/transition",
        {
            "transition": "review",
            "lessons": {"went_wrong": "聲明太慢", "root_cause": "<script>供應商</script>"},
            "action_items": [{"title": "審核供應商", "owner_id": owner.pk, "due_at": "2027-01-15T00:00:00Z"}],
        },
    )
    again = api.post(f"{CASES}/{case_id}/report")

    assert [r.status_code for r in made] == [201, 201] and [r.json()["version"] for r in made] == [1, 2]
    assert reviewed.status_code == 200, reviewed.content
    final = api.get(f"{CASES}/{case_id}/report").json()
    assert (final["version"], final["trigger"], final["final"]) == (3, "reviewed", True)
    assert final["content"]["lessons"]["went_wrong"] == "聲明太慢"
    assert [(t["title"], t["owner"]) for t in final["content"]["action_items"]] == [
        ("審核供應商", "report-owner@alpha.example")
    ]
    assert again.status_code == 200 and again.json() == final
    html = api.get(f"{CASES}/{case_id}/report?format=html").content.decode()
    assert "&lt;script&gt;供應商&lt;/script&gt;" in html and "<script>" not in html
    versions = api.get(f"{CASES}/{case_id}/report/versions").json()["results"]
    assert [(v["version"], v["trigger"], v["final"]) for v in versions] == [
        (3, "reviewed", True),
        (2, "requested", False),
        (1, "requested", False),
    ]
    assert api.get(f"{CASES}/{case_id}/report?version=1").json()["content"]["case"]["status"] == "resolved"


def test_graphql_reads_and_generates_what_rest_does(alpha):
    api = admin(alpha)
    case_id = resolved_case(api)

    made = api.graphql(
        "mutation($id: Int!) { generateCaseReport(caseId: $id) { version final trigger } }", {"id": case_id}
    ).json()
    read = api.graphql(
        "query($id: Int!) { caseReport(caseId: $id, version: 1) { caseId version content htmlUrl pdfUrl } "
        "caseReportVersions(caseId: $id) { edges { node { version trigger final } } } }",
        {"id": case_id},
    ).json()

    assert made == {"data": {"generateCaseReport": {"version": 1, "final": False, "trigger": "requested"}}}
    assert "errors" not in read, read
    found = read["data"]["caseReport"]
    rest = api.get(f"{CASES}/{case_id}/report").json()
    assert (found["caseId"], found["version"], found["content"]) == (case_id, 1, rest["content"])
    assert found["htmlUrl"] == f"{CASES}/{case_id}/report?format=html&version=1"
    assert read["data"]["caseReportVersions"]["edges"] == [
        {"node": {"version": 1, "trigger": "requested", "final": False}}
    ]


def test_another_tenant_s_case_is_not_found_on_both_faces(alpha, beta):
    case_id = resolved_case(admin(alpha))
    theirs = admin(beta)

    rest = [theirs.get(f"{CASES}/{case_id}/report"), theirs.post(f"{CASES}/{case_id}/report")]
    versions = theirs.get(f"{CASES}/{case_id}/report/versions")
    graphql = theirs.graphql(f"{{ caseReport(caseId: {case_id}) {{ version }} }}").json()

    assert [r.status_code for r in rest] == [404, 404] and versions.status_code == 404
    assert graphql["errors"][0]["extensions"]["code"] == "not_found"
    with tenant_context(tenant_obj(alpha.slug)):
        assert not CaseReport.objects.filter(case_id=case_id).exists()


def test_a_viewer_reads_but_may_not_regenerate_unless_commanding(alpha, make_key):
    api = admin(alpha)
    case_id = resolved_case(api)
    viewer = Api(alpha.slug, auth=key_auth(make_key(alpha.slug, "viewer")[1]))

    read = viewer.get(f"{CASES}/{case_id}/report")
    denied = viewer.post(f"{CASES}/{case_id}/report")
    graphql = viewer.graphql(f"mutation {{ generateCaseReport(caseId: {case_id}) {{ version }} }}").json()

    assert read.status_code == 200 and read.json()["version"] == 1
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    assert graphql["errors"][0]["extensions"]["code"] == "permission_denied"
    with tenant_context(tenant_obj(alpha.slug)):
        assert list(CaseReport.objects.filter(case_id=case_id).values_list("version", flat=True)) == [1]


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [("format=doc", 400, "format"), ("version=abc", 400, "version"), ("version=999", 404, "version")],
)
def test_bad_input_is_refused_naming_the_field(alpha, query, status, field):
    api = admin(alpha)
    case_id = resolved_case(api)

    response = api.get(f"{CASES}/{case_id}/report?{query}")

    assert response.status_code == status
    assert response.json()["error"]["field"] == field
