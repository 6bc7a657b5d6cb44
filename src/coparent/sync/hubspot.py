"""HubSpot: companies, contacts and deals (with stage history), owners, pipelines, associations.

Calls (HubSpot CRM API v3, associations v4), through the official client
``hubspot-api-client`` (docs/sync.md says why), each under the shared
`CallPolicy`:

- list: ``GET /crm/v3/objects/{type}?limit=&after=&properties=`` (deals add
  ``propertiesWithHistory=dealstage``, which caps a page at 50), paged by
  ``paging.next.after``; with ``archived=true`` for archived records;
- search: ``POST /crm/v3/objects/{type}/search`` with a filter
  ``hs_lastmodifieddate >= since`` (contacts: ``lastmodifieddate``), sorted
  by it ascending. One query returns at most 10,000 results, so past that
  the query starts again from the last modification time seen;
- ``POST /crm/v3/objects/deals/batch/read`` with ``propertiesWithHistory``
  for the stage history of changed deals (search returns no history);
- ``POST /crm/v4/associations/{from}/{to}/batch/read``: company, contact and
  deal ids of each record, with the "Primary" label;
- ``GET /crm/v3/owners/`` (active and archived), ``GET /crm/v3/pipelines/deals``
  (stage labels; won and lost from each stage's ``isClosed`` and
  ``probability``), ``GET /crm/v3/properties/{type}`` (the labels of
  enumeration values, as HubSpot's export shows them).

Records are rendered as HubSpot's label export (`coparent.sync._hubspot_export`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import pyarrow as pa

from coparent.sync._core import Record, SyncObject
from coparent.sync._hubspot_export import (
    ASSOCIATIONS,
    COLUMNS,
    MODIFIED,
    HubSpotExport,
    Stage,
    id_order,
    iso_time,
    parse_time,
    properties,
)
from coparent.sync._policy import CallPolicy, Failure, parse_retry_after

__all__ = ["DEFAULT_BASE_URL", "ENV_TOKEN", "HubSpotConnector", "hubspot_check"]

DEFAULT_BASE_URL = "https://api.hubapi.com"
ENV_TOKEN = "COPARENT_HUBSPOT_TOKEN"
CREDENTIAL = f"{ENV_TOKEN} or coparent connect hubspot"
SEARCH_CAP = 10_000
"""HubSpot's search returns at most this many results per query (paging stops there)."""
SEARCH_PAGE = 200
LIST_PAGE = 100
HISTORY_PAGE = 50
"""A page (or batch) with propertiesWithHistory holds at most 50 records."""
ASSOCIATION_BATCH = 1000


class HubSpotConnector:
    """HubSpot through ``hubspot-api-client``; every call goes through ``policy``."""

    source = "hubspot"
    preset = "hubspot"
    objects: tuple[SyncObject, ...] = (
        SyncObject("companies", "accounts"),
        SyncObject("contacts", "leads"),
        SyncObject("deals", "opportunities"),
    )

    def __init__(self, *, token: str, base_url: str | None, policy: CallPolicy) -> None:
        from hubspot import HubSpot
        from urllib3.util.retry import Retry

        # urllib3 retries nothing: the policy retries, honouring Retry-After and the deadline.
        self._client = HubSpot(
            access_token=token,
            host=(base_url or DEFAULT_BASE_URL).rstrip("/"),
            retry=Retry(total=0, redirect=0, raise_on_status=False),
        )
        self.policy = policy
        self.export = HubSpotExport()

    # -- calls -----------------------------------------------------------------------------

    def _call(self, fn: Callable[..., Any], *args: Any, what: str, **kwargs: Any) -> Any:
        timeout = self.policy.timeout

        def once() -> Any:
            resp = fn(*args, _preload_content=False, _request_timeout=(timeout, timeout), **kwargs)
            try:
                return json.loads(resp.data or b"{}")
            finally:
                resp.release_conn()

        return self.policy.call(once, what=what, classify=classify)

    def _objects(self) -> Any:
        return self._client.crm.objects

    def _pages(self, obj: str, *, archived: bool, properties: list[str]) -> Iterator[Any]:
        api = self._objects().basic_api
        history = obj == "deals" and not archived
        kwargs: dict[str, Any] = {
            "limit": HISTORY_PAGE if history else LIST_PAGE,
            "properties": properties,
            "archived": archived,
        }
        if history:
            kwargs["properties_with_history"] = ["dealstage"]
        after: str | None = None
        while True:
            if after is not None:
                kwargs["after"] = after
            what = f"listing {'archived ' if archived else ''}{obj}"
            page = self._call(api.get_page, obj, what=what, **kwargs)
            yield page
            after = (page.get("paging") or {}).get("next", {}).get("after")
            if not after:
                return

    def _search(self, obj: str, *, since: datetime) -> Iterator[list[dict[str, Any]]]:
        """Pages of records modified at or after ``since``, past the 10,000-result cap."""
        api = self._objects().search_api
        prop = MODIFIED[obj]
        bound = int(since.timestamp() * 1000)
        while True:
            after: str | None = None
            last = bound
            while True:
                body: dict[str, Any] = {
                    "filterGroups": [
                        {
                            "filters": [
                                {"propertyName": prop, "operator": "GTE", "value": str(bound)}
                            ]
                        }
                    ],
                    "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
                    "properties": properties(obj),
                    "limit": SEARCH_PAGE,
                }
                if after is not None:
                    body["after"] = after
                page = self._call(api.do_search, obj, body, what=f"searching {obj}")
                results = page.get("results") or []
                if results:
                    last = _millis(results[-1], prop)
                    yield results
                after = (page.get("paging") or {}).get("next", {}).get("after")
                if not after:
                    return
                if int(after) + SEARCH_PAGE > SEARCH_CAP:
                    break  # the cap: start a new query from the last time seen
            if last <= bound:
                from coparent.errors import SyncError

                raise SyncError(
                    f"more than {SEARCH_CAP:,} HubSpot {obj} share one modification time",
                    source=self.source,
                    hint="run coparent sync hubspot --full, which lists instead of searching",
                )
            bound = last

    # -- the connector protocol ------------------------------------------------------------

    def prepare(self) -> None:
        self.export = HubSpotExport()
        for archived in (True, False):  # active owners win over archived ones
            after: str | None = None
            api = self._client.crm.owners.owners_api
            while True:
                kwargs: dict[str, Any] = {"limit": 100, "archived": archived}
                if after:
                    kwargs["after"] = after
                page = self._call(api.get_page, what="listing owners", **kwargs)
                for o in page.get("results") or []:
                    name = " ".join(p for p in (o.get("firstName"), o.get("lastName")) if p).strip()
                    self.export.owners[str(o["id"])] = name or o.get("email") or str(o["id"])
                after = (page.get("paging") or {}).get("next", {}).get("after")
                if not after:
                    break
        pipes = self._call(
            self._client.crm.pipelines.pipelines_api.get_all, "deals", what="reading pipelines"
        )
        for p in pipes.get("results") or []:
            self.export.pipelines[str(p["id"])] = p.get("label") or str(p["id"])
            for s in p.get("stages") or []:
                meta = s.get("metadata") or {}
                closed = str(meta.get("isClosed", "false")).lower() == "true"
                probability = _float(meta.get("probability"))
                self.export.stages[(str(p["id"]), str(s["id"]))] = Stage(
                    s.get("label") or str(s["id"]),
                    self.export.pipelines[str(p["id"])],
                    closed,
                    closed and probability is not None and probability >= 1.0,
                )
        for obj, columns in COLUMNS.items():
            wanted = {c.prop for c in columns if c.kind == "enum"}
            props = self._call(
                self._client.crm.properties.core_api.get_all, obj, what=f"reading {obj} properties"
            )
            for p in props.get("results") or []:
                if p.get("name") in wanted:
                    self.export.labels[(obj, p["name"])] = {
                        str(o["value"]): str(o["label"]) for o in p.get("options") or []
                    }

    def changed(self, obj: str, *, since: datetime | None) -> Iterator[list[Record]]:
        # Pages are gathered up to one associations batch (1,000 ids), so a portal costs
        # two association calls per 1,000 records rather than two per page.
        pending: list[dict[str, Any]] = []
        for results in self._raw_changes(obj, since=since):
            pending.extend(results)
            if len(pending) >= ASSOCIATION_BATCH:
                yield self._records(obj, pending)
                pending = []
        if pending:
            yield self._records(obj, pending)

    def _raw_changes(self, obj: str, *, since: datetime | None) -> Iterator[list[dict[str, Any]]]:
        if since is None:
            for page in self._pages(obj, archived=False, properties=properties(obj)):
                yield page.get("results") or []
            return
        for found in self._search(obj, since=since):
            yield self._with_history(found) if obj == "deals" else found

    def count(self, obj: str, *, since: datetime | None) -> int | None:
        """The search's ``total`` for a one-record page (every live record when ``since`` is
        None); a count above the search cap is still exact, only paging stops there."""
        body: dict[str, Any] = {"limit": 1, "properties": ["hs_object_id"]}
        if since is not None:
            prop = MODIFIED[obj]
            value = str(int(since.timestamp() * 1000))
            body["filterGroups"] = [
                {"filters": [{"propertyName": prop, "operator": "GTE", "value": value}]}
            ]
        page = self._call(self._objects().search_api.do_search, obj, body, what=f"counting {obj}")
        total = page.get("total")
        return int(total) if isinstance(total, int) else None

    def removed(self, obj: str) -> Iterator[list[str]]:
        for page in self._pages(obj, archived=True, properties=["hs_object_id"]):
            yield [str(r["id"]) for r in page.get("results") or []]

    def _with_history(self, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        api = self._objects().batch_api
        out: list[dict[str, Any]] = []
        for start in range(0, len(results), HISTORY_PAGE):
            chunk = results[start : start + HISTORY_PAGE]
            body = {
                "properties": properties("deals"),
                "propertiesWithHistory": ["dealstage"],
                "inputs": [{"id": str(r["id"])} for r in chunk],
            }
            page = self._call(api.read, "deals", body, what="reading deal stage history")
            out.extend(page.get("results") or [])
        return out

    def _records(self, obj: str, results: list[dict[str, Any]]) -> list[Record]:
        links = self._associations(obj, [str(r["id"]) for r in results])
        records = []
        for r in results:
            rid = str(r["id"])
            props = {k: v for k, v in (r.get("properties") or {}).items() if v not in (None, "")}
            data: dict[str, Any] = {"properties": props, "associations": links.get(rid, {})}
            if obj == "deals":
                history = (r.get("propertiesWithHistory") or {}).get("dealstage") or []
                data["history"] = sorted(
                    [str(h.get("value")), str(h.get("timestamp"))]
                    for h in history
                    if h.get("value")
                )
            modified = r.get("updatedAt") or props.get(MODIFIED[obj]) or ""
            records.append(Record(rid, iso_time(str(modified)), data))
        return records

    def _associations(self, obj: str, ids: list[str]) -> dict[str, dict[str, list[list[Any]]]]:
        """id -> to-type -> [[to id, primary?], ...] through the v4 batch read."""
        out: dict[str, dict[str, list[list[Any]]]] = {}
        api = self._client.crm.associations.v4.batch_api
        for to in ASSOCIATIONS[obj]:
            for start in range(0, len(ids), ASSOCIATION_BATCH):
                body = {"inputs": [{"id": i} for i in ids[start : start + ASSOCIATION_BATCH]]}
                page = self._call(
                    api.get_page, obj, to, body, what=f"reading {obj} -> {to} associations"
                )
                for row in page.get("results") or []:
                    links = out.setdefault(str(row["from"]["id"]), {}).setdefault(to, [])
                    for t in row.get("to") or []:
                        primary = any(
                            (a.get("label") or "") == "Primary"
                            for a in t.get("associationTypes") or []
                        )
                        links.append([str(t["toObjectId"]), primary])
        for links_ in out.values():
            for to in links_:
                links_[to] = sorted(links_[to], key=lambda x: (not x[1], id_order(x[0])))
        return out

    def render(
        self, obj: str, records: Sequence[Record], *, present: Mapping[str, frozenset[str]]
    ) -> pa.Table:
        return self.export.render(obj, records, present=present)

    def field_of(self, obj: str, header: str) -> str:
        return self.export.field_of(obj, header)


def hubspot_check(connector: HubSpotConnector) -> list[tuple[str, bool, str]]:
    """One cheap call per object (a page of one record): (object, readable, note)."""
    from coparent.errors import SyncAuthError

    out: list[tuple[str, bool, str]] = []
    basic = connector._objects().basic_api
    owners = connector._client.crm.owners.owners_api
    for name in [o.name for o in connector.objects] + ["owners"]:
        try:
            if name == "owners":
                connector._call(owners.get_page, what="reading owners", limit=1)
            else:
                connector._call(
                    basic.get_page,
                    name,
                    what=f"reading {name}",
                    limit=1,
                    properties=["hs_object_id"],
                )
        except SyncAuthError as exc:
            if "denied access" not in exc.message:
                raise  # 401: the token itself is wrong, not a missing scope
            out.append((name, False, "the private app lacks the read scope (HTTP 403)"))
            continue
        out.append((name, True, ""))
    return out


def classify(exc: BaseException) -> Failure | None:
    """The HubSpot client's exceptions as the policy's failures."""
    import urllib3.exceptions

    status = getattr(exc, "status", None)
    if isinstance(exc, urllib3.exceptions.HTTPError):
        return Failure("network", detail=type(exc).__name__)
    if isinstance(exc, json.JSONDecodeError):  # a proxy's page, or a body cut short
        return Failure("server", detail="the response is not JSON")
    # Each API package of the client has its own ApiException class (and subclasses).
    if not type(exc).__module__.startswith("hubspot.") or not hasattr(exc, "status"):
        return None
    if not isinstance(status, int) or status == 0:
        return Failure("network", detail="no response")
    headers = getattr(exc, "headers", None) or {}
    body = _error_body(getattr(exc, "body", None))
    category = str(body.get("category") or body.get("errorType") or "")
    policy = str(body.get("policyName") or "")
    detail = ", ".join(x for x in (category, policy) if x)
    if status == 429 or (status == 403 and "RATE_LIMIT" in category.upper()):
        if policy.upper() == "DAILY":
            return Failure("quota", status, detail="the daily API limit is reached")
        wait = parse_retry_after(headers.get("Retry-After"))
        if wait is None and policy.upper() == "SECONDLY":
            wait = 1.0  # the search API's per-second limit: a second is enough
        return Failure("rate", status, wait, detail)
    if status in (401, 403):
        return Failure("auth", status, detail=category)
    if status >= 500:
        return Failure("server", status, parse_retry_after(headers.get("Retry-After")), detail)
    return Failure("client", status, detail=_safe_message(body))


def _error_body(raw: Any) -> dict[str, Any]:
    try:
        data = json.loads(raw) if raw else {}
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _safe_message(body: Mapping[str, Any]) -> str:
    # HubSpot error messages name properties and values, not credentials; cut them short anyway.
    text = str(body.get("message") or "")
    return text[:200]


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _millis(record: Mapping[str, Any], prop: str) -> int:
    props = record.get("properties") or {}
    value = props.get(prop) or record.get("updatedAt")
    return int(parse_time(str(value)).timestamp() * 1000)
