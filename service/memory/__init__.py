"""The translation memory: every segment translation filed under what made it, a person's corrections
that win for their tenant, and TMX in and out."""

from service.memory.memory import MemoryAsk, Recalled, TranslationMemory, person_entry
from service.memory.store import MemoryEntry, MemoryStore

__all__ = ["MemoryAsk", "MemoryEntry", "MemoryStore", "Recalled", "TranslationMemory", "person_entry"]
