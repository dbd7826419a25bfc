"""Why the client stops instead of going on."""


class Unauthorised(Exception):
    """The hub refused the token (missing, wrong or revoked): retrying would not help."""


class TamperedDirective(Exception):
    """A directive failed signature verification again after it was fetched anew: delivery stops there."""
