"""A fake HubSpot API serving a portal from fixture records, as HubSpot documents its endpoints.

Endpoints (each as documented; fixtures and pages in tests/data/sync/hubspot/README.md):

- ``GET /crm/v3/objects/{type}``: ``limit``, ``after``, ``properties``,
  ``propertiesWithHistory`` (a page then holds at most 50), ``archived``;
  paged by ``paging.next.after``
  (https://developers.hubspot.com/docs/api/crm/understanding-the-crm);
- ``POST /crm/v3/objects/{type}/search``: ``filterGroups`` (GTE/LTE/EQ on a
  property), ``sorts``, ``properties``, ``limit`` (at most 200), ``after``;
  never archived records; a 400 once ``after`` reaches 10,000
  (https://developers.hubspot.com/docs/api/crm/search);
- ``POST /crm/v3/objects/{type}/batch/read`` with ``propertiesWithHistory``;
- ``POST /crm/v4/associations/{from}/{to}/batch/read``
  (https://developers.hubspot.com/docs/api/crm/associations);
- ``GET /crm/v3/owners/``, ``GET /crm/v3/pipelines/deals``, ``GET /crm/v3/properties/{type}``.

Every request must carry ``Authorization: Bearer <token>``; a wrong one gets the
documented 401 (``error-401-expired.json``). ``fail(...)`` queues refusals (429
with ``Retry-After``, 500, 403) for the next matching requests.
"""

from __future__ import annotations

import copy
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from werkzeug import Request, Response

DATA = Path(__file__).parent.parent / "data" / "sync" / "hubspot"
SEARCH_CAP = 10_000
_MODIFIED = {
    "companies": "hs_lastmodifieddate",
    "contacts": "lastmodifieddate",
    "deals": "hs_lastmodifieddate",
}


def fixture(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _ms(text: str) -> int:
    if text.isdigit():
        return int(text)
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


@dataclass
class _Fault:
    method: str
    pattern: str
    status: int
    body: Any
    headers: dict[str, str]
    times: int


@dataclass
class FakeHubSpot:
    """The portal's state; ``handle`` answers a werkzeug request."""

    token: str
    records: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    owners: list[dict[str, Any]] = field(default_factory=list)
    pipelines: list[dict[str, Any]] = field(default_factory=list)
    options: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
    links: list[list[Any]] = field(default_factory=list)
    faults: list[_Fault] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    bodies: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_portal(cls, token: str, portal: dict[str, Any] | None = None) -> FakeHubSpot:
        p = copy.deepcopy(portal or fixture("portal.json"))
        fake = cls(token, owners=p["owners"], pipelines=p["pipelines"], options=p["options"])
        for obj in ("companies", "contacts", "deals"):
            fake.records[obj] = {}
            for r in p[obj]:
                fake.put(obj, r["id"], r["properties"], history=r.get("history"))
        fake.links = [list(x) for x in p["associations"]]
        return fake

    # -- changing the portal between syncs -------------------------------------------------

    def put(
        self,
        obj: str,
        rid: str,
        props: dict[str, str],
        *,
        history: list[list[str]] | None = None,
        at: str | None = None,
    ) -> None:
        """Create or update a record; ``at`` is its modification time (else its property)."""
        with self.lock:
            rec = self.records[obj].setdefault(
                rid, {"id": rid, "properties": {}, "history": [], "archived": False}
            )
            rec["properties"].update(props)
            if at is not None:
                rec["properties"][_MODIFIED[obj]] = at
            modified = rec["properties"].get(_MODIFIED[obj]) or "2024-01-01T00:00:00Z"
            rec["properties"][_MODIFIED[obj]] = modified
            rec["properties"]["hs_object_id"] = rid
            rec["createdAt"] = rec["properties"].get("createdate", modified)
            rec["updatedAt"] = modified
            if history is not None:
                rec["history"] = [list(h) for h in history]
            elif obj == "deals" and "dealstage" in props:
                rec["history"].append([props["dealstage"], modified])

    def archive(self, obj: str, rid: str, *, at: str) -> None:
        with self.lock:
            rec = self.records[obj][rid]
            rec["archived"] = True
            rec["archivedAt"] = at

    def link(self, frm: str, fid: str, to: str, tid: str, *, primary: bool = False) -> None:
        with self.lock:
            self.links.append([frm, fid, to, tid, primary])

    def fail(
        self,
        method: str,
        pattern: str,
        status: int,
        *,
        body: Any = None,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` requests whose path matches ``pattern`` with ``status``."""
        with self.lock:
            self.faults.append(_Fault(method, pattern, status, body, headers or {}, times))

    # -- serving ---------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        with self.lock:
            self.calls.append((request.method, path))
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _json(fixture("error-401-expired.json"), 401)
        with self.lock:
            for fault in self.faults:
                if fault.method == request.method and re.search(fault.pattern, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return _json(fault.body or {}, fault.status, fault.headers)
        body = request.get_json(silent=True) if request.method == "POST" else None
        if body is not None:
            with self.lock:
                self.bodies.append(body)
        with self.lock:
            return self._route(request, path, body)

    def _route(self, request: Request, path: str, body: Any) -> Response:
        args = request.args
        m = re.fullmatch(r"/crm/v3/objects/(companies|contacts|deals)", path)
        if m and request.method == "GET":
            return self._list(m.group(1), args)
        m = re.fullmatch(r"/crm/v3/objects/(companies|contacts|deals)/search", path)
        if m and request.method == "POST":
            return self._search(m.group(1), body)
        m = re.fullmatch(r"/crm/v3/objects/(companies|contacts|deals)/batch/read", path)
        if m and request.method == "POST":
            return self._batch_read(m.group(1), body)
        m = re.fullmatch(r"/crm/v4/associations/(\w+)/(\w+)/batch/read", path)
        if m and request.method == "POST":
            return self._associations(m.group(1), m.group(2), body)
        if path == "/crm/v3/owners" and request.method == "GET":
            return self._owners(args)
        if path == "/crm/v3/pipelines/deals" and request.method == "GET":
            return _json({"results": self.pipelines})
        m = re.fullmatch(r"/crm/v3/properties/(companies|contacts|deals)", path)
        if m and request.method == "GET":
            return self._properties(m.group(1))
        return _json(
            {"status": "error", "message": "not found", "category": "OBJECT_NOT_FOUND"}, 404
        )

    def _shape(
        self, obj: str, rec: dict[str, Any], props: list[str], history: list[str]
    ) -> dict[str, Any]:
        wanted = set(props) | {"hs_object_id", "createdate", _MODIFIED[obj]}
        out: dict[str, Any] = {
            "id": rec["id"],
            "properties": {k: rec["properties"].get(k) for k in sorted(wanted)},
            "createdAt": rec["createdAt"],
            "updatedAt": rec["updatedAt"],
            "archived": rec["archived"],
        }
        if rec["archived"]:
            out["archivedAt"] = rec["archivedAt"]
        if "dealstage" in history and obj == "deals":
            out["propertiesWithHistory"] = {
                "dealstage": [
                    {"value": v, "timestamp": t, "sourceType": "CRM_UI", "sourceId": "userId:501"}
                    for v, t in sorted(rec["history"], key=lambda h: h[1], reverse=True)
                ]
            }
        return out

    def _list(self, obj: str, args: Any) -> Response:
        archived = args.get("archived", "false").lower() == "true"
        history = args.getlist("propertiesWithHistory")
        cap = 50 if history else 100
        limit = min(int(args.get("limit", "10")), cap)
        rows = sorted(
            (r for r in self.records[obj].values() if r["archived"] == archived),
            key=lambda r: int(r["id"]),
        )
        after = args.get("after")
        if after:
            rows = [r for r in rows if int(r["id"]) >= int(after)]
        page, rest = rows[:limit], rows[limit:]
        out: dict[str, Any] = {
            "results": [self._shape(obj, r, args.getlist("properties"), history) for r in page]
        }
        if rest:
            out["paging"] = {"next": {"after": rest[0]["id"], "link": "?after=" + rest[0]["id"]}}
        return _json(out)

    def _search(self, obj: str, body: dict[str, Any]) -> Response:
        limit = int(body.get("limit", 10))
        after = int(body.get("after") or 0)
        if limit > 200:
            return _json(
                {
                    "status": "error",
                    "message": "limit must be at most 200",
                    "category": "VALIDATION_ERROR",
                },
                400,
            )
        if after >= SEARCH_CAP:
            return _json(
                {
                    "status": "error",
                    "message": "Search results are limited to 10,000",
                    "category": "VALIDATION_ERROR",
                },
                400,
            )
        rows = [r for r in self.records[obj].values() if not r["archived"]]
        groups = body.get("filterGroups") or []
        if groups:
            rows = [r for r in rows if any(_matches(r, g) for g in groups)]
        for s in reversed(body.get("sorts") or []):
            prop = s["propertyName"]
            rows.sort(
                key=lambda r, p=prop: (_ms(r["properties"].get(p) or "0"), int(r["id"])),
                reverse=s.get("direction") == "DESCENDING",
            )
        page = rows[after : after + limit]
        out: dict[str, Any] = {
            "total": len(rows),
            "results": [self._shape(obj, r, body.get("properties") or [], []) for r in page],
        }
        if after + limit < len(rows):
            out["paging"] = {"next": {"after": str(after + limit)}}
        return _json(out)

    def _batch_read(self, obj: str, body: dict[str, Any]) -> Response:
        history = body.get("propertiesWithHistory") or []
        if history and len(body["inputs"]) > 50:
            return _json(
                {
                    "status": "error",
                    "message": "at most 50 inputs with history",
                    "category": "VALIDATION_ERROR",
                },
                400,
            )
        results = [
            self._shape(obj, self.records[obj][i["id"]], body.get("properties") or [], history)
            for i in body["inputs"]
            if i["id"] in self.records[obj] and not self.records[obj][i["id"]]["archived"]
        ]
        now = datetime.now(UTC).isoformat()
        return _json(
            {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}
        )

    def _associations(self, frm: str, to: str, body: dict[str, Any]) -> Response:
        if len(body["inputs"]) > 1000:
            return _json(
                {
                    "status": "error",
                    "message": "at most 1000 inputs",
                    "category": "VALIDATION_ERROR",
                },
                400,
            )
        results = []
        for i in body["inputs"]:
            fid = str(i["id"])
            targets = []
            for f, a, t, b, primary in self._pairs(frm, to):
                if a != fid or self.records[t][b]["archived"] or self.records[f][a]["archived"]:
                    continue
                types = [{"category": "HUBSPOT_DEFINED", "typeId": 279, "label": None}]
                if primary:
                    types.append({"category": "HUBSPOT_DEFINED", "typeId": 1, "label": "Primary"})
                targets.append({"toObjectId": int(b), "associationTypes": types})
            if targets:
                results.append({"from": {"id": fid}, "to": targets})
        now = datetime.now(UTC).isoformat()
        return _json(
            {"status": "COMPLETE", "results": results, "startedAt": now, "completedAt": now}
        )

    def _pairs(self, frm: str, to: str) -> list[tuple[str, str, str, str, bool]]:
        """Associations are two-way: a deal -> company link is also company -> deal."""
        out = []
        for f, a, t, b, primary in self.links:
            if (f, t) == (frm, to):
                out.append((f, a, t, b, bool(primary)))
            elif (t, f) == (frm, to):
                out.append((t, b, f, a, False))
        return out

    def _owners(self, args: Any) -> Response:
        archived = args.get("archived", "false").lower() == "true"
        rows = [o for o in self.owners if o.get("archived", False) == archived]
        limit = int(args.get("limit", "100"))
        start = int(args.get("after") or 0)
        out: dict[str, Any] = {"results": rows[start : start + limit]}
        if start + limit < len(rows):
            out["paging"] = {"next": {"after": str(start + limit)}}
        return _json(out)

    def _properties(self, obj: str) -> Response:
        results = [
            {
                "name": name,
                "label": name,
                "type": "enumeration",
                "fieldType": "select",
                "options": [
                    {"label": label, "value": value, "displayOrder": n, "hidden": False}
                    for n, (value, label) in enumerate(opts.items())
                ],
            }
            for name, opts in self.options.get(obj, {}).items()
        ]
        return _json({"results": results})


def _matches(rec: dict[str, Any], group: dict[str, Any]) -> bool:
    for f in group.get("filters") or []:
        value = rec["properties"].get(f["propertyName"])
        if value is None:
            return False
        have, want = _ms(value), _ms(str(f["value"]))
        op = f["operator"]
        if (op == "GTE" and have < want) or (op == "LTE" and have > want):
            return False
        if op == "EQ" and have != want:
            return False
    return True


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(data), status=status, headers=headers or {}, content_type="application/json"
    )
