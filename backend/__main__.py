import sys

from backend.service.cli import main

sys.exit(main())
