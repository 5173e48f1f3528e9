"""Domain objects of the report service: report configurations and per-user preferences."""

COLUMNS = ("id", "customer", "status", "total", "created")
STATUSES = ("new", "paid", "shipped", "cancelled")
THEMES = ("light", "dark")

ORDERS = [
    {"id": 1001, "customer": "Ada Lovelace", "status": "paid", "total": 42.50, "created": "2024-05-02"},
    {"id": 1002, "customer": "Grace Hopper", "status": "shipped", "total": 19.90, "created": "2024-05-03"},
    {"id": 1003, "customer": "Alan Turing", "status": "new", "total": 7.25, "created": "2024-05-04"},
    {"id": 1004, "customer": "Edsger Dijkstra", "status": "cancelled", "total": 120.00, "created": "2024-05-04"},
    {"id": 1005, "customer": "Barbara Liskov", "status": "paid", "total": 64.00, "created": "2024-05-06"},
    {"id": 1006, "customer": "Donald Knuth", "status": "shipped", "total": 31.40, "created": "2024-05-07"},
    {"id": 1007, "customer": "Frances Allen", "status": "new", "total": 12.00, "created": "2024-05-08"},
    {"id": 1008, "customer": "Ken Thompson", "status": "paid", "total": 88.80, "created": "2024-05-09"},
]


class ReportConfig:
    """How to build an orders report. Clients get one as a YAML template and send it back."""

    def __init__(self, title="Orders by status", columns=None, filter_status=None, sort_by="created", limit=20):
        self.title = title
        self.columns = list(columns) if columns is not None else ["id", "customer", "status", "total"]
        self.filter_status = filter_status
        self.sort_by = sort_by
        self.limit = limit

    def to_dict(self):
        return {
            "title": self.title,
            "columns": list(self.columns),
            "filter_status": self.filter_status,
            "sort_by": self.sort_by,
            "limit": self.limit,
        }


class UserPrefs:
    """Per-user display preferences, kept client-side in the `prefs` cookie."""

    def __init__(self, theme="light", page_size=20, timezone="UTC", recent_reports=None):
        self.theme = theme
        self.page_size = page_size
        self.timezone = timezone
        self.recent_reports = list(recent_reports) if recent_reports is not None else ["orders-by-status"]

    def to_dict(self):
        return {
            "theme": self.theme,
            "page_size": self.page_size,
            "timezone": self.timezone,
            "recent_reports": list(self.recent_reports),
        }


def build_report(cfg):
    """Runs a report configuration against the order list."""
    rows = ORDERS
    if cfg.filter_status:
        rows = [r for r in rows if r["status"] == cfg.filter_status]
    rows = sorted(rows, key=lambda r: r[cfg.sort_by])[: cfg.limit]
    return [{c: r[c] for c in cfg.columns} for r in rows]
