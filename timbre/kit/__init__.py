"""Domain-free building blocks: database, ids, time, pagination, crypto, jobs, storage."""
