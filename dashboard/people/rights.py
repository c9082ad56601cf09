"""What one person may do: roles per agreement and per cluster (contract section 8).

Pure: no database, no request. :class:`Rights` is built from an account's roles and
answers every question the pages, callbacks, downloads and jobs ask:

* **viewer** of an agreement sees it, all its clusters, its presentation and downloads;
  **viewer of a cluster** sees that cluster only: its page, its presentation and its
  downloads, never the agreement's page or figures (which hold the other clusters');
* **member** of an agreement also writes in its meetings (:data:`WRITE`);
* **steward** of an agreement also imports and undoes its data (:data:`IMPORT`);
* an **admin** does everything, accounts included (:data:`ADMIN`).

Members and stewards are roles of a whole agreement; a cluster has viewers only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

ROLES = ("viewer", "member", "steward")
RANK = {role: i for i, role in enumerate(ROLES, start=1)}

# What a rule may need (the guard's ``need``).
SIGNED_IN = "signed_in"  # anyone signed in (what they then see is filtered)
SEE = "see"  # see an agreement, or a cluster when the scope names one
WRITE = "write"  # members: check-ins, decisions and actions in meetings
IMPORT = "import"  # stewards: import and undo
ADMIN = "admin"  # accounts, the audit log
NEEDS = (SIGNED_IN, SEE, WRITE, IMPORT, ADMIN)
_MIN_ROLE = {SEE: "viewer", WRITE: "member", IMPORT: "steward"}


@dataclass(frozen=True)
class Rights:
    """The roles of one person; ``admin`` may do everything."""

    admin: bool = False
    agreements: dict[str, str] = field(default_factory=dict)  # agreement -> role
    clusters: dict[str, frozenset[str]] = field(default_factory=dict)  # cluster viewers

    @classmethod
    def of(cls, roles: Iterable[dict], admin: bool = False) -> Rights:
        """From rows with ``agreement_id``, ``cluster_id`` ('' for the agreement), ``role``."""
        agreements: dict[str, str] = {}
        clusters: dict[str, set[str]] = {}
        for r in roles:
            a, c, role = r["agreement_id"], r.get("cluster_id") or "", r["role"]
            if role not in RANK:
                continue
            if c:
                clusters.setdefault(a, set()).add(c)
            elif RANK[role] > RANK.get(agreements.get(a, ""), 0):
                agreements[a] = role
        return cls(admin, agreements, {a: frozenset(c) for a, c in clusters.items()})

    # ------------------------------------------------------------------ seeing

    def sees_agreement(self, agreement_id: str | None) -> bool:
        """The agreement's page and figures (all its clusters)."""
        return bool(agreement_id) and (self.admin or agreement_id in self.agreements)

    def sees_cluster(self, agreement_id: str | None, cluster_id: str | None) -> bool:
        if not agreement_id or not cluster_id:
            return False
        return self.sees_agreement(agreement_id) or \
            cluster_id in self.clusters.get(agreement_id, ())

    def sees(self, agreement_id: str | None, cluster_id: str | None = None) -> bool:
        """The agreement (``cluster_id`` None) or one of its clusters."""
        if cluster_id:
            return self.sees_cluster(agreement_id, cluster_id)
        return self.sees_agreement(agreement_id)

    def visible_agreements(self) -> set[str] | None:
        """The agreements seen whole; ``None``: all of them (an admin)."""
        return None if self.admin else set(self.agreements)

    def cluster_scopes(self) -> list[tuple[str, str]]:
        """(agreement, cluster) seen as a cluster only (not through the agreement)."""
        return sorted((a, c) for a, cs in self.clusters.items() if a not in self.agreements
                      for c in cs) if not self.admin else []

    @property
    def has_any(self) -> bool:
        return self.admin or bool(self.agreements) or bool(self.clusters)

    # ------------------------------------------------------------------ doing

    def may(self, need: str, agreement_id: str | None = None,
            cluster_id: str | None = None) -> bool:
        """``need`` (one of :data:`NEEDS`) on this agreement (or cluster)."""
        if need == SIGNED_IN:
            return True
        if self.admin:
            return True
        if need == ADMIN:
            return False
        if need == SEE:
            return self.sees(agreement_id, cluster_id)
        role = self.agreements.get(agreement_id or "")
        return role is not None and RANK[role] >= RANK[_MIN_ROLE[need]]

    def may_all(self, need: str, agreement_ids: Iterable[str]) -> bool:
        return all(self.may(need, a) for a in agreement_ids)

    def agreements_with(self, need: str) -> set[str] | None:
        """The agreements where ``need`` is allowed (``None``: all, an admin)."""
        if self.admin:
            return None
        return {a for a in self.agreements if self.may(need, a)}

    # ------------------------------------------------------------------ caching

    def key(self) -> str:
        """Names what this person may see, for keys of cached views: the same for everyone
        who sees the same agreements and clusters (``all`` for admins)."""
        if self.admin:
            return "all"
        parts = sorted(self.agreements) + sorted(f"{a}/{c}" for a, cs in self.clusters.items()
                                                 for c in cs)
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


NOBODY = Rights()
EVERYTHING = Rights(admin=True)
