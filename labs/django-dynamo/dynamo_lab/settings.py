"""Settings for the django-dynamo lab. One code base, two variants:
LAB_VARIANT=vulnerable (default) or LAB_VARIANT=fixed."""
import os

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

LAB_VARIANT = os.environ.get("LAB_VARIANT", "vulnerable")
if LAB_VARIANT not in ("vulnerable", "fixed"):
    raise ImproperlyConfigured("LAB_VARIANT must be 'vulnerable' or 'fixed'")
VULNERABLE = LAB_VARIANT == "vulnerable"

ROOT_URLCONF = "dynamo_lab.urls"
INSTALLED_APPS = ["shop"]
DATABASES = {}  # all data lives in DynamoDB (dynalite)
USE_TZ = True
ALLOWED_HOSTS = ["127.0.0.1"]

# DynamoDB: always the local dynalite, never AWS.
DYNAMODB_ENDPOINT = "http://127.0.0.1:%d" % int(os.environ.get("DYNALITE_PORT", "8702"))
AWS_REGION = "us-east-1"
TABLE_PREFIX = os.environ.get("LAB_TABLE_PREFIX", "shop_")

if VULNERABLE:
    DEBUG = True
    SECRET_KEY = "django-insecure-q7#r2!x9parapet-lab-shop-k3y"
    # Dummy, invented, format-valid credentials hard-coded in settings (dynalite accepts anything).
    AWS_ACCESS_KEY_ID = "AKIAPARAPETLAB7Q2XZ3"
    AWS_SECRET_ACCESS_KEY = "pKq7Rb2Lx9Vn4Zt1Wm8Ys3Hd6Fg0Jc5EaTuNiOoB"
    # No SecurityMiddleware / XFrameOptionsMiddleware: no security headers at all.
    MIDDLEWARE = [
        "shop.middleware.CorsMiddleware",
        "django.middleware.common.CommonMiddleware",
    ]
else:
    DEBUG = False
    SECRET_KEY = os.environ.get("LAB_SECRET_KEY") or get_random_secret_key()
    AWS_ACCESS_KEY_ID = os.environ.get("LAB_AWS_ACCESS_KEY_ID", "local")
    AWS_SECRET_ACCESS_KEY = os.environ.get("LAB_AWS_SECRET_ACCESS_KEY", "local")
    MIDDLEWARE = [
        "django.middleware.security.SecurityMiddleware",
        "shop.middleware.CorsMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "shop.middleware.SecurityHeadersMiddleware",
    ]
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "no-referrer"
    X_FRAME_OPTIONS = "DENY"
    CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    CORS_ALLOWED_ORIGINS = [os.environ.get("LAB_CORS_ORIGIN", "https://app.example.test")]
    LOGGING = {  # errors go to the server log, never to the client
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"console": {"class": "logging.StreamHandler"}},
        "loggers": {"django": {"handlers": ["console"], "level": "INFO"},
                    "shop": {"handlers": ["console"], "level": "INFO"}},
    }
