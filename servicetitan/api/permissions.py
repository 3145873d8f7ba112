from rest_framework.permissions import DjangoModelPermissions


class ModelPermissionsWithView(DjangoModelPermissions):
    """Django model permissions, reads included: GET needs the `view_<model>` permission."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        allowed = super().has_permission(request, view)
        if allowed:
            from tenants.api.scoping import api_scope

            api_scope(request)  # 403 for a tenant the user is not in, before anything runs
        return allowed


class ModelChangePermission(ModelPermissionsWithView):
    """For actions that change an existing record whatever their method (`POST …/jobs/{st_id}/cancel/`)."""

    perms_map = {
        **ModelPermissionsWithView.perms_map,
        "POST": ["%(app_label)s.change_%(model_name)s"],
    }
