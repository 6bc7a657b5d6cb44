from __future__ import annotations

from pathlib import Path

import pytest

from coparent.errors import SettingsError
from coparent.settings import (
    SETTINGS,
    Settings,
    load_settings,
    load_settings_sourced,
    parse_setting_value,
)


def test_defaults_come_from_the_settings_table() -> None:
    settings = load_settings(None, environ={})
    for s in SETTINGS:
        value = getattr(settings, s.name)
        assert value == (tuple(s.default) if isinstance(s.default, list) else s.default)


def test_later_sources_override_earlier_ones(tmp_path: Path) -> None:
    file = tmp_path / "settings.toml"
    file.write_text('timezone = "Europe/Paris"\nimport_max_examples = 5\n')
    settings = load_settings(
        file,
        environ={"COPARENT_IMPORT_MAX_EXAMPLES": "7", "COPARENT_TIMEZONE": "Asia/Tokyo"},
        overrides={"timezone": "America/New_York"},
    )
    assert settings.import_max_examples == 7
    assert settings.timezone == "America/New_York"


def test_a_list_setting_reads_json_from_the_environment() -> None:
    settings = load_settings(None, environ={"COPARENT_IMPORT_NULL_VALUES": '["", "-"]'})
    assert settings.import_null_values == ("", "-")


def test_a_bad_value_names_the_setting_and_its_source(tmp_path: Path) -> None:
    file = tmp_path / "settings.toml"
    file.write_text('import_max_examples = "many"\n')
    with pytest.raises(SettingsError) as info:
        load_settings(file, environ={})
    assert info.value.setting == "import_max_examples"
    assert str(file) in str(info.value)


def test_an_unknown_setting_is_refused_with_the_known_ones(tmp_path: Path) -> None:
    file = tmp_path / "settings.toml"
    file.write_text("timezon = 'UTC'\n")
    with pytest.raises(SettingsError) as info:
        load_settings(file, environ={})
    assert "timezone" in info.value.hint


def test_invalid_toml_is_a_settings_error(tmp_path: Path) -> None:
    file = tmp_path / "settings.toml"
    file.write_text("timezone = \n")
    with pytest.raises(SettingsError, match="not valid TOML"):
        load_settings(file, environ={})


def test_cli_pairs_need_an_equals_sign() -> None:
    assert parse_setting_value("timezone=UTC") == ("timezone", "UTC")
    with pytest.raises(SettingsError):
        parse_setting_value("timezone")


def test_settings_is_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().timezone = "x"  # type: ignore[misc]


def test_the_apps_decisions_sit_between_the_environment_and_setting(tmp_path: Path) -> None:
    f = tmp_path / "settings.toml"
    f.write_text("goal_won_revenue = 100\nsales_sla_hours = 12\ntimezone = 'Europe/Paris'\n")
    env = {"COPARENT_SALES_SLA_HOURS": "8", "COPARENT_MARKETING_MQL_COMMITMENT": "50"}
    app = {"goal_won_revenue": "300", "sales_sla_hours": "4"}
    s, sources = load_settings_sourced(f, environ=env, app=app)
    assert (s.goal_won_revenue, s.sales_sla_hours, s.marketing_mql_commitment) == (300, 4, 50)
    assert sources["goal_won_revenue"] == "app"
    assert sources["sales_sla_hours"] == "app"
    assert sources["marketing_mql_commitment"] == "environment"
    assert sources["timezone"] == "settings_file"
    assert sources["fiscal_year_start_month"] == "default"
    s, sources = load_settings_sourced(
        f, environ=env, app=app, overrides={"goal_won_revenue": "500"}
    )
    assert (s.goal_won_revenue, sources["goal_won_revenue"]) == (500, "setting")
    plain = load_settings(f, environ=env, app=app)
    assert plain == load_settings_sourced(f, environ=env, app=app)[0]


def test_a_bad_value_from_the_app_names_the_app_database() -> None:
    with pytest.raises(SettingsError, match="the app database: setting 'sales_sla_hours'"):
        load_settings(environ={}, app={"sales_sla_hours": "-1"})
