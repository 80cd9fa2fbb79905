"""`python -m ldpub` runs the command line."""

from .cli import main

main()
