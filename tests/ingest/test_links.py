"""Lead-deal links checked both ways at import: a link to a record not loaded is W303 and loads."""

from __future__ import annotations

from pathlib import Path

from ibis.backends import BaseBackend

from coparent.ingest.issues import IssueCode
from coparent.services.imports import import_file

LEADS = (
    "lead_id,account_id,created_at,channel,mql_at,opportunity_id\n"
    "L1,acme,2024-01-02,web,2024-01-03,old1\n"
    "L2,acme,2024-01-02,web,2024-01-03,gone\n"
    "L3,acme,2024-01-02,web,2024-01-03,\n"
)


def _write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_lead_naming_an_opportunity_not_loaded_loads_with_a_located_warning(
    con: BaseBackend, tmp_path: Path
) -> None:
    result = import_file(con, table="leads", path=_write(tmp_path, "leads.csv", LEADS))
    assert result.rows == 3
    (issue,) = [i for i in result.issues if i.code is IssueCode.W303]
    assert (issue.row, issue.column) == (3, "opportunity_id")
    assert "lead linked to an unknown opportunity 'gone'" in issue.message


def test_loading_opportunities_reports_the_leads_whose_links_they_lack(
    con: BaseBackend, tmp_path: Path
) -> None:
    import_file(con, table="leads", path=_write(tmp_path, "leads.csv", LEADS))
    opps = (
        "opportunity_id,account_id,lead_id,created_at,stage,status,amount\n"
        "new1,acme,L3,2024-01-05,Won,won,100\n"
    )
    result = import_file(con, table="opportunities", path=_write(tmp_path, "deals.csv", opps))
    (issue,) = [i for i in result.issues if i.code is IssueCode.W303]
    assert issue.count == 2  # L1 -> old1 (replaced away) and L2 -> gone
    assert "2 leads in the warehouse link to opportunities not in this file" in issue.message
    assert "L1 -> old1" in issue.message
    appended = import_file(
        con,
        table="opportunities",
        path=_write(tmp_path, "more.csv", opps.replace("new1", "new2")),
        mode="append",
    )
    (again,) = [i for i in appended.issues if i.code is IssueCode.W303]
    assert again.count == 2  # appending keeps new1; old1 and gone are still missing
