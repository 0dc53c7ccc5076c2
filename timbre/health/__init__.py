"""Liveness, readiness and metrics: what load balancers and Prometheus poll."""
