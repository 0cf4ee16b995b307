"""Syntax colours of the response body viewer, taken from a Pygments style chosen per theme.

The worker processes tag each highlighted run with a style index
(:data:`guiapp.core.formatting.STYLE_NAMES`: plain, key, string, number, …); the view maps the
index to a colour here. Light mode uses Pygments' ``tango`` style, dark mode ``one-dark``. A
colour the style lacks, or one too faint on the viewer's background (contrast ratio < 3, the
WCAG minimum for large text, here for code) or the same as plain text, falls back to a
hand-picked one.

Example::

    colours = syntax_colours(dark=True)    # ('', '#e06c75', '#98c379', ...) per STYLE_NAMES
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["SYNTAX_STYLES", "contrast_ratio", "syntax_colours"]

#: The Pygments style used for each theme (``True``: dark).
SYNTAX_STYLES = {False: "tango", True: "one-dark"}
#: The viewer's background per theme (the palette's Base, ui/theme.py).
_BACKGROUND = {False: "#ffffff", True: "#262a31"}
# Fallbacks per STYLE_NAMES index; index 0 (plain) is the palette's Text colour.
_FALLBACK = {
    False: (
        "",
        "#7a3e9d",
        "#0b7a0b",
        "#1750eb",
        "#aa5500",
        "#8c8c8c",
        "#555555",
        "#986801",
        "#d00",
    ),
    True: (
        "",
        "#c792ea",
        "#98c379",
        "#61afef",
        "#e5c07b",
        "#7f848e",
        "#abb2bf",
        "#d19a66",
        "#ff6666",
    ),
}
_MIN_CONTRAST = 3.0


def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21).

    >>> round(contrast_ratio("#000000", "#ffffff"), 1)
    21.0
    """
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@lru_cache(maxsize=2)
def syntax_colours(dark: bool) -> tuple[str, ...]:
    """``#rrggbb`` per style index (``""`` for plain: use the palette's text colour)."""
    from pygments.styles import get_style_by_name
    from pygments.token import Token

    style = get_style_by_name(SYNTAX_STYLES[dark])
    tokens = (
        None,
        Token.Name.Tag,
        Token.Literal.String,
        Token.Literal.Number,
        Token.Keyword,
        Token.Comment,
        Token.Punctuation,
        Token.Name.Attribute,
        Token.Error,
    )
    plain = style.style_for_token(Token.Text)["color"]
    colours = []
    for token, fallback in zip(tokens, _FALLBACK[dark], strict=True):
        found = style.style_for_token(token)["color"] if token is not None else None
        # A run that inherits the plain text colour would not stand out: use the fallback.
        colour = f"#{found.lower()}" if found and found != plain else fallback
        if colour and contrast_ratio(colour, _BACKGROUND[dark]) < _MIN_CONTRAST:
            colour = fallback
        colours.append(colour)
    return tuple(colours)
