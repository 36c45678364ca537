"""The portfolio: organisations, recommendations, programmes and the funding periods that keep them alive."""
