#!/usr/bin/env python3
"""Writes ima-tcb-ima-sig-1.sha256-list.bin: the binary list of
ima-tcb-ima-sig-1.bin as a kernel with per-bank lists would write
binary_runtime_measurements_sha256. Each record keeps its fields, and its
20-byte SHA-1 template digest is replaced by the 32-byte SHA-256 of the
template data. Only the standard library is used (hashlib, struct).
Usage: python3 make-sha256-list.py   (run in this directory)
"""
import hashlib
import struct

src = open("ima-tcb-ima-sig-1.bin", "rb").read()
out = bytearray()
pos = 0
while pos < len(src):
    pcr, = struct.unpack_from("<I", src, pos)
    name_len, = struct.unpack_from("<I", src, pos + 24)
    name = src[pos + 28:pos + 28 + name_len]
    assert name != b"ima", "the legacy template is not handled here"
    data_len, = struct.unpack_from("<I", src, pos + 28 + name_len)
    data_at = pos + 32 + name_len
    data = src[data_at:data_at + data_len]
    out += struct.pack("<I", pcr) + hashlib.sha256(data).digest()
    out += struct.pack("<I", name_len) + name + struct.pack("<I", data_len) + data
    pos = data_at + data_len
open("ima-tcb-ima-sig-1.sha256-list.bin", "wb").write(out)
