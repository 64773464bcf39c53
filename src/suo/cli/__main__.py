import sys

from suo.cli import main

sys.exit(main())
