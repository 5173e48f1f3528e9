import json
import logging
from dataclasses import asdict

import jsonschema
from botocore.exceptions import ClientError
from django.conf import settings
from django.http import Http404, JsonResponse
from django.views.decorators.http import require_http_methods, require_safe

from . import db, state
from .openapi import spec

log = logging.getLogger("shop")
DEMO_USER_ID = 1
ADD_TO_CART_SCHEMA = {
    "type": "object",
    "required": ["item_id"],
    "properties": {"item_id": {"type": "integer", "minimum": 1, "maximum": 999999999},
                   "qty": {"type": "integer", "minimum": 1, "maximum": 99},
                   "state": {"type": "string", "maxLength": 4096}},
}


def error(status, message):
    return JsonResponse({"error": message}, status=status)


def error_400(request, exception=None):
    return error(400, "bad request")


def error_404(request, exception=None):
    return error(404, "not found")


def error_500(request):
    return error(500, "server error")


@require_safe
def index(request):
    return JsonResponse({
        "name": "Parapet lab shop: profile/cart service",
        "links": {"openapi": "/openapi.json", "profile": "/api/profile/", "cart": "/api/cart/",
                  "items": "/api/items/", "item": "/api/items/1", "search": "/api/search/?q=mug",
                  "users": "/api/users/", "config": "/api/config/"},
    })


@require_safe
def openapi(request):
    return JsonResponse(spec(request.build_absolute_uri("/")))


def current_profile(request, token=None):
    """The client's profile: from ?state= / body state, else the `profile` cookie, else the demo user."""
    token = token or request.COOKIES.get("profile")
    if token:
        return state.decode(token)  # vulnerable: pickle.loads on client data
    return state.load(DEMO_USER_ID)


def set_profile_cookie(response, profile):
    if settings.VULNERABLE:
        response.set_cookie("profile", state.encode(profile))
    else:
        response.set_cookie("profile", state.encode(profile), max_age=state.MAX_AGE,
                            httponly=True, secure=True, samesite="Lax")


@require_safe
def profile(request):
    try:
        prof = current_profile(request)
    except state.BadState:
        return error_400(request)
    response = JsonResponse({k: v for k, v in asdict(prof).items() if k != "cart"})
    set_profile_cookie(response, prof)
    return response


def cart_body(prof):
    lines, total = [], 0.0
    for entry in prof.cart:
        item = db.get_item(entry["item_id"]) or {"title": None, "price": 0}
        lines.append({"item_id": entry["item_id"], "title": item["title"],
                      "qty": entry["qty"], "price": item["price"]})
        total += item["price"] * entry["qty"]
    return {"user_id": prof.user_id, "items": lines, "total": round(total, 2),
            "state": state.encode(prof)}


@require_http_methods(["GET", "HEAD", "POST"])
def cart(request):
    if request.method != "POST":
        try:
            return JsonResponse(cart_body(current_profile(request, request.GET.get("state"))))
        except state.BadState:
            return error_400(request)
    # POST {"item_id": 2, "qty": 1, "state": optional}: add to cart and persist.
    try:
        body = json.loads(request.body)
        if not settings.VULNERABLE:
            jsonschema.validate(body, ADD_TO_CART_SCHEMA)
        item_id, qty = int(body["item_id"]), int(body.get("qty", 1))
        prof = current_profile(request, body.get("state"))
    except (ValueError, jsonschema.ValidationError, state.BadState):
        if settings.VULNERABLE:
            raise
        return error_400(request)
    if db.get_item(item_id) is None:
        return error_404(request)
    if not settings.VULNERABLE and len(prof.cart) >= 50:
        return error_400(request)
    prof.cart.append({"item_id": item_id, "qty": qty})
    state.save(prof)
    response = JsonResponse(cart_body(prof), status=201)
    set_profile_cookie(response, prof)
    return response


@require_safe
def item_list(request):
    return JsonResponse({"items": db.scan_items()})


@require_safe
def item_detail(request, item_id):
    if settings.VULNERABLE:
        # No validation: a malformed id goes straight to DynamoDB and its
        # ClientError (ValidationException) is not caught -> DEBUG 500 page.
        resp = db.client.get_item(TableName=db.table("items"), Key={"id": {"N": item_id}})
        if "Item" not in resp:
            raise Http404("No item with id %s in table %s" % (item_id, db.table("items")))
        return JsonResponse(db.plain(resp["Item"]))
    if not item_id.isdigit() or len(item_id) > 9:
        return error_400(request)
    try:
        item = db.get_item(int(item_id))
    except ClientError:
        log.exception("get_item failed")
        return error_400(request)
    return JsonResponse(item) if item else error_404(request)


@require_safe
def search(request):
    q = request.GET.get("q", "")
    field = request.GET.get("field", "title")
    if settings.VULNERABLE:
        # The field name is pasted into the expression; errors are caught but echoed.
        kwargs = {"FilterExpression": "contains(%s, :q)" % field,
                  "ExpressionAttributeValues": {":q": {"S": q}}}
    else:
        if field not in ("title", "category") or len(q) > 64:
            return error_400(request)
        kwargs = {"FilterExpression": "contains(#f, :q)", "ExpressionAttributeNames": {"#f": field},
                  "ExpressionAttributeValues": {":q": {"S": q}}} if q else {}
    try:
        return JsonResponse({"query": q, "field": field, "items": db.scan_items(**kwargs)})
    except ClientError as exc:
        if settings.VULNERABLE:
            return JsonResponse({"error": str(exc)}, status=500)
        log.warning("search failed: %s", exc)
        return error_400(request)


def mask_email(email):
    name, _, domain = email.partition("@")
    return name[:1] + "***@" + domain


@require_safe
def users(request):
    rows = db.scan_users()
    if not settings.VULNERABLE:
        rows = [{"id": u["id"], "name": u["name"], "email": mask_email(u["email"]),
                 "plan": u["plan"], "card_last4": u["card_number"][-4:] if u.get("card_number") else None}
                for u in rows]
    return JsonResponse({"users": rows})


@require_safe
def config(request):
    cfg = {"service": "shop", "region": settings.AWS_REGION, "debug": settings.DEBUG}
    if settings.VULNERABLE:  # a "temporary" debug endpoint that dumps the real settings
        cfg.update({"dynamodb_endpoint": settings.DYNAMODB_ENDPOINT, "table_prefix": settings.TABLE_PREFIX,
                    "aws_access_key_id": settings.AWS_ACCESS_KEY_ID,
                    "aws_secret_access_key": settings.AWS_SECRET_ACCESS_KEY,
                    "secret_key": settings.SECRET_KEY})
    return JsonResponse(cfg)
