from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.health import readiness
from api.rest.base import ApiView
from api.rest.serializers import ReadinessOutput


class HealthzView(ApiView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    @extend_schema(operation_id="health_live", responses={200: dict}, summary="Liveness: the process answers")
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class ReadyzView(ApiView):
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []

    @extend_schema(
        operation_id="health_ready",
        responses={200: ReadinessOutput, 503: ReadinessOutput},
        summary="Readiness: PostgreSQL, Redis, Elasticsearch and the broker answer (503 naming those that do not)",
    )
    def get(self, request: Request) -> Response:
        results = readiness()
        ok = all(result.ok for result in results.values())
        body = {"status": "ok" if ok else "unavailable", "checks": {n: r.as_dict() for n, r in results.items()}}
        return Response(body, status=200 if ok else 503)
