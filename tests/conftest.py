"""Settings the whole suite shares.

Hypothesis draws each property test's examples from a seed fixed per test (`derandomize`),
so that every run, CI's included, tries the same cases: a rare counterexample that a random
run happens upon is then looked into (and kept as an `@example` once mended) instead of
turning a landing red at random. ``SVFIX_HYPOTHESIS=explore`` draws fresh examples, for
looking for more.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("fixed", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if os.environ.get("SVFIX_HYPOTHESIS") == "explore" else "fixed")
