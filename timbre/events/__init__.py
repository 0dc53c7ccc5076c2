"""Events: the transactional outbox every domain writes to, and the Events API (`GET /v2/events`)."""
