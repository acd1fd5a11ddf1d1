"""Stand-in for a report kernel forked by ``medialens.forkserver`` (standard library only).

    python -I -S _forkclient.py SOCKET PYTHON -m ipykernel_launcher -f CONNECTION_FILE

jupyter_client launches this instead of the kernel command. It asks the fork server on SOCKET for
a kernel with this process's argv, working folder, environment and standard streams, passes the
signals it gets on to the kernel, and exits with the kernel's exit code. If no kernel can be had
from the server, it becomes the kernel command itself (``exec``), as if launched directly.
"""

import json
import os
import signal
import socket
import sys

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def _fallback(cmd):
    os.execvp(cmd[0], cmd)


def main(argv):
    sock_path, cmd = argv[1], argv[2:]
    request = {"argv": [cmd[0], *cmd[3:]], "cwd": os.getcwd(), "env": dict(os.environ)}
    request["argv"][0] = "-m ipykernel_launcher"
    try:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.connect(sock_path)
        socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
        reader = conn.makefile("rb")
        pid = json.loads(reader.readline())["pid"]
    except (OSError, ValueError, KeyError, TypeError):
        _fallback(cmd)
        return 1

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except OSError:
            pass

    for signum in FORWARDED:
        signal.signal(signum, forward)
    while True:
        try:
            line = reader.readline()
        except InterruptedError:
            continue
        if not line:  # the server went away: so did the kernel
            return 1
        message = json.loads(line)
        if "exit" in message:
            code = message["exit"]
            return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
