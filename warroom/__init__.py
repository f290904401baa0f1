"""warroom: a terminal console for a brand's social-media crisis team."""
