"""Cache policy of the pure compute tasks: INPUTS + TASK_SOURCE + the version of the code they
call. TASK_SOURCE alone hashes only the task function's source, so a fix in measures/ would
otherwise be served stale results from cache."""

from __future__ import annotations

from functools import lru_cache

from prefect.cache_policies import INPUTS, TASK_SOURCE, CacheKeyFnPolicy


@lru_cache(maxsize=1)
def _code_version() -> str:
    from warehouse.store import code_version

    return code_version()


def _code_key(task_ctx, inputs, *args, **kwargs) -> str:  # noqa: ARG001 - Prefect's signature
    return _code_version()


CODE_VERSION = CacheKeyFnPolicy(cache_key_fn=_code_key)
COMPUTE_CACHE = INPUTS + TASK_SOURCE + CODE_VERSION
