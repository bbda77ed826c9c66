"""One settings object, read from ``IPRWATCH_*`` environment variables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Runtime configuration.

    Empty ``search_url`` means the embedded tantivy index; empty ``broker_url`` means
    kombu's SQLAlchemy transport on a SQLite file, which needs no server.
    """

    model_config = SettingsConfigDict(env_prefix="IPRWATCH_", extra="ignore")

    database_url: str = ""  # empty: SQLite at <data_dir>/iprwatch.db (see _embedded_database)
    search_url: str = ""
    search_api_key: SecretStr | None = None  # Elasticsearch API key (IPRWATCH_SEARCH_API_KEY)
    search_ca_certs: Path | None = None  # PEM bundle trusted for https engines
    broker_url: str = ""
    data_dir: Path = Path("var")
    user_agent: str = (
        "IPRWatch/0.1 (+https://github.com/iprwatch/iprwatch; overseas IP risk monitor)"
    )
    default_lang: str = "zh"
    site_url: str = "http://127.0.0.1:8000"
    secret_key: SecretStr | None = None  # IPRWATCH_SECRET_KEY; generated into data_dir if unset
    rate_limit_api_key: str = "600/minute"  # per API key (`limits` notation)
    rate_limit_login: str = "10/minute"  # login attempts per client IP
    max_body_bytes: int = 10 * 1024 * 1024
    sources_dir: Path | None = None  # default: crawlers/sources
    enable_spacy_ner_model: str = ""
    courtlistener_token: SecretStr | None = None
    # Delivery (warning.delivery*): volume guard, retries, digests, webhook guard.
    alert_volume_warn_per_day: float = 10.0
    # The day the stored data stands at when it is not crawled live (the demo's bundled
    # samples, set by `iprwatch demo`): volume estimates count their window back from it,
    # and health checks and briefings given no as-of day take it. Unset: today.
    data_as_of: date | None = None
    delivery_retry_hours: float = 48.0
    delivery_backoff_base_seconds: float = 60.0
    delivery_backoff_cap_seconds: float = 6 * 3600.0
    delivery_timeout_seconds: float = 15.0
    delivery_lease_seconds: float = 300.0  # a claimed delivery is retaken after this
    digest_max_alerts: int = 20
    webhook_allow_loopback: bool = False

    @model_validator(mode="after")
    def _embedded_database(self) -> Settings:
        """The embedded database lives in the data directory with the other embedded files
        (the search index, the broker's file, the secret key): a user who moves
        ``IPRWATCH_DATA_DIR`` moves all of them, and two data directories never share one
        database by accident."""
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'iprwatch.db'}"
        return self

    def resolved_data_dir(self) -> Path:
        """The data directory, created on first use."""
        path = self.data_dir if self.data_dir.is_absolute() else Path.cwd() / self.data_dir
        path.mkdir(parents=True, exist_ok=True)
        return path

    def effective_broker_url(self) -> str:
        """The Celery broker URL, with the serverless default for embedded mode."""
        if self.broker_url:
            return self.broker_url
        return f"sqla+sqlite:///{self.resolved_data_dir() / 'celery-broker.db'}"

    def effective_search_url(self) -> str:
        """The search backend URL; embedded mode keeps a tantivy index in its own directory."""
        if self.search_url:
            return self.search_url
        return f"tantivy://{self.resolved_data_dir() / 'search-index'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; call ``get_settings.cache_clear()`` in tests)."""
    return Settings()


def data_as_of_day() -> date | None:
    """The past day the stored data stands at (``data_as_of``: the demo's bundled samples);
    None for live data (unset, or today or later)."""
    day = get_settings().data_as_of
    return day if day is not None and day < datetime.now(UTC).date() else None


def default_as_of() -> date:
    """The as-of day of a health check or briefing given none: the day the stored data
    stands at (:func:`data_as_of_day`), else today (UTC). A fixed data set read as of today
    would have nothing in its windows: the demo's items end on 30 June 2025."""
    return data_as_of_day() or datetime.now(UTC).date()
