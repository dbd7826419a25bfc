"""Sending webhooks: the HTTP side (``sender``) and the bounded pool that drains the outbox (``dispatcher``)."""
