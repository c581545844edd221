"""``make bench-markdown``: the Markdown helper on hostile answers at the length cap.

Each input is exactly ``MAX_MARKDOWN_CHARACTERS`` long and built to hit a known worst case of
Markdown parsers (nested brackets made python-markdown quadratic: 10k characters took 9.9 s).
Every input goes through the whole helper (parse, render, sanitise), three times; the best time
is printed beside two baselines measured in the same run: ordinary prose of the same length
through the same helper, and ``html.escape`` of it (the least any renderer must do). The goal is
under 0.5 s of processor time per input (wall time is printed too: on a busy machine it also
counts the wait for a core); rows over it are marked. Figures depend on the machine and its load
(the load average is printed), so this is a benchmark, not a test; the tests check the output.
"""

from __future__ import annotations

import argparse
import html
import os
import time
from collections.abc import Callable

from cohortkit.common.markdown import MAX_MARKDOWN_CHARACTERS, render_markdown

GOAL_SECONDS = 0.5
RUNS = 3


def _fill(unit: str, length: int, *, head: str = "", tail: str = "") -> str:
    body_length = length - len(head) - len(tail)
    return head + (unit * (body_length // len(unit) + 1))[:body_length] + tail


def hostile_inputs(length: int = MAX_MARKDOWN_CHARACTERS) -> dict[str, str]:
    """Name → text of exactly ``length`` characters."""
    half = length // 2
    backtick_runs = "".join("`" * size + "x" for size in range(1, 400))
    return {
        "nested brackets [[[…]]]": "[" * half + "]" * (length - half),
        "unclosed links [a](": _fill("[a](", length),
        "link labels [x][x]…": _fill("[x]", length),
        "nested link text [a [b [c": _fill("[a ", length),
        "emphasis openers *a*a": _fill("*a", length),
        "emphasis mix *_*_": _fill("*_", length),
        "underscores ____": "_" * length,
        "strikethrough ~~a~~a": _fill("~~a", length),
        "nested lists on one line - - -": _fill("- ", length, tail="x"),
        "nested lists, indented": _fill(
            "".join("  " * depth + "- item\n" for depth in range(200)), length
        ),
        "nested quotes > > >": _fill("> ", length, tail="x"),
        "quote markers >>>>": ">" * length,
        "backticks ````": "`" * length,
        "backtick runs of growing length": _fill(backtick_runs, length),
        "html openers <a <a": _fill("<a ", length),
        "angle brackets <<<<": "<" * length,
        "table, many rows": _fill("|x|y|\n", length, head="|a|b|\n|-|-|\n"),
        "table, one wide row": _fill("|a", half) + "\n" + _fill("|-", length - half - 1),
        "reference definitions": _fill("[a]: /b\n[a] ", length),
        "entities &#&#": _fill("&#", length),
        "hard breaks a··⏎": _fill("a  \n", length),
    }


def prose(length: int = MAX_MARKDOWN_CHARACTERS) -> str:
    paragraph = (
        "Adversarial robustness asks whether a *small*, deliberate change to an input can change "
        "a model's output. The reading argues that **robustness** and accuracy trade off, and "
        "[the paper](https://arxiv.org/abs/1706.06083) frames training as a saddle point.\n\n"
    )
    return _fill(paragraph, length)


def best_of(function: Callable[[str], object], text: str) -> tuple[float, float]:
    """The smallest (processor seconds, wall seconds) of a few runs. On a busy machine wall time
    also counts waiting for a core; processor time is what the render itself costs."""
    processor, wall = [], []
    for _ in range(RUNS):
        start_processor, start_wall = time.process_time(), time.perf_counter()
        function(text)
        processor.append(time.process_time() - start_processor)
        wall.append(time.perf_counter() - start_wall)
    return min(processor), min(wall)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=MAX_MARKDOWN_CHARACTERS)
    arguments = parser.parse_args(argv)
    length = arguments.length

    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"Markdown helper on {length:,}-character inputs; best of {RUNS}; load average {load}")
    print(f"{'input':<36} {'cpu s':>7} {'wall s':>7} {'× prose':>8}  output chars")
    escape_cpu, escape_wall = best_of(html.escape, prose(length))
    print(f"{'baseline: html.escape of prose':<36} {escape_cpu:>7.4f} {escape_wall:>7.4f}")
    prose_cpu, prose_wall = best_of(render_markdown, prose(length))
    print(
        f"{'baseline: prose':<36} {prose_cpu:>7.4f} {prose_wall:>7.4f} {1:>8.1f}  "
        f"{len(render_markdown(prose(length))):,}"
    )
    over = []
    for name, text in hostile_inputs(length).items():
        assert len(text) == length, name
        cpu, wall = best_of(render_markdown, text)
        mark = "  over the goal" if cpu >= GOAL_SECONDS else ""
        if mark:
            over.append(name)
        print(
            f"{name:<36} {cpu:>7.4f} {wall:>7.4f} {cpu / max(prose_cpu, 1e-6):>8.1f}  "
            f"{len(render_markdown(text)):,}{mark}"
        )
    verdict = f"{len(over)} over" if over else "all under"
    print(f"Goal: under {GOAL_SECONDS} s of processor time each: {verdict}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
