"""The bench's step lines: what each preparation step and warehouse load cost."""

import re
import subprocess
import sys

from panorama.bench.parts import Steps

BUSY = "total = 0\nfor n in range(3_000_000):\n    total += n\n"


def test_a_step_counts_the_cpu_of_the_child_processes_it_waited_for():
    # On SQLite a warehouse load's DuckDB part runs in a child process: a step's CPU
    # seconds must include it, else the build's figure shows the parent waiting (~0 s).
    lines: list[str] = []
    with Steps(lines.append)("busy child"):
        subprocess.run([sys.executable, "-c", BUSY], check=True)  # noqa: S603
    (line,) = lines
    match = re.fullmatch(
        r"\[step\] busy child: [\d.]+ s wall, ([\d.]+) s CPU, load average [\d.]+, [\d.]+, [\d.]+",
        line,
    )
    assert match, line
    assert float(match.group(1)) >= 0.1
