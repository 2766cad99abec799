"""Ingestion: idempotent, incremental, robust to bad files and to being killed half-way."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant import Assistant, Settings
from assistant.chunking import Chunker
from assistant.cli import main
from assistant.documents import load_document
from assistant.embedding import MAX_WORD_PIECES
from assistant.ingest import Ingestor
from assistant.store import ChunkStore

from .conftest import BUNDLED_SOURCES

LONG_PARAGRAPH = " ".join(
    f"Sentence number {i} explains how the harbour authority of Port Vella inspected {i} cargo ships."
    for i in range(60)
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def all_records(bot: Assistant) -> dict[str, tuple[str, dict]]:
    return {i: (t, m) for i, t, m in bot.store.iter_records(include_text=True)}


def test_ingest_twice_embeds_nothing_the_second_time(settings: Settings, sources_dir: Path, make_assistant) -> None:
    shutil.copytree(BUNDLED_SOURCES, sources_dir, dirs_exist_ok=True)
    bot = make_assistant(settings)
    first = bot.ingest()
    assert sorted(first.added) == sorted(p.name for p in BUNDLED_SOURCES.glob("*.txt"))
    assert first.chunks_embedded > 0
    count = bot.store.count()
    second = make_assistant(settings).ingest()
    assert second.chunks_embedded == 0
    assert sorted(second.unchanged) == sorted(first.added)
    assert not (second.added or second.updated or second.removed)
    assert bot.store.count() == count == first.chunks_embedded


def test_edit_replaces_only_that_file_and_delete_removes_its_chunks(settings: Settings, sources_dir: Path,
                                                                    make_assistant) -> None:
    write(sources_dir, "a.txt", "Alpha Corp builds tidal turbines in Norway. It employs 40 engineers.")
    write(sources_dir, "b.md", "# Beta\n\nBeta Ltd makes bicycles in Utrecht. Its founder is Joris Vos.")
    bot = make_assistant(settings)
    bot.ingest()
    before = all_records(bot)
    b_ids = {i for i, (_, m) in before.items() if m["source"] == "b.md"}

    write(sources_dir, "a.txt", "Alpha Corp builds tidal turbines in Scotland. It employs 55 engineers.")
    report = bot.ingest()
    assert report.updated == ("a.txt",) and report.unchanged == ("b.md",)
    after = all_records(bot)
    assert {i for i, (_, m) in after.items() if m["source"] == "b.md"} == b_ids
    a_texts = [t for t, m in after.values() if m["source"] == "a.txt"]
    assert a_texts and all("Scotland" in t for t in a_texts)

    (sources_dir / "a.txt").unlink()
    report = bot.ingest()
    assert report.removed == ("a.txt",)
    assert {m["source"] for _, m in all_records(bot).values()} == {"b.md"}


def test_bad_files_are_skipped_with_reasons_and_good_ones_indexed(settings: Settings, sources_dir: Path,
                                                                   make_assistant) -> None:
    write(sources_dir, "good.txt", "Gamma Inc sells solar panels in Kenya. Its chief executive is Amina Otieno.")
    (sources_dir / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (sources_dir / "empty.md").write_bytes(b"")
    write(sources_dir, "notes.xyz", "some text in an unknown format")
    (sources_dir / "latin1.txt").write_bytes("Caf\xe9 au lait".encode("latin-1"))
    (sources_dir / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\n")
    report = make_assistant(settings).ingest()
    reasons = {s.source: s.reason for s in report.skipped}
    assert set(reasons) == {"binary.txt", "empty.md", "notes.xyz", "latin1.txt", "broken.pdf"}
    assert "binary" in reasons["binary.txt"]
    assert "empty" in reasons["empty.md"]
    assert "unsupported" in reasons["notes.xyz"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "PDF" in reasons["broken.pdf"]
    assert report.added == ("good.txt",)


def test_a_file_that_turns_corrupt_keeps_its_previous_chunks(settings: Settings, sources_dir: Path,
                                                             make_assistant) -> None:
    path = write(sources_dir, "doc.txt", "Delta Shipping runs ferries between Oslo and Kiel every day.")
    bot = make_assistant(settings)
    bot.ingest()
    count = bot.store.count()
    path.write_bytes(b"\x00\x00garbage")
    report = bot.ingest()
    assert [s.source for s in report.skipped] == ["doc.txt"] and not report.removed
    assert bot.store.count() == count


def test_html_and_pdf_are_loaded_as_text(sources_dir: Path, tmp_path: Path) -> None:
    write(sources_dir, "page.html", "<html><head><title>Harbour news</title><style>p{color:red}</style></head>"
          "<body><nav>Home | About</nav><p>The harbour of Port Vella reopened on Monday after repairs.</p>"
          "<script>alert('x')</script><footer>Copyright</footer></body></html>")
    page = load_document(sources_dir / "page.html", sources_dir, 10**6)
    assert page.title == "Harbour news"
    assert "reopened on Monday" in page.text
    assert "alert" not in page.text and "color:red" not in page.text and "Home | About" not in page.text

    pdf = tmp_path / "doc.pdf"
    _write_pdf(pdf, "Epsilon Mining extracts copper in Zambia.")
    doc = load_document(pdf, tmp_path, 10**6)
    assert "Epsilon Mining extracts copper in Zambia." in doc.text


def _write_pdf(path: Path, text: str) -> None:
    """A minimal, valid one-page PDF with one line of text (no PDF writer library needed)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))


def test_chunks_fit_the_model_window_skip_furniture_and_slice_back(corpus_assistant: Assistant) -> None:
    records = all_records(corpus_assistant)
    assert records
    tokenizer_count = corpus_assistant.embedder.count_tokens
    for text, meta in records.values():
        assert corpus_assistant.source_text(meta["source"])[meta["start"]:meta["end"]] == text
        assert tokenizer_count(text) <= MAX_WORD_PIECES
        for furniture in ("Advertisement", "Send us news", "Get more with myNEWS", "More about", "00:59",
                          "Other stories you might like", "This article is more than"):
            assert furniture not in text
        assert text.strip() != "25"
    titles = {m["publication"] for _, m in records.values()}
    assert titles == {"South China Morning Post", "The Register"}


def test_long_documents_split_on_sentence_boundaries(settings: Settings, sources_dir: Path, make_assistant) -> None:
    write(sources_dir, "long.txt", LONG_PARAGRAPH)
    bot = make_assistant(settings)
    bot.ingest()
    texts = [t for t, _ in all_records(bot).values()]
    assert len(texts) > 2
    for text in texts:
        assert text.startswith("Sentence number") and text.endswith("cargo ships.")
        assert bot.embedder.count_tokens(text) <= MAX_WORD_PIECES


def test_hard_wrapped_text_is_kept_and_answered_whole(settings: Settings, sources_dir: Path, make_assistant) -> None:
    write(sources_dir, "wrapped.txt", "Harbour report\n\nThe harbour of Port Vella was dredged\nin March by the "
          "Kestrel Marine company\nafter two ships ran aground.\n")
    bot = make_assistant(settings)
    bot.ingest()
    texts = [t for t, _ in all_records(bot).values()]
    assert texts == ["The harbour of Port Vella was dredged\nin March by the Kestrel Marine company\n"
                     "after two ships ran aground."]
    answer = bot.ask("Who dredged the harbour of Port Vella?")
    assert not answer.refused and "Kestrel Marine" in answer.citations[0].quote
    assert answer.citations[0].quote.startswith("The harbour") and answer.citations[0].quote.endswith("aground.")


# The child says when it is half-way (some chunks stored, more to come) and then waits to be killed there, so the
# kill always lands at the same point of the ingest, never while Chroma is still creating its tables.
KILL_SCRIPT = """
import sys, time
from assistant import Assistant, Settings

bot = Assistant(Settings(sources_dir=sys.argv[1], index_dir=sys.argv[2], embed_batch_size=1))

def progress(done, planned):
    if done > 0:  # some chunks embedded; wait until the writer has stored some, then say so and wait to be killed
        while not bot.store.count():
            time.sleep(0.05)
        print(f"half-way {done}", flush=True)
        time.sleep(600)

bot.ingest(on_progress=progress)
print("finished", flush=True)
"""


def test_killed_ingest_is_repaired_by_the_next_run(tmp_path: Path, sources_dir: Path, make_assistant) -> None:
    for n in range(12):
        write(sources_dir, f"doc{n:02}.txt", LONG_PARAGRAPH.replace("Port Vella", f"Port {n}"))
    index = tmp_path / "killed"
    errors = tmp_path / "child-stderr.txt"
    with errors.open("w") as stderr:
        process = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(sources_dir), str(index)],
                                   env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
                                   stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        assert process.stdout is not None
        signal_line = process.stdout.readline()  # blocks until the child signals, or ends (EOF: "")
        assert signal_line.startswith("half-way"), \
            f"the child did not stop half-way: {signal_line!r}; its stderr: {errors.read_text()[-2000:]}"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    killed = make_assistant(Settings(sources_dir=sources_dir, index_dir=index))
    partial = killed.store.count()

    report = killed.ingest()
    assert report.chunks_embedded > 0
    clean = make_assistant(Settings(sources_dir=sources_dir, index_dir=tmp_path / "clean"))
    clean.ingest()
    assert _fingerprint(killed) == _fingerprint(clean)
    assert killed.ingest().chunks_embedded == 0
    assert 0 < partial < clean.store.count()  # the kill had left a partial index


def _fingerprint(bot: Assistant) -> list[tuple]:
    return sorted((i, t, m["source"], m["start"], m["end"]) for i, (t, m) in all_records(bot).items())


def test_ingest_against_a_chroma_server(chroma_server: tuple[str, int], sources_dir: Path, tmp_path: Path,
                                        make_assistant) -> None:
    host, port = chroma_server
    settings = Settings(sources_dir=sources_dir, index_dir=tmp_path / "unused", chroma_host=host, chroma_port=port,
                        collection="ingest-test")
    write(sources_dir, "a.txt", "Zeta Air flies seaplanes from Victoria. It has six aircraft.")
    write(sources_dir, "b.txt", "Eta Foods bakes rye bread in Tallinn.")
    bot = make_assistant(settings)
    assert bot.ingest().added == ("a.txt", "b.txt")
    assert make_assistant(settings).ingest().chunks_embedded == 0
    write(sources_dir, "a.txt", "Zeta Air flies seaplanes from Nanaimo. It has nine aircraft.")
    (sources_dir / "b.txt").unlink()
    report = bot.ingest()
    assert report.updated == ("a.txt",) and report.removed == ("b.txt",)
    texts = [t for t, _ in all_records(bot).values()]
    assert texts and all("Nanaimo" in t for t in texts)
    assert not (tmp_path / "unused").exists()


def test_cli_ingest_json_and_status(settings: Settings, sources_dir: Path) -> None:
    write(sources_dir, "a.txt", "Theta Rail runs night trains from Vienna to Rome.")
    (sources_dir / "x.xyz").write_text("unknown")
    runner = CliRunner()
    args = ["--sources", str(sources_dir), "--index", str(settings.index_dir)]
    result = runner.invoke(main, ["ingest", *args, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert set(report) == {"added", "updated", "removed", "unchanged", "skipped", "chunks_embedded", "rebuilt"}
    assert report["added"] == ["a.txt"] and report["skipped"][0]["source"] == "x.xyz"
    again = json.loads(runner.invoke(main, ["ingest", *args, "--json"]).output)
    assert again["chunks_embedded"] == 0 and again["unchanged"] == ["a.txt"]
    status = json.loads(runner.invoke(main, ["status", *args, "--json"]).output)
    assert status["documents"] == {"a.txt": 1} and status["embedder"].startswith("all-MiniLM-L6-v2")


def test_missing_sources_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["ingest", "--sources", str(tmp_path / "nope"), "--index", str(tmp_path / "i")])
    assert result.exit_code != 0 and "Sources folder not found" in result.output


@pytest.mark.parametrize("host", ["127.0.0.1"])
def test_server_that_is_down_is_a_clear_error(host: str, tmp_path: Path) -> None:
    from .conftest import free_port

    result = CliRunner().invoke(main, ["status"], env={"ASSISTANT_CHROMA_HOST": host,
                                                       "ASSISTANT_CHROMA_PORT": str(free_port())})
    assert result.exit_code != 0
    assert "Chroma" in result.output and "Traceback" not in result.output


def test_a_document_that_cannot_be_split_is_reported_and_the_others_indexed(settings: Settings, sources_dir: Path,
                                                                             embedder) -> None:
    write(sources_dir, "good.txt", "Kappa Mills weaves wool blankets in Galway. It was founded in 1921.")
    write(sources_dir, "bad.txt", "Lambda Glass blows bottles in Murano. Its furnace trips the tokenizer here.")

    def count_tokens(texts: list[str]) -> list[int]:  # the real tokenizer, failing on one document's text
        if any("trips the tokenizer" in t for t in texts):
            raise ValueError("the tokenizer refused this text")
        return embedder.count_tokens_batch(texts)

    store = ChunkStore(settings)
    chunker = Chunker(count_tokens, settings.chunk_tokens, settings.chunk_overlap)
    report = Ingestor(settings, store, embedder, chunker).run()
    assert report.added == ("good.txt",)
    assert [s.source for s in report.skipped] == ["bad.txt"]
    assert "cannot be split" in report.skipped[0].reason and "tokenizer refused" in report.skipped[0].reason
    assert {m["source"] for _, _, m in store.iter_records(include_text=False)} == {"good.txt"}
    assert report.chunks_embedded == store.count() > 0
