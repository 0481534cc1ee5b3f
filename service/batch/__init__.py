"""`gazette batch`: many documents through the engine, in process, through a server's jobs API, or on Ray.

Every path writes the same records (`service.jobs.records`) to one durable, resumable .jsonl output and
rebuilds translated files from the records' segments the same way (`output.py`).
"""
