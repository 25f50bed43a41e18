"""Source text written to steer an AI model rather than inform a reader: three independent layers.

1. `markup`: chat-template and role markup in what the model reads becomes an inert, readable
   form, so no source sentence can open or close a turn (`neutralise_markup`).
2. `detect`: a sentence that instructs an AI reader or dictates the output is recognised by what
   it does (who it addresses, what mood it is in, what it points at), with the vocabulary of
   `lexicon` and, whatever the verb, by its grammar (`grammar`: an imperative whose object is
   the answer or the form of the text, a modal demand made of a reader of this document);
   reporting about instructions, orders or AI rules is not one (`flag_sentences`).
   Such sentences are called AI-directed, and are withheld from the model unless the user asks
   to show them (`--show-ai-directed`).
3. `output`: the distinctive strings that model-written text takes from AI-directed sentences
   only, or that look like codes or addresses and occur nowhere in the sources (`smuggled`).

Functions over strings; the standard library only, except `grammar`, which loads spaCy's English
parser lazily for the few sentences its cheap test lets through. Nothing here calls a model or
knows the pipeline. English, French, Spanish and German are covered.
"""

from .detect import explain_sentences, flag_sentences, is_ai_directed, reason
from .markup import neutralise_markup
from .output import smuggled

__all__ = ["explain_sentences", "flag_sentences", "is_ai_directed", "neutralise_markup", "reason", "smuggled"]
