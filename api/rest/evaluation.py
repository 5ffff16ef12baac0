"""The tenant's evaluation weights over REST: read them, set them directly or by AHP, or go back to the defaults."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest.base import ApiView
from api.rest.evaluation_serializers import EvaluationSettingsSerializer
from responses.evaluation import settings as evaluation_settings


class EvaluationSettingsView(ApiView):
    @extend_schema(
        operation_id="evaluation_settings_retrieve",
        responses=EvaluationSettingsSerializer,
        summary="The weights of the case evaluation's components (the defaults until set)",
    )
    def get(self, request: Request) -> Response:
        found = evaluation_settings.evaluation_settings_get(actor=request.user)  # type: ignore[arg-type]
        return Response(EvaluationSettingsSerializer(found).data)

    @extend_schema(
        operation_id="evaluation_settings_update",
        request=EvaluationSettingsSerializer,
        responses=EvaluationSettingsSerializer,
        summary="Set the evaluation's weights directly or from an AHP matrix, or go back to the defaults (admins)",
    )
    def patch(self, request: Request) -> Response:
        data = EvaluationSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = evaluation_settings.evaluation_settings_update(
            actor=request.user,  # type: ignore[arg-type]
            **data.validated_data,
        )
        return Response(EvaluationSettingsSerializer(found).data)
