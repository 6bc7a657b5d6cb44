"""Kudos, and the feed of wins (won deals for now; the wins engine comes later)."""
