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
STALE_INDEX = ("The index at {location} was built with other settings ({built}; now {expected}): "
               "run `assistant ingest` to rebuild it for these settings.")
QUESTION_TOO_LONG = "The question is {length:,} characters long; the limit is {limit:,}. Please shorten it."
LLM_UNAVAILABLE = "The language model is not available ({reason}), so this answer quotes the sources directly."
UNVERIFIED_FLAG = "(not verified against the sources)"
CHECKING = "Checking every sentence against its sources…"
STORE_FAILED = "The Chroma store at {location} cannot be used ({cause}). Check that it is running and reachable."
STORE_SERVER_DOWN = ("Cannot reach the Chroma server at {location} ({cause}). Check that the Chroma store is running "
                     "and reachable.")
STORE_DISK_FULL = ("The disk holding the index at {location} is full: free some space, then run the ingest again "
                   "(what was indexed before is kept).")
QUESTION_NOT_TEXT = "The question must be text; got {kind}."
INVALID_TEXT = ("{what} is not valid text: character {position:,} is not UTF-8 (an undecodable byte or a lone "
                "surrogate). Retype it, or save the text as UTF-8.")
HISTORY_NOT_LIST = "The history must be a list of [question, answer] pairs; got {kind}."
HISTORY_BAD_TURN = "History turn {number} must be a [question, answer] pair of texts; got {got}."
HISTORY_TOO_MANY_TURNS = "The history has {turns:,} turns; the limit is {limit:,}. Send only the latest turns."
HISTORY_TOO_LONG = "The history is over the limit of {limit:,} characters. Send only the latest turns."

# What users of the web app are told (operators get the details, with paths and addresses, in the log and the CLI).
FOR_USERS_NO_INDEX = "Nothing has been indexed yet: add documents in the Documents tab, then ask again."
FOR_USERS_STORE_DOWN = ("The document index is not reachable right now. Try again in a moment; if it goes on, "
                        "tell whoever runs this assistant.")
FOR_USERS_DISK_FULL = ("The server has run out of disk space, so the documents could not be indexed. What was "
                       "indexed before still answers questions; tell whoever runs this assistant.")
FOR_USERS_BUSY = "Another indexing run is still going: try again when it has finished."
FOR_USERS_NO_SOURCES = "The documents folder cannot be read; tell whoever runs this assistant."
