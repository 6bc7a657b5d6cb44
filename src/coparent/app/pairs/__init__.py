"""Cross-team pairing rounds: stored so the next round avoids repeats, shown on /pairs/."""
