"""The drill: a seeded crisis scenario for the demo, rehearsals and tests."""
