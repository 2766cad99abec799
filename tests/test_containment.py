"""Nothing outside the sources folder is indexed or quoted, and uploads never replace a document silently."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from assistant import Settings

OUTSIDE = "Vexmoor Holdings keeps its vault codes in the cellar of the old lighthouse."
INSIDE = "Larkspur Mills weaves sailcloth in the town of Orrin Bay for fishing fleets."


def test_symlinks_out_of_the_folder_and_loops_are_skipped_with_a_reason(tmp_path: Path, settings: Settings,
                                                                        sources_dir: Path, make_assistant) -> None:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(OUTSIDE)
    (sources_dir / "mill.txt").write_text(INSIDE)
    (sources_dir / "secret.txt").symlink_to(secret)
    (sources_dir / "outside-folder").symlink_to(secret.parent, target_is_directory=True)
    (sources_dir / "loop-a.txt").symlink_to(sources_dir / "loop-b.txt")
    (sources_dir / "loop-b.txt").symlink_to(sources_dir / "loop-a.txt")
    (sources_dir / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (sources_dir / "alias.txt").symlink_to("mill.txt")  # a link that stays inside is fine
    bot = make_assistant(settings)

    report = bot.ingest()

    reasons = {s.source: s.reason for s in report.skipped}
    assert set(reasons) == {"secret.txt", "outside-folder", "loop-a.txt", "loop-b.txt", "dangling.txt"}
    assert "outside the sources folder" in reasons["secret.txt"]
    assert "outside the sources folder" in reasons["outside-folder"]
    assert all("broken or looping" in reasons[n] for n in ("loop-a.txt", "loop-b.txt", "dangling.txt"))
    assert sorted(report.added) == ["alias.txt", "mill.txt"]
    indexed = " ".join(t or "" for _, t, _ in bot.store.iter_records(include_text=True))
    assert "Vexmoor" not in indexed and "Larkspur" in indexed
    answer = bot.ask("Where does Vexmoor Holdings keep its vault codes?")
    assert all("Vexmoor" not in c.quote for c in answer.citations)
    for citation in bot.ask("What does Larkspur Mills weave?").citations:
        assert bot.source_text(citation.source)[citation.start:citation.end] == citation.quote


def test_a_file_swapped_for_an_outside_link_after_indexing_is_dropped(tmp_path: Path, settings: Settings,
                                                                      sources_dir: Path, make_assistant) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(OUTSIDE)
    (sources_dir / "mill.txt").write_text(INSIDE)
    bot = make_assistant(settings)
    bot.ingest()
    os.replace(sources_dir / "mill.txt", tmp_path / "moved.txt")
    (sources_dir / "mill.txt").symlink_to(secret)
    report = bot.ingest()
    assert [s.source for s in report.skipped] == ["mill.txt"] and report.removed == ("mill.txt",)
    assert "Vexmoor" not in " ".join(t or "" for _, t, _ in bot.store.iter_records(include_text=True))


def _incoming(tmp_path: Path, name: str, text: str) -> str:
    """An upload as the web server leaves it: one file in a folder of its own under its upload folder."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path / "incoming"))
    (folder / name).write_text(text, encoding="utf-8")
    return str(folder / name)


def test_uploads_never_replace_a_document_and_keep_unicode_names(tmp_path: Path, settings: Settings,
                                                                  sources_dir: Path, make_assistant) -> None:
    from assistant.ui import ChatUI

    (sources_dir / "mill.txt").write_text(INSIDE)
    bot = make_assistant(settings)
    bot.ingest()
    (tmp_path / "incoming").mkdir()
    ui = ChatUI(bot, upload_dir=tmp_path / "incoming")
    first = _incoming(tmp_path, "日本.txt", "Hokuto Shipping runs a ferry from Kagoshima to Naha every morning.")
    second = _incoming(tmp_path, "中国.txt", "Yangzi Lantern Works makes paper lanterns in the city of Suzhou.")
    same_name = _incoming(tmp_path, "mill.txt", "Quarrel Rope Company twists hemp rope at the Dunmore quay.")
    _, note, _ = ui.add_documents([first, second, same_name])

    assert (sources_dir / "mill.txt").read_text() == INSIDE  # the bundled-like document is untouched
    assert (sources_dir / "mill-2.txt").read_text().startswith("Quarrel Rope")
    assert {p.name for p in sources_dir.iterdir()} == {"mill.txt", "mill-2.txt", "日本.txt", "中国.txt"}
    assert "Saved as mill-2.txt: a different document is already named mill.txt" in note
    assert not list((tmp_path / "incoming").iterdir()), "temporary uploads must be deleted"
    assert sorted(bot.status().documents) == sorted(["mill.txt", "mill-2.txt", "日本.txt", "中国.txt"])
    assert "Suzhou" in bot.ask("Where does Yangzi Lantern Works make its lanterns?").text

    again = _incoming(tmp_path, "日本.txt", "Hokuto Shipping runs a ferry from Kagoshima to Naha every morning.")
    _, note, _ = ui.add_documents([again])
    assert "Already indexed, unchanged: 日本.txt" in note
    assert len(list(sources_dir.iterdir())) == 4
