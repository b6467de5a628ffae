"""The PoseLandmarker bundles HipCoach loads, and the sha256 each one must have.

``build_bundles.py`` rebuilds them byte for byte from pinned registry packages, so every variant,
the heavy one built on demand included, has one known digest; ``pose.estimator.model_path``
refuses a bundle that does not match. models/README.md lists the same values for people.
"""

from __future__ import annotations

import os

# The dead-end proxy the product sets for MediaPipe's native usage logging (pose.estimator):
# process-wide by nature, so the developer tools that do download (the model and figure builders)
# give their own downloads an environment without it.
OFFLINE_PROXY = "socks5h://localhost/dev/null/hipcoach-offline"


def download_env() -> dict[str, str]:
    """This process's environment minus the offline proxy, for a child that must download."""
    return {k: v for k, v in os.environ.items() if not (k.lower() == "https_proxy" and v == OFFLINE_PROXY)}


BUNDLE_SHA256 = {
    "lite": "3b7e6ac522851dc7a4f06b09d0220c3bab91391bd01beb98a5038a3226d98fd8",
    "full": "ab8083cc01bf0dfc7f223a92c229d30a2d5ff4a4a9ab521d6c6c1ba9ff3836ef",
    # Not shipped (about 30 MB): `python -m models.build_bundles heavy` gives exactly this file.
    "heavy": "206f321baf24b13c794dd3fba9b90161469ebbd0ce27f2d50232c78732b82fb2",
}
