"""Errors a user can cause. Each message says what was wrong and what to do."""


class UserError(Exception):
    """Bad input or usage. The CLI prints it as `error: ...` and exits 2."""


class InputImageError(UserError):
    """An image or mask file that cannot be used."""


class ParamsError(UserError):
    """A generation parameter out of range or of the wrong kind."""


class ModelError(UserError):
    """A model that cannot be found or loaded."""


class BatchSpecError(UserError):
    """A batch spec file that cannot be used."""


class Cancelled(Exception):
    """The user cancelled a running job. Nothing was produced."""
