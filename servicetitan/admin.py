"""Admin of the integration core: sync runs (read-only), cursors, and the per-entity sync status page with its
"sync now" / "full resync" buttons."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from servicetitan.admin_base import ReadOnlyAdminMixin, pretty_json, problems_html
from servicetitan.groups import RUN_SYNC
from servicetitan.models import RecordProblem, SyncCursor, SyncRun, WebhookEvent
from servicetitan.sync.services import QueueUnavailable, enqueue_sync
from servicetitan.sync.streams import all_streams

STATUS_COLORS = {
    SyncRun.Status.SUCCEEDED: "#2e7d32",
    SyncRun.Status.FAILED: "#c62828",
    SyncRun.Status.RUNNING: "#1565c0",
    SyncRun.Status.SKIPPED: "#8d6e63",
}


def last_webhooks() -> dict:
    """When the last authentic webhook naming each entity arrived (queued or a duplicate of one), by sync target."""
    accepted = WebhookEvent.objects.filter(status__in=[WebhookEvent.Status.QUEUED, WebhookEvent.Status.DUPLICATE])
    last: dict = {}
    for row in accepted.values("targets").annotate(at=Max("received_at")):
        for target in row["targets"] or ():
            if target not in last or row["at"] > last[target]:
                last[target] = row["at"]
    return last


def status_badge(status: str):
    color = STATUS_COLORS.get(status, "#555")
    return format_html('<strong style="color: {}">{}</strong>', color, status)


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "target",
        "colored_status",
        "full",
        "started_at",
        "duration_display",
        "pages",
        "created",
        "updated",
        "unchanged",
        "deactivated",
        "deleted",
        "problems",
        "api_calls",
        "retries",
        "short_error",
        "triggered_by",
    )
    list_filter = ("status", "full", "target")
    search_fields = ("target", "error", "triggered_by")
    date_hierarchy = "started_at"
    list_per_page = 50
    show_full_result_count = False
    readonly_fields = ("error_text", "problems_table")
    exclude = ("error",)
    change_list_template = "admin/servicetitan/syncrun/change_list.html"

    def get_urls(self):
        status_view = self.admin_site.admin_view(self.status_view)
        return [path("status/", status_view, name="servicetitan_syncrun_status"), *super().get_urls()]

    @admin.display(description="status", ordering="status")
    def colored_status(self, obj):
        return status_badge(obj.status)

    @admin.display(description="duration")
    def duration_display(self, obj):
        return f"{obj.duration.total_seconds():.1f} s" if obj.duration else "—"

    @admin.display(description="error")
    def short_error(self, obj):
        return obj.error.splitlines()[0][:160] if obj.error else ""

    @admin.display(description="error")
    def error_text(self, obj):
        if not obj.error:
            return "—"
        return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', obj.error)

    @admin.display(description="records with values that did not fit")
    def problems_table(self, obj):
        return problems_html(obj.record_problems.all(), with_record=True)

    # --- the per-entity status page ---------------------------------------------------------------------------------
    @staticmethod
    def entity_rows(scope=None) -> list[dict]:
        from tenants.access import TenantScope, scope_queryset

        scope = scope or TenantScope(tenant=None, unrestricted=True)
        cursors = {cursor.target: cursor for cursor in scope_queryset(SyncCursor.objects.all(), scope)}
        webhooks = last_webhooks()
        rows = []
        for key in all_streams():
            runs = scope_queryset(SyncRun.objects.filter(target=key), scope)
            rows.append(
                {
                    "key": key,
                    "module": key.split(".", 1)[0],
                    "last": runs.first(),
                    "last_success": runs.filter(status=SyncRun.Status.SUCCEEDED).first(),
                    "running": runs.filter(status=SyncRun.Status.RUNNING).exists(),
                    "cursor": cursors.get(key),
                    "last_webhook": webhooks.get(key),
                }
            )
        return rows

    @staticmethod
    def _user_label(request) -> str:
        return f"admin:{request.user.get_username()}"

    @staticmethod
    def _module_targets() -> list[str]:
        return sorted({key.split(".", 1)[0] for key in all_streams()})

    def status_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            if not request.user.has_perm(RUN_SYNC):
                raise PermissionDenied
            return self._start_sync(request)
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET", "POST"])
        from tenants.admin_scope import admin_scope

        rows = self.entity_rows(admin_scope(request))
        for row in rows:
            row["last_status"] = status_badge(row["last"].status) if row["last"] else "never run"
        context = {
            **self.admin_site.each_context(request),
            "title": "ServiceTitan sync status",
            "opts": self.model._meta,
            "rows": rows,
            "modules": self._module_targets(),
            "runs_url": reverse("admin:servicetitan_syncrun_changelist"),
            "can_run_syncs": request.user.has_perm(RUN_SYNC),
        }
        return TemplateResponse(request, "admin/servicetitan/syncrun/status.html", context)

    def _start_sync(self, request):
        target = request.POST.get("target", "")
        full = request.POST.get("full") == "1"
        targets = None if target in ("", "all") else [target]
        try:
            keys = enqueue_sync(targets, full=full, triggered_by=self._user_label(request))
        except (ValueError, QueueUnavailable) as exc:
            messages.error(request, str(exc))
        else:
            kind = "Full resync" if full else "Sync"
            messages.success(
                request, f"{kind} of {target or 'everything'} queued ({len(keys)} entities). Runs appear below."
            )
        return HttpResponseRedirect(reverse("admin:servicetitan_syncrun_status"))


@admin.register(RecordProblem)
class RecordProblemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Values ServiceTitan sent that did not fit their column: the raw row keeps them, the master column is empty."""

    list_display = ("model", "st_id", "column", "message", "value", "run", "seen_at")
    list_filter = ("model", "column")
    search_fields = ("st_id", "column", "message")
    list_per_page = 50
    show_full_result_count = False


@admin.register(SyncCursor)
class SyncCursorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "target",
        "tenant_id",
        "short_token",
        "modified_since",
        "last_full_at",
        "follow_up_requested_at",
        "updated_at",
    )
    search_fields = ("target",)

    @admin.display(description="export token")
    def short_token(self, obj):
        return (obj.export_token[:40] + "…") if len(obj.export_token) > 40 else obj.export_token


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The log of inbound ServiceTitan webhooks (owner: servicetitan/webhooks.py)."""

    list_display = ("received_at", "event_type", "status", "signature_valid", "targets", "short_error", "remote_addr")
    list_filter = ("status", "signature_valid", "event_type")
    search_fields = ("event_type", "error")
    date_hierarchy = "received_at"
    list_per_page = 50
    show_full_result_count = False
    exclude = ("payload",)
    readonly_fields = ("pretty_payload",)

    @admin.display(description="error")
    def short_error(self, obj):
        return obj.error[:160]

    @admin.display(description="payload")
    def pretty_payload(self, obj):
        return pretty_json(obj.payload)


# --- REST API tokens: the key is shown once, when created, and masked everywhere after -----------------------------------
def masked_token_text(token) -> str:
    """A token as every admin page names it (page titles, "Recent actions", its history, the delete page, the
    admin's own messages): the key's first characters and its user, never the key."""
    return f"{token.key[:4]}… ({token.user})"


# The admin names an object by `str()` (and keeps that name in its log, shown on the start page): the proxy is the
# admin's alone, so its name is masked there; `Token` itself is left as DRF has it.
TokenProxy.__str__ = masked_token_text
admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class ApiTokenAdmin(TokenAdmin):
    list_display = ("masked_key", "user", "created")

    @admin.display(description="key")
    def masked_key(self, token):
        return f"{token.key[:4]}…"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            messages.warning(request, f"API token for {obj.user}: {obj.key} — copy it now; it will not be shown again.")
