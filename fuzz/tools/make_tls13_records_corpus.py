#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/tls13_records.cpp (committed under
fuzz/corpus/tls13_records/):  fuzz/tools/make_tls13_records_corpus.py fuzz/corpus

A seed is a script of steps, one op byte each (op % 10), then its operands:
  0 len content.. pad              application data, `pad` zero bytes of padding
  1 type flags len content.. [outer]  any inner type; padding flags&0x7f; outer type if flags&0x80
  2 level desc pad                 alert
  3 request pad                    KeyUpdate (request % 3: 2 is invalid)
  4 size fill_lo fill_hi byte      2^14-40+size%80 bytes, padding word%300 (the limits)
  5 len content.. at_lo at_hi      application data with one bit flipped
  6 len bytes..                    raw bytes
  7 lo hi fill                     our side writes word%(2^14+600)+1 bytes
  8                                the client ends its stream (no close_notify)
  9                                our side sends close_notify
"""
import os
import sys


def app(content, pad=0):
    return bytes([0, len(content)]) + content + bytes([pad])


def typed(t, content, pad=0, outer=None):
    flags = pad | (0x80 if outer is not None else 0)
    return bytes([1, t, flags, len(content)]) + content + (bytes([outer]) if outer is not None else b"")


def alert(level, desc, pad=0):
    return bytes([2, level, desc, pad])


def key_update(request, pad=0):
    return bytes([3, request, pad])


def limit(size, padding, fill=0x41):
    return bytes([4, size, padding & 0xff, padding >> 8, fill])


def corrupt(content, at):
    return bytes([5, len(content)]) + content + bytes([at & 0xff, at >> 8])


def raw(b):
    return bytes([6, len(b)]) + b


def write(n, fill=0x30):
    n -= 1
    return bytes([7, n & 0xff, n >> 8, fill])


SHUT = bytes([8])
CLOSE = bytes([9])

SEEDS = {
    "ping_pong": app(b"hello") + write(5) + app(b"world", 10) + write(100) + app(b"") + write(1),
    "key_update": key_update(1) + app(b"after update") + write(20) + key_update(0, 3) + app(b"again")
    + key_update(1) + key_update(1) + write(3) + write(4),
    "alerts": alert(1, 90) + app(b"still open") + write(7) + alert(1, 0) + app(b"dropped") + write(9) + CLOSE,
    "fatal_alert": app(b"x") + alert(2, 40) + write(2),
    "limits": limit(40, 0) + limit(41, 0) + limit(39, 255) + write(16384 + 500) + limit(40, 16) + write(10),
    "limit_header": limit(79, 299),
    "corrupt": app(b"good") + corrupt(b"bad record", 7) + app(b"never") + write(4),
    "raw_framing": raw(bytes([23, 3, 3, 0x41, 0x01])) + app(b"x"),
    "raw_short": raw(bytes([23, 3, 3, 0, 16]) + bytes(16)),
    "truncated": app(b"done") + SHUT,
    "truncated_record": raw(bytes([23, 3, 3, 0, 40, 1, 2, 3])) + SHUT,
    "types": typed(0, b"abc\x17") + typed(20, b"\x01") + app(b"y"),
    "handshake_types": typed(22, bytes([4, 0, 0, 1, 0])),
    "outer_type": typed(23, b"z", 0, 22),
    "close_first": CLOSE + app(b"late") + alert(1, 0),
    "mixed": app(b"a" * 200, 50) + write(3000) + key_update(1, 1) + write(16384) + app(b"b" * 255)
    + typed(23, b"c" * 10, 100) + alert(1, 90, 2) + key_update(0) + write(600) + alert(1, 0) + write(2) + SHUT,
}


def main():
    out = os.path.join(sys.argv[1] if len(sys.argv) > 1 else "fuzz/corpus", "tls13_records")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
