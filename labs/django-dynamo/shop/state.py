"""How the profile/cart state is stored in DynamoDB and handed to the client.

vulnerable: a pickle of shop.models.Profile (binary attribute `blob`), handed out as
            urlsafe base64 and restored with pickle.loads from whatever the client sends.
fixed:      JSON validated against a schema (string attribute `doc`), handed out signed
            with django.core.signing; anything unsigned, tampered or off-schema is refused.
"""
import base64
import json
import pickle
from dataclasses import asdict

import jsonschema
from django.conf import settings
from django.core import signing

from . import db
from .models import Profile

SALT = "shop.profile-state"
MAX_AGE = 7 * 24 * 3600
PROFILE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["user_id", "display_name", "email", "theme", "cart"],
    "properties": {
        "user_id": {"type": "integer", "minimum": 1},
        "display_name": {"type": "string", "maxLength": 64},
        "email": {"type": "string", "maxLength": 128},
        "theme": {"enum": ["light", "dark"]},
        "cart": {"type": "array", "maxItems": 50, "items": {
            "type": "object", "additionalProperties": False, "required": ["item_id", "qty"],
            "properties": {"item_id": {"type": "integer", "minimum": 1},
                           "qty": {"type": "integer", "minimum": 1, "maximum": 99}}}},
    },
}


class BadState(Exception):
    """Client-supplied state was refused (fixed variant only)."""


def to_profile(data):
    jsonschema.validate(data, PROFILE_SCHEMA)
    return Profile(**data)


def encode(profile):
    if settings.VULNERABLE:
        raw = pickle.dumps(profile, protocol=4)
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return signing.dumps(asdict(profile), salt=SALT, compress=True)


def decode(token):
    if settings.VULNERABLE:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        return pickle.loads(raw)
    try:
        return to_profile(signing.loads(token, salt=SALT, max_age=MAX_AGE))
    except (signing.BadSignature, jsonschema.ValidationError, TypeError, ValueError) as exc:
        raise BadState() from exc


def to_item(profile):
    key = {"N": str(profile.user_id)}
    if settings.VULNERABLE:
        return {"user_id": key, "blob": {"B": pickle.dumps(profile, protocol=4)}}
    return {"user_id": key, "doc": {"S": json.dumps(asdict(profile))}}


def load(user_id):
    item = db.load_profile_item(user_id)
    if item is None:
        return None
    if settings.VULNERABLE:
        return pickle.loads(item["blob"]["B"])
    return to_profile(json.loads(item["doc"]["S"]))


def save(profile):
    db.save_profile_item(to_item(profile))
