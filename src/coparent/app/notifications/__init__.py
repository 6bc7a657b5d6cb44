"""Notifications: tell the people who act for a side what starts waiting for them."""
