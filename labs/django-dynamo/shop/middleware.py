from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers


class CorsMiddleware:
    """vulnerable: reflects any Origin with credentials and answers every OPTIONS itself.
    fixed: only origins in CORS_ALLOWED_ORIGINS get CORS headers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        origin = request.headers.get("Origin")
        if settings.VULNERABLE:
            allowed, methods = bool(origin), "GET, HEAD, POST, PUT, DELETE, TRACE, OPTIONS"
            preflight = request.method == "OPTIONS"
        else:
            allowed, methods = origin in settings.CORS_ALLOWED_ORIGINS, "GET, POST, OPTIONS"
            preflight = (allowed and request.method == "OPTIONS"
                         and "Access-Control-Request-Method" in request.headers)
        if preflight:
            response = HttpResponse(status=200)
            response["Allow"] = methods
            response["Access-Control-Allow-Methods"] = methods
            response["Access-Control-Allow-Headers"] = (
                request.headers.get("Access-Control-Request-Headers", "*")
                if settings.VULNERABLE else "Content-Type")
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
        if allowed:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Credentials"] = "true"
        patch_vary_headers(response, ("Origin",))
        return response


class SecurityHeadersMiddleware:
    """fixed only: what SecurityMiddleware does not set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.setdefault("Cache-Control", "no-store")
        return response
