"""The version of symdiff, in one place for the package, the build and the command."""

__version__ = "0.1.0"
