"""Named errors with messages a user can act on."""


class RagError(Exception):
    """Base class for errors the CLI and app show as one friendly line."""


class SkipFile(RagError):
    """A file that cannot be ingested; the message is the reason shown to the user."""


class IndexMissing(RagError):
    pass


class IndexMismatch(RagError):
    pass


class IndexBusy(RagError):
    pass


class ModelMissing(RagError):
    pass
