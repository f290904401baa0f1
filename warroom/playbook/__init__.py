"""Crisis playbooks: the public API of the model, validation and the playbook files."""

from __future__ import annotations

from warroom.playbook.build import parse_playbook, validate_text
from warroom.playbook.library import (
    bundled_dir,
    default_playbook,
    find_playbook,
    list_playbooks,
    load_playbook,
    new_playbook,
    user_playbooks_dir,
)
from warroom.playbook.model import (
    CHANNEL_KINDS,
    NAME_PATTERN,
    PLAYBOOK_VERSION,
    SUFFIXES,
    TRIGGER_FIELDS,
    WHEN_HELP,
    Channel,
    Due,
    Phase,
    Playbook,
    PlaybookError,
    PlaybookInvalid,
    PlaybookNotFound,
    Role,
    Step,
    Template,
    parse_when,
)

__all__ = [
    "CHANNEL_KINDS",
    "NAME_PATTERN",
    "PLAYBOOK_VERSION",
    "SUFFIXES",
    "TRIGGER_FIELDS",
    "WHEN_HELP",
    "Channel",
    "Due",
    "Phase",
    "Playbook",
    "PlaybookError",
    "PlaybookInvalid",
    "PlaybookNotFound",
    "Role",
    "Step",
    "Template",
    "bundled_dir",
    "default_playbook",
    "find_playbook",
    "list_playbooks",
    "load_playbook",
    "new_playbook",
    "parse_playbook",
    "parse_when",
    "user_playbooks_dir",
    "validate_text",
]
