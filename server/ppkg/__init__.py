"""ppkg — the Political Prisoners Knowledge Graph."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("ppkg")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"
