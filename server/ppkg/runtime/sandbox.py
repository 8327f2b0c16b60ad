"""No network for the processes that evaluate anonymous queries.

Refusing SERVICE and LOAD in the parsed query (ppkg.sparql.checks) is the first guard; this is
the second, so that a gap in a parser can never become a request to an internal address: once
`forbid_network()` has run, the process cannot create a network socket at all. A seccomp filter
(through libseccomp) makes socket(2) fail with EACCES for every address family but AF_UNIX, and
io_uring_setup(2) fail with ENOSYS (io_uring can open sockets without the socket system call).
Sockets the process already holds — the server's listening socket, accepted connections — keep
working, and so do pipes and Unix sockets. Children forked afterwards inherit the filter.

It applies to the embedded store only: a remote store is reached over the network, and so are
SERVICE endpoints on the operator's allowlist.
"""

from __future__ import annotations

import errno
import logging
import socket

log = logging.getLogger("ppkg.sandbox")


class SandboxUnavailable(RuntimeError):
    """The kernel or the system refused the filter (no seccomp, no libseccomp)."""


def forbid_network() -> None:
    """Make this process unable to open network sockets, from now on (see the module doc)."""
    try:
        import pyseccomp as seccomp

        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        rules.add_rule(seccomp.ERRNO(errno.EACCES), "socket",
                       seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "io_uring_setup")
        rules.load()
    except (ImportError, OSError, RuntimeError, ValueError) as err:
        raise SandboxUnavailable(f"cannot forbid network sockets here: {err}") from None


def network_forbidden() -> bool:
    """Whether this process can no longer open a network socket (for /health and tests)."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return True
    return False
