"""``iprwatch report``: files written, errors that say what is valid."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from tests.reports import dataset

runner = CliRunner()


def test_briefing_html_and_pdf_files(seeded: str, tmp_path: Path) -> None:
    html = tmp_path / "us.html"
    result = runner.invoke(
        app,
        ["report", "briefing", "--country", "US", "--period", "2025-Q3", "--as-of", "2025-10-15",
         "--lang", "en", "--format", "html", "--out", str(html)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Section 337 investigations" in html.read_text(encoding="utf-8")
    pdf = tmp_path / "fj.pdf"
    result = runner.invoke(
        app,
        ["report", "briefing", "--country", "FJ", "--chain", "A5", "--period", "2025-Q3",
         "--lang", "zh", "--format", "pdf", "--out", str(pdf)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "no data for FJ in 2025-Q3" in result.output


def test_unknown_country_and_chain_exit_2_listing_valid_values(seeded: str, tmp_path: Path) -> None:
    out = str(tmp_path / "x.html")
    bad_country = runner.invoke(app, ["report", "briefing", "--country", "ZZ", "--out", out])
    assert bad_country.exit_code == 2 and "valid: AD, AE" in bad_country.output
    bad_chain = runner.invoke(
        app, ["report", "briefing", "--country", "US", "--chain", "X1", "--out", out]
    )
    assert bad_chain.exit_code == 2 and "valid: L1, L2" in bad_chain.output
    bad_format = runner.invoke(
        app, ["report", "briefing", "--country", "US", "--format", "docx", "--out", out]
    )
    assert bad_format.exit_code == 2 and "html or pdf" in bad_format.output
    assert not (tmp_path / "x.html").exists()


def test_health_check_report_from_a_profile_file(seeded: str, tmp_path: Path) -> None:
    profile = tmp_path / "profile.yml"
    profile.write_text(
        yaml.safe_dump(
            dataset.PROFILE.model_dump(mode="json", exclude_none=True), allow_unicode=True
        ),
        encoding="utf-8",
    )
    out = tmp_path / "hc.html"
    result = runner.invoke(
        app,
        ["report", "health-check", "--profile", str(profile), "--as-of", "2025-10-15",
         "--lang", "zh", "--format", "html", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert "企业知识产权体检报告 · 无锡某电池有限公司" in html
    assert "D4 侵权风险暴露" in html


def test_reports_given_no_day_count_to_the_day_a_fixed_data_set_stands_at(
    seeded: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``IPRWATCH_DATA_AS_OF`` (set by ``iprwatch demo``) is the reports' day when none is
    given, and the report names it; ``--as-of`` still wins."""
    from core.settings import get_settings

    monkeypatch.setenv("IPRWATCH_DATA_AS_OF", dataset.AS_OF.isoformat())
    get_settings.cache_clear()
    profile = tmp_path / "profile.yml"
    profile.write_text(
        yaml.safe_dump(
            dataset.PROFILE.model_dump(mode="json", exclude_none=True), allow_unicode=True
        ),
        encoding="utf-8",
    )
    check, briefing, given = tmp_path / "hc.html", tmp_path / "us.html", tmp_path / "given.html"
    for args in (
        ["health-check", "--profile", str(profile), "--out", str(check)],
        ["briefing", "--country", "US", "--lang", "en", "--out", str(briefing)],
        ["health-check", "--profile", str(profile), "--as-of", "2025-09-01", "--out", str(given)],
    ):
        result = runner.invoke(app, ["report", *args, "--format", "html"])
        assert result.exit_code == 0, result.output
    assert "数据截至: 2025年10月15日 · 考察期: 2024年10月15日 – 2025年10月15日" in check.read_text(
        encoding="utf-8"
    )
    assert "Period: 2025-09 (1 Sept 2025 – 30 Sept 2025) · Data as of: 15 Oct 2025" in (
        briefing.read_text(encoding="utf-8")
    )
    assert "截至: 2025年9月1日 · 数据截至: 2025年10月15日" in given.read_text(encoding="utf-8")


def test_health_check_with_a_broken_profile_names_the_problem(seeded: str, tmp_path: Path) -> None:
    profile = tmp_path / "bad.yml"
    profile.write_text("id: x\nname: {zh: 甲}\ndestinations: [{country: US, export_share: 7}]\n")
    result = runner.invoke(
        app, ["report", "health-check", "--profile", str(profile), "--out", str(tmp_path / "o.pdf")]
    )
    assert result.exit_code == 2
    assert "export_share" in result.output


def test_briefing_into_a_folder_writes_it_there_under_the_download_name(
    seeded: str, tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        ["report", "briefing", "--country", "US", "--period", "2025-Q3", "--lang", "en",
         "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = tmp_path / "briefing-1-US-2025-Q3-en.html"
    assert f"wrote {written}" in result.output.replace("\n", "")
    assert "Section 337 investigations" in written.read_text(encoding="utf-8")


def test_dates_and_periods_out_of_range_are_refused_before_anything_is_stored(
    seeded: str, tmp_path: Path
) -> None:
    out = str(tmp_path / "x.html")
    for args in (["--as-of", "9999-12-31"], ["--as-of", "0001-01-01"], ["--period", "9999"]):
        result = runner.invoke(app, ["report", "briefing", "--country", "US", *args, "--out", out])
        assert result.exit_code == 2, result.output
        assert "out of range" in result.output
    listed = runner.invoke(app, ["report", "briefing", "--country", "US", "--out", out])
    assert "stored as briefing 1" in listed.output


def _profile_file(tmp_path: Path) -> Path:
    profile = tmp_path / "profile.yml"
    data = dataset.PROFILE.model_dump(mode="json", exclude_none=True)
    profile.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return profile


def test_a_health_check_report_out_of_the_date_range_is_refused_with_the_range(
    seeded: str, tmp_path: Path
) -> None:
    profile, out = _profile_file(tmp_path), tmp_path / "hc.html"
    for day in ("1989-12-31", "2101-01-01", "9999-12-31"):
        result = runner.invoke(
            app,
            ["report", "health-check", "--profile", str(profile), "--as-of", day,
             "--out", str(out)],
        )  # fmt: skip
        assert result.exit_code == 2, result.output
        assert f"--as-of: {day} is out of range; give a date from 1990-01-01 to 2100-12-31" in (
            result.output.replace("\n", "")
        )
        assert "Traceback" not in result.output and not out.exists()


def test_reports_on_the_first_and_last_days_of_the_range_are_written_in_english(
    seeded: str, tmp_path: Path
) -> None:
    for as_of, period in (("1990-01-01", "1990-01"), ("2100-12-31", "2100-Q4")):
        out = tmp_path / f"briefing-{as_of}.html"
        briefing = runner.invoke(
            app,
            ["report", "briefing", "--country", "DE", "--period", period, "--as-of", as_of,
             "--lang", "en", "--out", str(out)],
        )  # fmt: skip
        assert briefing.exit_code == 0, briefing.output
        assert "Germany (DE)" in out.read_text(encoding="utf-8")
        hc = tmp_path / f"hc-{as_of}.html"
        check = runner.invoke(
            app,
            ["report", "health-check", "--profile", str(_profile_file(tmp_path)),
             "--as-of", as_of, "--lang", "en", "--out", str(hc)],
        )  # fmt: skip
        assert check.exit_code == 0, check.output
        assert "United States 40%" in hc.read_text(encoding="utf-8")
