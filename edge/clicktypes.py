"""Command-line number types shared by every command: NaN and infinity are refused in words."""

from __future__ import annotations

import math

import click


class FiniteFloat(click.FloatRange):
    """A float in an optional range, never NaN or infinite.

    click's FloatRange lets NaN through (every comparison with NaN is false),
    and a NaN confidence or accuracy gate then silently turns a check off.
    """

    name = "finite float"

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if number is not None and not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number

    def _describe_range(self) -> str:
        # click describes an open range as "x<=None" in --help; there is nothing to describe.
        if self.min is None and self.max is None:
            return ""
        return super()._describe_range()


class NonEmptyPath(click.Path):
    """click.Path that refuses an empty value: click turns "" into ".", so `--debug-dir ""`
    (an unset shell variable) would silently mean the current folder."""

    def convert(self, value, param, ctx):
        if isinstance(value, str) and not value.strip():
            self.fail("is empty: give a path ('.' for the current folder)", param, ctx)
        return super().convert(value, param, ctx)
