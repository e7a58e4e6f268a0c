#!/usr/bin/env python3
"""Reads a TCG PC Client firmware event log or a Linux IMA binary
measurement list and prints the PCR extends that reproduce it, one
"PCR:alg=hex[,alg=hex...]" argument of tpm2_pcrextend per line.

This parser is written for the integration tests only and shares no code
with tncsuite, so the PCR values it produces are an independent reference.

Usage:
  replay.py bios LOG BANKS       BANKS: comma-separated, e.g. sha1,sha256
  replay.py count LOG BANK       number of extends of BANK in LOG
  replay.py locality LOG         the StartupLocality of LOG (0 without one)
  replay.py ima LIST BANKS       PCR 10 extends of an IMA list (SHA-1
                                 template digests; other banks get the
                                 bank's hash of the template data)
  replay.py mutate LOG OUT PCR BANK  flips one bit of the BANK digest of the last
                                 EV_EFI_BOOT_SERVICES_APPLICATION event of PCR
                                 in LOG, writes OUT and prints the event's
                                 number (0 = the first record of the log)
  replay.py ima-ng LIST OUT      writes OUT: the ima-sig records of LIST
                                 re-encoded as ima-ng (the signature field
                                 dropped, SHA-1 template digest recomputed)
  replay.py ima-files LIST       "path<TAB>algo<TAB>hex" of each IMA file
                                 record (boot_aggregate left out)

Formats: the SHA-1 log of TCG PC Client for TPM 1.2 / EFI Protocol 1.22
(TCG_PCR_EVENT) and the crypto-agile log of TCG PC Client Platform Firmware
Profile 2.0 (Spec ID Event03 followed by TCG_PCR_EVENT2).
"""
import hashlib
import struct
import sys

EV_NO_ACTION = 3
ALGS = {0x0004: ("sha1", 20), 0x000B: ("sha256", 32), 0x000C: ("sha384", 48), 0x000D: ("sha512", 64)}


def events(data):
    """Yields (pcr, type, {alg: digest}, event_data) of every record."""
    pcr, etype, digest, size = struct.unpack_from("<II20sI", data, 0)
    first = data[32:32 + size]
    pos = 32 + size
    yield pcr, etype, {"sha1": digest}, first
    if not (etype == EV_NO_ACTION and first.startswith(b"Spec ID Event03\0")):
        while pos < len(data):
            pcr, etype, digest, size = struct.unpack_from("<II20sI", data, pos)
            yield pcr, etype, {"sha1": digest}, data[pos + 32:pos + 32 + size]
            pos += 32 + size
        return
    count, = struct.unpack_from("<I", first, 24)
    sizes = {}
    for i in range(count):
        alg, dsize = struct.unpack_from("<HH", first, 28 + 4 * i)
        sizes[alg] = dsize
    while pos + 12 <= len(data):
        pcr, etype, n = struct.unpack_from("<III", data, pos)
        pos += 12
        digests = {}
        for _ in range(n):
            alg, = struct.unpack_from("<H", data, pos)
            dsize = sizes[alg]
            name = ALGS.get(alg, ("0x%04x" % alg, dsize))[0]
            digests[name] = data[pos + 2:pos + 2 + dsize]
            pos += 2 + dsize
        size, = struct.unpack_from("<I", data, pos)
        yield pcr, etype, digests, data[pos + 4:pos + 4 + size]
        pos += 4 + size


def mutate(path, out, pcr, bank):
    data = bytearray(open(path, "rb").read())
    last = None
    for num, (p, etype, digests, _) in enumerate(events(bytes(data))):
        if p == pcr and etype == 0x80000003 and bank in digests:
            last = num, digests[bank]
    num, digest = last
    pos = data.find(digest)
    data[pos] ^= 0x01
    open(out, "wb").write(data)
    print(num)


def bios(path, banks):
    for pcr, etype, digests, _ in events(open(path, "rb").read()):
        if etype == EV_NO_ACTION:
            continue
        spec = ",".join("%s=%s" % (b, digests[b].hex()) for b in banks if b in digests)
        if spec:
            print("%d:%s" % (pcr, spec))


def count(path, bank):
    n = sum(1 for _, etype, d, _ in events(open(path, "rb").read()) if etype != EV_NO_ACTION and bank in d)
    print(n)


def locality(path):
    for _, etype, _, ev in events(open(path, "rb").read()):
        if etype == EV_NO_ACTION and ev.startswith(b"StartupLocality\0"):
            print(ev[16])
            return
    print(0)


def ima_records(path):
    """Yields (pcr, sha1 template digest, template name, template data)."""
    data = open(path, "rb").read()
    pos = 0
    while pos < len(data):
        pcr, digest, nlen = struct.unpack_from("<I20sI", data, pos)
        name = data[pos + 28:pos + 28 + nlen]
        dlen, = struct.unpack_from("<I", data, pos + 28 + nlen)
        tdata = data[pos + 32 + nlen:pos + 32 + nlen + dlen]
        yield pcr, digest, name, tdata
        pos += 32 + nlen + dlen


def fields(tdata):
    out, pos = [], 0
    while pos < len(tdata):
        n, = struct.unpack_from("<I", tdata, pos)
        out.append(tdata[pos + 4:pos + 4 + n])
        pos += 4 + n
    return out


def ima(path, banks):
    for pcr, digest, _, tdata in ima_records(path):
        parts = []
        for b in banks:
            size = hashlib.new(b).digest_size
            if digest == bytes(20):
                value = b"\xff" * size
            elif b == "sha1":
                value = digest
            else:
                value = hashlib.new(b, tdata).digest()
            parts.append("%s=%s" % (b, value.hex()))
        print("%d:%s" % (pcr, ",".join(parts)))


def ima_ng(path, out):
    buf = bytearray()
    for pcr, digest, name, tdata in ima_records(path):
        if name == b"ima-sig":
            f = fields(tdata)
            name = b"ima-ng"
            tdata = b"".join(struct.pack("<I", len(x)) + x for x in f[:2])
            if digest != bytes(20):
                digest = hashlib.sha1(tdata).digest()
        buf += struct.pack("<I20sI", pcr, digest, len(name)) + name + struct.pack("<I", len(tdata)) + tdata
    open(out, "wb").write(buf)


def ima_files(path):
    for _, _, name, tdata in ima_records(path):
        if name not in (b"ima-ng", b"ima-sig"):
            continue
        f = fields(tdata)
        algo, _, digest = f[0].partition(b":\0")
        fname = f[1].rstrip(b"\0").decode()
        if fname != "boot_aggregate":
            print("%s\t%s\t%s" % (fname, algo.decode(), digest.hex()))


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    if cmd == "bios":
        bios(path, sys.argv[3].split(","))
    elif cmd == "count":
        count(path, sys.argv[3])
    elif cmd == "locality":
        locality(path)
    elif cmd == "ima":
        ima(path, sys.argv[3].split(","))
    elif cmd == "mutate":
        mutate(path, sys.argv[3], int(sys.argv[4]), sys.argv[5])
    elif cmd == "ima-ng":
        ima_ng(path, sys.argv[3])
    elif cmd == "ima-files":
        ima_files(path)
    else:
        sys.exit("unknown command " + cmd)


main()
