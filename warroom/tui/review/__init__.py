"""The review console: replay a closed incident with a time cursor (read-only)."""
