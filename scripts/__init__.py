"""Development scripts: the screenshot scenes (not part of the installed package)."""
