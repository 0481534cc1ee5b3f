"""Batch work over the engine: durable jobs (a SQLite store and a runner at bulk priority), the item
records they produce, and the file formats a batch may hold (.txt, .md, .jsonl, .html, .docx, .xlsx, .pptx,
.srt, .vtt, .xliff, .pdf).

This is a library layer over `Gazette`, like the pipelines: the HTTP jobs API, `gazette batch` and its Ray
path use it, and none of them imports another.
"""
