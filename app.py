"""`python app.py`: the web app, exactly as `kbqa serve` (KBQA_* settings apply; default 127.0.0.1:7860)."""
import sys

from kbqa.frontends.cli import entry

if __name__ == "__main__":
    sys.exit(entry(["serve", *sys.argv[1:]]))
