"""Create the DynamoDB tables and seed data (idempotent: creates only missing tables, overwrites seed rows)."""
from django.core.management.base import BaseCommand

from shop import db, state
from shop.models import Profile

ITEMS = [
    {"id": 1, "title": "Enamel mug", "category": "kitchen", "price": 12.5, "stock": 40},
    {"id": 2, "title": "Linen apron", "category": "kitchen", "price": 29, "stock": 12},
    {"id": 3, "title": "Trail socks", "category": "outdoor", "price": 9.9, "stock": 100},
    {"id": 4, "title": "Camp lantern", "category": "outdoor", "price": 34, "stock": 7},
]
USERS = [  # test data: the card is the well-known Visa test number, the SSN a made-up one
    {"id": 1, "name": "Ada Byron", "email": "ada@example.test", "plan": "gold",
     "card_number": "4111111111111111", "card_exp": "12/29", "ssn": "123-45-6789"},
    {"id": 2, "name": "Grace Murray", "email": "grace@example.test", "plan": "free"},
]


def attr(value):
    return {"N": str(value)} if isinstance(value, (int, float)) else {"S": value}


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        db.ensure_tables()
        for name, rows in (("items", ITEMS), ("users", USERS)):
            for row in rows:
                item = {k: attr(v) for k, v in row.items()}
                db.client.put_item(TableName=db.table(name), Item=item)
        if state.load(1) is None:
            state.save(Profile(user_id=1, display_name="Ada", email="ada@example.test",
                               theme="dark", cart=[{"item_id": 1, "qty": 2}]))
        self.stdout.write("tables ready: %s" % ", ".join(db.table(t) for t in db.TABLES))
