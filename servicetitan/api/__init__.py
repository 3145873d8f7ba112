"""The REST API's shared base, so every module's API is a few declarative lines.

- `serializers.MirrorSerializer`: a mirrored row (shared columns + the model's `st_mapping` columns), read-only.
- `serializers.ServiceTitanBodySerializer` / `AddressSerializer`: write-through input in LAZI's snake_case, turned
  into ServiceTitan's camelCase body (`customer_st_id` → `customerId`).
- `filtersets.MirrorFilterSet`: st_id / st_id__in / tenant_id / active / deleted / modified_since / modified_before.
- `views.MirrorViewSet` (list + retrieve by `st_id`, search, ordering, ServiceTitan errors as HTTP errors),
  `views.CreateThroughMixin` / `views.UpdateThroughMixin` (POST / PATCH through a service).
- `routers.MirrorRouter`: DRF's default router with an API root that requires a signed-in user.
- `permissions`: Django model permissions with view (`ModelPermissionsWithView`), `ModelChangePermission` for actions.
- `errors.api_exception_for(error)`: the HTTP error for a ServiceTitan error (4xx → 400 with its field messages).
The sync API itself (`/api/v1/sync/`, `/api/v1/sync/runs/`) lives in `views` and `urls`.
"""
