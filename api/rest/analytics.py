"""Analytics over a scope (the tenant, a brand, a rule, a case): who carried the spread, and where volume is heading."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest import analytics_serializers as s
from api.rest.base import ApiView, list_param
from responses.cases.analytics import (
    analytics_forecast,
    analytics_key_nodes,
    analytics_share_of_voice,
    analytics_trends,
)


class KeyNodesView(ApiView):
    looks_up = ("get",)

    @extend_schema(
        operation_id="analytics_key_nodes",
        parameters=[s.KeyNodesInput],
        responses=s.KeyNodesOutput,
        summary="The authors who carried a scope's spread in a window, best first, with the reason for each rank",
    )
    def get(self, request: Request) -> Response:
        data = s.KeyNodesInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        found = analytics_key_nodes(actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(s.KeyNodesOutput(found).data)


class ForecastView(ApiView):
    looks_up = ("get",)

    @extend_schema(
        operation_id="analytics_forecast",
        parameters=[s.ForecastInput],
        responses=s.ForecastOutput,
        summary="A scope's mentions per interval, the next hours forecast with intervals, and the trend state",
    )
    def get(self, request: Request) -> Response:
        data = s.ForecastInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        found = analytics_forecast(actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(s.ForecastOutput(found).data)


class ShareOfVoiceView(ApiView):
    looks_up = ("get",)

    @extend_schema(
        operation_id="analytics_share_of_voice",
        parameters=[s.ShareOfVoiceInput],
        responses=s.ShareOfVoiceOutput,
        summary="Share of voice over the tenant's brands (own and competitors): mentions, sentiment, emotions, "
        "reach, series, alerts and cases",
    )
    def get(self, request: Request) -> Response:
        brands = list_param(request.query_params, "brands") or None
        data = s.ShareOfVoiceInput(data={**request.query_params.dict(), "brands": brands})
        data.is_valid(raise_exception=True)
        found = analytics_share_of_voice(actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(s.ShareOfVoiceOutput(found).data)


class TrendsView(ApiView):
    looks_up = ("get",)

    @extend_schema(
        operation_id="analytics_trends",
        parameters=[s.TrendsInput],
        responses=s.TrendsOutput,
        summary="A scope's volume, authors, reach, polarity and emotions per interval, with change points and the "
        "trend state",
    )
    def get(self, request: Request) -> Response:
        data = s.TrendsInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        found = analytics_trends(actor=request.user, **data.validated_data)  # type: ignore[arg-type]
        return Response(s.TrendsOutput(found).data)
