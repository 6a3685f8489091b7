"""Reference client of the platform's finance link (see docs/finance-integration.md)."""

from finance_client.client import FinanceClient, HoldBook

__all__ = ["FinanceClient", "HoldBook"]
