"""`python -m qkv ...`: the same as `qkv ...`."""
from qkv.cli import main

main(prog_name="qkv")
