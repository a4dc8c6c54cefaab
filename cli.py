"""`python cli.py ...` from a checkout: the same as `qkv ...` (the commands live in qkv/cli.py)."""
from qkv.cli import main

if __name__ == "__main__":
    main()
