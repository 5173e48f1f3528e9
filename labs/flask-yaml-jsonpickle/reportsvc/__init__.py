"""reportsvc: a small Flask "orders report" API.

LAB_VARIANT=vulnerable (default): report configs are YAML read with yaml.UnsafeLoader, user
preferences are a jsonpickle cookie, and errors echo the exception type and message.
LAB_VARIANT=fixed: yaml.safe_load + schema, Flask's signed session for preferences, 400 without
details for bad input.
"""
import logging
import os
from datetime import timedelta

from flask import Flask, abort, jsonify, request
from werkzeug.exceptions import HTTPException

from . import configs, prefs
from .models import ORDERS, THEMES, ReportConfig, build_report
from .openapi import document


def create_app():
    variant = os.environ.get("LAB_VARIANT", "vulnerable")
    if variant not in ("vulnerable", "fixed"):
        raise SystemExit("LAB_VARIANT must be vulnerable or fixed")
    if os.environ.get("FLASK_DEBUG", "").lower() not in ("", "0", "false", "no"):
        # Never the Werkzeug debugger: it is remote code execution by design.
        raise SystemExit("refusing to start with FLASK_DEBUG set")

    app = Flask(__name__)
    app.config.update(
        DEBUG=False,
        LAB_VULNERABLE=variant == "vulnerable",
        MAX_CONTENT_LENGTH=64 * 1024,
        JSON_SORT_KEYS=False,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    if variant == "fixed":
        secret = os.environ.get("LAB_SECRET_KEY", "")
        if len(secret) < 16:
            raise SystemExit("the fixed variant needs LAB_SECRET_KEY (16+ characters)")
        app.config.update(
            SECRET_KEY=secret,
            SESSION_COOKIE_NAME=prefs.COOKIE,
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SECURE=True,
            SESSION_COOKIE_SAMESITE="Lax",
            PERMANENT_SESSION_LIFETIME=timedelta(days=7),
        )
        app.session_interface = prefs.StrictSessionInterface()

    register_routes(app)
    register_errors(app)
    return app


def register_routes(app):
    @app.get("/")
    def index():
        return jsonify(service="reportsvc", links={
            "openapi": "/openapi.json",
            "orders": "/api/orders",
            "prefs": "/api/prefs",
            "report_template": "/api/reports/template",
            "report_preview": "/api/reports/preview?config=...",
        })

    @app.get("/openapi.json")
    def openapi():
        return jsonify(document(request.host))

    @app.get("/api/orders")
    def orders():
        return jsonify(orders=ORDERS)

    @app.get("/api/prefs")
    def get_prefs():
        p = prefs.load()
        resp = jsonify(prefs=view(p))
        prefs.save(resp, p)
        return resp

    @app.post("/api/prefs")
    def set_prefs():
        p = prefs.load()
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            abort(400, "body must be a JSON object")
        if "theme" in body:
            if body["theme"] not in THEMES:
                abort(400, "theme must be light or dark")
            p.theme = body["theme"]
        if "page_size" in body:
            if type(body["page_size"]) is not int or not 1 <= body["page_size"] <= 200:
                abort(400, "page_size must be an integer from 1 to 200")
            p.page_size = body["page_size"]
        if "timezone" in body:
            if not isinstance(body["timezone"], str) or not 0 < len(body["timezone"]) <= 64:
                abort(400, "timezone must be a short string")
            p.timezone = body["timezone"]
        resp = jsonify(prefs=view(p))
        prefs.save(resp, p)
        return resp

    @app.get("/api/reports/template")
    def report_template():
        cfg = ReportConfig()
        return jsonify(name="orders-by-status", format="yaml", config=configs.dump(cfg),
                       usage="GET /api/reports/preview?config=<yaml> or POST the YAML to /api/reports/preview")

    @app.route("/api/reports/preview", methods=["GET", "POST"])
    def report_preview():
        if request.method == "GET":
            text = request.args.get("config")
        else:  # the YAML as the body (any text type), or a `config` field in JSON / a form
            text = request.get_data(cache=True, as_text=True)
            if request.is_json:
                body = request.get_json(silent=True)
                text = body.get("config") if isinstance(body, dict) else None
            elif request.mimetype == "application/x-www-form-urlencoded" and "config" in request.form:
                text = request.form["config"]
        if not isinstance(text, str) or not text.strip():
            abort(400, "config is required: a YAML report configuration")
        cfg = configs.load(text)
        rows = build_report(cfg)
        return jsonify(title=cfg.title, columns=cfg.columns, rows=rows, count=len(rows),
                       config=configs.dump(cfg))

    @app.after_request
    def headers(resp):
        if not app.config["LAB_VULNERABLE"]:
            resp.headers["X-Content-Type-Options"] = "nosniff"
            resp.headers["X-Frame-Options"] = "DENY"
            resp.headers["Referrer-Policy"] = "no-referrer"
            resp.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
            resp.headers["Cache-Control"] = "no-store"
        return resp


def view(p):
    return {"theme": p.theme, "page_size": p.page_size, "timezone": p.timezone,
            "recent_reports": p.recent_reports}


def register_errors(app):
    @app.errorhandler(HTTPException)
    def http_error(e):
        if app.config["LAB_VULNERABLE"]:
            return jsonify(error=e.description), e.code
        return jsonify(error=e.name.lower()), e.code

    @app.errorhandler(Exception)
    def unhandled(e):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if app.config["LAB_VULNERABLE"]:
            # Like a careless app: the exception type and message go straight to the client.
            t = type(e)
            return jsonify(error=f"{t.__name__}: {e}", exception=f"{t.__module__}.{t.__qualname__}"), 500
        return jsonify(error="server error"), 500
