"""Run every benchmark in bench/ one after the other, each printing its own table.

.venv/bin/python bench/run_all.py [NAME ...]     e.g. run_all.py export api
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ORDER = [
    "export",
    "store",
    "api",
    "pipeline",
    "net_wide",
    "accuracy",
    "robustness",
    "synthetic",
    "longrun",
    "restart",
    "starts",
    "fit",
    "delivery",
    "memory",
]


def main(names: list[str]) -> int:
    """Run the named benchmarks (all by default); the exit code is the worst of theirs."""
    worst = 0
    for name in names or ORDER:
        script = HERE / f"bench_{name}.py"
        if not script.exists():
            print(f"no benchmark called {name}; known: {', '.join(ORDER)}", file=sys.stderr)
            return 2
        print(f"\n=== bench_{name} ===", flush=True)
        worst = max(worst, subprocess.call([sys.executable, str(script)]))
    return worst


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
