"""Printed rules, squared grids and margin lines: found and taken out of the ink before digits are."""

from __future__ import annotations

import cv2
import numpy as np

# A rule runs across the page: horizontal ink runs at least this fraction of the
# width, vertical ones (grid, margin) this fraction of the height. No pen stroke
# of a digit is that long, bar a "1" that fills a close-up; so vertical lines
# count only on ruled paper (they come with horizontal rules) or in a grid.
MIN_RULE_WIDTH = 1 / 4
MIN_RULE_HEIGHT = 1 / 2
MIN_RULES = 2  # one long line alone is an underline or a stroke; ruled paper has several
# Rules are thin: ink this thick or thicker across its run is a stroke, not a rule.
MAX_RULE_THICKNESS_PX = 4


def find_rules(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(H, W) 0/255 ink -> (horizontal, vertical) 0/255 masks of the long thin straight lines in it."""
    h, w = mask.shape
    min_w, min_h = max(8, int(w * MIN_RULE_WIDTH)), max(8, int(h * MIN_RULE_HEIGHT))
    # A rule needs a row (or column) holding that much ink at least: one cheap pass
    # spares the long openings on the many frames without rules.
    rows = cv2.reduce(mask, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
    cols = cv2.reduce(mask, 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
    horizontal = vertical = np.zeros_like(mask)
    if rows.max(initial=0) >= 255 * min_w:
        horizontal = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (min_w, 1)))
    if cols.max(initial=0) >= 255 * min_h:
        vertical = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, min_h)))
    return _thin_only(horizontal, axis=0), _thin_only(vertical, axis=1)


def _thin_only(lines: np.ndarray, axis: int) -> np.ndarray:
    """Drops runs too thick to be a printed rule (a bar of shadow, the desk's edge)."""
    if not cv2.countNonZero(lines):
        return lines
    size = MAX_RULE_THICKNESS_PX + 1
    kernel = np.ones((size, 1) if axis == 0 else (1, size), np.uint8)
    thick = cv2.morphologyEx(lines, cv2.MORPH_OPEN, kernel)
    return cv2.subtract(lines, thick)


def _count_lines(lines: np.ndarray) -> int:
    if not cv2.countNonZero(lines):
        return 0
    return cv2.connectedComponents(lines, connectivity=8)[0] - 1


def find_rules_fast(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """find_rules at half resolution, mapped back onto the mask's own rule pixels.

    Rules are long, so they survive halving (any ink in a 2x2 block counts);
    the openings then cost a quarter. Full-resolution pixels are rule pixels where
    the half-resolution rule covers them and the mask has ink.
    """
    h, w = mask.shape
    if h < 64 or w < 64:
        return find_rules(mask)
    half = cv2.resize(mask, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    _, half = cv2.threshold(half, 0, 255, cv2.THRESH_BINARY)
    found = []
    for lines in find_rules(half):
        if not cv2.countNonZero(lines):
            found.append(np.zeros_like(mask))
            continue
        big = cv2.resize(lines, (w // 2 * 2, h // 2 * 2), interpolation=cv2.INTER_NEAREST)
        big = cv2.copyMakeBorder(big, 0, h - big.shape[0], 0, w - big.shape[1], cv2.BORDER_REPLICATE)
        found.append(cv2.bitwise_and(big, mask))
    return found[0], found[1]


def remove_rules(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Takes rules out of an ink mask, keeping the strokes of digits that cross or sit on them.

    Returns:
      (H, W) 0/255 ink without rules, and the (H, W) 0/255 rules that were removed.
    Where a digit's stroke crosses a horizontal rule there is ink just above
    and just below the rule; a closing across the rule's thickness bridges
    exactly those gaps (and likewise sideways for vertical rules).
    """
    horizontal, vertical = find_rules_fast(mask)
    rows, columns = _count_lines(horizontal), _count_lines(vertical)
    if rows < MIN_RULES:
        horizontal = np.zeros_like(mask)
    if not (rows >= MIN_RULES or columns >= MIN_RULES):
        vertical = np.zeros_like(mask)
    if not cv2.countNonZero(horizontal) and not cv2.countNonZero(vertical):
        return mask, np.zeros_like(mask)
    rules = cv2.bitwise_or(horizontal, vertical)
    without = cv2.subtract(mask, rules)
    reach = 2 * MAX_RULE_THICKNESS_PX + 1
    across_h = cv2.morphologyEx(without, cv2.MORPH_CLOSE, np.ones((reach, 1), np.uint8))
    across_v = cv2.morphologyEx(without, cv2.MORPH_CLOSE, np.ones((1, reach), np.uint8))
    bridges = cv2.bitwise_or(cv2.bitwise_and(across_h, horizontal), cv2.bitwise_and(across_v, vertical))
    return cv2.bitwise_or(without, bridges), cv2.subtract(rules, bridges)
