"""The clean-text record: its fields, and the rotating file it is written to."""
