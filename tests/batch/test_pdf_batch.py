"""`gazette batch` over a folder with PDFs: a text PDF's English written as NAME.docx, a scan an error record."""

from __future__ import annotations

from pathlib import Path

import docx

from tests.batch.conftest import RunBatch, read_records
from tests.jobs.pdf_samples import body_paragraphs, scanned_page, two_column_report


def test_gazette_batch_writes_name_docx(run_batch: RunBatch, tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "report.pdf").write_bytes(two_column_report(body_paragraphs(3)))
    (docs / "scan.pdf").write_bytes(scanned_page())
    out = tmp_path / "out.jsonl"
    assert run_batch(str(docs), "--out", str(out)) == 0
    records = read_records(out)
    assert "no text layer" in records["scan.pdf"]["error"]
    written = tmp_path / "out.files" / "report.docx"
    english = [p.text for p in docx.Document(str(written)).paragraphs]
    assert len(english) == 4 and " ".join(english) == " ".join(
        s["translation"] for s in records["report.pdf"]["segments"]
    )
