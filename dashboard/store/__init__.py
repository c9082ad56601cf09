"""Figures computed once per data version, read many times.

Whatever the pages show is computed from the data of one moment, named by its data
version (:func:`repository.data_versions`: an import or an undo changes it, for all the
data and for each agreement it touched). What is computed is kept under the version:

* in each process, the most recently used (a bounded LRU), and
* shared by every worker: in Redis when ``REDIS_URL`` is set (several app servers behind a
  load balancer share it), else in a disk cache on this machine (``CACHE_DIR``).

A version that has changed is never read again (the key holds it); old entries simply age
out. Values are kept as JSON (plain data: figures as dicts, Dash components as their JSON),
never as pickles, so a shared cache can never make a worker run code.
"""

from dashboard.store.cache import FigureCache, cache_for
from dashboard.store.versions import versions

__all__ = ["FigureCache", "cache_for", "settings_cache", "versions"]


def settings_cache(settings) -> FigureCache:
    """The cache of the app's (or a command's) settings."""
    return cache_for(settings.database_url, settings.redis_url, settings.cache_dir,
                     settings.cache_items, settings.cache_ttl)
