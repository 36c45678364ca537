"""Notification fixtures: the role accounts, each with an e-mail address."""

import pytest


@pytest.fixture
def people(accounts):
    """One account per role, each with an e-mail address to send alerts to."""
    for user in accounts.values():
        user.email = f"{user.username}@example.invalid"
        user.save()
    return accounts
