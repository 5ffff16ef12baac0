"""Playbook revisions (預案修訂): a case's review proposes changes to a playbook it ran, against the version that ran;
an admin applies one (the playbook's next version) or rejects it with a reason; the review report shows each diff."""

from typing import Any

from django_tenants.utils import tenant_context
from jsonschema import Draft202012Validator

from responses.models import CaseTask, CrisisCase, PlaybookActivation, PlaybookRevision
from tenants.identity.principals import SYSTEM
from tenants.notifications.catalogue import CATALOGUE
from tenants.notifications.models import Delivery
from tenants.notifications.services import channel_create
from tests.conftest import Api, key_auth, nodes, tenant_obj
from tests.responses.test_playbooks import CONTENT, HOLDING, VERIFY, admin, create, open_case

V1 = "/api/v1"
REVISIONS = f"{V1}/playbook-revisions"
REGULATOR = {"title": "Brief the regulator", "role": "legal", "due_minutes": 90}
# What the review learnt: verify sooner, and tell the regulator before the press does.
PROPOSED = {**CONTENT, "tasks": [HOLDING, {**VERIFY, "due_minutes": 45}, REGULATOR]}
RATIONALE = "The regulator heard of it from the press; verification took too long."


def ran_case(api: Api, *, resolve: bool = True, name: str = "Data leak I") -> tuple[int, int]:
    """A case that ran the playbook's v1 and, unless told otherwise, was resolved; (case id, playbook id)."""
    playbook = create(api, name=name)["id"]
    case = open_case(api)["id"]
    assert api.post(f"{V1}/playbooks/{playbook}/activate", {"case_id": case}).status_code == 201
    if resolve:
        for transition in ("assess", "resolve"):
            body = {"transition": transition, "override_reason": "Drill over"}
            assert api.post(f"{V1}/cases/{case}/transition", body).status_code == 200
    return case, playbook


def propose(api: Api, case: int, playbook: int, content: Any = PROPOSED, **extra: Any) -> Any:
    body = {"playbook": playbook, "content": content, "rationale": RATIONALE} | extra
    return api.post(f"{V1}/cases/{case}/playbook-revisions", body)


def role_api(make_key: Any, slug: str, role: str) -> Api:
    return Api(slug, auth=key_auth(make_key(slug, role)[1]))


def rows(slug: str, case: int) -> tuple[str, int, int]:
    with tenant_context(tenant_obj(slug)):
        return (
            CrisisCase.objects.get(pk=case).status,
            PlaybookRevision.objects.filter(case_id=case).count(),
            CaseTask.objects.filter(case_id=case, description__startswith="Action item").count(),
        )


def test_a_proposal_is_against_the_version_that_ran_and_diffs_its_content(alpha):
    api = admin(alpha)
    case, playbook = ran_case(api)
    # Edited after the case ran it: the proposal is still against v1, the version the case knows.
    edited = {**CONTENT, "contacts": []}
    assert api.patch(f"{V1}/playbooks/{playbook}", {"content": edited}).json()["current_version"] == 2

    created = propose(api, case, playbook)
    assert created.status_code == 201, created.content
    revision = api.get(f"{REVISIONS}/{created.json()['id']}").json()

    assert (revision["base_version"], revision["current_version"], revision["status"]) == (1, 2, "proposed")
    assert (revision["case_id"], revision["playbook_name"]) == (case, "Data leak I")
    tasks = revision["diff"]["sections"]["tasks"]
    assert [t["title"] for t in tasks["added"]] == ["Brief the regulator"] and tasks["removed"] == []
    assert tasks["changed"] == [{"key": "Verify the facts", "fields": {"due_minutes": {"old": 120, "new": 45}}}]
    assert revision["diff"]["sections"]["contacts"] == {"added": [], "removed": [], "changed": []}
    text = revision["diff"]["text"]
    assert text.startswith("--- v1\n+++ revision") and '+      "title": "Brief the regulator"' in text
    listed = api.get(f"{V1}/cases/{case}/playbook-revisions").json()["results"]
    assert [r["id"] for r in listed] == [revision["id"]]


def test_applying_over_a_newer_version_is_refused_and_changes_nothing(alpha):
    api = admin(alpha)
    case, playbook = ran_case(api)
    revision = propose(api, case, playbook).json()["id"]
    api.patch(f"{V1}/playbooks/{playbook}", {"content": {**CONTENT, "contacts": []}})

    refused = api.post(f"{REVISIONS}/{revision}/apply")

    assert refused.status_code == 409 and refused.json()["error"]["code"] == "playbook_moved_on"
    assert api.get(f"{V1}/playbooks/{playbook}").json()["current_version"] == 2
    assert api.get(f"{REVISIONS}/{revision}").json()["status"] == "proposed"


def test_an_admin_applies_it_as_the_next_version_and_the_case_keeps_the_one_it_ran(alpha):
    api = admin(alpha)
    case, playbook = ran_case(api)
    revision = propose(api, case, playbook).json()["id"]

    applied = api.post(f"{REVISIONS}/{revision}/apply")

    assert applied.status_code == 200, applied.content
    body = applied.json()
    assert (body["status"], body["applied_version"]) == ("applied", 2)
    assert body["decided_by"] == body["proposed_by"] != "" and body["decided_at"] is not None
    current = api.get(f"{V1}/playbooks/{playbook}").json()
    assert current["current_version"] == 2
    assert [t["title"] for t in current["content"]["tasks"]] == [
        "Holding statement",
        "Verify the facts",
        "Brief the regulator",
    ]
    versions = api.get(f"{V1}/playbooks/{playbook}/versions").json()["results"]
    assert versions[-1]["change_note"].startswith(f"Revision {revision} from the review of case #{case}")
    assert [(p["playbook"], p["version"]) for p in api.get(f"{V1}/cases/{case}").json()["playbooks"]] == [(playbook, 1)]
    with tenant_context(tenant_obj(alpha.slug)):
        assert PlaybookActivation.objects.get(case_id=case).version == 1
    timeline = api.get(f"{V1}/cases/{case}/timeline").json()["results"]
    assert [e["kind"] for e in timeline[-2:]] == ["playbook_revision_proposed", "playbook_revised"]
    again = api.post(f"{REVISIONS}/{revision}/apply")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_decided"


def test_only_admins_apply_or_reject_and_viewers_may_not_propose(alpha, make_key):
    api = admin(alpha)
    case, playbook = ran_case(api)
    analyst = role_api(make_key, alpha.slug, "analyst")
    viewer = role_api(make_key, alpha.slug, "viewer")
    revision = propose(analyst, case, playbook).json()["id"]

    refused = {
        "rest apply": analyst.post(f"{REVISIONS}/{revision}/apply"),
        "rest reject": analyst.post(f"{REVISIONS}/{revision}/reject", {"reason": "No"}),
        "rest propose": propose(viewer, case, playbook),
    }
    graphql = analyst.graphql("mutation($id: Int!) { applyPlaybookRevision(id: $id) { id } }", {"id": revision})

    assert {name: r.status_code for name, r in refused.items()} == dict.fromkeys(refused, 403)
    assert graphql.json()["errors"][0]["extensions"]["code"] == "permission_denied"
    assert viewer.get(f"{REVISIONS}/{revision}").json()["status"] == "proposed"
    assert rows(alpha.slug, case)[1] == 1


def test_rejecting_needs_a_reason_and_leaves_the_playbook_alone(alpha):
    api = admin(alpha)
    case, playbook = ran_case(api)
    revision = propose(api, case, playbook).json()["id"]
    path = f"{REVISIONS}/{revision}/reject"

    for body in ({}, {"reason": "   "}):
        response = api.post(path, body)
        assert response.status_code == 400 and response.json()["error"]["field"] == "reason", response.content
    rejected = api.post(path, {"reason": "Legal briefs the regulator already."})

    assert rejected.status_code == 200
    assert (rejected.json()["status"], rejected.json()["reason"]) == ("rejected", "Legal briefs the regulator already.")
    assert api.get(f"{V1}/playbooks/{playbook}").json()["current_version"] == 1
    assert api.post(f"{REVISIONS}/{revision}/apply").json()["error"]["code"] == "already_decided"


def test_a_proposal_needs_a_playbook_the_case_ran_a_change_and_a_resolved_case(alpha):
    api = admin(alpha)
    case, playbook = ran_case(api)
    other = create(api, name="Service outage", scenario="service_failure")["id"]

    refused = {
        "playbook": propose(api, case, other),
        "content": propose(api, case, playbook, content=CONTENT),
        "content.tasks.2.due_minutes": propose(
            api, case, playbook, content={**PROPOSED, "tasks": [HOLDING, VERIFY, {**REGULATOR, "due_minutes": -1}]}
        ),
        "rationale": propose(api, case, playbook, rationale=""),
        "colour": propose(api, case, playbook, colour="red"),
    }
    open_one, ran_by_open = ran_case(api, resolve=False, name="Data leak, open case")
    too_early = propose(api, open_one, ran_by_open)

    assert {field: (r.status_code, r.json()["error"]["field"]) for field, r in refused.items()} == {
        field: (400, field) for field in refused
    }
    assert too_early.status_code == 409 and too_early.json()["error"]["code"] == "case_not_resolved"
    assert rows(alpha.slug, case)[1] == 0 and rows(alpha.slug, open_one)[1] == 0


def test_the_review_proposes_its_revisions_in_the_same_step_and_the_report_shows_each_diff(alpha):
    api = admin(alpha)
    case, playbook = ran_case(api)
    entry = {"playbook": playbook, "content": PROPOSED, "rationale": RATIONALE}

    response = api.post(
        f"{V1}/cases/{case}/transition",
        {"transition": "review", "action_items": [{"title": "Call the regulator"}], "playbook_revisions": [entry]},
    )

    assert response.status_code == 200, response.content
    (revision,) = api.get(f"{V1}/cases/{case}/playbook-revisions").json()["results"]
    assert (revision["base_version"], revision["rationale"], revision["status"]) == (1, RATIONALE, "proposed")
    report = api.get(f"{V1}/cases/{case}/report").json()
    (shown,) = report["content"]["playbook_revisions"]
    assert (report["final"], shown["id"], shown["playbook"]) == (True, revision["id"], "Data leak I")
    assert '+      "title": "Brief the regulator"' in shown["diff"]
    html = api.get(f"{V1}/cases/{case}/report?format=html").content.decode()
    assert "Proposed playbook revisions" in html and "Brief the regulator" in html


def test_a_bad_revision_in_the_review_is_a_400_naming_it_and_writes_nothing(alpha):
    api = admin(alpha)
    case, playbook = ran_case(api)
    other = create(api, name="Service outage", scenario="service_failure")["id"]
    good = {"playbook": playbook, "content": PROPOSED, "rationale": RATIONALE}
    review = {"transition": "review", "action_items": [{"title": "Call the regulator"}]}

    refused = {
        "playbook_revisions.1.playbook": [good, {**good, "playbook": other}],
        "playbook_revisions.0.content.tasks.0.title": [{**good, "content": {"tasks": [{"title": ""}]}}],
        "playbook_revisions.0.rationale": [{"playbook": playbook, "content": PROPOSED}],
        "playbook_revisions.0.colour": [{**good, "colour": "red"}],
    }
    answers = {
        field: api.post(f"{V1}/cases/{case}/transition", review | {"playbook_revisions": entries})
        for field, entries in refused.items()
    }
    reopen = api.post(f"{V1}/cases/{case}/transition", {"transition": "reopen", "playbook_revisions": [good]})
    graphql = api.graphql(
        "mutation($id: Int!, $revisions: [PlaybookRevisionInput!]) { transitionCase(id: $id, transition: REVIEW, "
        "playbookRevisions: $revisions) { status } }",
        {"id": case, "revisions": [{**good, "playbook": other}]},
    ).json()

    assert {field: (r.status_code, r.json()["error"]["field"]) for field, r in answers.items()} == {
        field: (400, field) for field in refused
    }
    assert (reopen.status_code, reopen.json()["error"]["field"]) == (400, "playbook_revisions")
    assert graphql["errors"][0]["extensions"]["field"] == "playbook_revisions.0.playbook"
    assert rows(alpha.slug, case) == ("resolved", 0, 0)


def test_graphql_proposes_reads_and_applies_alike(alpha):
    api = admin(alpha)
    case, playbook = ran_case(api)
    fields = "id status baseVersion currentVersion appliedVersion playbookId playbookName caseId diff"

    proposed = api.graphql(
        f"mutation($c: Int!, $p: Int!, $content: JSON!, $why: String!) {{ proposePlaybookRevision(caseId: $c, "
        f"playbook: $p, content: $content, rationale: $why) {{ {fields} }} }}",
        {"c": case, "p": playbook, "content": PROPOSED, "why": RATIONALE},
    ).json()
    assert "errors" not in proposed, proposed
    revision = proposed["data"]["proposePlaybookRevision"]
    revision_id = int(revision["id"])
    rest = api.get(f"{REVISIONS}/{revision_id}").json()
    listed = api.graphql(
        "query($c: Int!) { casePlaybookRevisions(caseId: $c) { edges { node { id rationale playbookName diff } } } }",
        {"c": case},
    ).json()
    read = api.graphql(f"query($id: Int!) {{ playbookRevision(id: $id) {{ {fields} }} }}", {"id": revision_id})
    applied = api.graphql(
        "mutation($id: Int!) { applyPlaybookRevision(id: $id) { status appliedVersion } }", {"id": revision_id}
    ).json()

    assert (revision["status"], revision["baseVersion"], revision["playbookName"]) == ("PROPOSED", 1, "Data leak I")
    assert revision["diff"] == rest["diff"]
    assert nodes(listed["data"]["casePlaybookRevisions"]) == [
        {"id": revision["id"], "rationale": RATIONALE, "playbookName": "Data leak I", "diff": rest["diff"]}
    ]
    assert read.json()["data"]["playbookRevision"] == revision
    assert applied["data"]["applyPlaybookRevision"] == {"status": "APPLIED", "appliedVersion": 2}
    assert api.get(f"{V1}/playbooks/{playbook}").json()["current_version"] == 2


def test_graphql_rejects_with_a_reason(alpha):
    api = admin(alpha)
    case, playbook = ran_case(api)
    revision = propose(api, case, playbook).json()["id"]
    mutation = "mutation($id: Int!, $why: String!) { rejectPlaybookRevision(id: $id, reason: $why) { status reason } }"

    blank = api.graphql(mutation, {"id": revision, "why": " "}).json()
    rejected = api.graphql(mutation, {"id": revision, "why": "Not now."}).json()

    assert blank["errors"][0]["extensions"]["field"] == "reason"
    assert rejected["data"]["rejectPlaybookRevision"] == {"status": "REJECTED", "reason": "Not now."}


def test_another_tenant_can_neither_see_nor_decide_a_revision(alpha, beta):
    api = admin(alpha)
    case, playbook = ran_case(api)
    revision = propose(api, case, playbook).json()["id"]
    other = admin(beta)

    answers = [
        other.get(f"{REVISIONS}/{revision}"),
        other.post(f"{REVISIONS}/{revision}/apply"),
        other.post(f"{REVISIONS}/{revision}/reject", {"reason": "Mine now"}),
        other.get(f"{V1}/cases/{case}/playbook-revisions"),
        propose(other, case, playbook),
    ]
    graphql = [
        other.graphql("query($id: Int!) { playbookRevision(id: $id) { id } }", {"id": revision}).json(),
        other.graphql("mutation($id: Int!) { applyPlaybookRevision(id: $id) { id } }", {"id": revision}).json(),
        other.graphql(
            "query($c: Int!) { casePlaybookRevisions(caseId: $c) { edges { node { id } } } }", {"c": case}
        ).json(),
    ]

    assert [r.status_code for r in answers] == [404] * len(answers)
    assert [g["errors"][0]["extensions"]["code"] for g in graphql] == ["not_found"] * len(graphql)
    assert api.get(f"{REVISIONS}/{revision}").json()["status"] == "proposed"
    assert api.get(f"{V1}/playbooks/{playbook}").json()["current_version"] == 1


def test_applying_tells_the_channels_playbook_revised_as_the_catalogue_says(alpha, django_capture_on_commit_callbacks):
    api = admin(alpha)
    case, playbook = ran_case(api)
    revision = propose(api, case, playbook).json()["id"]
    with tenant_context(tenant_obj(alpha.slug)):
        channel = channel_create(actor=SYSTEM, name="reviews", kind="email", emails=["ops@alpha.example"])

    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"{REVISIONS}/{revision}/apply").status_code == 200

    with tenant_context(tenant_obj(alpha.slug)):
        (sent,) = Delivery.objects.filter(channel=channel)
    assert sent.event_type == "playbook.revised"
    assert list(Draft202012Validator(CATALOGUE["playbook.revised"].schema).iter_errors(sent.payload)) == []
    data = sent.payload["data"]
    assert (data["playbook"], data["revision_id"], data["base_version"]) == (
        {"id": playbook, "name": "Data leak I", "version": 2},
        revision,
        1,
    )
    assert data["case"]["id"] == case
