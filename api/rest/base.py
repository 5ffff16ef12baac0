from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.rest import idempotency
from api.rest.query_params import check_query_params
from config.errors import ValidationError
from config.jsonsafe import INT_MAX, INT_MIN
from config.validation import bounded_int
from tenants.identity.principals import Principal

ARCHIVED_PARAM = OpenApiParameter(
    "archived", bool, description="Include archived (deleted) items; by default lists show live items only."
)

# What a view may answer; a view serves those of them it has a handler for. No OPTIONS (CORS preflights are
# middleware's), PUT (updates are PATCH) or TRACE: they are 405s with an Allow header that lists what is served.
SERVED_METHODS = ["get", "post", "patch", "delete", "head"]
# Version numbers live in PositiveIntegerField columns (32-bit).
VERSION_MAX = 2**31 - 1


class ApiView(APIView):
    """What every REST operation shares: unknown query parameters are a 400, and a POST by a caller takes an
    `Idempotency-Key` (see api.rest.idempotency). `idempotent = False` for the credential exchanges."""

    http_method_names = SERVED_METHODS
    idempotent = True
    _idempotency: idempotency.Claim | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before content negotiation, which would answer a `?format=` it cannot serve with a 404.
        check_query_params(self, request.method or "GET", request.query_params)
        super().initial(request, *args, **kwargs)
        key = request.headers.get(idempotency.HEADER)
        if request.method == "POST" and self.idempotent and key is not None and isinstance(request.user, Principal):
            self._idempotency = idempotency.claim(
                principal=request.user,
                key=key,
                # The raw bytes as sent (DRF's Request parses; the Django request underneath keeps them).
                fingerprint=idempotency.fingerprint(
                    method="POST", path=request.get_full_path(), body=request._request.body
                ),
            )

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, idempotency.Replay):
            return exc.response()  # type: ignore[return-value]
        try:
            return super().handle_exception(exc)
        except BaseException:
            # Unhandled means a 500 follows: never kept, and the key is free for a retry.
            if self._idempotency is not None:
                idempotency.release(self._idempotency)
                self._idempotency = None
            raise

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotency is not None:
            held, self._idempotency = self._idempotency, None
            if isinstance(response, Response):
                response.render()
            idempotency.finish(held, response)  # type: ignore[arg-type]
        return response


class StrictInput(serializers.Serializer):
    """Refuses keys it does not declare: a misspelt field is a 400 naming it, never silently dropped."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(str(key)[:40] for key in set(data) - set(self.fields))
            if unknown:
                expected = f"Unknown field; expected {', '.join(self.fields)}."
                raise serializers.ValidationError({key: [expected] for key in unknown})
        return super().to_internal_value(data)


class TenantViewSet(ApiView, viewsets.GenericViewSet):
    """Lists come from a selector that checks the caller's permission; views never build querysets themselves.

    Every list, nested ones too, answers in the one envelope (api.rest.pagination) in the selector's order;
    `ordering_fields` names what `?ordering=` may sort the main list by.
    """

    model: type[Model]
    lookup_value_regex = r"[0-9]+"
    ordering_fields: tuple[str, ...] = ()

    @property
    def principal(self) -> Principal:
        assert isinstance(self.request.user, Principal)
        return self.request.user

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return self.model._default_manager.none()
        return self.select()

    def select(self) -> QuerySet[Any]:
        raise NotImplementedError

    def paged(self, items: Any, serializer: type[serializers.BaseSerializer]) -> Response:  # type: ignore[type-arg]
        """A nested list (`/cases/{id}/tasks`, `/versions`…) in the one envelope."""
        page = self.paginate_queryset(items)
        assert page is not None, "every list is paginated"
        return self.get_paginated_response(serializer(page, many=True).data)

    def include_archived(self) -> bool:
        """Lists hide archived items unless `?archived=true`; by id (and for actions) they are always found."""
        if self.action != "list":
            return True
        raw = self.request.query_params.get("archived", "false").lower()
        if raw not in ("true", "false", "1", "0"):
            raise ValidationError(f"'{raw}' is not true or false.", field="archived")
        return raw in ("true", "1")


class ServiceCrudViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """List and retrieve through the selector; create, PATCH and DELETE through the named services.

    `serializer_class` validates input and renders output; services get the caller and the validated fields.
    """

    create_service: Callable[..., Model]
    update_service: Callable[..., Model]
    delete_service: Callable[..., object]
    id_keyword: str

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = type(self).create_service(actor=self.principal, **data.validated_data)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self.get_serializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        updated = type(self).update_service(
            actor=self.principal, **{self.id_keyword: int(kwargs["pk"])}, **data.validated_data
        )
        return Response(self.get_serializer(updated).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        type(self).delete_service(actor=self.principal, **{self.id_keyword: int(kwargs["pk"])})
        return Response(status=status.HTTP_204_NO_CONTENT)


class ArchivableCrudViewSet(ServiceCrudViewSet):
    """DELETE archives (`delete_service` is the model's archive service); POST /{id}/restore brings it back."""

    restore_service: Callable[..., Model]

    @extend_schema(parameters=[ARCHIVED_PARAM])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses={204: None}, summary="Archive (kept for history; see restore)")
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().destroy(request, *args, **kwargs)

    @extend_schema(request=None, summary="Restore an archived item")
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str) -> Response:
        restored = type(self).restore_service(actor=self.principal, **{self.id_keyword: int(pk)})
        return Response(self.get_serializer(restored).data)


def int_param(params: Any, name: str, *, minimum: int = INT_MIN, maximum: int = INT_MAX) -> int | None:
    """A whole-number query parameter (None when absent or empty); a 400 naming it when it is not one in range."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    return bounded_int(raw, field=name, minimum=minimum, maximum=maximum)


def list_param(params: Any, name: str) -> list[str]:
    """A list query parameter given as repeated keys (`?status=a&status=b`) or comma-separated (`?status=a,b`)."""
    return [part for value in params.getlist(name) for part in value.split(",") if part]
