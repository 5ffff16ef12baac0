"""Playbook revisions over REST: a case's proposals (GET/POST /cases/{id}/playbook-revisions), one with its diff
against the version that ran, and an admin's apply or reject."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import StrictInput, TenantViewSet
from config.jsonsafe import INT_MAX
from responses.models import PlaybookRevision, RevisionStatus
from responses.playbooks import revision_selectors as selectors
from responses.playbooks import revision_services as services
from responses.playbooks.diff import revision_diff

CONTENT_HELP = (
    "The whole proposed content, as a playbook version holds it: {tasks, statements, contacts, escalation} "
    "(see the playbooks' `content`)."
)


class PlaybookRevisionInput(StrictInput):
    playbook = serializers.IntegerField(
        min_value=1, max_value=INT_MAX, help_text="A playbook that ran on the case (its activation gives the base)."
    )
    # Checked by the service, which names the nested path of a problem (content.tasks.2.due_minutes).
    content = serializers.JSONField(help_text=CONTENT_HELP)
    rationale = serializers.CharField(max_length=services.MAX_RATIONALE, help_text="Why, from the review.")


class PlaybookRevisionSerializer(serializers.ModelSerializer):
    case_id = serializers.IntegerField()
    playbook_id = serializers.IntegerField()
    playbook_name = serializers.CharField(source="playbook.name")
    current_version = serializers.IntegerField(
        source="playbook.current_version",
        help_text="The playbook's version now; past `base_version`, the revision can no longer be applied.",
    )
    status = serializers.ChoiceField(choices=RevisionStatus.choices)
    content = serializers.JSONField()

    class Meta:
        model = PlaybookRevision
        fields = [
            "id",
            "case_id",
            "playbook_id",
            "playbook_name",
            "base_version",
            "current_version",
            "content",
            "rationale",
            "status",
            "reason",
            "applied_version",
            "proposed_by",
            "proposed_at",
            "decided_by",
            "decided_at",
        ]
        read_only_fields = fields


class PlaybookRevisionDetailSerializer(PlaybookRevisionSerializer):
    diff = serializers.SerializerMethodField(
        help_text="Against `base_version`: {sections: per section added, removed, changed [{key, fields: {f: {old, "
        "new}}}], text: a unified diff of the pretty-printed content}"
    )

    class Meta(PlaybookRevisionSerializer.Meta):
        fields = [*PlaybookRevisionSerializer.Meta.fields, "diff"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_diff(self, revision: PlaybookRevision) -> dict[str, Any]:
        return revision_diff(revision)


class PlaybookRevisionRejectInput(StrictInput):
    reason = serializers.CharField(max_length=services.MAX_REASON)


class CasePlaybookRevisionActions(TenantViewSet):
    """The case's proposals, mixed into the cases' viewset (they live under /cases/{id})."""

    @extend_schema(
        methods=["GET"], responses=PlaybookRevisionSerializer(many=True), summary="Playbook revisions proposed"
    )
    @extend_schema(
        methods=["POST"],
        request=PlaybookRevisionInput,
        responses={201: PlaybookRevisionDetailSerializer},
        summary="Propose a revision of a playbook that ran on the case, against the version that ran (at or after "
        "the review; who steers the case)",
    )
    @action(detail=True, methods=["get", "post"], url_path="playbook-revisions")
    def playbook_revisions(self, request: Request, pk: str) -> Response:
        if request.method == "GET":
            found = selectors.case_playbook_revisions(actor=self.principal, case_id=int(pk))
            return self.paged(found, PlaybookRevisionSerializer)
        data = PlaybookRevisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        revision = services.playbook_revision_propose(actor=self.principal, case_id=int(pk), **data.validated_data)
        return Response(PlaybookRevisionDetailSerializer(revision).data, status=status.HTTP_201_CREATED)


class PlaybookRevisionViewSet(TenantViewSet):
    model = PlaybookRevision
    serializer_class = PlaybookRevisionDetailSerializer
    conflicts = {
        "apply": "The revision is decided already, the playbook is archived, or it has a version past the one the "
        "revision was proposed against (`playbook_moved_on`)",
        "reject": "The revision is decided already",
    }

    @extend_schema(responses=PlaybookRevisionDetailSerializer, summary="One revision with its diff against the base")
    def retrieve(self, request: Request, pk: str) -> Response:
        revision = selectors.playbook_revision_get(actor=self.principal, revision_id=int(pk))
        return Response(PlaybookRevisionDetailSerializer(revision).data)

    @extend_schema(
        request=None,
        responses=PlaybookRevisionDetailSerializer,
        summary="Apply: the proposed content becomes the playbook's next version (admins)",
    )
    @action(detail=True, methods=["post"])
    def apply(self, request: Request, pk: str) -> Response:
        revision = services.playbook_revision_apply(actor=self.principal, revision_id=int(pk))
        return Response(PlaybookRevisionDetailSerializer(revision).data)

    @extend_schema(
        request=PlaybookRevisionRejectInput,
        responses=PlaybookRevisionDetailSerializer,
        summary="Reject with a reason (admins)",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        data = PlaybookRevisionRejectInput(data=request.data)
        data.is_valid(raise_exception=True)
        revision = services.playbook_revision_reject(actor=self.principal, revision_id=int(pk), **data.validated_data)
        return Response(PlaybookRevisionDetailSerializer(revision).data)
