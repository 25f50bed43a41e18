"""Layer 1: chat-template and role markup in what the model reads becomes an inert, readable form,
so no source sentence can open or close a turn or reach a tokenizer as a special token."""

from __future__ import annotations

import re

LT, GT, BAR = "<\uff1c\ufe64", ">\uff1e\ufe65", "|\uff5c"
# <|im_start|>, <|begin_of_text|>, <|eot_id|>, <|user|>, DeepSeek's fullwidth <｜begin▁of▁sentence｜>.
_SPECIAL_TOKEN = re.compile(rf"[{LT}]\s*[{BAR}]\s*([^{LT}{GT}{BAR}\n]{{0,64}}?)\s*[{BAR}]\s*[{GT}]")
# Mistral's [INST] … [/INST] and its other control words.
_BRACKET_TOKEN = re.compile(r"\[\s*(/?)\s*(INST|SYSTEM_PROMPT|AVAILABLE_TOOLS|TOOL_CALLS|TOOL_RESULTS)\s*\]",
                            re.IGNORECASE)
# Llama 2's <<SYS>> … <</SYS>>.
_SYS_TOKEN = re.compile(rf"[{LT}]\s*[{LT}]\s*(/?)\s*SYS\s*[{GT}]\s*[{GT}]", re.IGNORECASE)
# Gemma's <start_of_turn>/<end_of_turn>, sentencepiece's <s>/</s>, other tokenizer words, and
# role tags such as </system> <user> <assistant role="x">.
_ROLE_TAG = re.compile(
    rf"[{LT}]\s*(/?)\s*(start_of_turn|end_of_turn|s|unk|pad|eos|bos|eot|sep|cls|mask|system|user|assistant|human"
    rf"|developer|bot|model|ai|tool|function|instructions?|prompt|context|im_start|im_end|turn|inst|sys)"
    rf"(?:\s[^{LT}{GT}\n]{{0,80}}?)?\s*/?\s*[{GT}]",
    re.IGNORECASE,
)
# Alpaca/Vicuna headings: "### Instruction:", "## Response".
_ROLE_HEADING = re.compile(
    r"^([ \t>]*)#{1,6}[ \t]*(instructions?|input|response|system|user|assistant|human|answer|output|prompt|context)"
    r"\b[ \t]*:?",
    re.IGNORECASE | re.MULTILINE,
)
# "System:", "Assistant:", "User:", "Human:" opening a line or a sentence (the prompt shows every
# sentence on its own line, so a sentence start is a line start for the model).
_ROLE_PREFIX = re.compile(
    r"(^|[.!?][\"”’')\]]?[ \t]+)([ \t>*_-]*)(system|assistant|user|human|developer)[ \t]*(\*\*)?[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)
# Bing-era markdown role links: "[system](#additional_instructions)".
_ROLE_LINK = re.compile(r"\[(system|assistant|user)\]\(#", re.IGNORECASE)
_RESIDUE = re.compile(rf"[{LT}]\s*[{BAR}]|[{BAR}]\s*[{GT}]")


def neutralise_markup(text: str) -> str:
    """Rewrite chat-template and role markup into an inert, readable form; other text is unchanged.

    `<|im_start|>` becomes `[im_start]`, `[INST]` `(INST)`, `<<SYS>>` `(SYS)`, `<start_of_turn>`
    `(start_of_turn)`, `</system>` `(/system)`, `### Instruction:` `(Instruction)`, and a line or
    sentence opening with `User:` opens with `(User)`. The words stay, so a reader (or the
    model) still sees that the source contained them, but no tokenizer reads a special token
    and no template reads a turn. Applied until nothing changes, so removing one layer of
    markup never assembles another. HTML such as `<b>` is left alone; a transcript whose
    speakers are literally "User:" reads "(User)", which keeps its meaning. Run it on what the
    model is shown, never on the text that hashes and quotes are taken from.
    """
    for _ in range(10):
        before = text
        text = _SPECIAL_TOKEN.sub(lambda m: f"[{m.group(1).strip()}]", text)
        text = _BRACKET_TOKEN.sub(lambda m: f"({m.group(1)}{m.group(2)})", text)
        text = _SYS_TOKEN.sub(lambda m: f"({m.group(1)}SYS)", text)
        text = _ROLE_TAG.sub(lambda m: f"({m.group(1)}{m.group(2)})", text)
        text = _ROLE_HEADING.sub(lambda m: f"{m.group(1)}({m.group(2)})", text)
        text = _ROLE_PREFIX.sub(lambda m: f"{m.group(1)}{m.group(2)}({m.group(3)})", text)
        text = _ROLE_LINK.sub(lambda m: f"({m.group(1)}) (#", text)
        if text == before:
            break
    return _RESIDUE.sub(lambda m: m.group().replace("<", "(").replace(">", ")").replace("\uff1c", "(")
                        .replace("\uff1e", ")"), text)
