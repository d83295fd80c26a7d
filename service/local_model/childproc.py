"""Child processes that die with their parent, ``kill -9`` of the parent included.

On Linux a process can ask the kernel for a signal when its parent dies
(``PR_SET_PDEATHSIG``); the request survives ``exec``. A tiny ``python -c`` wrapper makes
it and then execs the real command, which is safer than a ``preexec_fn`` in a threaded
parent and works for any program (llama.cpp's server, claimstance's batch workers). The
signal follows the *thread* that forked the child, so fork from a long-lived thread.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

# Run by the child before exec: ask for SIGTERM when the parent dies, unless it already has.
_GUARD = """\
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
except (OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit(0)
os.execvp(sys.argv[2], sys.argv[2:])
"""


def dies_with_parent(argv: Sequence[str]) -> list[str]:
    """``argv`` wrapped so that the child gets SIGTERM when this process dies (Linux)."""
    if not sys.platform.startswith("linux"):
        return list(argv)
    return [sys.executable, "-c", _GUARD, str(os.getpid()), *argv]
