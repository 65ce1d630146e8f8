"""morgue's spiders."""
