"""The sources: one aiohttp client per platform, each yielding canonical mentions."""
