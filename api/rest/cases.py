"""Crisis cases over REST: open, update, move through the lifecycle, annotate, read and export the timeline."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import StrictInput, TenantViewSet, list_param
from api.rest.effects_serializers import ResponseEffectsInput, ResponseEffectsOutput
from api.rest.evaluation_serializers import CaseEvaluationOutput
from api.rest.playbook_revisions import CasePlaybookRevisionActions, PlaybookRevisionInput
from api.rest.recovery_serializers import CaseRecoveryOutput
from api.rest.reports import CaseReportActions
from api.rest.statements import StatementConsistencySerializer, StatementCreateInput, StatementSerializer
from api.rest.watch import CaseWatchOutput
from config.errors import ValidationError
from responses.cases import selectors, services, task_services
from responses.cases.effects import case_response_effects
from responses.cases.timeline import timeline_csv
from responses.evaluation.selectors import case_evaluation
from responses.models import (
    CaseEvent,
    CaseMember,
    CaseRole,
    CaseStatus,
    CaseTask,
    CrisisCase,
    PlaybookActivation,
    Scenario,
    Severity,
    SlaKind,
    TaskPriority,
    TaskStatus,
)
from responses.playbooks.revision_services import MAX_PROPOSALS
from responses.recovery.selectors import case_recovery
from responses.sla.selectors import case_sla, targets_by_severity
from responses.statements import selectors as statement_selectors
from responses.statements.services import statement_create
from responses.team import selectors as team_selectors
from responses.team import services as team_services
from responses.watch.selectors import case_watch
from responses.watch.services import case_watch_end


class SlaClockSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SlaKind.choices)
    due_at = serializers.DateTimeField()
    met_at = serializers.DateTimeField(allow_null=True)
    state = serializers.ChoiceField(choices=["pending", "met", "met_late", "breached", "not_applicable"])


class CasePlaybookSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="playbook.name")

    class Meta:
        model = PlaybookActivation
        fields = ["playbook", "name", "version", "activated_by", "activated_at"]


class CaseSerializer(serializers.ModelSerializer):
    scenario = serializers.ChoiceField(choices=Scenario.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    status = serializers.CharField(read_only=True)
    alert_ids: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        source="alerts", many=True, read_only=True
    )
    brand_ids = serializers.ListField(child=serializers.IntegerField(), required=False, write_only=True)
    evidence_ids = serializers.ListField(child=serializers.IntegerField(), required=False, write_only=True)
    activate_playbook = serializers.BooleanField(
        default=True, write_only=True, help_text="Run the best-matching active playbook for scenario and severity."
    )
    brands: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    evidence: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Evidence mention ids"
    )
    sla = serializers.SerializerMethodField(help_text="SLA clocks: acknowledge, first statement, resolve")
    playbooks = CasePlaybookSerializer(source="playbook_activations", many=True, read_only=True)
    response_effects = serializers.SerializerMethodField(
        help_text="Where the effect of each response on the case is read (GET, with before/after or window)."
    )
    lessons = serializers.JSONField(
        read_only=True, help_text="The review's lessons: went_well, went_wrong, root_cause, notes (the ones given)."
    )

    class Meta:
        model = CrisisCase
        fields = [
            "id",
            "title",
            "description",
            "scenario",
            "severity",
            "status",
            "is_drill",
            "topics",
            "opened_from_alert",
            "alert_ids",
            "brands",
            "brand_ids",
            "evidence",
            "evidence_ids",
            "activate_playbook",
            "opened_by",
            "created_at",
            "updated_at",
            "assessing_at",
            "responding_at",
            "recovering_at",
            "resolved_at",
            "reviewed_at",
            "acknowledged_at",
            "first_statement_at",
            "lessons",
            "sla",
            "playbooks",
            "response_effects",
        ]
        read_only_fields = [
            "id",
            "status",
            "opened_from_alert",
            "opened_by",
            "created_at",
            "updated_at",
            "assessing_at",
            "responding_at",
            "recovering_at",
            "resolved_at",
            "reviewed_at",
            "acknowledged_at",
            "first_statement_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_response_effects(self, case: CrisisCase) -> str:
        # A path on the same host: the tenant is the host's (or the X-Tenant header's), so no absolute URL is built.
        return f"/api/v1/cases/{case.pk}/response-effects"

    @extend_schema_field(SlaClockSerializer(many=True))
    def get_sla(self, case: CrisisCase) -> list[dict[str, Any]]:
        # One read of the targets per response, not per case of a page.
        if "sla_targets" not in self.context:
            self.context["sla_targets"] = targets_by_severity()
        return case_sla(case, self.context["sla_targets"][case.severity])


class CaseUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=300)
    description = serializers.CharField(required=False, allow_blank=True)
    scenario = serializers.ChoiceField(choices=Scenario.choices, required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    topics = serializers.ListField(child=serializers.CharField(max_length=100), required=False)


class LessonsInput(StrictInput):
    went_well = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_LESSON_CHARACTERS)
    went_wrong = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_LESSON_CHARACTERS)
    root_cause = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_LESSON_CHARACTERS)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_LESSON_CHARACTERS)


class ActionItemInput(StrictInput):
    title = serializers.CharField(max_length=300)
    owner_id = serializers.IntegerField(required=False, allow_null=True, help_text="The user the task is for.")
    due_at = serializers.DateTimeField(required=False, allow_null=True)


class TransitionInput(StrictInput):
    transition = serializers.ChoiceField(choices=list(services.TRANSITIONS))
    note = serializers.CharField(required=False, default="", allow_blank=True, max_length=2000)
    override_reason = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=2000,
        help_text="Needed to resolve while critical tasks are open; recorded on the timeline.",
    )
    lessons = LessonsInput(required=False, help_text="Review only: what went well and wrong, the root cause, notes.")
    action_items = ActionItemInput(
        many=True,
        required=False,
        help_text=f"Review only: each becomes a task on the case (at most {services.MAX_ACTION_ITEMS}).",
    )
    playbook_revisions = PlaybookRevisionInput(
        many=True,
        required=False,
        help_text="Review only: revisions proposed to the playbooks that ran on the case, each as whole content "
        f"against the version that ran (at most {MAX_PROPOSALS}); an admin applies or rejects them.",
    )


class TaskSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    priority = serializers.ChoiceField(choices=TaskPriority.choices, required=False)
    assignee_id = serializers.IntegerField(required=False, allow_null=True)
    assignee_role = serializers.ChoiceField(choices=CaseRole.choices, required=False, allow_blank=True)
    checklist = serializers.JSONField(required=False, help_text="[{item, done}] or plain strings")

    class Meta:
        model = CaseTask
        fields = [
            "id",
            "case",
            "title",
            "description",
            "status",
            "priority",
            "assignee_id",
            "assignee_role",
            "checklist",
            "due_at",
            "created_at",
            "completed_at",
        ]
        read_only_fields = ["id", "case", "created_at", "completed_at"]


class CaseLinkInput(serializers.Serializer):
    alert_ids = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=500)
    brand_ids = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=500)
    evidence_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=500, help_text="Mention ids"
    )


class CaseNoteInput(serializers.Serializer):
    text = serializers.CharField(max_length=10_000)


class CaseMemberSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email", read_only=True)
    role = serializers.ChoiceField(choices=CaseRole.choices)

    class Meta:
        model = CaseMember
        fields = ["id", "user_id", "email", "role", "assigned_by", "assigned_at"]
        read_only_fields = ["id", "email", "assigned_by", "assigned_at"]


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "actor", "at", "summary", "data"]


@extend_schema_view(
    list=extend_schema(summary="Crisis cases, newest first, by status, severity, scenario or drill"),
    retrieve=extend_schema(summary="One case with its SLA clocks and playbooks"),
    create=extend_schema(summary="Open a case (and run the best-matching playbook unless told not to)"),
    partial_update=extend_schema(summary="Change a case's title, description, scenario, severity or topics"),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, CaseReportActions, CasePlaybookRevisionActions):
    model = CrisisCase
    serializer_class = CaseSerializer
    conflicts = {
        "transition": "The case's status does not allow this transition, or critical tasks are open",
        "members": "The user already holds this role on the case",
        "statements": "The case is resolved or reviewed",
        "playbook_revisions": "The case is not resolved or reviewed yet",
        "watch_end": "The case has no live post-crisis watch",
    }
    # Severities sort as text in their own order (I, II, III, IV).
    ordering_fields = ("created_at", "updated_at", "severity", "title")

    def select(self) -> Any:
        params = self.request.query_params
        drill = params.get("is_drill")
        return selectors.case_list(
            actor=self.principal,
            status=list_param(params, "status"),
            severity=list_param(params, "severity"),
            scenario=list_param(params, "scenario"),
            is_drill=None if drill is None else drill.lower() in ("1", "true", "yes"),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, many=True, enum=CaseStatus.values),
            OpenApiParameter("severity", str, many=True, enum=Severity.values),
            OpenApiParameter("scenario", str, many=True, enum=Scenario.values),
            OpenApiParameter("is_drill", bool),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(CaseSerializer(selectors.case_get(actor=self.principal, case_id=int(kwargs["pk"]))).data)

    @extend_schema(request=CaseSerializer, responses={201: CaseSerializer})
    def create(self, request: Request) -> Response:
        data = CaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_create(actor=self.principal, **data.validated_data)
        return Response(CaseSerializer(case).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseUpdateSerializer, responses=CaseSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        data = CaseUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_update(actor=self.principal, case_id=int(pk), **data.validated_data)
        return Response(CaseSerializer(case).data)

    @extend_schema(
        request=TransitionInput,
        responses=CaseSerializer,
        summary="Move the case: assess, respond, recover, resolve, review (with lessons, action items and playbook "
        "revisions), reopen",
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str) -> Response:
        data = TransitionInput(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.case_transition(actor=self.principal, case_id=int(pk), **data.validated_data)
        return Response(CaseSerializer(case).data)

    @extend_schema(
        request=CaseLinkInput, responses=CaseSerializer, summary="Attach more alerts, brands or evidence mentions"
    )
    @action(detail=True, methods=["post"])
    def links(self, request: Request, pk: str) -> Response:
        data = CaseLinkInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_link(actor=self.principal, case_id=int(pk), **data.validated_data)
        return Response(CaseSerializer(selectors.case_get(actor=self.principal, case_id=int(pk))).data)

    @extend_schema(request=CaseNoteInput, responses={201: EventSerializer}, summary="Add a note to the timeline")
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk: str) -> Response:
        data = CaseNoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        event = services.case_note_add(actor=self.principal, case_id=int(pk), **data.validated_data)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "export", str, enum=["csv"], description="`csv`: the whole timeline as a CSV file (UTF-8 with BOM)."
            )
        ],
        responses={(200, "application/json"): EventSerializer(many=True), (200, "text/csv"): OpenApiTypes.STR},
        summary="The case timeline, oldest first (JSON pages, or the whole of it as CSV)",
    )
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str) -> Any:
        events = selectors.case_timeline(actor=self.principal, case_id=int(pk))
        # `export`, not `format`: DRF keeps `format` for its own content negotiation.
        export = request.query_params.get("export")
        if export == "csv":
            response = HttpResponse(timeline_csv(events), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="case-{pk}-timeline.csv"'
            return response
        if export is not None:
            raise ValidationError(f"'{export[:100]}' is not an export format; expected csv.", field="export")
        return self.paged(events, EventSerializer)

    @extend_schema(
        parameters=[ResponseEffectsInput],
        responses=ResponseEffectsOutput,
        summary="The effect of each response (statement publications, reply-script uses, critical tasks done): "
        "before/after windows, forecast against actual, and a verdict",
    )
    @action(detail=True, methods=["get"], url_path="response-effects")
    def response_effects(self, request: Request, pk: str) -> Response:
        data = ResponseEffectsInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        found = case_response_effects(actor=self.principal, case_id=int(pk), **data.validated_data)
        return Response(ResponseEffectsOutput(found).data)

    @extend_schema(
        responses=CaseEvaluationOutput,
        summary="The case's evaluation: a 0–100 score and grade from explained components, compared with the "
        "tenant's earlier cases and drills of the scenario",
    )
    @action(detail=True, methods=["get"])
    def evaluation(self, request: Request, pk: str) -> Response:
        return Response(CaseEvaluationOutput(case_evaluation(actor=self.principal, case_id=int(pk))).data)

    @extend_schema(
        responses=CaseRecoveryOutput,
        summary="Reputation recovery: the pre-crisis baseline, each hour since recovering against it, and whether and "
        "when the talk recovered",
    )
    @action(detail=True, methods=["get"])
    def recovery(self, request: Request, pk: str) -> Response:
        return Response(CaseRecoveryOutput(case_recovery(actor=self.principal, case_id=int(pk))).data)

    @extend_schema(
        responses=CaseWatchOutput,
        summary="The post-crisis watch: the warning policy on the case's scope since its resolution, until when, and "
        "the recurrences it alerted on",
    )
    @action(detail=True, methods=["get"])
    def watch(self, request: Request, pk: str) -> Response:
        return Response(CaseWatchOutput(case_watch(actor=self.principal, case_id=int(pk))).data)

    @extend_schema(request=None, responses=CaseWatchOutput, summary="End the case's post-crisis watch now")
    @action(detail=True, methods=["post"], url_path="watch/end")
    def watch_end(self, request: Request, pk: str) -> Response:
        return Response(CaseWatchOutput(case_watch_end(actor=self.principal, case_id=int(pk))).data)

    @extend_schema(methods=["GET"], responses=TaskSerializer(many=True), summary="The case's tasks")
    @extend_schema(methods=["POST"], request=TaskSerializer, responses={201: TaskSerializer}, summary="Add a task")
    @action(detail=True, methods=["get", "post"])
    def tasks(self, request: Request, pk: str) -> Response:
        if request.method == "GET":
            return self.paged(selectors.case_tasks(actor=self.principal, case_id=int(pk)), TaskSerializer)
        data = TaskSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if k != "status"}
        task = task_services.task_create(actor=self.principal, case_id=int(pk), **values)
        return Response(TaskSerializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=CaseMemberSerializer(many=True), summary="The case team")
    @extend_schema(
        methods=["POST"],
        request=CaseMemberSerializer,
        responses={201: CaseMemberSerializer},
        summary="Give a user a case role (commander, monitoring, analysis, communications, resources, legal, …)",
    )
    @action(detail=True, methods=["get", "post"])
    def members(self, request: Request, pk: str) -> Response:
        if request.method == "GET":
            return self.paged(team_selectors.case_members(actor=self.principal, case_id=int(pk)), CaseMemberSerializer)
        data = CaseMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = team_services.case_member_add(actor=self.principal, case_id=int(pk), **data.validated_data)
        return Response(CaseMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="cases_members_delete", request=None, responses={204: None}, summary="Take a case role away"
    )
    @action(detail=True, methods=["delete"], url_path=r"members/(?P<member_id>\d+)")
    def member(self, request: Request, pk: str, member_id: str) -> Response:
        team_services.case_member_remove(actor=self.principal, case_id=int(pk), member_id=int(member_id))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], responses=StatementSerializer(many=True), summary="The case's statements")
    @extend_schema(
        methods=["POST"],
        request=StatementCreateInput,
        responses={201: StatementSerializer},
        summary="Draft a statement",
    )
    @action(detail=True, methods=["get", "post"])
    def statements(self, request: Request, pk: str) -> Response:
        if request.method == "GET":
            found = statement_selectors.statement_list(actor=self.principal, case_id=int(pk))
            return self.paged(found, StatementSerializer)
        data = StatementCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        statement = statement_create(actor=self.principal, case_id=int(pk), **data.validated_data)
        return Response(StatementSerializer(statement).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=StatementConsistencySerializer, summary="Which statement version each channel carries")
    @action(detail=True, methods=["get"], url_path="statement-consistency")
    def statement_consistency(self, request: Request, pk: str) -> Response:
        result = statement_selectors.statement_consistency(actor=self.principal, case_id=int(pk))
        return Response(StatementConsistencySerializer(result).data)


@extend_schema_view(
    list=extend_schema(summary="My tasks: open ones assigned to the caller, across cases"),
    partial_update=extend_schema(summary="Update a task: status, assignee, checklist, due date"),
)
class TaskViewSet(mixins.ListModelMixin, TenantViewSet):
    """Tasks across cases: `GET /tasks` is "my tasks" (open ones assigned to the caller); `PATCH` updates one."""

    model = CaseTask
    serializer_class = TaskSerializer
    http_method_names = ["get", "patch", "head"]
    # Soonest due first unless asked otherwise; tasks without a due date come last.
    ordering_fields = ("due_at", "created_at", "title")

    def select(self) -> Any:
        return selectors.my_tasks(actor=self.principal)

    @extend_schema(request=TaskSerializer, responses=TaskSerializer)
    def partial_update(self, request: Request, pk: str) -> Response:
        data = TaskSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        task = task_services.task_update(actor=self.principal, task_id=int(pk), **data.validated_data)
        return Response(TaskSerializer(task).data)
