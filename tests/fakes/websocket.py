"""A minimal RFC 6455 frame codec for the fake Socket Mode server: text frames out, masked frames in."""
from __future__ import annotations

import socket
import struct

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def ws_send(sock: socket.socket, data, opcode: int = 0x1) -> None:
    payload = data.encode("utf-8") if isinstance(data, str) else data
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 127, n)
    sock.sendall(head + payload)


def ws_parse(buf: bytes):
    """((opcode, payload), rest) for one complete frame at the start of buf, or (None, buf)."""
    if len(buf) < 2:
        return None, buf
    b0, b1 = buf[0], buf[1]
    n, i = b1 & 0x7F, 2
    if n == 126:
        if len(buf) < 4:
            return None, buf
        n, i = struct.unpack("!H", buf[2:4])[0], 4
    elif n == 127:
        if len(buf) < 10:
            return None, buf
        n, i = struct.unpack("!Q", buf[2:10])[0], 10
    mask = b""
    if b1 & 0x80:
        if len(buf) < i + 4:
            return None, buf
        mask, i = buf[i:i + 4], i + 4
    if len(buf) < i + n:
        return None, buf
    payload = buf[i:i + n]
    if mask:
        payload = bytes(b ^ mask[j % 4] for j, b in enumerate(payload))
    return (b0 & 0x0F, payload), buf[i + n:]
