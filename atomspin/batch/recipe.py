"""Reading recipe files (TOML, parsed with :mod:`tomllib`)."""
from __future__ import annotations

from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from atomspin.batch.schema import RecipeError, validate_recipe

__all__ = ["load_recipe", "parse_recipe"]


def parse_recipe(text: str, source: str = "recipe") -> dict:
    """Parse TOML text; a syntax error becomes a one-line :class:`RecipeError`."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RecipeError(source, f"invalid TOML ({str(err).splitlines()[0]})") from None


def load_recipe(path) -> dict:
    """Read and validate a recipe file; return the parsed (raw) recipe dict.

    Raises
    ------
    RecipeError
        Missing/unreadable file, invalid TOML, or a recipe that fails validation.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as err:
        raise RecipeError(str(path), f"cannot read recipe ({err.strerror or type(err).__name__})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise RecipeError(str(path), "is not UTF-8 text") from None
    recipe = parse_recipe(text, str(path))
    validate_recipe(recipe)
    return recipe
