"""The notification preferences form on the profile page, and the nav's "waiting for me" count."""
