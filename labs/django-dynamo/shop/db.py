"""DynamoDB access (boto3 against the local dynalite)."""
import boto3
from botocore.config import Config
from django.conf import settings

TABLES = {"items": "id", "users": "id", "profiles": "user_id"}

client = boto3.session.Session().client(
    "dynamodb",
    endpoint_url=settings.DYNAMODB_ENDPOINT,
    region_name=settings.AWS_REGION,
    aws_access_key_id=settings.AWS_ACCESS_KEY_ID,
    aws_secret_access_key=settings.AWS_SECRET_ACCESS_KEY,
    config=Config(retries={"max_attempts": 2}, connect_timeout=2, read_timeout=5),
)


def table(name):
    return settings.TABLE_PREFIX + name


def ensure_tables():
    existing = set(client.list_tables()["TableNames"])
    for name, key in TABLES.items():
        if table(name) in existing:
            continue
        client.create_table(
            TableName=table(name),
            KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": key, "AttributeType": "N"}],
            BillingMode="PAY_PER_REQUEST",
        )
    for name in TABLES:
        client.get_waiter("table_exists").wait(
            TableName=table(name), WaiterConfig={"Delay": 0.2, "MaxAttempts": 50})


def plain(item):
    """DynamoDB attribute map -> plain dict (strings, ints/floats)."""
    out = {}
    for k, v in item.items():
        if "N" in v:
            out[k] = int(v["N"]) if v["N"].lstrip("-").isdigit() else float(v["N"])
        elif "S" in v:
            out[k] = v["S"]
    return out


def get_item(item_id):
    resp = client.get_item(TableName=table("items"), Key={"id": {"N": str(item_id)}})
    return plain(resp["Item"]) if "Item" in resp else None


def scan_items(**kwargs):
    resp = client.scan(TableName=table("items"), **kwargs)
    return sorted((plain(i) for i in resp["Items"]), key=lambda i: i["id"])


def scan_users():
    resp = client.scan(TableName=table("users"))
    return sorted((plain(i) for i in resp["Items"]), key=lambda i: i["id"])


def load_profile_item(user_id):
    return client.get_item(TableName=table("profiles"), Key={"user_id": {"N": str(user_id)}}).get("Item")


def save_profile_item(item):
    client.put_item(TableName=table("profiles"), Item=item)
