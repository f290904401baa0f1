"""The watch config (warroom.yaml): what to watch, where from, whom to tell."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import platformdirs

from warroom.errors import WarroomError, did_you_mean
from warroom.live.sources.base import SOURCE_KINDS, Source, Topics
from warroom.model import EventKind
from warroom.yamlpos import (
    LocatedError,
    Path_,
    Positions,
    YamlChecker,
    YamlSyntaxError,
    format_path,
    is_number,
    load_yaml,
    not_utf8,
)

CONFIG_NAME = "warroom.yaml"
TOP_KEYS: tuple[str, ...] = ("brand", "operator", "playbook", "topics", "sources", "notifications")
TOP_KEYS += ("lexicon", "detector", "keymap")  # valences; signals overrides; key bindings
TOP_KEYS += ("role", "team")  # this console's role; the shared incident
TOP_KEYS += ("messages",)  # what drafts say for {contact}, {link} and {sign_off}
MESSAGE_KEYS: tuple[str, ...] = ("contact", "link", "sign_off")
TEAM_KEYS = ("name", "url_env")
DEFAULT_TEAM_URL_ENV = "WARROOM_TEAM_URL"
TERM_KINDS = {"keywords": "", "hashtags": "#", "handles": "@"}
COMMON_SOURCE_KEYS = ("name", "kind", "base_url", "interval", "max_backoff")
NOTIFICATION_KINDS = ("slack", "json")
NOTIFICATION_KEYS = ("kind", "url_env", "events")
DEFAULT_EVENTS = ("level_changed", "declared")
DETECTOR_KEYS: dict[str, tuple[type, float]] = {  # key -> (type, smallest allowed value)
    "window_minutes": (int, 1),
    "sensitivity": (float, 0.01),
    "min_volume": (int, 0),
    "cooldown_minutes": (int, 0),
}
SECRET_KEYS = {"token", "password", "passwd", "secret", "api_key", "apikey", "access_token"}
SECRET_KEYS |= {"bearer_token", "app_password", "client_secret", "url", "webhook_url"}
SECRET_QUERY = re.compile(
    r"^(\w*_)?(token|key|apikey|secret|password|passwd|sig|signature|auth)$", re.IGNORECASE
)
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LISTED = "expected one of"  # how a did-you-mean lists the choices when none is close


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One configured source: its name, its kind and the kind's options."""

    name: str
    kind: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NotificationConfig:
    """One outbound webhook: its kind, the env var holding its URL, the events it wants."""

    kind: str
    url_env: str
    events: tuple[str, ...] = DEFAULT_EVENTS


@dataclass(frozen=True, slots=True)
class TeamConfig:
    """The `team:` section: the team's name and the environment variable with its Redis URL
    (the URL holds the ACL password, so it never comes from a file)."""

    name: str = "default"
    url_env: str = DEFAULT_TEAM_URL_ENV


@dataclass
class WatchConfig:
    """Everything warroom.yaml says."""

    brand: str
    topics: Topics
    sources: list[SourceConfig] = field(default_factory=list)
    notifications: list[NotificationConfig] = field(default_factory=list)
    playbook: str = "default"
    operator: str | None = None
    lexicon: dict[str, float] = field(default_factory=dict)
    detector: dict[str, float | int] = field(default_factory=dict)
    path: Path | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    role: str | None = None
    team: TeamConfig | None = None
    messages: dict[str, str] = field(default_factory=dict)  # placeholder -> value, for drafts

    def source(self, name: str) -> SourceConfig:
        """The source of that name; KeyError with a did-you-mean otherwise."""
        for source in self.sources:
            if source.name == name:
                return source
        names = [s.name for s in self.sources]
        hint = did_you_mean(name, names, otherwise=_LISTED) if names else ""
        raise KeyError(f"no source {name!r}{hint}")


class ConfigInvalid(WarroomError):
    """The config has problems; `errors` lists every one, each with file:line:column."""

    exit_status = 2

    def __init__(self, errors: list[LocatedError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


BROKEN_SOURCES: dict[str, str] = {}  # module -> why it failed to import


def source_kinds() -> dict[str, type[Source]]:
    """Every source kind, importing each module of warroom.live.sources so it registers itself."""
    import warroom.live.sources as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.name in ("base", "text"):
            continue
        try:
            importlib.import_module(f"warroom.live.sources.{info.name}")
        except Exception as error:  # one broken source module must not disable the others
            BROKEN_SOURCES[info.name] = f"{type(error).__name__}: {error}"
        else:
            BROKEN_SOURCES.pop(info.name, None)
    return dict(SOURCE_KINDS)


def user_config_path() -> Path:
    """warroom.yaml in the user config dir."""
    return Path(platformdirs.user_config_dir("warroom")) / CONFIG_NAME


def find_config(explicit: Path | None = None) -> Path | None:
    """--config if given, else ./warroom.yaml, else the user config dir's; None if none exists."""
    if explicit is not None:
        return explicit
    for candidate in (Path.cwd() / CONFIG_NAME, user_config_path()):
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path) -> WatchConfig:
    """Read and validate a config file; ConfigInvalid lists every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigInvalid(
            [LocatedError(str(path), 1, 1, "", f"cannot read: {reason} (run `warroom init`)")]
        ) from error
    except UnicodeDecodeError as error:
        raise ConfigInvalid([not_utf8(str(path), path.read_bytes())]) from error
    config = parse_config(text, str(path))
    config.path = path
    for source in config.sources:
        # A file a source reads is found next to the config, wherever warroom was started.
        relative = source.options.get("path")
        if isinstance(relative, str) and relative != "-" and not Path(relative).is_absolute():
            source.options["path"] = str(path.parent / Path(relative).expanduser())
    return config


def parse_config(text: str, filename: str = "<config>") -> WatchConfig:
    """Validate config text; ConfigInvalid lists every problem with its position."""
    try:
        data, positions, errors = load_yaml(text, filename)
    except YamlSyntaxError as error:
        raise ConfigInvalid([error.error]) from error
    checker = _Checker(filename, positions, errors)
    config = checker.config(data)
    if checker.errors or config is None:
        raise ConfigInvalid(sorted(checker.errors, key=lambda e: (e.line, e.column)))
    return config


class _Checker(YamlChecker):
    """Walks the parsed YAML, collecting every error instead of stopping at the first."""

    def __init__(self, filename: str, positions: Positions, errors: list[LocatedError]) -> None:
        super().__init__(filename, errors)
        self.positions = positions
        self._secrets: set[Path_] = set()

    def error(self, path: Path_, message: str, at_key: bool = False) -> None:
        line, column = self.positions.key(path) if at_key else self.positions.at(path)
        self.error_at(line, column, format_path(path), message)

    def keys(self, data: dict[Any, Any], path: Path_, allowed: Iterable[str]) -> None:
        unknown, _ = self.check_keys([str(key) for key in data], list(allowed), otherwise=_LISTED)
        for key in data:
            if str(key) in unknown and not self.secret_key(path, str(key)):
                self.error((*path, key), f"unknown key{unknown[str(key)]}", at_key=True)

    def secret_key(self, path: Path_, key: str) -> bool:
        """Report a secret written into the file; True if the key was one."""
        lowered = key.lower()
        # A feed's `url:` is fine; a notification's URL is the secret that posts to the channel.
        is_hook_url = lowered in ("url", "webhook_url") and path[:1] == ("notifications",)
        if lowered not in SECRET_KEYS or (lowered in ("url", "webhook_url") and not is_hook_url):
            return False
        if (*path, key) in self._secrets:
            return True
        self._secrets.add((*path, key))
        if is_hook_url:
            self.error(
                (*path, key),
                "URLs of webhooks are secrets: put it in an environment variable and "
                "name it here with `url_env: SLACK_WEBHOOK_URL`",
                at_key=True,
            )
        else:
            self.error(
                (*path, key),
                f"secrets are never written in the config: put it in an environment variable "
                f"and name it here with `{key}_env: NAME` (e.g. token_env: MASTODON_TOKEN)",
                at_key=True,
            )
        return True

    def text(self, data: dict[Any, Any], path: Path_, required: bool = False) -> str | None:
        value = data.get(path[-1])
        if value is None:
            if required:
                self.error(path, "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.error(path, "must be a non-empty string")
            return None
        return value.strip()

    def env_name(self, value: Any, path: Path_) -> None:
        if not isinstance(value, str) or not ENV_NAME.match(value):
            self.error(
                path,
                "must name an environment variable (like MASTODON_TOKEN), not hold the secret",
            )

    def credentials_in_urls(self, value: Any, path: Path_) -> None:
        """No `https://user:pass@host` or `?token=...` anywhere: those are secrets too."""
        if isinstance(value, dict):
            for key, item in value.items():
                self.credentials_in_urls(item, (*path, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.credentials_in_urls(item, (*path, index))
        elif isinstance(value, str) and "://" in value:
            parts = urlsplit(value.strip())
            secret_query = any(SECRET_QUERY.match(k) for k, _ in parse_qsl(parts.query))
            if parts.username or parts.password or secret_query:
                self.error(
                    path,
                    "this URL carries credentials: put them in an environment variable "
                    "and name it with a *_env option (e.g. token_env: MASTODON_TOKEN)",
                )

    # -- sections ----------------------------------------------------------------------------

    def config(self, data: Any) -> WatchConfig | None:
        if not isinstance(data, dict):
            self.error(
                (), "the config must be a mapping with at least `brand:` (run `warroom init`)"
            )
            return None
        self.keys(data, (), TOP_KEYS)
        self.credentials_in_urls(data, ())
        brand = self.text(data, ("brand",), required=True) or ""
        operator = self.text(data, ("operator",))
        playbook = self.text(data, ("playbook",)) or "default"
        topics = self.topics(data.get("topics"), brand)
        sources = self.sources(data.get("sources"))
        notifications = self.notifications(data.get("notifications"))
        lexicon = self.lexicon(data.get("lexicon"))
        detector = self.detector(data.get("detector"))
        keymap = self.keymap(data.get("keymap"))
        role = self.text(data, ("role",))
        team = self.team(data.get("team"))
        messages = self.messages(data.get("messages"))
        return WatchConfig(
            brand,
            topics,
            sources,
            notifications,
            playbook,
            operator,
            lexicon,
            detector,
            keymap=keymap,
            role=role,
            team=team,
            messages=messages,
        )

    def messages(self, value: Any) -> dict[str, str]:
        """`messages: {contact: ..., link: ..., sign_off: ...}`: what drafts fill those with."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(
                ("messages",),
                "must be a mapping: messages: {contact: 'support@brand.example', link: ..., "
                "sign_off: ...}",
            )
            return {}
        self.keys(value, ("messages",), MESSAGE_KEYS)
        found: dict[str, str] = {}
        for key in MESSAGE_KEYS:
            text = self.text(value, ("messages", key))
            if text is not None:
                found[key] = text
        return found

    def team(self, value: Any) -> TeamConfig | None:
        """`team: {name: comms, url_env: WARROOM_TEAM_URL}`; the URL itself never here."""
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(
                ("team",), "must be a mapping: team: {name: comms, url_env: WARROOM_TEAM_URL}"
            )
            return None
        self.keys(value, ("team",), TEAM_KEYS)
        name = self.text(value, ("team", "name")) or "default"
        if not re.match(r"^[a-z0-9][a-z0-9_-]{0,39}$", name):
            self.error(("team", "name"), "lowercase letters, digits, - and _, at most 40")
        url_env = self.text(value, ("team", "url_env")) or DEFAULT_TEAM_URL_ENV
        if not ENV_NAME.match(url_env):
            self.error(("team", "url_env"), "must name an environment variable (WARROOM_TEAM_URL)")
        return TeamConfig(name, url_env)

    def keymap(self, value: Any) -> dict[str, str]:
        """Binding id -> keys, e.g. `feed.filter: f` or `incident.declare: ctrl+d`."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(("keymap",), "must be a mapping of binding id to keys (feed.filter: f)")
            return {}
        found: dict[str, str] = {}
        for key, keys in value.items():
            if not isinstance(keys, str) or not keys.strip():
                self.error(("keymap", key), f"must be keys such as 'f' or 'ctrl+d', got {keys!r}")
                continue
            found[str(key)] = keys.strip()
        return found

    def terms(self, value: Any, path: Path_) -> list[str]:
        """A list of terms (#tag, @handle, keyword) or {keywords, hashtags, handles}."""
        if value is None:
            return []
        items: list[tuple[Path_, str, Any]] = []  # (where, prefix, term)
        if isinstance(value, list):
            items = [((*path, index), "", item) for index, item in enumerate(value)]
        elif isinstance(value, dict):
            self.keys(value, path, TERM_KINDS)
            for kind, prefix in TERM_KINDS.items():
                group = value.get(kind) or []
                if not isinstance(group, list):
                    self.error((*path, kind), "must be a list")
                    continue
                items += [((*path, kind, index), prefix, item) for index, item in enumerate(group)]
        else:
            self.error(path, "must be a list of terms or a mapping of keywords/hashtags/handles")
            return []
        terms: list[str] = []
        for sub, prefix, item in items:
            if not isinstance(item, str | int) or isinstance(item, bool) or not str(item).strip():
                self.error(sub, "must be a non-empty string")
                continue
            term = str(item).strip()
            terms.append(term if term.startswith(prefix) else prefix + term)
        return terms

    def topics(self, value: Any, brand: str) -> Topics:
        brand_terms: list[str] = []
        competitors: dict[str, list[str]] = {}
        if isinstance(value, dict):
            self.keys(value, ("topics",), ("brand", "competitors"))
            brand_terms = self.terms(value.get("brand"), ("topics", "brand"))
            rivals = value.get("competitors") or {}
            if isinstance(rivals, dict):
                for name, terms in rivals.items():
                    listed = self.terms(terms, ("topics", "competitors", name))
                    competitors[str(name)] = listed or [str(name)]
            else:
                self.error(("topics", "competitors"), "must map each competitor to its terms")
        elif value is not None:
            self.error(("topics",), "must be a mapping with `brand:` and `competitors:`")
        if brand and brand.lower() not in {t.lower() for t in brand_terms}:
            brand_terms.insert(0, brand)
        return Topics(brand_terms, competitors)

    def sources(self, value: Any) -> list[SourceConfig]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(("sources",), "must be a list of sources, each with `name:` and `kind:`")
            return []
        kinds = source_kinds()
        found: list[SourceConfig] = []
        names: set[str] = set()
        for index, item in enumerate(value):
            path: Path_ = ("sources", index)
            if not isinstance(item, dict):
                self.error(path, "must be a mapping with `name:` and `kind:`")
                continue
            for key in item:
                self.secret_key(path, str(key))
            kind = self.text(item, (*path, "kind"), required=True)
            if kind is not None and kind not in kinds:
                broken = "".join(
                    f"; warroom.live.sources.{m} failed to load: {why}"
                    for m, why in BROKEN_SOURCES.items()
                )
                hint = did_you_mean(kind, kinds, otherwise=_LISTED)
                self.error((*path, "kind"), f"unknown source kind {kind!r}{hint}{broken}")
                kind = None
            name = self.text(item, (*path, "name")) or kind
            if name in names:
                self.error((*path, "name"), f"another source is already named {name!r}")
            names.add(name or "")
            if kind is None or name is None:
                continue
            self.source_options(kinds[kind], item, path)
            options = {k: v for k, v in item.items() if k not in ("name", "kind")}
            found.append(SourceConfig(name, kind, options))
        return found

    def source_options(self, cls: type[Source], item: dict[str, Any], path: Path_) -> None:
        allowed = getattr(cls, "option_names", None)
        if allowed is not None:
            self.keys(item, path, [*COMMON_SOURCE_KEYS, *sorted(allowed)])
        for key, value in item.items():
            if str(key).endswith("_env"):
                self.env_name(value, (*path, key))
        for key in ("interval", "max_backoff"):
            if key in item and (not is_number(item[key]) or item[key] <= 0):
                self.error((*path, key), "must be a positive number of seconds")
        base_url = item.get("base_url")
        if base_url is not None and (
            not isinstance(base_url, str) or urlsplit(base_url).scheme not in ("http", "https")
        ):
            self.error((*path, "base_url"), "must be an http:// or https:// URL")
        check = getattr(cls, "check_options", None)
        if check is not None:
            for option, message in check(item):
                self.error((*path, option), message)

    def notifications(self, value: Any) -> list[NotificationConfig]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(("notifications",), "must be a list of {kind, url_env, events}")
            return []
        events_known = [str(kind) for kind in EventKind]
        found: list[NotificationConfig] = []
        for index, item in enumerate(value):
            path: Path_ = ("notifications", index)
            if not isinstance(item, dict):
                self.error(path, "must be a mapping with `kind:` and `url_env:`")
                continue
            self.keys(item, path, NOTIFICATION_KEYS)
            kind = self.text(item, (*path, "kind"), required=True)
            if kind is not None and kind not in NOTIFICATION_KINDS:
                hint = did_you_mean(kind, NOTIFICATION_KINDS, otherwise=_LISTED)
                self.error((*path, "kind"), f"unknown kind {kind!r}{hint}")
            if "url_env" in item:
                self.env_name(item["url_env"], (*path, "url_env"))
            elif "url" not in item:
                self.error(path, "`url_env:` is required: the env var that holds the webhook URL")
            events = item.get("events", list(DEFAULT_EVENTS))
            if not isinstance(events, list) or not events:
                self.error((*path, "events"), "must be a non-empty list of event kinds")
                events = []
            for number, event in enumerate(events):
                if str(event) not in events_known:
                    hint = did_you_mean(str(event), events_known, otherwise=_LISTED)
                    self.error((*path, "events", number), f"unknown event {event!r}{hint}")
            if kind in NOTIFICATION_KINDS and isinstance(item.get("url_env"), str):
                found.append(NotificationConfig(kind, item["url_env"], tuple(map(str, events))))
        return found

    def lexicon(self, value: Any) -> dict[str, float]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(("lexicon",), "must map words to a valence from -4 to 4")
            return {}
        found: dict[str, float] = {}
        for word, valence in value.items():
            if not is_number(valence) or not -4 <= valence <= 4:
                self.error(
                    ("lexicon", word), f"valence must be a number from -4 to 4, got {valence!r}"
                )
                continue
            found[str(word).lower()] = float(valence)
        return found

    def detector(self, value: Any) -> dict[str, float | int]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(("detector",), f"must be a mapping of {', '.join(DETECTOR_KEYS)}")
            return {}
        self.keys(value, ("detector",), DETECTOR_KEYS)
        found: dict[str, float | int] = {}
        for key, (kind, least) in DETECTOR_KEYS.items():
            if key not in value:
                continue
            number = value[key]
            wrong_type = not is_number(number) or (kind is int and not float(number).is_integer())
            if wrong_type or number < least:
                what = "a whole number" if kind is int else "a number"
                self.error(("detector", key), f"must be {what} >= {least:g}, got {number!r}")
                continue
            found[key] = int(number) if kind is int else float(number)
        return found
