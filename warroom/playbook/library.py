"""Where playbooks live: the bundled and the user's folders, and finding, loading, copying files."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import platformdirs

import warroom
from warroom.errors import did_you_mean
from warroom.playbook.build import parse_playbook
from warroom.playbook.model import (
    NAME_PATTERN,
    SUFFIXES,
    Playbook,
    PlaybookInvalid,
    PlaybookNotFound,
)
from warroom.yamlpos import not_utf8


def bundled_dir() -> Path:
    """The bundled playbooks: packaged in the wheel, or the repository's playbooks/ folder."""
    package = Path(warroom.__file__).resolve().parent
    packaged = package / "bundled_playbooks"
    if packaged.is_dir():
        return packaged
    return package.parent / "playbooks"


def user_playbooks_dir(data_dir: Path | None = None) -> Path:
    """The user's playbooks folder: <data dir>/playbooks (WARROOM_DATA, else the platform's)."""
    if data_dir is None:
        env = os.environ.get("WARROOM_DATA")
        data_dir = Path(env) if env else Path(platformdirs.user_data_dir("warroom"))
    return Path(data_dir) / "playbooks"


def _files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {
        path.stem: path
        for path in sorted(folder.iterdir())
        if path.suffix in SUFFIXES and path.is_file() and not path.name.startswith(".")
    }


def list_playbooks(user_dir: Path | None = None) -> list[tuple[str, Path, bool]]:
    """Every playbook by name as (name, path, bundled); user playbooks override bundled ones."""
    found = {name: (path, True) for name, path in _files(bundled_dir()).items()}
    found.update({name: (path, False) for name, path in _files(_user(user_dir)).items()})
    return [(name, path, bundled) for name, (path, bundled) in sorted(found.items())]


def find_playbook(name: str, user_dir: Path | None = None) -> Path:
    """The file for a playbook name (user folder first, then bundled), or an existing path."""
    candidate = Path(name)
    if candidate.suffix in SUFFIXES and candidate.is_file():
        return candidate
    for folder in (_user(user_dir), bundled_dir()):
        path = _files(folder).get(name)
        if path is not None:
            return path
    names = [entry[0] for entry in list_playbooks(user_dir)]
    hint = did_you_mean(name, names, otherwise="available")
    raise PlaybookNotFound(f"no playbook named '{name}'{hint}")


def load_playbook(path: Path) -> Playbook:
    """Load and validate a playbook file; PlaybookInvalid lists every error."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise PlaybookInvalid([not_utf8(str(path), Path(path).read_bytes())]) from error
    return parse_playbook(text, str(path), Path(path))


def default_playbook() -> Playbook:
    """The bundled default playbook (the crisis-response method)."""
    return load_playbook(bundled_dir() / "default.yaml")


def _user(user_dir: Path | None) -> Path:
    return Path(user_dir) if user_dir is not None else user_playbooks_dir()


def new_playbook(name: str, source: str = "default", user_dir: Path | None = None) -> Path:
    """Copy a playbook into the user folder under a new name; never overwrites a file."""
    if not NAME_PATTERN.match(name):
        raise ValueError(
            f"'{name}' is not a playbook name (lowercase letters, digits and '-', e.g. 'data-leak')"
        )
    origin = find_playbook(source, user_dir)
    text = origin.read_text(encoding="utf-8")
    load_playbook(origin)  # refuse to spread a broken playbook; raises PlaybookInvalid
    text, count = re.subn(r"^name:.*$", f"name: {name}", text, count=1, flags=re.MULTILINE)
    if count == 0:
        raise ValueError(f"{origin}: no top-level 'name:' line to rename")
    folder = _user(user_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{name}.yaml"
    if target.exists():
        raise FileExistsError(f"{target} already exists; pick another name or edit that file")
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        # A hard link fails if the target appeared meanwhile: atomic and never overwrites.
        os.link(temporary, target)
    except FileExistsError:
        raise FileExistsError(
            f"{target} already exists; pick another name or edit that file"
        ) from None
    finally:
        os.unlink(temporary)
    return target
