"""Prometheus text exposition of the reader's counters and per-stage latency histograms."""

from __future__ import annotations

import bisect
import threading

# Seconds: a 28x28 crop on a desktop (0.1 ms) up to a 12-megapixel photo on a Pi (seconds).
LATENCY_BUCKETS_S = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Histogram:
    """Cumulative buckets, sum and count of observed values (seconds)."""

    def __init__(self, buckets: tuple[float, ...] = LATENCY_BUCKETS_S) -> None:
        self.buckets = buckets
        self.counts = [0] * (len(buckets) + 1)  # the last is +Inf
        self.sum = 0.0
        self._lock = threading.Lock()

    def observe(self, value: float) -> None:
        with self._lock:
            self.counts[bisect.bisect_left(self.buckets, value)] += 1
            self.sum += value

    def lines(self, name: str, labels: str) -> list[str]:
        with self._lock:
            counts, total = list(self.counts), self.sum
        out, running = [], 0
        for bound, count in zip((*map(_number, self.buckets), "+Inf"), counts):
            running += count
            out.append(f'{name}_bucket{{{labels},le="{bound}"}} {running}')
        out.append(f"{name}_sum{{{labels}}} {_number(total)}")
        out.append(f"{name}_count{{{labels}}} {running}")
        return out


def _number(value: float) -> str:
    return repr(float(value))


def _label(value: str) -> str:
    """A label value with backslash, quote and newline escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(state, info: dict[str, str], gauges: dict[str, tuple[str, float]]) -> str:
    """The /metrics page.

    Args:
      state: a LiveState.
      info: constant facts (model, backend, source) for digit_edge_info.
      gauges: name -> (help, value) of other components (MQTT connected, stream viewers); a name
        ending in _total is a counter.
    """
    health = state.health()
    lines = [
        "# HELP digit_edge_info The model, runtime and source this reader runs with.",
        "# TYPE digit_edge_info gauge",
        "digit_edge_info{" + ",".join(f'{k}="{_label(v)}"' for k, v in sorted(info.items())) + "} 1",
    ]
    counters = (
        ("digit_edge_frames_total", "Frames read from the source.", state.frames_total),
        ("digit_edge_frame_errors_total", "Frames that could not be read (empty or malformed).",
         state.frame_errors_total),
        ("digit_edge_readings_total", "Changes of the smoothed reading.", state.readings_total),
        ("digit_edge_source_errors_total", "Times the source was lost.", state.source_errors_total),
        ("digit_edge_stream_frames_encoded_total", "Annotated frames encoded as JPEG for stream viewers.",
         state.jpeg_encoded_total),
    )
    for name, text, value in counters:
        lines += [f"# HELP {name} {text}", f"# TYPE {name} counter", f"{name} {value}"]
    own = {"digit_edge_source_up": ("1 while frames flow, else 0.", 1.0 if health.ok else 0.0),
           "digit_edge_fps": ("Frames per second, smoothed.", state.fps)}
    for name, (text, value) in {**own, **gauges}.items():
        kind = "counter" if name.endswith("_total") else "gauge"
        lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}", f"{name} {_number(value)}"]
    name = "digit_edge_stage_seconds"
    lines += [f"# HELP {name} Time per frame in each stage of the reading loop.", f"# TYPE {name} histogram"]
    for stage, histogram in sorted(dict(state.stages).items()):  # a copy: the reading thread adds stages
        lines += histogram.lines(name, f'stage="{_label(stage)}"')
    return "\n".join(lines) + "\n"
