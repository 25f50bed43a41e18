"""Default prompt and report templates (Jinja2); shipped as package data of `briefing.prompt_files`."""
