"""After the incident: per-minute aggregates, metrics and the post-mortem document."""
