"""python -m morgue"""

import sys

from morgue.cli import main

sys.exit(main())
