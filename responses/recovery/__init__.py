"""Reputation recovery (危機後續處理): the case's talk after the peak against its pre-crisis baseline."""
