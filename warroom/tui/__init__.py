"""The console: the Textual app, its screens and widgets; the only package that loads Textual."""
