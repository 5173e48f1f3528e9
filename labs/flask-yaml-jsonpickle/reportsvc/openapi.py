"""The OpenAPI 3.0.3 document served at /openapi.json."""


def document(host):
    yaml_body = {"schema": {"type": "string"}, "example": "title: Paid orders\ncolumns: [id, customer, total]\nfilter_status: paid\n"}
    ok = {"200": {"description": "OK"}}
    prefs_cookie = {"name": "prefs", "in": "cookie", "required": False, "schema": {"type": "string"},
                    "description": "preferences, as handed out by GET /api/prefs"}
    return {
        "openapi": "3.0.3",
        "info": {"title": "reportsvc", "version": "2.3.0"},
        "servers": [{"url": f"http://{host or '127.0.0.1'}"}],
        "paths": {
            "/api/orders": {"get": {"operationId": "listOrders", "responses": ok}},
            "/api/prefs": {
                "get": {"operationId": "getPrefs", "summary": "current preferences (sets the prefs cookie)",
                        "parameters": [prefs_cookie], "responses": ok},
                "post": {"operationId": "setPrefs", "parameters": [prefs_cookie],
                         "requestBody": {"required": True, "content": {"application/json": {
                             "schema": {"type": "object", "properties": {
                                 "theme": {"type": "string", "enum": ["light", "dark"]},
                                 "page_size": {"type": "integer", "minimum": 1, "maximum": 200},
                                 "timezone": {"type": "string"}}},
                             "example": {"theme": "dark", "page_size": 50}}}},
                         "responses": ok},
            },
            "/api/reports/template": {"get": {"operationId": "getReportTemplate",
                                              "summary": "a report configuration to start from (YAML in `config`)",
                                              "responses": ok}},
            "/api/reports/preview": {
                "get": {"operationId": "previewReport",
                        "parameters": [{"name": "config", "in": "query", "required": True,
                                        "schema": {"type": "string"},
                                        "example": "title: Paid orders\nfilter_status: paid\n"}],
                        "responses": ok},
                "post": {"operationId": "previewReportBody",
                         "requestBody": {"required": True, "content": {"application/yaml": yaml_body,
                                                                        "text/plain": yaml_body}},
                         "responses": ok},
            },
        },
    }
