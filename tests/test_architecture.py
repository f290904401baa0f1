"""The engine knows nothing of the screen: no module outside warroom/tui imports Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "warroom"


def engine_modules() -> list[Path]:
    """Every module outside the console (the entry point lives in the console: warroom.tui.main)."""
    return [p for p in PACKAGE.rglob("*.py") if "tui" not in p.relative_to(PACKAGE).parts]


def top_level_imports(path: Path) -> set[str]:
    """The modules a file imports at module level (not inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_engine_module_imports_textual_or_the_tui() -> None:
    """Outside warroom/tui, nothing imports textual or warroom.tui at module level."""
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(
            name
            for name in top_level_imports(path)
            if name.split(".")[0] == "textual" or name.startswith("warroom.tui")
        )
        for path in engine_modules()
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_headless_commands_do_not_load_textual() -> None:
    """Importing the engine and running a headless command leaves Textual unloaded."""
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from warroom.tui.main import main\n"
        "import warroom.incident.engine, warroom.incident.session\n"
        "import warroom.live.watch, warroom.review.document\n"
        "result = CliRunner().invoke(main, ['playbook', 'list'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
