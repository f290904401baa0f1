"""The console: a thin Textual app, its screens and widgets. The only package that imports Textual."""
