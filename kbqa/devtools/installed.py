"""What setting kbqa up cost: ``python -m kbqa.devtools.installed --since EPOCH`` (run by the Makefile right
after it installs the virtualenv) prints the seconds since EPOCH and the size of the environment, and keeps
them in ``<venv>/kbqa-install.json`` for ``kbqa bench``. Standard library only: it runs before anything is
known to work."""
from __future__ import annotations

import argparse
import json
import os
import sys
import sysconfig
import time
from pathlib import Path

RECORD = "kbqa-install.json"


def tree_mb(path: Path) -> float:
    """Megabytes of the files under ``path`` (apparent sizes; links are not followed)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total / 2**20


def largest(site: Path, n: int = 5) -> list[tuple[str, float]]:
    """The ``n`` biggest top-level entries of site-packages, in MB."""
    sizes = [(p.name, tree_mb(p) if p.is_dir() else p.stat().st_size / 2**20) for p in site.iterdir()]
    return sorted(sizes, key=lambda x: -x[1])[:n]


def measure(since: float | None, venv: Path) -> dict:
    site = Path(sysconfig.get_paths()["purelib"])
    out = {"venv_mb": round(tree_mb(venv), 1), "site_packages_mb": round(tree_mb(site), 1),
           "largest_mb": {k: round(v, 1) for k, v in largest(site)},
           "has_torch": (site / "torch").is_dir(), "measured": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    if since is not None:
        out["install_s"] = round(time.time() - since, 1)
    return out


def read(venv: Path | None = None) -> dict:
    """The figures each step of the set-up kept, by step ("install", "torch", "test"); {} when none."""
    venv = venv or Path(sys.prefix)
    try:
        record = json.loads((venv / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kbqa.devtools.installed", description=__doc__.split("\n\n")[0])
    ap.add_argument("--since", type=float, help="when the set-up started (seconds since the epoch)")
    ap.add_argument("--what", default="install", choices=("install", "torch", "test"),
                    help="the set-up step: install (what `make run` needs), torch or test (the extras)")
    args = ap.parse_args(argv)
    venv = Path(sys.prefix)
    figures = measure(args.since, venv)
    (venv / RECORD).write_text(json.dumps(read(venv) | {args.what: figures}, indent=1), encoding="utf-8")
    took = f" in {figures['install_s']:.0f} s" if "install_s" in figures else ""
    top = ", ".join(f"{k} {v:.0f}" for k, v in figures["largest_mb"].items())
    print(f"kbqa: {args.what} done{took}; {venv.name} is {figures['venv_mb']:.0f} MB "
          f"(largest, MB: {top}; torch {'installed' if figures['has_torch'] else 'not installed'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
