"""`python app.py`: the web app, exactly as `kbqa serve` (KBQA_* settings apply; default 127.0.0.1:7860)."""
import sys

from kbqa.frontends.cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
