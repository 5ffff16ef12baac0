"""Mentions (batch ingest, list, search), monitoring rules and brands over REST."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.rest import cascade_serializers
from api.rest import monitoring_serializers as s
from api.rest.base import ArchivableCrudViewSet, TenantViewSet, list_param
from config.errors import NotFoundError, ValidationError
from monitoring import selectors, services
from monitoring.cascades.exports import EXPORT_FORMATS, GRAPHS
from monitoring.cascades.selectors import (
    mention_cascade,
    mention_cascade_export,
    mention_cascade_forecast,
    mention_cascade_nodes,
)
from monitoring.filters import MentionFilter
from monitoring.ingest.payload import parse_body
from monitoring.ingest.service import mentions_ingest
from monitoring.models import Brand, Mention, MonitoringRule
from monitoring.search.query import SearchParams


class MentionViewSet(TenantViewSet):
    model = Mention
    serializer_class = s.MentionOutput
    # Documents the list filters in OpenAPI; the selector applies the same FilterSet.
    filterset_class = MentionFilter
    # Only what an index serves: the (published_at, id) one, read either way.
    ordering_fields = ("published_at",)

    @extend_schema(responses=s.MentionOutput(many=True), summary="Stored mentions, newest first, with their analysis")
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(selectors.mention_list(actor=self.principal, filters=request.query_params))
        assert page is not None, "every list is paginated"
        mentions = [selectors.mention_as_dict(m) for m in page]
        return self.get_paginated_response(s.MentionOutput(mentions, many=True).data)

    @extend_schema(responses=s.MentionOutput, summary="One mention with its analysis")
    def retrieve(self, request: Request, pk: str) -> Response:
        mention = selectors.mention_get(actor=self.principal, mention_id=int(pk))
        if mention is None:
            raise NotFoundError(f"No mention {pk}.", field="id")
        return Response(s.MentionOutput(selectors.mention_as_dict(mention)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "export",
                str,
                enum=[*EXPORT_FORMATS],
                description="A file instead: `gexf` or `graphml` (Gephi, Cytoscape), `json` (nodes and edges), "
                "`svg` or `png` (a radial tree coloured by sentiment, key nodes labelled).",
            ),
            OpenApiParameter(
                "graph",
                str,
                enum=[*GRAPHS],
                description="With `export`: the repost tree (default) or the author graph (not as a picture).",
            ),
        ],
        responses={
            (200, "application/json"): PolymorphicProxySerializer(
                component_name="CascadeOrGraph",
                serializers=[cascade_serializers.CascadeOutput, cascade_serializers.GraphExportOutput],
                resource_type_field_name=None,
            ),
            **{
                (200, media_type): OpenApiTypes.BINARY
                for media_type in ("application/gexf+xml", "application/graphml+xml", "image/svg+xml", "image/png")
            },
        },
        summary="The cascade below a mention: structure, key nodes and origins (or the graph as a file)",
    )
    @action(detail=True, methods=["get"])
    def cascade(self, request: Request, pk: str) -> Any:
        # `export`, not `format`: DRF keeps `format` for its own content negotiation.
        export = request.query_params.get("export")
        graph = request.query_params.get("graph")
        if export is None:
            if graph is not None:
                raise ValidationError("graph chooses what an export holds; give export too.", field="graph")
            found = mention_cascade(actor=self.principal, mention_id=int(pk))
            return Response(cascade_serializers.CascadeOutput(found).data)
        content, media_type, filename = mention_cascade_export(
            actor=self.principal, mention_id=int(pk), fmt=export, graph=graph or "cascade"
        )
        response = HttpResponse(content, content_type=media_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @extend_schema(
        parameters=[cascade_serializers.CascadeForecastInput],
        responses=cascade_serializers.CascadeForecastOutput,
        summary="How big the cascade below a mention will get, from what was published up to a time",
    )
    @action(detail=True, methods=["get"], url_path="cascade/forecast")
    def cascade_forecast(self, request: Request, pk: str) -> Response:
        data = cascade_serializers.CascadeForecastInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        found = mention_cascade_forecast(
            actor=self.principal, mention_id=int(pk), observed_until=data.validated_data["observed_until"]
        )
        return Response(cascade_serializers.CascadeForecastOutput(found).data)

    @extend_schema(
        responses=cascade_serializers.CascadeNodeOutput(many=True),
        # The mention list's filters are not this list's.
        filters=False,
        summary="Every node of the cascade below a mention, breadth first",
    )
    @action(detail=True, methods=["get"], url_path="cascade/nodes")
    def cascade_nodes(self, request: Request, pk: str) -> Response:
        nodes = mention_cascade_nodes(actor=self.principal, mention_id=int(pk))
        return self.paged(nodes, cascade_serializers.CascadeNodeOutput)

    @extend_schema(
        request={"application/json": s.MentionBatchInput, "application/x-ndjson": OpenApiTypes.BINARY},
        responses=s.IngestOutput,
        summary="Ingest a batch of mentions (JSON or NDJSON); invalid items are reported, valid ones stored",
    )
    @action(detail=False, methods=["post"], parser_classes=[])
    def batch(self, request: Request) -> Response:
        payload = parse_body(request.body, request.content_type or "")
        result = mentions_ingest(actor=self.principal, payload=payload)
        return Response(result.as_dict(), status=status.HTTP_200_OK)

    @extend_schema(
        parameters=[s.SearchInput],
        responses=s.SearchOutput,
        tags=["search"],
        summary="Full-text search with filters, highlights, cursor paging and aggregations",
    )
    @action(detail=False, methods=["get"])
    def search(self, request: Request) -> Response:
        data = s.SearchInput(
            data=_listy(request.query_params, ("platform", "sentiment", "emotion", "language", "rule", "brand"))
        )
        data.is_valid(raise_exception=True)
        v = data.validated_data
        params = SearchParams(
            q=v["q"],
            platforms=v.get("platform", []),
            sentiments=v.get("sentiment", []),
            emotions=v.get("emotion", []),
            languages=v.get("language", []),
            rules=v.get("rule", []),
            brands=v.get("brand", []),
            author=v["author"],
            since=v["since"],
            until=v["until"],
            min_engagement=v["min_engagement"],
            sort=v.get("sort", ""),
            page_size=v["page_size"],
            cursor=v["cursor"],
            aggregations=[a.strip() for a in v["aggs"].split(",") if a.strip()],
            interval=v["interval"],
        )
        return Response(selectors.mentions_search(actor=self.principal, params=params))


def _listy(params: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """Query params as a dict where list filters accept both repeated keys and comma-separated values."""
    return {key: list_param(params, key) if key in names else values[-1] for key, values in params.lists()}


@extend_schema_view(
    list=extend_schema(summary="Monitoring rules (keyword expressions that tag mentions)"),
    retrieve=extend_schema(summary="One monitoring rule"),
    create=extend_schema(summary="Add a monitoring rule"),
    partial_update=extend_schema(summary="Change a monitoring rule"),
)
class RuleViewSet(ArchivableCrudViewSet):
    model = MonitoringRule
    serializer_class = s.RuleSerializer
    ordering_fields = ("name", "created_at", "updated_at")
    conflicts = {
        "create": "A live rule has this name",
        "partial_update": "A live rule has this name, or this one is archived",
        "restore": "A live rule took this one's name meanwhile",
    }
    create_service = staticmethod(services.rule_create)
    update_service = staticmethod(services.rule_update)
    delete_service = staticmethod(services.rule_archive)
    restore_service = staticmethod(services.rule_restore)
    id_keyword = "rule_id"

    def select(self) -> Any:
        return selectors.rule_list(actor=self.principal, archived=self.include_archived())


@extend_schema_view(
    list=extend_schema(summary="Brands (own and competitors) that mentions are matched to"),
    retrieve=extend_schema(summary="One brand"),
    create=extend_schema(summary="Add a brand"),
    partial_update=extend_schema(summary="Change a brand"),
)
class BrandViewSet(ArchivableCrudViewSet):
    model = Brand
    serializer_class = s.BrandSerializer
    conflicts = {
        "create": "A live brand has this name",
        "partial_update": "A live brand has this name, or this one is archived",
        "restore": "A live brand took this one's name meanwhile",
    }
    ordering_fields = ("name", "created_at", "updated_at")
    create_service = staticmethod(services.brand_create)
    update_service = staticmethod(services.brand_update)
    delete_service = staticmethod(services.brand_archive)
    restore_service = staticmethod(services.brand_restore)
    id_keyword = "brand_id"

    def select(self) -> Any:
        return selectors.brand_list(actor=self.principal, archived=self.include_archived())
