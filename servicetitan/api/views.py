"""Viewset bases every module API builds on, and the sync API (`/api/v1/sync/`).

An app's viewset is declarative:

    class CustomerViewSet(CreateThroughMixin, UpdateThroughMixin, MirrorViewSet):
        queryset = Customer.objects.all()
        filterset_class = CustomerFilterSet
        search_fields = ("name",)
        create_input, create_service = CustomerCreateInput, staticmethod(services.create_customer)
        update_input, update_service = CustomerUpdateInput, staticmethod(services.update_customer)
"""

from __future__ import annotations

from importlib import import_module

from django.urls import reverse
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from servicetitan.api.filtersets import MirrorFilterSet, SyncRunFilterSet
from servicetitan.api.serializers import (
    MirrorSerializer,
    SyncAcceptedSerializer,
    SyncRequestSerializer,
    SyncRunSerializer,
)
from servicetitan.groups import RUN_SYNC
from servicetitan.models import SyncedModel, SyncRun
from servicetitan.sync.services import QueueUnavailable, enqueue_sync


def mirror_serializer(model: type[SyncedModel]) -> type[MirrorSerializer]:
    """A mirror's default serializer: `MirrorSerializer` over the model, named `<Model>Serializer` (so its schema
    component is `<Model>`, as a declared one's would be)."""
    serializer = type(f"{model.__name__}Serializer", (MirrorSerializer,), {"Meta": type("Meta", (), {"model": model})})
    serializer.derived_for = model
    return serializer


def mirror_filterset(model: type[SyncedModel]) -> type[MirrorFilterSet]:
    """A mirror's default filterset: the filters every mirror shares (`MirrorFilterSet`), over the model."""
    meta = type("Meta", (), {"model": model, "fields": {}})
    filterset = type(f"{model.__name__}FilterSet", (MirrorFilterSet,), {"Meta": meta})
    filterset.derived_for = model
    return filterset


class MirrorViewSet(viewsets.ReadOnlyModelViewSet):
    """List and retrieve a mirrored collection; objects are addressed by ServiceTitan id."""

    # (The docstring is the schema's description of every mirror list.) A viewset names its `queryset` and what
    # differs from the defaults: without `serializer_class` it serves `mirror_serializer(model)`, without
    # `filterset_class` it filters by `mirror_filterset(model)`.

    lookup_field = "st_id"
    lookup_value_regex = r"[^/]+"
    # The unique (tenant_id, st_id) index serves this order; `?cursor=` pages on it (servicetitan.api.pagination).
    ordering = ("tenant_id", "st_id")
    cursor_ordering = ("tenant_id", "st_id")
    ordering_fields = "__all__"
    search_fields: tuple[str, ...] = ()
    serializer_class = None
    filterset_class = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        model = getattr(cls.queryset, "model", None)
        if model is None or not issubclass(model, SyncedModel):
            return
        # Derived here, once per class (a subclass with another queryset derives its own), so the schema, the filter
        # backend and the views all see a real class.
        for name, derive in (("serializer_class", mirror_serializer), ("filterset_class", mirror_filterset)):
            current = getattr(cls, name)
            if current is None or (getattr(current, "derived_for", model) is not model and name not in cls.__dict__):
                setattr(cls, name, derive(model))


class WriteThroughSchema(AutoSchema):
    """Documents a write-through's request with its input serializer (the response is the mirror's serializer)."""

    def get_request_serializer(self):
        input_class = self.view.write_input_class()
        return input_class() if input_class else super().get_request_serializer()


class WriteThroughMixin:
    """Writes validated by an input serializer, sent to ServiceTitan by a service, answered from the mirror.

    `create_input` / `update_input` / `action_inputs[action]`: `ServiceTitanBodySerializer`s validating the request
    (they also document it in the schema). Mix in `CreateThroughMixin` / `UpdateThroughMixin` for POST / PATCH.
    """

    schema = WriteThroughSchema()
    create_input = None
    update_input = None
    action_inputs: dict = {}

    def write_input_class(self):
        inputs = {"create": self.create_input, "partial_update": self.update_input, **self.action_inputs}
        return inputs.get(self.action)

    def validated_body(self, *, partial: bool = False, **context) -> dict:
        """The request validated by this action's input serializer, as ServiceTitan's body; `context` is added to the
        serializer's (e.g. the row an action applies to, for checks against the mirror)."""
        input_class = self.write_input_class()
        context = {**self.get_serializer_context(), **context}
        serializer = input_class(data=self.request.data, context=context, partial=partial)
        serializer.is_valid(raise_exception=True)
        return serializer.to_servicetitan()

    def respond_with(self, row, status_code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(row).data, status=status_code)


class CreateThroughMixin(WriteThroughMixin):
    """`POST`: `create_service(body) -> row` creates the record in ServiceTitan and returns its mirrored row."""

    create_service = None

    def create(self, request, *args, **kwargs):
        return self.respond_with(self.create_service(self.validated_body()), status.HTTP_201_CREATED)


class UpdateThroughMixin(WriteThroughMixin):
    """`PATCH`: `update_service(row, body) -> row` updates the record in ServiceTitan and returns the new row."""

    update_service = None

    def partial_update(self, request, *args, **kwargs):
        row = self.get_object()
        # The row in the serializer's context: some checks need what the mirror has (a partial address completed).
        return self.respond_with(self.update_service(row, self.validated_body(partial=True, row=row)))


# --- Sync ---------------------------------------------------------------------------------------------------------------
class SyncRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Sync runs, newest first: one per entity and run, with counters and the error of a failed one."""

    queryset = SyncRun.objects.all()
    serializer_class = SyncRunSerializer
    filterset_class = SyncRunFilterSet
    ordering = ("-started_at", "-id")
    ordering_fields = ("started_at", "finished_at", "target", "status")
    search_fields = ("target", "error")


class CanRunSyncs(BasePermission):
    """Staff users (INTERFACE.md: `POST /api/v1/sync/` is "staff only"), or anyone with the `servicetitan.run_sync`
    permission ("Can run syncs", group "Operators": how a non-staff service account runs syncs)."""

    message = "Starting syncs is for staff users or holders of the permission “Can run syncs” (group Operators)."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and (user.is_staff or user.has_perm(RUN_SYNC)))


class SyncView(APIView):
    """Queue a sync (staff, or the permission "Can run syncs"). It starts once the request's transaction commits;
    follow it in `runs/`. 503 when the task queue (Redis) is unreachable: nothing was queued."""

    permission_classes = [CanRunSyncs]

    @extend_schema(
        request=SyncRequestSerializer,
        responses={202: SyncAcceptedSerializer, 503: OpenApiResponse(description="The task queue is unreachable.")},
    )
    def post(self, request):
        serializer = SyncRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        targets, full = serializer.validated_data["targets"], serializer.validated_data["full"]
        try:
            keys = enqueue_sync(targets, full=full, triggered_by=f"api:{request.user.get_username()}")
        except ValueError as exc:
            raise ValidationError({"targets": [str(exc)]}) from exc
        except QueueUnavailable as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
        return Response({"targets": keys, "full": full}, status=status.HTTP_202_ACCEPTED)


# --- The API's front door -------------------------------------------------------------------------------------------
class ApiRootView(APIView):
    """`GET /api/v1/`: every route of the API by module, with the schema and the docs."""

    permission_classes = [IsAuthenticated]
    # module name in the URL -> the urls module mounted there (set by lazi/urls.py)
    mounts: dict[str, str] = {}

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request):
        routes = {}
        for prefix, module_name in self.mounts.items():
            module = import_module(module_name)
            router = getattr(module, "router", None)
            base = f"/api/v1/{prefix}/"
            entries = {}
            if prefix == "sync":
                entries["sync"] = request.build_absolute_uri(base)
            for route, _viewset, _basename in getattr(router, "registry", ()):
                entries[route] = request.build_absolute_uri(f"{base}{route}/")
            routes[prefix] = entries
        return Response(
            {
                "routes": routes,
                "schema": request.build_absolute_uri(reverse("schema")),
                "docs": request.build_absolute_uri(reverse("api-docs")),
            }
        )


class BrowsableSchemaView(SpectacularAPIView):
    """The OpenAPI schema; a browser (asking for HTML) gets it as JSON it can show instead of a YAML download."""

    def perform_content_negotiation(self, request, force=False):
        accept = request.META.get("HTTP_ACCEPT", "")
        if "text/html" in accept and not request.query_params.get("format"):
            return OpenApiJsonBrowserRenderer(), OpenApiJsonBrowserRenderer.media_type
        return super().perform_content_negotiation(request, force)


class OpenApiJsonBrowserRenderer(OpenApiJsonRenderer):
    media_type = "application/json"
