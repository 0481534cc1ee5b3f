"""What the DeepL adapter keeps of its own, in the service's database (`GAZETTE_DB`): each uploaded
document's key (usage per API key is every family's: service/usage_store.py). The only code that touches
its table; every write is one explicit transaction, committed before it returns.

The key is not stored as given: a document is filed under a digest of its `document_key`, so the
database alone does not give it away.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections.abc import Sequence
from pathlib import Path

from service.db.database import Database
from service.db.store import Store, one, run


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class DeepLStore(Store):
    def __init__(self, where: Database | str | Path) -> None:
        super().__init__(where)

    # -- documents -------------------------------------------------------------------------------

    async def new_document(self, document_id: str, file: str) -> str:
        """A new `document_key` for the document (a job id), committed; only its digest is kept."""
        key = secrets.token_hex(32)
        await asyncio.to_thread(self._add_document, document_id, _digest(key), file)
        return key

    async def document_file(self, document_id: str, document_key: str) -> str | None:
        """The document's file name, when `document_key` is its key; None otherwise (or no such document)."""
        row = await asyncio.to_thread(self._document, document_id)
        if row is None or not hmac.compare_digest(row[0], _digest(document_key)):
            return None
        return row[1]

    def forget(self, document_ids: Sequence[str]) -> None:
        """The keys of documents whose jobs were deleted (retention, or deleted through /v1)."""
        if not document_ids:
            return
        with self._write() as db:
            run(db, "DELETE FROM deepl_documents WHERE document_id = :id", [{"id": i} for i in document_ids])

    def _add_document(self, document_id: str, key_digest: str, file: str) -> None:
        with self._write() as db:
            run(db,
                "INSERT INTO deepl_documents (document_id, key_digest, file, created)"
                " VALUES (:id, :digest, :file, :created)",
                {"id": document_id, "digest": key_digest, "file": file, "created": time.time()})  # fmt: skip

    def _document(self, document_id: str) -> tuple[str, str] | None:
        with self._read() as db:
            row = one(db, "SELECT key_digest, file FROM deepl_documents WHERE document_id = :id",
                      {"id": document_id})  # fmt: skip
        return None if row is None else (str(row["key_digest"]), str(row["file"]))
