"""Model backends: `openai_compat` (any OpenAI-compatible server) and `local` (llama-cpp-python)."""

from .base import Backend, ChatRequest, ChatResult, Message, StructuredMode, Usage

__all__ = ["Backend", "ChatRequest", "ChatResult", "Message", "StructuredMode", "Usage"]
