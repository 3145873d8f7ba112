"""Viewset bases every module API builds on, and the sync API (`/api/v1/sync/`).

An app's viewset is declarative:

    class CustomerViewSet(CreateThroughMixin, UpdateThroughMixin, MirrorViewSet):
        queryset = Customer.objects.all()
        serializer_class = CustomerSerializer
        filterset_class = CustomerFilterSet
        search_fields = ("name",)
        create_input, create_service = CustomerCreateInput, staticmethod(services.create_customer)
        update_input, update_service = CustomerUpdateInput, staticmethod(services.update_customer)
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from servicetitan.api.errors import api_exception_for, error_payload
from servicetitan.api.filtersets import SyncRunFilterSet
from servicetitan.api.serializers import SyncAcceptedSerializer, SyncRequestSerializer, SyncRunSerializer
from servicetitan.client.errors import ServiceTitanError
from servicetitan.groups import RUN_SYNC
from servicetitan.models import SyncRun
from servicetitan.sync.services import QueueUnavailable, enqueue_sync


class MirrorViewSet(viewsets.ReadOnlyModelViewSet):
    """List and retrieve a mirrored collection; objects are addressed by ServiceTitan id."""

    lookup_field = "st_id"
    lookup_value_regex = r"[^/]+"
    ordering = ("st_id",)
    ordering_fields = "__all__"
    search_fields: tuple[str, ...] = ()

    def handle_exception(self, exc):
        if isinstance(exc, ServiceTitanError):
            exc = api_exception_for(exc)
        response = super().handle_exception(exc)
        response.data = error_payload(exc, response.data)
        return response


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

    def validated_body(self, *, partial: bool = False) -> dict:
        """The request validated by this action's input serializer, as ServiceTitan's body."""
        input_class = self.write_input_class()
        serializer = input_class(data=self.request.data, context=self.get_serializer_context(), partial=partial)
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
        return self.respond_with(self.update_service(row, self.validated_body(partial=True)))


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
    """The `servicetitan.run_sync` permission ("Can run syncs", group "Operators"); staff status alone is not enough."""

    message = "Starting syncs needs the permission “Can run syncs” (group Operators)."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.has_perm(RUN_SYNC))


class SyncView(APIView):
    """Queue a sync (permission "Can run syncs"). It starts once the request's transaction commits; follow it in
    `runs/`. 503 when the task queue (Redis) is unreachable: nothing was queued."""

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
