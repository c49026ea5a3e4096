"""Printed rules, squared grids and margin lines: found and taken out of the ink before digits are."""

from __future__ import annotations

import cv2
import numpy as np

# A rule runs across the page: horizontal ink runs at least this fraction of the
# width, vertical ones (grid, margin) this fraction of the height. No pen stroke
# of a digit is that long.
MIN_RULE_WIDTH = 1 / 6
MIN_RULE_HEIGHT = 1 / 4
# Rules are thin: ink this thick or thicker across its run is a stroke, not a rule.
MAX_RULE_THICKNESS_PX = 4


def find_rules(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(H, W) 0/255 ink -> (horizontal, vertical) 0/255 masks of the long thin straight lines in it."""
    h, w = mask.shape
    horizontal = cv2.morphologyEx(mask, cv2.MORPH_OPEN,
                                  cv2.getStructuringElement(cv2.MORPH_RECT, (max(8, int(w * MIN_RULE_WIDTH)), 1)))
    vertical = cv2.morphologyEx(mask, cv2.MORPH_OPEN,
                                cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(8, int(h * MIN_RULE_HEIGHT)))))
    return _thin_only(horizontal, axis=0), _thin_only(vertical, axis=1)


def _thin_only(lines: np.ndarray, axis: int) -> np.ndarray:
    """Drops runs too thick to be a printed rule (a bar of shadow, the desk's edge)."""
    if not cv2.countNonZero(lines):
        return lines
    size = MAX_RULE_THICKNESS_PX + 1
    kernel = np.ones((size, 1) if axis == 0 else (1, size), np.uint8)
    thick = cv2.morphologyEx(lines, cv2.MORPH_OPEN, kernel)
    return cv2.subtract(lines, thick)


def remove_rules(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Takes rules out of an ink mask, keeping the strokes of digits that cross or sit on them.

    Returns:
      (H, W) 0/255 ink without rules, and the (H, W) 0/255 rules that were removed.
    Where a digit's stroke crosses a horizontal rule there is ink just above
    and just below the rule; a closing across the rule's thickness bridges
    exactly those gaps (and likewise sideways for vertical rules).
    """
    horizontal, vertical = find_rules(mask)
    if not cv2.countNonZero(horizontal) and not cv2.countNonZero(vertical):
        return mask, np.zeros_like(mask)
    rules = cv2.bitwise_or(horizontal, vertical)
    without = cv2.subtract(mask, rules)
    reach = 2 * MAX_RULE_THICKNESS_PX + 1
    across_h = cv2.morphologyEx(without, cv2.MORPH_CLOSE, np.ones((reach, 1), np.uint8))
    across_v = cv2.morphologyEx(without, cv2.MORPH_CLOSE, np.ones((1, reach), np.uint8))
    bridges = cv2.bitwise_or(cv2.bitwise_and(across_h, horizontal), cv2.bitwise_and(across_v, vertical))
    return cv2.bitwise_or(without, bridges), cv2.subtract(rules, bridges)
