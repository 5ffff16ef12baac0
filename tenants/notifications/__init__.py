"""Outgoing notifications: channels (signed webhooks, chat robots, email), deliveries with retries, the delivery log."""
