"""Fake social-API servers for tests: each answers on 127.0.0.1 in the real API's shape."""
