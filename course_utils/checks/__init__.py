"""Checks that give precise feedback on lab exercises, one module per lab."""
