"""`briefing --help` stays fast: loading the CLI imports no model, HTTP, extraction or validation library."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("openai", "llama_cpp", "trafilatura", "tiktoken", "pysbd", "pydantic", "jinja2", "charset_normalizer", "lxml",
         "rich", "spacy")


def test_importing_the_cli_and_building_its_commands_loads_no_heavy_library() -> None:
    probe = ("import json, sys, typer\n"
             "from briefing import cli\n"
             "typer.main.get_command(cli.app)\n"  # what --help builds: every command and option
             f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []
