"""Headless commands over a file: analyze a stream, replay it into an incident."""
