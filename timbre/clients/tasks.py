"""Client jobs."""

from __future__ import annotations

from timbre.config import get_settings
from timbre.kit.storage import get_storage
from timbre.worker.queue import huey


@huey.task(retries=3, retry_delay=60)
def delete_stored_files(keys: list[str]) -> int:
    """Remove stored files whose rows were deleted (support documents of a deleted client)."""
    storage = get_storage(get_settings())
    for key in keys:
        storage.delete(key)
    return len(keys)
