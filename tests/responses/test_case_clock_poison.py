"""No poison pills in the case-clock beat: one case whose clocks raise is quarantined, the others are checked."""

from django.db import connection

from responses.models import SlaBreach
from responses.tasks import case_clocks
from tests.conftest import Api
from tests.responses.test_sla import admin, in_tenant, open_case

DEAD_LETTERS = "/api/v1/dead-letters"


def set_severity(case_id: int, severity: str) -> None:
    with in_tenant("alpha"), connection.cursor() as cursor:
        cursor.execute("UPDATE responses_crisiscase SET severity = %s WHERE id = %s", [severity, case_id])


def test_a_case_whose_clock_raises_does_not_stop_the_other_cases(alpha):
    api: Api = admin(alpha)
    broken = open_case(api, "I", minutes_ago=61)["id"]
    healthy = open_case(api, "I", minutes_ago=61)["id"]
    # A severity the SLA table does not know (say, written by an old import): its clocks cannot be computed.
    set_severity(broken, "V")

    with in_tenant("alpha"):
        result = case_clocks()
        breached = sorted(SlaBreach.objects.values_list("case_id", "kind"))

    assert result == {"sla_breaches": 2, "escalations": 0, "follow_ups_overdue": 0, "quarantined": 1}
    assert breached == [(healthy, "acknowledge"), (healthy, "first_statement")]
    (letter,) = api.get(f"{DEAD_LETTERS}?kind=case_clock&resolved=false").json()["results"]
    assert (letter["item_model"], letter["item_key"], letter["reason"]) == (
        "responses.CrisisCase",
        str(broken),
        "KeyError: 'V'",
    )

    set_severity(broken, "I")
    retried = api.post(f"{DEAD_LETTERS}/{letter['id']}/retry").json()

    assert retried["resolved_at"] is not None
    with in_tenant("alpha"):
        assert SlaBreach.objects.filter(case_id=broken).count() == 2
        assert case_clocks()["quarantined"] == 0


def test_a_case_whose_escalation_rules_cannot_be_read_does_not_stop_the_others(alpha):
    from datetime import timedelta

    from django.utils import timezone

    from responses.models import PlaybookActivation
    from responses.playbooks.escalation import escalation_check
    from tests.responses.test_playbooks import create

    api = admin(alpha)
    create(api)
    broken, healthy = (
        api.post("/api/v1/cases", {"title": "泄露", "scenario": "data_leak", "severity": "I"}).json()["id"]
        for _ in range(2)
    )
    # Its activation points at a playbook version that is not stored: its rules cannot be read.
    with in_tenant("alpha"):
        PlaybookActivation.objects.filter(case_id=broken).update(version=99)
        fired = escalation_check(now=timezone.now() + timedelta(hours=2))

    assert [f["case_id"] for f in fired] == [healthy]
    (letter,) = api.get(f"{DEAD_LETTERS}?kind=case_clock").json()["results"]
    assert letter["item_key"] == str(broken) and letter["reason"].startswith("KeyError: ")
