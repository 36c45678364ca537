"""Accounts use Django's own user and group tables; roles are groups defined in roles.py."""
