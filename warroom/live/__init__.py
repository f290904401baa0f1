"""Watching live: the watch config, the sources, notifications to the team."""
