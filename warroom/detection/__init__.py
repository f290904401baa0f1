"""Reading the conversation: sentiment, per-minute signals, the detector, trending terms."""
