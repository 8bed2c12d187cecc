#!/usr/bin/env python3
"""Echo bot for `hush daemon` (Python 3 standard library only).

Connects to a running daemon's Unix socket, and answers every message a
contact or a group sends with "echo: TEXT" (in the same conversation). It
speaks JSON-RPC 2.0, one JSON text per line: incoming messages arrive as
"message" notifications; answers go out with "send" or "groupSend".

    hush daemon &                      # in the bot's home folder
    python3 echo_bot.py --home ~/.hush # or --socket PATH

--count N stops after N answers (the tests use it).
"""
import argparse
import json
import os
import socket
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description="answer every message with its echo")
    parser.add_argument("--socket", help="the daemon's socket (default HOME/daemon.sock)")
    parser.add_argument("--home", default=os.environ.get("HUSH_HOME", os.path.expanduser("~/.hush")))
    parser.add_argument("--count", type=int, default=0, help="stop after this many answers (0: never)")
    args = parser.parse_args()
    path = args.socket or os.path.join(args.home, "daemon.sock")

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError as e:
        print(f"echo_bot: cannot connect to {path}: {e} (is `hush daemon` running?)", file=sys.stderr)
        return 1
    stream = sock.makefile("rwb")
    next_id = 1
    pending = {}  # request id -> what it answered, for error messages
    answered = 0

    def call(method, params):
        nonlocal next_id
        request = {"jsonrpc": "2.0", "method": method, "params": params, "id": next_id}
        pending[next_id] = params
        next_id += 1
        stream.write((json.dumps(request) + "\n").encode())
        stream.flush()

    print(f"echo_bot: connected to {path}", file=sys.stderr, flush=True)
    for raw in stream:
        try:
            msg = json.loads(raw)
        except ValueError:
            continue
        if "id" in msg:  # the answer to one of our requests
            if "error" in msg:
                err = msg["error"]
                print(f"echo_bot: request {msg['id']} failed: {err.get('message')} {err.get('data', '')}",
                      file=sys.stderr, flush=True)
            else:
                answered += 1
                if args.count and answered >= args.count:
                    return 0
            pending.pop(msg["id"], None)
            continue
        if msg.get("method") != "message":
            continue  # decryption failures, key and group changes: nothing to echo
        m = msg.get("params", {})
        if m.get("sentByMe") or "text" not in m:
            continue  # our own messages (from another device of ours) are not answered
        reply = "echo: " + m["text"]
        if "groupId" in m:
            call("groupSend", {"group": m["groupId"], "message": reply})
        else:
            call("send", {"recipient": m["sender"], "message": reply})
    return 0  # the daemon stopped


if __name__ == "__main__":
    sys.exit(main())
