"""Presets as data: every shipped preset loads, aliases never collide, mistakes name their key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.errors import MappingError, UnknownPresetError
from coparent.ingest.presets import (
    builtin_presets,
    choose_presets,
    load_preset_file,
    match_headers,
    normalise_header,
    parse_preset,
    preset_text,
)
from coparent.schema import TABLES

PRESETS = builtin_presets()
EXPECTED = {
    "hubspot-contacts",
    "hubspot-companies",
    "hubspot-deals",
    "salesforce-lead",
    "salesforce-opportunity",
    "salesforce-account",
    "salesforce-campaign",
    "salesforce-campaignmember",
    "salesforce-opportunityhistory",
    "salesforce-task",
    "pipedrive-deals",
    "pipedrive-leads",
    "pipedrive-persons",
    "pipedrive-organizations",
    "pipedrive-activities",
}


def test_every_export_the_issue_names_has_a_preset() -> None:
    assert set(PRESETS) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_shipped_preset_can_read_every_required_column_of_its_main_table(name: str) -> None:
    preset = PRESETS[name]
    main = preset.tables[preset.main_table]
    for col in TABLES[main.table]:
        if not col.nullable:
            assert main.column(col.name) is not None, f"{name} never fills {col.name}"
    for needed in preset.required_columns().values():
        assert needed, "a required column must name the fields it is read from"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_show_preset_text_parses_back_to_the_same_preset(name: str) -> None:
    again = parse_preset(tomllib.loads(preset_text(name)), file=f"{name}.toml")
    assert again == PRESETS[name]


def test_the_preset_files_ship_inside_the_package() -> None:
    folder = Path(__import__("coparent.ingest.presets", fromlist=["x"]).__file__).parent
    assert {p.stem for p in folder.glob("*.toml")} == EXPECTED


# The property: no spelling of one field's alias is read as another field. Headers drift
# in case, quoting and punctuation between exports (and between label and internal names),
# so matching ignores those; it must never make two fields claim the same header.
_ALIASES = [
    (p.name, f.name, a) for p in PRESETS.values() for f in p.fields.values() for a in f.aliases
]


def _respell(text: str, draw: st.DrawFn) -> str:
    out = []
    for ch in text:
        choice = draw(st.sampled_from(["keep", "case", "space"]))
        if ch == " " and choice == "space":
            out.append(draw(st.sampled_from(["_", "  ", " - ", "."])))
        elif choice == "case":
            out.append(ch.swapcase())
        else:
            out.append(ch)
    quote = draw(st.sampled_from(["", '"', "\u201c", "'"]))
    return f"{quote}{''.join(out)}{quote if quote != chr(0x201C) else chr(0x201D)}"


@st.composite
def respelled_aliases(draw: st.DrawFn) -> tuple[str, str, str]:
    preset, field, alias = draw(st.sampled_from(_ALIASES))
    return preset, field, _respell(alias, draw)


@given(respelled_aliases())
def test_any_spelling_of_an_alias_is_claimed_by_its_own_field_only(
    case: tuple[str, str, str],
) -> None:
    preset, field, header = case
    match = match_headers(PRESETS[preset], [header])
    assert match.fields == {field: (0,)}, (preset, field, header)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_no_two_fields_of_a_preset_share_a_normalised_alias(name: str) -> None:
    owners: dict[str, str] = {}
    for f in PRESETS[name].fields.values():
        for key in f.keys:
            assert owners.setdefault(key, f.name) == f.name, (key, owners[key], f.name)


@given(st.text(max_size=40))
def test_normalising_a_header_twice_changes_nothing(text: str) -> None:
    once = normalise_header(text)
    assert normalise_header(once) == once


BASE = """
[preset]
name = "mine"
crm = "Acme CRM"
object = "Deals"
[fields]
id = { aliases = ["Deal ID"], kind = "id" }
stage = ["Stage"]
[opportunities.columns]
opportunity_id = "id"
stage = "stage"
status = { fields = ["stage"], vocab = "status" }
[vocab.status]
"Won" = "won"
"""


def _parse(text: str) -> None:
    parse_preset(tomllib.loads(text), file="mine.toml")


def test_a_valid_user_preset_parses() -> None:
    _parse(BASE)


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (('stage = ["Stage"]', 'stage = ["Stage", "deal id"]'), "fields.stage.aliases"),
        (('"Won" = "won"', '"Won" = "won"\n"WON!" = "lost"'), "vocab.status.WON!"),
        (('stage = "stage"', 'stage = "phase"'), "opportunities.columns.stage.fields"),
        (('kind = "id"', 'kind = "uuid"'), "fields.id.kind"),
        (("[opportunities.columns]", "[deals.columns]"), "deals"),
        (('vocab = "status"', 'vocab = "statuses"'), "opportunities.columns.status.vocab"),
        (
            ('stage = "stage"\n', 'stage = "stage"\namount = { fields = ["id"], colour = "x" }\n'),
            "opportunities.columns.amount.colour",
        ),
        (('name = "mine"', 'name = "My Preset"'), "preset.name"),
    ],
)
def test_a_mistake_in_a_preset_names_its_key(change: tuple[str, str], key: str) -> None:
    text = BASE.replace(*change)
    assert text != BASE
    with pytest.raises(MappingError) as info:
        _parse(text)
    assert info.value.key == key


def test_a_mapping_file_given_as_a_preset_says_so(tmp_path: Path) -> None:
    path = tmp_path / "mapping.toml"
    path.write_text('[opportunities.columns]\nstage = "Stage"\n', encoding="utf-8")
    with pytest.raises(MappingError, match="no \\[preset\\] section") as info:
        load_preset_file(path)
    assert "--mapping" in info.value.hint


def test_choose_presets_takes_auto_a_crm_a_name_or_a_file(tmp_path: Path) -> None:
    assert len(choose_presets("auto")) == len(EXPECTED)
    assert {p.name for p in choose_presets("salesforce")} == {
        n for n in EXPECTED if n.startswith("salesforce-")
    }
    assert [p.name for p in choose_presets("hubspot-deals")] == ["hubspot-deals"]
    path = tmp_path / "mine.toml"
    path.write_text(BASE, encoding="utf-8")
    assert [p.name for p in choose_presets(str(path))] == ["mine"]
    with pytest.raises(UnknownPresetError, match="nope") as info:
        choose_presets("nope")
    assert "hubspot-deals" in info.value.hint
