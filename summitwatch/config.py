"""Settings, and nothing else: every layer reads them from here.

Environment variables (`SUMMITWATCH_*`, nested groups with `__`, e.g.
`SUMMITWATCH_TRACKER__SILENT_AFTER_WEEKS=8`) win over an optional TOML file
(`SUMMITWATCH_CONFIG`, else `./summitwatch.toml` when present), which wins over
the embedded defaults: SQLite and a mail outbox under the data directory.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import tomllib
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__version__ = "0.1.0"

CONFIG_ENV = "SUMMITWATCH_CONFIG"
DEFAULT_CONFIG_FILE = "summitwatch.toml"


class ConfigError(ValueError):
    """The configuration file cannot be read as TOML; the message names the file and the place."""


class CrawlerSettings(BaseModel):
    """Politeness and limits of the crawler."""

    contact_url: str = "https://github.com/summitwatch/summitwatch"
    concurrency_per_domain: int = Field(2, ge=1, le=64)
    autothrottle: bool = True
    download_delay: float = Field(0.5, ge=0)
    download_timeout: float = Field(30.0, gt=0)
    retry_times: int = Field(3, ge=0)
    retry_backoff: float = Field(2.0, ge=0, description="seconds before the first retry; doubles each time")
    obey_robots: bool = True
    max_feed_bytes: int = Field(5_000_000, gt=0)
    max_page_bytes: int = Field(10_000_000, gt=0)
    max_sitemap_bytes: int = Field(50_000_000, gt=0)
    run_timeout: float = Field(3600.0, gt=0, description="seconds before a crawl child is killed")
    snapshot_retention_days: int = Field(365, ge=1)
    sources_file: Path | None = Field(
        None, description="a sources.toml to use instead of crawler/sources.toml (e.g. with a fourth source)"
    )


class TrackerSettings(BaseModel):
    """Matching thresholds and the status workflow."""

    threshold: float | None = Field(None, description="link threshold; None: the calibrated default")
    auto_apply_above: float | None = Field(
        None,
        ge=0,
        le=1,
        description="apply a proposal at once (by 'auto') when its score is at least this; 0 applies every "
        "proposal; None (default): every proposal waits for a reviewer (`summitwatch review`, /review)",
    )
    silent_after_weeks: int = Field(12, ge=1)
    reviewer: str | None = Field(
        None,
        max_length=200,
        description="the name recorded with a review when `--by` or the web form gives none",
    )


class ScheduleSettings(BaseModel):
    """When the scheduler runs each job (times in `timezone`)."""

    timezone: str = "Europe/Paris"
    crawl_every: timedelta = timedelta(hours=6)
    crawl_jitter_seconds: int = Field(600, ge=0)
    digest_day_of_week: str = "mon"
    digest_hour: int = Field(8, ge=0, le=23)
    digest_minute: int = Field(0, ge=0, le=59)
    housekeeping_hour: int = Field(3, ge=0, le=23)
    misfire_grace_seconds: int = Field(3600, ge=1)
    pending_expiry_days: int = Field(30, ge=1)
    lock_lease_seconds: int = Field(120, ge=3)
    first_crawl_delay_seconds: int = Field(
        60, ge=0, description="a new crawl job first runs this long after start"
    )
    workers: int = Field(2, ge=1, le=16, description="jobs that may run at the same time (different ids)")
    standby_poll_seconds: float = Field(5.0, gt=0, description="how often a standby scheduler tries to lead")
    only: list[str] = Field(default_factory=list, description="job ids or prefixes to schedule (empty: all)")
    crawl_base_urls: dict[str, str] = Field(default_factory=dict, description="mirror per source slug")
    digest_every: timedelta | None = Field(
        None, description="send on this interval instead of the weekly cron"
    )
    digest_period: str = Field("last", description="'last' complete week, 'current' week, or a period key")
    probe_every: timedelta | None = Field(None, description="test hook: a `probe` job on this interval")
    probe_seconds: float = Field(0.5, ge=0, description="how long one probe run lasts")
    probe_file: Path | None = Field(None, description="where the probe appends its start and end lines")


class DigestSettings(BaseModel):
    """What a digest holds and how it is sent."""

    max_evidence_items: int = Field(60, ge=1)
    max_other_publications: int = Field(30, ge=0)
    deadline_horizon_days: int = Field(60, ge=1)
    send_retries: int = Field(3, ge=0)
    retry_backoff_seconds: float = Field(2.0, ge=0)
    defer_minutes: float = Field(
        15.0, ge=0, description="a recipient the server defers (4xx) is tried again after this; doubles"
    )
    defer_attempts: int = Field(8, ge=1, description="deferrals before a recipient's digest is given up")
    list_id: str = "summitwatch.digest"


ALERT_KINDS = ("setback", "status_change", "source_failing")


class AlertSettings(BaseModel):
    """Alerts between two digests, through Apprise URLs (Slack, Matrix, Telegram, mailto, json://…)."""

    urls: list[str] = Field(default_factory=list, description="Apprise URLs; empty: no alerts")
    language: Literal["fr", "en"] = "fr"
    kinds: list[Literal["setback", "status_change", "source_failing"]] = Field(
        default_factory=lambda: list(ALERT_KINDS), description="which events are alerted"
    )
    timeout_seconds: float = Field(
        10.0, gt=0, le=300, description="connect and read timeout of each request a channel makes"
    )
    max_attempts: int = Field(8, ge=1, le=100, description="tries before an alert is abandoned")
    max_per_pass: int = Field(
        100, ge=1, description="alerts one channel gets per pass; the rest go with the next (bounds a pass)"
    )
    retry_backoff_seconds: float = Field(60.0, ge=0, description="wait after the first failure; doubles")
    max_backoff_seconds: float = Field(6 * 3600.0, ge=0)
    retry_every: timedelta = Field(
        timedelta(minutes=10), description="how often the scheduler sends what is queued or due again"
    )
    max_publication_age_days: int | None = Field(
        None, ge=1, description="no setback alert for publications dated longer ago (None: any date)"
    )

    @field_validator("urls")
    @classmethod
    def _strip(cls, value: list[str]) -> list[str]:
        return [url.strip() for url in value if url.strip()]


class WebSettings(BaseModel):
    """The web app's listening address, request limits and the proxies it believes."""

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="uvicorn worker processes (one per core is a start); the subscribe rate limits "
        "are counted per worker",
    )
    subscribe_per_client_per_hour: int = Field(10, ge=1)
    subscribe_per_email_per_hour: int = Field(3, ge=1)
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses or networks of reverse proxies whose X-Forwarded-For and -Proto are "
        "believed (empty: none; the connecting address is the client)",
    )

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        """Each an IP address or network, written the way uvicorn compares them."""
        cleaned = []
        for item in (v.strip() for v in value):
            try:
                cleaned.append(
                    str(ipaddress.ip_network(item, strict=False))
                    if "/" in item
                    else str(ipaddress.ip_address(item))
                )
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/8)"
                ) from None
        return cleaned


class Settings(BaseSettings):
    """The effective configuration of one summitwatch process."""

    model_config = SettingsConfigDict(
        env_prefix="SUMMITWATCH_",
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    data_dir: Path = Path("data")
    database_url: str = ""
    smtp_host: str = ""
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_user: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_security: Literal["none", "starttls", "ssl"] = "none"
    smtp_timeout: float = Field(30.0, gt=0)
    mail_from: str = "summitwatch <digest@summitwatch.localhost>"
    outbox_dir: Path | None = None
    base_url: str = "http://127.0.0.1:8000"
    secret_key: SecretStr | None = None
    review_token: SecretStr | None = None
    timezone: str = Field("Europe/Paris", description="the zone dates and times are shown in")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    crawler: CrawlerSettings = CrawlerSettings()
    tracker: TrackerSettings = TrackerSettings()
    schedule: ScheduleSettings = ScheduleSettings()
    digest: DigestSettings = DigestSettings()
    web: WebSettings = WebSettings()
    alerts: AlertSettings = AlertSettings()

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not a time zone (e.g. Europe/Paris)") from None
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        toml_file = config_file()
        if toml_file is not None:
            try:
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"config file {toml_file}: invalid TOML: {exc}") from None
            except UnicodeDecodeError as exc:
                raise ConfigError(f"config file {toml_file}: not UTF-8 text ({exc.reason})") from None
            except OSError as exc:
                raise ConfigError(f"config file {toml_file}: cannot read: {exc.strerror}") from None
        return tuple(sources)

    # Derived values: computed, never stored, so a changed data dir moves them all.
    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'summitwatch.db').resolve()}"

    @property
    def effective_outbox_dir(self) -> Path:
        return self.outbox_dir if self.outbox_dir is not None else self.data_dir / "outbox"

    @property
    def user_agent(self) -> str:
        return f"summitwatch/{__version__} (+{self.crawler.contact_url})"

    def signing_key(self) -> str:
        """The link-signing secret: from settings, else generated once and kept in the data dir."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value()
        key_file = self.data_dir / "secret_key"
        if key_file.exists():
            return key_file.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key)
        return key

    def masked(self) -> dict[str, Any]:
        """Every setting, secrets replaced by '***' (or '' when unset), for display."""
        data = self.model_dump(mode="json")
        for name in ("smtp_password", "secret_key", "review_token"):
            value = getattr(self, name)
            data[name] = "***" if value is not None and value.get_secret_value() else ""
        data["database_url"] = mask_url(self.effective_database_url)
        # Apprise URLs carry their tokens anywhere (host, path, query): show the service only.
        data["alerts"]["urls"] = [f"{url.split('://', 1)[0]}://***" for url in self.alerts.urls]
        data["outbox_dir"] = str(self.effective_outbox_dir)
        data["config_file"] = str(config_file()) if config_file() else ""
        return data


def mask_url(url: str) -> str:
    """Hide the password of a database URL."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    if ":" in creds:
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url


def config_file() -> Path | None:
    """The TOML file in use: `SUMMITWATCH_CONFIG`, else ./summitwatch.toml if it exists."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise FileNotFoundError(f"{CONFIG_ENV}={explicit}: no such file")
        return path
    default = Path(DEFAULT_CONFIG_FILE)
    return default if default.is_file() else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (after the environment changed, e.g. in tests)."""
    get_settings.cache_clear()
