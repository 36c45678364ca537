"""Security response headers that Django has no setting for (the others are settings: see config/settings.py)."""

from django.conf import settings


def permissions_policy(features: dict[str, list[str]]) -> str:
    """The Permissions-Policy header for {feature: allowed origins}; an empty list switches the feature off."""
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in features.items())


class PermissionsPolicyMiddleware:
    """Sends settings.PERMISSIONS_POLICY as the Permissions-Policy header on every response that has none."""

    def __init__(self, get_response):
        self.get_response = get_response
        # Built once: the policy is the same for every response.
        self.header = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
