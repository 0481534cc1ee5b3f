"""`gazette batch` in process: every item recorded, bad files recorded, translated files, resume."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest

import service.batch.local
from service.jobs.records import ItemInput
from service.jobs.work import BatchEngine, JobOptions, process
from tests.batch.conftest import RunBatch, read_records, write_jsonl

ZH = ["厦门同安区质量强区大会召开。", "周桂良参加会议并讲话。", "会议要求全区上下高度重视质量工作。"]


def count_process(monkeypatch: pytest.MonkeyPatch, stop_after: int | None = None) -> list[str]:
    """The ids the engine is given, in order; with `stop_after`, Ctrl-C (a real SIGINT, handled as
    `asyncio.run` handles it) when the item after that many starts."""
    seen: list[str] = []

    async def counted(engine: BatchEngine, item: ItemInput, options: JobOptions) -> dict[str, Any]:
        if stop_after is not None and len(seen) == stop_after:
            signal.raise_signal(signal.SIGINT)
        seen.append(item.id)
        return await process(engine, item, options)

    monkeypatch.setattr(service.batch.local, "process", counted)
    return seen


def make_folder(root: Path) -> Path:
    docs = root / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "a.txt").write_text(f"{ZH[0]}\n\n{ZH[1]}\n", encoding="utf-8")
    (docs / "sub" / "b.txt").write_text(f"{ZH[2]}{ZH[0]}\n", encoding="utf-8")
    (docs / "notes.md").write_text(f"# {ZH[1]}\n\n- {ZH[2]}\n\n```\ncode()\n```\n", encoding="utf-8")
    write_jsonl(
        docs / "items.jsonl", [{"id": "j1", "text": ZH[0]}, {"id": 2, "text": ZH[1]}, {"text": ZH[2]}]
    )
    (docs / "bad.jsonl").write_text('{"id": "ok", "text": "同安区。"}\n{"id": "torn"\n', encoding="utf-8")
    report = docx.Document()
    for text in ZH[:2]:
        report.add_paragraph(text)
    report.save(str(docs / "sub" / "report.docx"))
    (docs / "page.html").write_text(f"<html><body><h1>{ZH[0]}</h1><p>{ZH[1]}</p></body></html>", "utf-8")
    (docs / ".hidden.txt").write_text(ZH[0], encoding="utf-8")  # skipped: hidden
    (docs / "picture.png").write_bytes(b"\x89PNG")  # skipped: not a supported suffix
    return docs


def test_a_folder_gives_a_record_per_item_and_translated_files_then_nothing_is_redone(
    run_batch: RunBatch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    docs = make_folder(tmp_path)
    out = tmp_path / "run" / "out.jsonl"
    assert run_batch(str(docs), "--out", str(out)) == 0
    records = read_records(out)
    files = {"a.txt", "sub/b.txt", "notes.md", "sub/report.docx", "page.html"}
    assert set(records) == files | {"j1", "2", "items.jsonl:3", "bad.jsonl"}
    assert "line 2" in records["bad.jsonl"]["error"] and records["bad.jsonl"]["file"] == "bad.jsonl"
    good = [record for name, record in records.items() if name != "bad.jsonl"]
    assert all(record["error"] is None and record["segments"] for record in good)
    assert records["j1"]["file"] == records["2"]["file"] == "items.jsonl"
    assert records["sub/b.txt"]["file"] == "sub/b.txt"
    assert "9 items done (1 failed)" in capsys.readouterr().out

    written = out.parent / "out.files"
    assert {p.relative_to(written).as_posix() for p in written.rglob("*") if p.is_file()} == files
    translated = (written / "a.txt").read_text(encoding="utf-8").split("\n")
    assert translated[1] == "" and translated[0] and translated[2]  # the blank line kept, each line English
    assert translated[0] == records["a.txt"]["segments"][0]["translation"]
    notes = (written / "notes.md").read_text(encoding="utf-8")
    assert notes.startswith("# ") and "\n- " in notes and "```\ncode()\n```" in notes
    english = [p.text for p in docx.Document(str(written / "sub" / "report.docx")).paragraphs]
    assert english == [s["translation"] for s in records["sub/report.docx"]["segments"]]
    assert "<h1>" in (written / "page.html").read_text(encoding="utf-8")

    before = out.read_bytes()
    calls = count_process(monkeypatch)
    assert run_batch(str(docs), "--out", str(out)) == 0
    assert calls == [] and out.read_bytes() == before
    assert "0 items done (0 failed)" in capsys.readouterr().out


def test_resume_processes_only_the_missing_ids_and_drops_a_torn_line(
    run_batch: RunBatch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = write_jsonl(tmp_path / "items.jsonl", [{"id": f"r{n}", "text": ZH[n % 3]} for n in range(5)])
    out = tmp_path / "out.jsonl"
    kept = [json.dumps({"id": f"r{n}", "translation": "KEPT", "error": None}) + "\n" for n in (0, 3)]
    out.write_text("".join(kept) + '{"id": "r1", "transl', encoding="utf-8")  # a crash mid-line
    calls = count_process(monkeypatch)
    assert run_batch(str(items), "--out", str(out)) == 0
    assert sorted(calls) == ["r1", "r2", "r4"]
    assert out.read_text(encoding="utf-8").startswith("".join(kept))
    records = read_records(out)
    assert sorted(records) == [f"r{n}" for n in range(5)]
    assert records["r1"]["segments"] and records["r0"]["translation"] == "KEPT"


@pytest.fixture
def ctrl_c_works() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt, as in a terminal, even where the suite runs with SIGINT ignored
    (a background job, `nohup`): Python and asyncio only handle SIGINT when they find its default handler."""
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, before)


@pytest.mark.usefixtures("ctrl_c_works")
def test_ctrl_c_keeps_what_is_done_and_the_next_run_finishes_the_rest(
    run_batch: RunBatch,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    items = write_jsonl(tmp_path / "items.jsonl", [{"id": f"c{n}", "text": ZH[n % 3]} for n in range(5)])
    out = tmp_path / "out.jsonl"
    started = count_process(monkeypatch, stop_after=2)
    assert run_batch(str(items), "--out", str(out), "--concurrency", "1") == 130
    assert started == ["c0", "c1", "c2"]  # c2 was in flight: cancelled, not written
    assert sorted(read_records(out)) == ["c0", "c1"]
    assert "interrupted" in capsys.readouterr().out

    calls = count_process(monkeypatch)
    assert run_batch(str(items), "--out", str(out)) == 0
    assert sorted(calls) == ["c2", "c3", "c4"]
    assert sorted(read_records(out)) == [f"c{n}" for n in range(5)]


def test_a_file_given_directly_is_named_by_its_name_and_an_unsupported_one_is_an_error(
    run_batch: RunBatch, tmp_path: Path
) -> None:
    (tmp_path / "deep").mkdir()
    text = tmp_path / "deep" / "one.txt"
    text.write_text(ZH[0], encoding="utf-8")
    odd = tmp_path / "scan.tiff"
    odd.write_bytes(b"II*\x00")
    out = tmp_path / "out.jsonl"
    assert run_batch(str(text), str(odd), "--out", str(out), "--task", "both", "--bullets", "2") == 0
    records = read_records(out)
    assert records["one.txt"]["bullets"] is not None and records["one.txt"]["segments"]
    assert "unsupported" in records["scan.tiff"]["error"]
    assert (tmp_path / "out.files" / "one.txt").is_file()


def test_bad_arguments_exit_2(
    run_batch: RunBatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = write_jsonl(tmp_path / "items.jsonl", [{"id": "x", "text": ZH[0]}, {"id": "x", "text": ZH[1]}])
    assert run_batch(str(items), "--out", str(tmp_path / "out.jsonl")) == 2
    assert "two items have the id 'x'" in capsys.readouterr().err
    assert run_batch(str(items), "--out", str(tmp_path / "out.txt")) == 2
    assert run_batch(str(items), "--out", str(tmp_path / "o.jsonl"), "--bullets", "11") == 2
    assert not (tmp_path / "out.jsonl").exists()
