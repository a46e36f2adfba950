"""The one place the convx version lives (pyproject.toml reads it; ``convx.__version__`` re-exports it)."""
__version__ = "0.1.0"
