"""The cheat sheet: the committed files are what the command writes, its
worked numbers are the deck's, and its numbers come from the engine."""
from __future__ import annotations

from pathlib import Path

from dynamo_lab.cli import main
from dynamo_lab.dynamodb.partitions import partitioning
from dynamo_lab.kit import cheatsheet

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_committed_files_are_current():
    assert cheatsheet.stale(DOCS) == [], "run `dynamo-lab cheatsheet` and commit docs/"


def test_worked_numbers_are_the_decks():
    w = cheatsheet.worked_numbers()
    assert (w["rcu_1_2kb"], w["rcu_4_5kb"]) == (1000, 2000)
    assert (w["throughput_ratio"], w["for_throughput"], w["size_ratio"], w["for_size"]) \
        == (2.17, 3, 0.8, 1)
    assert (w["partitions"], w["per_partition_rcu"], w["per_partition_wcu"],
            w["per_partition_gb"]) == (3, 1666.67, 166.67, 2.66)
    md = cheatsheet.markdown()
    for text in ("**1,000 RCU**", "**2,000 RCU**", "**3 partitions**",
                 "**1,666.67 RCU, 166.67 WCU, 2.66 GB**", "2015-era model"):
        assert text in md
    assert "<b>1,666.67 RCU, 166.67 WCU, 2.66 GB</b>" in cheatsheet.page()


def test_numbers_follow_the_engine(monkeypatch, tmp_path):
    # Were the ceiling retyped on the sheet, this change would not show.
    cheatsheet.write(tmp_path)
    monkeypatch.setattr(partitioning, "PARTITION_MAX_RCU", 6000)
    md = cheatsheet.markdown()
    assert "RCU/6,000 + WCU/1,000" in md and "RCU/3,000" not in md
    assert cheatsheet.worked_numbers()["throughput_ratio"] == 1.33
    assert cheatsheet.stale(tmp_path) == ["cheatsheet.md", "cheatsheet.html"]


def test_command_writes_and_checks(tmp_path, capsys):
    assert main(["cheatsheet", "--out", str(tmp_path), "--check"]) == 1
    assert "out of date" in capsys.readouterr().err
    assert main(["cheatsheet", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "cheatsheet.md").read_text() == (DOCS / "cheatsheet.md").read_text()
    assert main(["cheatsheet", "--out", str(tmp_path), "--check"]) == 0


def test_page_is_printable_html_without_scripts():
    page = cheatsheet.page()
    assert page.startswith("<!DOCTYPE html>") and "@page" in page
    assert "<script" not in page and "http" not in page
    assert page.count("<section>") == len(cheatsheet.markdown().split("\n## ")) - 1
