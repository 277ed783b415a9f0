"""Domain errors. Backends translate their own exceptions into these; the API maps each once."""


class NewsdeskError(Exception):
    """Base class for every error newsdesk raises on purpose."""


class InvalidArticleError(NewsdeskError):
    """An input record cannot become an article (no body, wrong types, bad encoding...)."""


class InvalidQueryError(NewsdeskError):
    """A search request is malformed in a way validation could not catch earlier."""


class UnknownPageError(NewsdeskError):
    """A page token this service did not issue for this query and these options."""


class StoreUnavailableError(NewsdeskError):
    """The backing store cannot be reached or does not answer in time."""


class StoreCorruptedError(NewsdeskError):
    """The store's files are inconsistent and could not be repaired automatically."""


class ModelLoadError(NewsdeskError):
    """The embedding model could not be loaded (missing path, unknown name while offline)."""


class EmbeddingModelMismatchError(NewsdeskError):
    """The store holds vectors from another embedding model or backend than the configured one."""
