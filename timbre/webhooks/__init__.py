"""Webhooks: endpoints that receive a team's events, signed with Standard Webhooks, delivered by jobs."""
