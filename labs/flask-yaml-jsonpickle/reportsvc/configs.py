"""Report configurations travel as YAML: the template handed out, and the one sent back.

vulnerable: the template is `yaml.dump` of the ReportConfig object (a `!!python/object:` tag)
            and documents are read back with `yaml.load(..., Loader=yaml.UnsafeLoader)`, which
            imports modules and builds arbitrary Python objects named by the client.
fixed:      plain YAML data only (`yaml.safe_load` / `yaml.safe_dump`) checked against a
            schema; anything else is a 400.
"""
import yaml
from flask import abort, current_app

from .models import COLUMNS, STATUSES, ReportConfig

MAX_DOC = 16 * 1024
KEYS = {"title", "columns", "filter_status", "sort_by", "limit"}


def dump(cfg):
    if current_app.config["LAB_VULNERABLE"]:
        return yaml.dump(cfg)
    return yaml.safe_dump(cfg.to_dict(), sort_keys=False)


def load(text):
    if current_app.config["LAB_VULNERABLE"]:
        cfg = yaml.load(text, Loader=yaml.UnsafeLoader)
        if isinstance(cfg, dict):  # a plain mapping works too
            cfg = ReportConfig(**cfg)
        return cfg
    return _load_checked(text)


def _load_checked(text):
    if len(text) > MAX_DOC:
        abort(400)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        current_app.logger.info("rejected report config: not safe YAML")
        abort(400)
    if not isinstance(doc, dict) or not set(doc) <= KEYS:
        abort(400)
    title = doc.get("title", "Report")
    columns = doc.get("columns", ["id", "customer", "status", "total"])
    filter_status = doc.get("filter_status")
    sort_by = doc.get("sort_by", "created")
    limit = doc.get("limit", 20)
    ok = (
        isinstance(title, str) and 0 < len(title) <= 100
        and isinstance(columns, list) and 0 < len(columns) <= len(COLUMNS)
        and all(isinstance(c, str) and c in COLUMNS for c in columns)
        and (filter_status is None or filter_status in STATUSES)
        and isinstance(sort_by, str) and sort_by in COLUMNS
        and type(limit) is int and 1 <= limit <= 100
    )
    if not ok:
        abort(400)
    return ReportConfig(title, columns, filter_status, sort_by, limit)
