"""Nothing outside the sources folder is indexed or quoted, and uploads never replace a document silently."""

from __future__ import annotations

import os
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
