"""The default path for real: the packaged model, in process, on a short input (about a minute)."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing import cli

SHORT = """EU ministers agreed on Monday to extend sanctions on Russia for six months.
Hungary's foreign minister said Budapest would veto any new package that targets energy imports.
The European Commission warned that a veto could delay aid to Ukraine until March.
Analysts expect the dispute to return at the next summit in Brussels.
"""


@pytest.mark.real_model
def test_embedded_model_briefs_a_short_article(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "short.txt"
    article.write_text(SHORT)
    out = tmp_path / "brief.md"
    code = cli.run(["generate", str(article), "-o", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    markdown = out.read_text()
    assert markdown.startswith("# ") and "## Actors" in markdown and "## Evidence" in markdown
    quoted = [line.split("** ", 1)[1] for line in markdown.splitlines() if line.startswith("> **[")]
    assert quoted and all(q.replace("\\", "") in SHORT for q in quoted)
