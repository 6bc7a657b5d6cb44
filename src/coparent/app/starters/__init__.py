"""Starter projects: the win-back list and the offer lab's results."""
