"""After the crisis over REST: a case's affected users (受影響用戶), their contact details, export and erase."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import ARCHIVED_PARAM, TenantViewSet, list_param
from config.jsonsafe import INT_MAX
from monitoring.models import Platform, Sentiment
from responses.aftercare import selectors, services
from responses.aftercare.contacts import CONTACT_FIELDS, contacts_held
from responses.models import AffectedUser, AffectedUserSource

CONTACTS_HELP = (
    "The contact details, for callers who may read them on this case (admins, responders; the customer_care, "
    "commander and legal case roles); null for everyone else. Each person shown is audited."
)


class ContactsSerializer(serializers.Serializer):
    handle = serializers.CharField(allow_blank=True, help_text="Name or handle on the platform")
    phone = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    order_number = serializers.CharField(allow_blank=True, help_text="Order or ticket number")


class AffectedUserSerializer(serializers.ModelSerializer):
    author_id = serializers.CharField(source="author_external_id", help_text="The account id on the platform")
    evidence_ids: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        source="evidence", many=True, read_only=True, help_text="Evidence mention ids"
    )
    platform = serializers.CharField(read_only=True, help_text="The platform of the account")
    contacts = serializers.SerializerMethodField(help_text=CONTACTS_HELP)
    contacts_held = serializers.SerializerMethodField(help_text="Which contact details are on file (no values)")

    class Meta:
        model = AffectedUser
        fields = [
            "id",
            "case",
            "platform",
            "author_id",
            "source",
            "sentiment",
            "evidence_ids",
            "contacts",
            "contacts_held",
            "created_by",
            "created_at",
            "updated_at",
            "archived_at",
            "erased_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ContactsSerializer(allow_null=True))
    def get_contacts(self, person: AffectedUser) -> dict[str, str] | None:
        shown = self.context.get("contacts")
        if shown is None or person.pk not in shown:
            return None
        return shown[person.pk].as_dict()

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=list(CONTACT_FIELDS))))
    def get_contacts_held(self, person: AffectedUser) -> list[str]:
        return contacts_held(person)


def _contact_field(name: str, limit: int, help_text: str = "") -> serializers.CharField:
    return serializers.CharField(required=False, allow_blank=True, max_length=limit, help_text=help_text)


class AffectedUserCreateInput(serializers.Serializer):
    mention_id = serializers.IntegerField(
        required=False, min_value=1, max_value=INT_MAX, help_text="Add this mention's author, with it as evidence"
    )
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True)
    author_id = serializers.CharField(required=False, allow_blank=True, max_length=128)
    handle = _contact_field("handle", 200, "Name or handle on the platform")
    phone = _contact_field("phone", 32)
    email = _contact_field("email", 254)
    order_number = _contact_field("order_number", 100, "Order or ticket number")


class AffectedUserUpdateInput(serializers.Serializer):
    handle = _contact_field("handle", 200, "Name or handle on the platform; empty removes it")
    phone = _contact_field("phone", 32)
    email = _contact_field("email", 254)
    order_number = _contact_field("order_number", 100, "Order or ticket number")


class FromSearchInput(serializers.Serializer):
    brand_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=INT_MAX),
        required=False,
        max_length=100,
        help_text="Default: the case's brands",
    )
    sentiment = serializers.ListField(
        child=serializers.ChoiceField(choices=Sentiment.choices), required=False, help_text="Default: negative"
    )
    platform = serializers.ListField(child=serializers.ChoiceField(choices=Platform.choices), required=False)
    since = serializers.DateTimeField(
        required=False, help_text="Default: detection (the alert the case came from, else the case's opening)"
    )
    until = serializers.DateTimeField(required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=services.BULK_LIMIT, default=500)


class FromSearchResultSerializer(serializers.Serializer):
    mentions_matched = serializers.IntegerField()
    added = serializers.IntegerField()
    already_on_case = serializers.IntegerField()
    skipped_erased = serializers.IntegerField(help_text="Authors erased from this case on request: not added again")
    evidence_links = serializers.IntegerField(help_text="Mentions newly linked as evidence")
    truncated = serializers.BooleanField(help_text="More matched than one call takes: call again")
    affected_user_ids = serializers.ListField(child=serializers.IntegerField())


class EraseInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ExportedMentionSerializer(serializers.Serializer):
    mention_id = serializers.IntegerField()
    platform = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)
    published_at = serializers.CharField()


class AffectedUserExportSerializer(serializers.Serializer):
    affected_user_id = serializers.IntegerField()
    case_id = serializers.IntegerField()
    platform = serializers.CharField(allow_blank=True)
    author_id = serializers.CharField(allow_blank=True)
    source = serializers.ChoiceField(choices=AffectedUserSource.choices)  # type: ignore[assignment]
    sentiment = serializers.CharField(allow_blank=True)
    contacts = ContactsSerializer()
    evidence = ExportedMentionSerializer(many=True)
    created_at = serializers.CharField()
    created_by = serializers.CharField(allow_blank=True)
    erased_at = serializers.CharField(allow_null=True)


@extend_schema_view(
    list=extend_schema(
        operation_id="affected_users_list",
        summary="A case's affected users, newest first",
        parameters=[
            OpenApiParameter("source", str, many=True, enum=AffectedUserSource.values),
            OpenApiParameter("platform", str, many=True, enum=Platform.values),
            ARCHIVED_PARAM,
        ],
    ),
    retrieve=extend_schema(operation_id="affected_users_retrieve", summary="One affected user"),
)
class AffectedUserViewSet(TenantViewSet):
    """`/cases/{id}/affected-users`: the people a case affected; contact details are personal data."""

    model = AffectedUser
    serializer_class = AffectedUserSerializer
    lookup_url_kwarg = "affected_user_id"
    ordering_fields = ("created_at",)
    conflicts = {
        "create": "The account is already on the case (`duplicate`)",
        "partial_update": "The person is archived or was erased (`archived`, `erased`)",
    }

    @property
    def case_id(self) -> int:
        return int(self.kwargs["id"])

    def select(self) -> Any:
        params = self.request.query_params
        return selectors.affected_user_list(
            actor=self.principal,
            case_id=self.case_id,
            include_archived=self.include_archived(),
            source=list_param(params, "source"),
            platform=list_param(params, "platform"),
        )

    def _shown(self, people: list[AffectedUser]) -> dict[str, Any]:
        return {"contacts": selectors.affected_user_contacts(actor=self.principal, case_id=self.case_id, people=people)}

    def _one(self, person: AffectedUser, code: int = status.HTTP_200_OK) -> Response:
        return Response(AffectedUserSerializer(person, context=self._shown([person])).data, status=code)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None, "every list is paginated"
        data = AffectedUserSerializer(page, many=True, context=self._shown(page)).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = selectors.affected_user_get(
            actor=self.principal, case_id=self.case_id, affected_user_id=int(kwargs["affected_user_id"])
        )
        return self._one(person)

    @extend_schema(
        operation_id="affected_users_create",
        summary="Add an affected user by hand or from a mention (an author already on the case gains the evidence)",
        request=AffectedUserCreateInput,
        responses={201: AffectedUserSerializer, 200: AffectedUserSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AffectedUserCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        person, created = services.affected_user_create(
            actor=self.principal, case_id=self.case_id, **data.validated_data
        )
        return self._one(person, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        operation_id="affected_users_update",
        summary="Change an affected user's contact details",
        request=AffectedUserUpdateInput,
        responses=AffectedUserSerializer,
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = AffectedUserUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.affected_user_update(
            actor=self.principal,
            case_id=self.case_id,
            affected_user_id=int(kwargs["affected_user_id"]),
            **data.validated_data,
        )
        return self._one(person)

    @extend_schema(
        operation_id="affected_users_delete",
        summary="Archive an affected user (kept, off the lists)",
        request=None,
        responses={204: None},
    )
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.affected_user_archive(
            actor=self.principal, case_id=self.case_id, affected_user_id=int(kwargs["affected_user_id"])
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="affected_users_erase",
        summary="Erase a person on request: contact details, account and evidence go, the statistics stay",
        request=EraseInput,
        responses=AffectedUserSerializer,
    )
    @action(detail=True, methods=["post"])
    def erase(self, request: Request, id: str, affected_user_id: str) -> Response:
        data = EraseInput(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.affected_user_erase(
            actor=self.principal, case_id=self.case_id, affected_user_id=int(affected_user_id), **data.validated_data
        )
        return self._one(person)

    @extend_schema(
        operation_id="affected_users_export",
        summary="Everything held about one person (a data-subject access request; audited)",
        responses=AffectedUserExportSerializer,
    )
    @action(detail=True, methods=["get"])
    def export(self, request: Request, id: str, affected_user_id: str) -> Response:
        exported = selectors.affected_user_export(
            actor=self.principal, case_id=self.case_id, affected_user_id=int(affected_user_id)
        )
        response = Response(AffectedUserExportSerializer(exported).data)
        response["Content-Disposition"] = f'attachment; filename="case-{id}-affected-user-{affected_user_id}.json"'
        return response

    @extend_schema(
        operation_id="affected_users_from_search",
        summary="Add the authors of the case's matching mentions (default: negative, its brands, since detection)",
        request=FromSearchInput,
        responses=FromSearchResultSerializer,
    )
    @action(detail=False, methods=["post"], url_path="from-search")
    def from_search(self, request: Request, id: str) -> Response:
        data = FromSearchInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.affected_users_from_search(actor=self.principal, case_id=self.case_id, **data.validated_data)
        return Response(FromSearchResultSerializer(result).data)
