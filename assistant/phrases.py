"""User-facing fixed phrases in one place, so UI, CLI and evals agree on them."""

CANNOT_ANSWER_PHRASE = "The sources do not say."
REFUSAL_TEXT = (
    f"{CANNOT_ANSWER_PHRASE} I could not find a passage in the indexed documents that "
    "answers this question."
)
RELATED_HEADER = "Closest passages (related, but they do not answer the question):"
DISAGREEMENT_PREFIX = "The sources differ on this:"
EMPTY_QUESTION = "The question is empty: type a question about the documents."
NO_INDEX = "No index found at {location}: run `assistant ingest` first."
QUESTION_TOO_LONG = "The question is {length:,} characters long; the limit is {limit:,}. Please shorten it."
LLM_UNAVAILABLE = "The language model is not available ({reason}), so this answer quotes the sources directly."
UNVERIFIED_FLAG = "(not verified against the sources)"
CHECKING = "Checking every sentence against its sources…"
STORE_FAILED = "The Chroma store at {location} cannot be used ({cause}). Check that it is running and reachable."
