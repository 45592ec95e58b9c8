"""gainshare: gain share agreements between NHS commissioners and GP federations."""

__version__ = "0.1.0"
