#!/usr/bin/env python3
"""Extract the TCG/PTS PA-TNC messages of a strongSwan PB-TNC batch dump.

Reads the hex dumps of run1-pb_tnc_batches.txt (strongSwan 6.0.6 interop
capture) and prints one line per TCG/PTS PB-PA message:

    <batch number> <imv|imc> <PA-TNC message in hex>

Usage: extract_strongswan_pts.py run1-pb_tnc_batches.txt > strongswan-run1-pts.txt
"""
import re
import sys


def batches(text):
    current, data = None, bytearray()
    for line in text.splitlines():
        head = re.match(r"^#(\d+) \S+ (client->server|server->client)", line)
        if head:
            if current:
                yield current[0], current[1], bytes(data)
            current, data = (int(head.group(1)), head.group(2)), bytearray()
            continue
        dump = re.match(r"^    [0-9a-f]{4}: ((?:[0-9a-f]{2} ?)+)$", line)
        if dump and current:
            data += bytes.fromhex(dump.group(1).replace(" ", ""))
    if current:
        yield current[0], current[1], bytes(data)


def pts_messages(batch):
    pos = 8  # PB-TNC batch header
    while pos + 12 <= len(batch):
        vendor = int.from_bytes(batch[pos + 1:pos + 4], "big")
        mtype = int.from_bytes(batch[pos + 4:pos + 8], "big")
        length = int.from_bytes(batch[pos + 8:pos + 12], "big")
        value = batch[pos + 12:pos + length]
        if vendor == 0 and mtype == 1:  # PB-PA
            pa_vendor = int.from_bytes(value[1:4], "big")
            pa_subtype = int.from_bytes(value[4:8], "big")
            if pa_vendor == 0x005597 and pa_subtype == 1:
                yield value[12:]
        pos += length


def main():
    text = open(sys.argv[1]).read()
    for number, direction, data in batches(text):
        side = "imc" if direction == "client->server" else "imv"
        for msg in pts_messages(data):
            print(number, side, msg.hex())


if __name__ == "__main__":
    main()
