"""The service's database (`GAZETTE_DB`): SQLite or PostgreSQL, one schema, one data-access layer."""

from service.db.database import Database, database_url
from service.db.errors import SchemaTooNew, StoreWriteFailed
from service.db.store import Store

__all__ = ["Database", "SchemaTooNew", "Store", "StoreWriteFailed", "database_url"]
