"""Run Matrix Network Lab from a checkout: ``python3 main.py [--screenshot PATH] [--device NAME]``."""

from app.entry import main

raise SystemExit(main())
