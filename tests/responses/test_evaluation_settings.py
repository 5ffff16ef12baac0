"""GET|PATCH /api/v1/evaluation-settings and GraphQL evaluationSettings / updateEvaluationSettings: the tenant's
evaluation weights, direct or from an AHP matrix, that the case evaluation then uses."""

from typing import Any

from django_tenants.utils import tenant_context

from responses.models import EvaluationSettings
from tests.conftest import Api, tenant_obj
from tests.responses.test_evaluation import WEIGHTS, by_name, handled
from tests.responses.test_response_effects import admin

SETTINGS = "/api/v1/evaluation-settings"
# Timeliness twice as important as each other component, the others alike: a consistent matrix (CR 0).
AHP: list[list[float]] = [[1.0, 2, 2, 2, 2, 2, 2]] + [[0.5, 1, 1, 1, 1, 1, 1] for _ in range(6)]


def change(api: Api, body: dict) -> Any:
    return api.patch(SETTINGS, body)


def stored(slug: str) -> int:
    with tenant_context(tenant_obj(slug)):
        return EvaluationSettings.objects.count()


def test_the_defaults_until_set_then_direct_weights_normalised_drive_the_score(alpha):
    api = admin(alpha)
    world = handled(api, alpha.slug)

    default = api.get(SETTINGS).json()
    changed = change(api, {"weighting": "direct", "weights": dict.fromkeys(WEIGHTS, 3)})
    body = api.get(f"/api/v1/cases/{world['case']}/evaluation").json()

    assert default == {
        "weighting": "direct",
        "weights": WEIGHTS,
        "ahp_matrix": None,
        "consistency_ratio": None,
        "is_default": True,
    }
    assert changed.status_code == 200, changed.content
    assert changed.json()["weights"] == dict.fromkeys(WEIGHTS, 0.142857) and changed.json()["is_default"] is False
    values = [c["value"] for c in body["components"]]
    assert all(c["weight"] == 0.142857 for c in body["components"])
    assert body["score"] == round(sum(values) / 7, 2) == 68.15


def test_ahp_weights_come_from_the_matrix_and_default_goes_back(alpha):
    api = admin(alpha)

    changed = change(api, {"weighting": "ahp", "ahp_matrix": AHP})
    back = change(api, {"weighting": "default"})

    assert changed.status_code == 200, changed.content
    found = changed.json()
    assert found["weighting"] == "ahp" and found["ahp_matrix"] == AHP
    assert found["weights"] == {name: 0.25 if name == "timeliness" else 0.125 for name in WEIGHTS}
    assert abs(found["consistency_ratio"]) < 1e-6
    assert back.json()["is_default"] is True and stored(alpha.slug) == 0


def test_bad_weights_are_400s_naming_the_field_and_change_nothing(alpha):
    api = admin(alpha)
    inconsistent = [row[:] for row in AHP]
    inconsistent[1][2], inconsistent[2][1] = 9, 1 / 9
    inconsistent[2][3], inconsistent[3][2] = 9, 1 / 9
    inconsistent[1][3], inconsistent[3][1] = 1 / 9, 9

    refused: dict[str, dict[str, Any]] = {
        "weighting": {"weighting": "magic"},
        "weights": {"weighting": "direct"},
        "weights.tasks_on_time": {"weighting": "direct", "weights": {k: 1 for k in list(WEIGHTS)[:-1]}},
        "weights.speed": {"weighting": "direct", "weights": {**dict.fromkeys(WEIGHTS, 1), "speed": 1}},
        "weights.timeliness": {"weighting": "direct", "weights": {**dict.fromkeys(WEIGHTS, 1), "timeliness": -1}},
        "ahp_matrix": {"weighting": "ahp", "ahp_matrix": [[1, 2], [0.5, 1]]},
        "ahp_matrix ": {"weighting": "ahp", "ahp_matrix": inconsistent},
        "weights ": {"weighting": "ahp", "ahp_matrix": AHP, "weights": dict.fromkeys(WEIGHTS, 1)},
        "weights  ": {"weighting": "direct", "weights": dict.fromkeys(WEIGHTS, 0)},
    }
    for field, body in refused.items():
        response = change(api, body)
        assert response.status_code == 400, (field, response.content)
        assert response.json()["error"]["field"] == field.strip(), (field, response.json())

    assert change(api, {"weighting": "ahp", "ahp_matrix": inconsistent}).json()["error"]["code"] == (
        "inconsistent_matrix"
    )
    assert stored(alpha.slug) == 0


def test_only_admins_set_them_everyone_reads_them_and_each_tenant_has_its_own(alpha, beta, make_user, login):
    viewer = make_user(alpha.slug, "viewer", "weights-viewer@alpha.example")
    as_viewer = Api(alpha.slug, auth=login(alpha.slug, viewer.email))

    denied = change(as_viewer, {"weighting": "ahp", "ahp_matrix": AHP})
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "permission_denied"
    assert stored(alpha.slug) == 0
    assert change(admin(alpha), {"weighting": "ahp", "ahp_matrix": AHP}).status_code == 200

    assert as_viewer.get(SETTINGS).json()["weighting"] == "ahp"
    assert admin(beta).get(SETTINGS).json()["is_default"] is True
    assert Api(alpha.slug).get(SETTINGS).status_code == 401


def test_graphql_sets_and_reads_alike(alpha):
    api = admin(alpha)
    case_id = handled(api, alpha.slug)["case"]

    updated = api.graphql(
        'mutation($m: [[Float!]!]) { updateEvaluationSettings(weighting: "ahp", ahpMatrix: $m) '
        "{ weighting weights consistencyRatio isDefault } }",
        {"m": AHP},
    ).json()
    bad = api.graphql('mutation { updateEvaluationSettings(weighting: "direct", weights: {speed: 1}) { weighting } }')
    read = api.graphql("{ evaluationSettings { weighting weights } }").json()["data"]["evaluationSettings"]
    rest = api.get(SETTINGS).json()
    evaluation = api.get(f"/api/v1/cases/{case_id}/evaluation").json()

    assert "errors" not in updated, updated
    assert updated["data"]["updateEvaluationSettings"]["weights"] == rest["weights"] == read["weights"]
    assert bad.json()["errors"][0]["extensions"]["field"] == "weights.speed"
    assert by_name(evaluation)["timeliness"]["weight"] == 0.25
