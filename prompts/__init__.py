"""The default prompt and report templates (Jinja2), installed as the package `briefing.prompts`;
`briefing.templates` loads them."""
