"""Benchmark output: the markdown table, the charts, and the comparison with an earlier run."""

from __future__ import annotations

from pathlib import Path

# Figures compared by --compare, as (path in the result, higher is better).
REGRESSION_TOLERANCE = 1.25  # 25 % worse than before is flagged


def _fmt(value, digits=1) -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}"


def render_markdown(result: dict) -> str:
    m = result["machine"]
    lines = [f"# Benchmarks: {m['host']}, {result['date']}", "",
             f"{m['cpu']}, {m['cores']} cores, {m['architecture']}, {m['os']}, Python {m['python']}. "
             f"Backends: {', '.join(f'{k} {v}' for k, v in result.get('backends', {}).items()) or 'none'}.", ""]
    lines += ["## Model latency (one image, microseconds)", "",
              "| variant | backend | threads | XNNPACK | init | first | invoke p50 | p90 | p99 | avg | std "
              "| set+invoke+get p50 |",
              "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in result.get("latency", []):
        inf, io = row["inference"], row["inference_with_io"]
        xnn = {True: "on", False: "off", None: ""}[row["xnnpack"]]
        lines.append(f"| {row['variant']} | {row['backend']} | {row['threads'] or ''} | {xnn} "
                     f"| {_fmt(row['init_us'], 0)} | {_fmt(row['first_inference_us'], 0)} "
                     f"| {_fmt(inf['p50'])} | {_fmt(inf['p90'])} | {_fmt(inf['p99'])} | {_fmt(inf['avg'])} "
                     f"| {_fmt(inf['std'])} | {_fmt(io['p50'])} |")
    sizes, acc, tp = result.get("size_bytes", {}), result.get("accuracy", {}), result.get("throughput", {})
    lines += ["", "## The trade-off: size, accuracy, speed", "",
              "| variant | size | MNIST test accuracy | invoke p50, 1 thread (us) | images/s, 1 per invoke "
              "| images/s, batched |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for variant, size in sizes.items():
        t = tp.get(variant, {})
        a = acc.get(variant)
        name = "keras_call" if variant == "keras" else variant
        row = next((r for r in result.get("latency", []) if r["variant"] == name
                    and r["threads"] in (1, None) and r["xnnpack"] in (True, None)), None)
        p50 = row["inference"]["p50"] if row else None
        lines.append(f"| {variant} | {size / 1024:,.1f} KiB | {'n/a' if a is None else f'{a:.2%}'} "
                     f"| {_fmt(p50)} | {_fmt(t.get('single_images_per_s'), 0)} "
                     f"| {_fmt(t.get('batched_images_per_s'), 0)} |")
    for name, p in result.get("pipeline", {}).items():
        lines += ["", f"## Frame pipeline: {name} ({p['frames']} frames, {p['digits_per_frame']:.1f} digits "
                      "each, one core)", "", "| stage | p50 ms | p95 ms |", "| --- | ---: | ---: |"]
        for stage, s in p["stages_ms"].items():
            lines.append(f"| {stage} | {s['p50']:.3f} | {s['p95']:.3f} |")
        lines.append(f"| read (preprocess+inference+postprocess) | {p['read_ms']['p50']:.3f} "
                     f"| {p['read_ms']['p95']:.3f} |")
        lines.append(f"\n{p['fps_one_core']:.0f} frames/s on one core, decode and draw included.")
        if "per_frame" in p:
            lines += ["", "| photo | megapixels | decode p50 ms | read p50 ms | read / decode |",
                      "| --- | ---: | ---: | ---: | ---: |"]
            for k, f in enumerate(p["per_frame"], start=1):
                lines.append(f"| {k} | {f['megapixels']:.1f} | {f['decode_ms_p50']:.1f} | {f['read_ms_p50']:.1f} "
                             f"| {f['read_ms_p50'] / f['decode_ms_p50']:.2f} |")
    serving = result.get("serving")
    if serving:
        run, idle, watched = serving["run"], serving["serve_idle"], serving["serve_watched"]
        viewer = "one MJPEG viewer" + (" and MQTT to a local Mosquitto" if watched["mqtt"] else " (no Mosquitto here)")
        lines += ["", f"## edge serve against edge run ({serving['frames']} frames of one synthetic video)", "",
                  "| process | frame loop p50 | resident memory |", "| --- | ---: | ---: |",
                  f"| edge run --headless | {run['loop_ms_p50']:.2f} ms | {run['rss_mib']:.0f} MiB |",
                  f"| edge serve, nobody watching | | {idle['rss_mib']:.0f} MiB |",
                  f"| edge serve, {viewer} | {watched['loop_ms_p50']:.2f} ms | {watched['rss_mib']:.0f} MiB |",
                  "", f"The viewer received {watched['viewer_frames']} frames (at most --stream-fps 10)."]
    cold = result.get("cold_start", {})
    if cold:
        lines += ["", "## Cold start and memory", "", "| process | start to first prediction | peak RSS |",
                  "| --- | ---: | ---: |"]
        for name, c in cold.items():
            lines.append(f"| {name} | {c['seconds_to_first_prediction']:.2f} s | {c['peak_rss_mib']:.0f} MiB |")
    if result.get("targets"):
        lines += ["", "## Targets", "", "| target | measured | limit | met |", "| --- | ---: | ---: | --- |"]
        for t in result["targets"]:
            lines.append(f"| {t['target']} | {t['measured']:.4g} | {t['limit']:.4g} | {'yes' if t['met'] else 'NO'} |")
    for note in result.get("skipped", []):
        lines.append(f"\n_skipped: {note}_")
    return "\n".join(lines) + "\n"


def comparable_figures(result: dict) -> dict[str, tuple[float, bool]]:
    """Flat {name: (value, higher_is_better)} of the figures worth comparing across runs."""
    figures = {}
    for row in result.get("latency", []):
        key = f"latency {row['variant']} {row['backend']} t{row['threads']} xnnpack={row['xnnpack']}"
        figures[key + " invoke p50 us"] = (row["inference"]["p50"], False)
        figures[key + " set+invoke+get p50 us"] = (row["inference_with_io"]["p50"], False)
    for variant, t in result.get("throughput", {}).items():
        figures[f"throughput {variant} batched images/s"] = (t["batched_images_per_s"], True)
    for name, p in result.get("pipeline", {}).items():
        figures[f"pipeline {name} read p50 ms"] = (p["read_ms"]["p50"], False)
        figures[f"pipeline {name} total p50 ms"] = (p["stages_ms"]["total"]["p50"], False)
    for name, c in result.get("cold_start", {}).items():
        figures[f"cold start {name} s"] = (c["seconds_to_first_prediction"], False)
        figures[f"peak RSS {name} MiB"] = (c["peak_rss_mib"], False)
    return figures


def check_comparable(result: dict) -> None:
    """Raises ValueError naming the first figure of an earlier result that is not a number: checked
    before the suite measures for minutes, not after."""
    for name, (value, _) in comparable_figures(result).items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name} is {value!r}, not a number")


def compare(current: dict, earlier: dict, tolerance: float = REGRESSION_TOLERANCE) -> tuple[str, list[str]]:
    """Markdown of current / earlier for every shared figure, and the names that regressed."""
    now, before = comparable_figures(current), comparable_figures(earlier)
    lines = [f"## Compared with {earlier['machine']['host']}, {earlier['date']}", "",
             "| figure | earlier | now | now / earlier | |", "| --- | ---: | ---: | ---: | --- |"]
    regressions = []
    for name in sorted(set(now) & set(before)):
        value, higher_better = now[name]
        old = before[name][0]
        ratio = value / old if old else float("nan")
        worse = ratio < 1 / tolerance if higher_better else ratio > tolerance
        if worse:
            regressions.append(name)
        lines.append(f"| {name} | {old:,.3g} | {value:,.3g} | {ratio:.2f}x | {'REGRESSION' if worse else ''} |")
    return "\n".join(lines) + "\n", regressions


def write_charts(result: dict, stem: Path) -> list[Path]:
    """PNG charts beside the JSON, where matplotlib is installed; returns what was written."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return []
    written = []
    rows = [r for r in result.get("latency", []) if r["threads"] is not None and r["xnnpack"]]
    if rows:
        fig, ax = plt.subplots(figsize=(8, 4.2))
        labels = sorted({(r["variant"], r["backend"]) for r in rows})
        threads = sorted({r["threads"] for r in rows})
        width = 0.8 / len(labels)
        for k, (variant, backend) in enumerate(labels):
            values = [next((r["inference"]["p50"] for r in rows if r["variant"] == variant
                            and r["backend"] == backend and r["threads"] == t), 0) for t in threads]
            ax.bar([i + k * width for i in range(len(threads))], values, width, label=f"{variant} ({backend})")
        ax.set_xticks([i + width * (len(labels) - 1) / 2 for i in range(len(threads))],
                      [f"{t} thread{'s' if t > 1 else ''}" for t in threads])
        ax.set_ylabel("invoke p50, microseconds (lower is better)")
        ax.set_title(f"Model latency, one image, XNNPACK on: {result['machine']['host']}")
        ax.legend()
        ax.grid(axis="y", alpha=0.3)
        written.append(_save(plt, fig, stem.with_name(stem.name + "-latency.png")))
    pipeline = result.get("pipeline", {})
    if pipeline:
        stages = ["decode", "preprocess", "inference", "postprocess", "draw"]
        fig, ax = plt.subplots(figsize=(8, 1.0 + 0.6 * len(pipeline)))
        names = list(pipeline)
        left = [0.0] * len(names)
        colors = ["#9e9e9e", "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"]
        # Shares, not milliseconds: a 12-MP photo and a 640x480 frame differ a hundredfold.
        totals = [sum(pipeline[n]["stages_ms"][st]["p50"] for st in stages) or 1.0 for n in names]
        for stage, color in zip(stages, colors):
            values = [100 * pipeline[n]["stages_ms"][stage]["p50"] / t for n, t in zip(names, totals)]
            ax.barh(names, values, left=left, color=color, label=stage)
            left = [a + b for a, b in zip(left, values)]
        for k, total in enumerate(totals):
            ax.text(101, k, f"{total:.1f} ms", va="center", fontsize=8)
        ax.set_xlim(0, 118)
        ax.set_xlabel("share of a frame's time, p50 of each stage, one core (%)")
        ax.set_title("Where a frame's time goes")
        ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
        written.append(_save(plt, fig, stem.with_name(stem.name + "-pipeline.png")))
    return written


def _save(plt, fig, path: Path) -> Path:
    from edge.files import atomic_output
    with atomic_output(path) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
