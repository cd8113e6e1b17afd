"""Who acts on a return: a shopper, a staff member, or the system (the worker, a webhook)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ActorKind(str, Enum):
    SHOPPER = "shopper"
    STAFF = "staff"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: str  # e-mail for shoppers, user id / name for staff, "system" / "worker" / "stripe-webhook"
    email: str | None = None
    user_id: str | None = None
    is_owner: bool = False

    @property
    def is_staff(self) -> bool:
        return self.kind is ActorKind.STAFF

    @property
    def label(self) -> str:
        """How the audit trail names the actor: "shopper:eve@example.com", "staff:admin", "system"."""
        return self.kind.value if self.id == self.kind.value else f"{self.kind.value}:{self.id}"

    @classmethod
    def from_label(cls, label: str) -> "Actor":
        """The actor an audit label names (the inverse of `label`; unknown kinds read as the system)."""
        kind, _, ident = label.partition(":")
        try:
            found = ActorKind(kind)
        except ValueError:
            return cls(ActorKind.SYSTEM, label)
        return cls(found, ident or found.value)

    @classmethod
    def guest(cls, email: str | None) -> "Actor":
        clean = (email or "").strip().lower()
        return cls(ActorKind.SHOPPER, clean, email=clean or None)

    @classmethod
    def staff(cls, staff_id: str, *, owner: bool = False, email: str | None = None) -> "Actor":
        return cls(ActorKind.STAFF, staff_id, email=email, is_owner=owner)

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        return cls(ActorKind.SYSTEM, name)


SYSTEM = Actor(ActorKind.SYSTEM, "system")
WORKER = Actor(ActorKind.SYSTEM, "worker")
