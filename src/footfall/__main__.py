"""`python -m footfall`: the `footfall` command, where its script is not on the PATH."""

from footfall.cli import main

main()
