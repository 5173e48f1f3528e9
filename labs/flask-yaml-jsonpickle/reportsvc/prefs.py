"""User preferences live client-side, in the `prefs` cookie.

vulnerable: the cookie is base64(jsonpickle.encode(UserPrefs)) and comes back through
            jsonpickle.decode, which imports and instantiates whatever "py/object",
            "py/reduce", ... the client names. No signature.
fixed:      Flask's own session (JSON signed with itsdangerous, SECRET_KEY) under the same
            cookie name; a cookie that fails the signature or the schema is a 400.
"""
import base64

import jsonpickle
from flask import abort, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from .models import THEMES, UserPrefs

COOKIE = "prefs"


def load():
    if current_app.config["LAB_VULNERABLE"]:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return UserPrefs()
        return jsonpickle.decode(base64.b64decode(raw).decode("utf-8"))
    if getattr(session, "rejected", False):
        abort(400)
    if not session:
        return UserPrefs()
    data = {k: v for k, v in session.items() if k != "_permanent"}  # Flask's own marker
    if not valid(data):
        abort(400)
    return UserPrefs(**data)


def save(response, prefs):
    if current_app.config["LAB_VULNERABLE"]:
        blob = base64.b64encode(jsonpickle.encode(prefs).encode("utf-8")).decode("ascii")
        response.set_cookie(COOKIE, blob, path="/")
        return
    session.clear()
    session.update(prefs.to_dict())
    session.permanent = True


def valid(data):
    return (
        isinstance(data, dict)
        and set(data) == {"theme", "page_size", "timezone", "recent_reports"}
        and data["theme"] in THEMES
        and type(data["page_size"]) is int and 1 <= data["page_size"] <= 200
        and isinstance(data["timezone"], str) and 0 < len(data["timezone"]) <= 64
        and isinstance(data["recent_reports"], list) and len(data["recent_reports"]) <= 10
        and all(isinstance(r, str) and len(r) <= 100 for r in data["recent_reports"])
    )


class StrictSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that a cookie that is present but fails the
    signature check is remembered (session.rejected) so the request can be answered 400,
    instead of silently starting an empty session."""

    def open_session(self, app, request):
        s = self.get_signing_serializer(app)
        if s is None:
            return None
        val = request.cookies.get(self.get_cookie_name(app))
        if not val:
            return self.session_class()
        try:
            return self.session_class(s.loads(val, max_age=int(app.permanent_session_lifetime.total_seconds())))
        except BadSignature:
            sess = self.session_class()
            sess.rejected = True
            return sess
