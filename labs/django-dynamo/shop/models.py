"""Domain objects. Not Django ORM models: everything is stored in DynamoDB."""
from dataclasses import dataclass, field


@dataclass
class Profile:
    user_id: int
    display_name: str
    email: str
    theme: str = "light"
    cart: list = field(default_factory=list)  # [{"item_id": 1, "qty": 2}, ...]
