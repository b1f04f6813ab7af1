"""What "legible" means, in one place: for the mandatory statements (size and contrast) and brand colours."""

from __future__ import annotations

MIN_CONTRAST = 4.5  # WCAG 2 AA for body text
MIN_SIZE_PT = 7.0


def contrast_on_white(rgb: tuple[float, float, float]) -> float:
    """Contrast ratio (1 to 21) of a colour, channels 0..1, against white."""

    def linear(c: float) -> float:
        c = min(max(c, 0.0), 1.0)
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def hex_rgb(colour: str) -> tuple[float, float, float]:
    """"#1f4e79" -> channels 0..1."""
    return tuple(int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]
