"""The incident: its log on disk, the state derived from it, the engine and the session."""
