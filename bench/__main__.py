"""`python -m bench`: see bench/__init__.py."""

from bench.measure import main

raise SystemExit(main())
