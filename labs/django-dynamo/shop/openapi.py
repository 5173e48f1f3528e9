"""OpenAPI 3.0 description of the shop API (served at /openapi.json)."""
from . import state
from .models import Profile

EXAMPLE_PROFILE = Profile(user_id=1, display_name="Ada", email="ada@example.test",
                          theme="dark", cart=[{"item_id": 1, "qty": 2}])


def json_ok(description, example):
    return {"description": description,
            "content": {"application/json": {"schema": {"type": "object"}, "example": example}}}


def spec(server_url):
    token = state.encode(EXAMPLE_PROFILE)
    state_param = {"name": "state", "in": "query", "required": False,
                   "description": "Cart state token previously returned in the `state` field; restores that cart.",
                   "schema": {"type": "string"}, "example": token}
    cookie_param = {"name": "profile", "in": "cookie", "required": False,
                    "description": "Profile token set by GET /api/profile/.",
                    "schema": {"type": "string"}, "example": token}
    cart_example = {"user_id": 1, "items": [{"item_id": 1, "title": "Enamel mug", "qty": 2, "price": 12.5}],
                    "total": 25.0, "state": token}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Shop profile/cart service", "version": "1.4.0"},
        "servers": [{"url": server_url.rstrip("/")}],
        "paths": {
            "/": {"get": {"operationId": "index", "summary": "Service index with links",
                          "responses": {"200": json_ok("Links", {"links": {"items": "/api/items/"}})}}},
            "/api/profile/": {"get": {
                "operationId": "getProfile", "summary": "Current profile; sets the `profile` cookie",
                "parameters": [cookie_param],
                "responses": {"200": json_ok("Profile", {"user_id": 1, "display_name": "Ada",
                                                         "email": "ada@example.test", "theme": "dark"}),
                              "400": json_ok("Bad profile token", {"error": "bad request"})}}},
            "/api/cart/": {
                "get": {"operationId": "getCart", "summary": "Current cart",
                        "parameters": [state_param, cookie_param],
                        "responses": {"200": json_ok("Cart", cart_example),
                                      "400": json_ok("Bad state", {"error": "bad request"})}},
                "post": {"operationId": "addToCart", "summary": "Add an item to the cart",
                         "parameters": [cookie_param],
                         "requestBody": {"required": True, "content": {"application/json": {
                             "schema": {"type": "object", "required": ["item_id"], "properties": {
                                 "item_id": {"type": "integer", "minimum": 1},
                                 "qty": {"type": "integer", "minimum": 1, "maximum": 99},
                                 "state": {"type": "string"}}},
                             "example": {"item_id": 2, "qty": 1}}}},
                         "responses": {"201": json_ok("Updated cart", cart_example),
                                       "400": json_ok("Bad request", {"error": "bad request"})}}},
            "/api/items/": {"get": {"operationId": "listItems", "summary": "Catalogue",
                                    "responses": {"200": json_ok("Items", {"items": []})}}},
            "/api/items/{item_id}": {"get": {
                "operationId": "getItem", "summary": "One catalogue item",
                "parameters": [{"name": "item_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1}, "example": 1}],
                "responses": {"200": json_ok("Item", {"id": 1, "title": "Enamel mug", "category": "kitchen",
                                                      "price": 12.5, "stock": 40}),
                              "404": json_ok("No such item", {"error": "not found"})}}},
            "/api/search/": {"get": {
                "operationId": "searchItems", "summary": "Search the catalogue",
                "parameters": [
                    {"name": "q", "in": "query", "required": False, "schema": {"type": "string"}, "example": "mug"},
                    {"name": "field", "in": "query", "required": False,
                     "schema": {"type": "string", "enum": ["title", "category"], "default": "title"},
                     "example": "title"}],
                "responses": {"200": json_ok("Matches", {"query": "mug", "field": "title", "items": []})}}},
            "/api/users/": {"get": {"operationId": "listUsers", "summary": "Customer accounts",
                                    "responses": {"200": json_ok("Users", {"users": []})}}},
            "/api/config/": {"get": {"operationId": "getConfig", "summary": "Service configuration",
                                     "responses": {"200": json_ok("Config", {"service": "shop"})}}},
        },
    }
