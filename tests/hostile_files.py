"""Files made to harm the server (issue 12), built small in the tests: zip bombs, sheets that lie about their size,
rows and cells too wide, XML with entities, CSV lines without end, JSON nested without end.

Each builder returns the bytes of one file; the lists of hostile files name each with a function that builds it
(so that listing them, as pytest does to collect the tests, builds nothing). `run_limited` reads a file in a child
process whose address space is limited (resource.RLIMIT_AS), so that a reader that would take the memory fails there
instead of on the machine.
"""

from __future__ import annotations

import atexit
import io
import json
import os
import re
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

MEGABYTE = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
                            for i in range(1, 10))
                  + "]>")
EXTERNAL_ENTITY = '<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


# -- XLSX -------------------------------------------------------------------------------------------------------
def workbook(rows=(("programme", "fiscal year", "amount"), ("HELPLINE", 2026, 1000))) -> bytes:
    """A sound XLSX file of one sheet with these rows."""
    book = Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CONTENT_TYPES = zipfile.ZipFile(io.BytesIO(workbook())).read("[Content_Types].xml").decode()


def with_parts(data: bytes, parts: dict[str, bytes | str]) -> bytes:
    """The XLSX file with these parts replaced or added."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename not in parts:
                target.writestr(item, source.read(item))
        for name, content in parts.items():
            target.writestr(name, content.encode() if isinstance(content, str) else content)
    return out.getvalue()


def with_shared_strings(data: bytes, xml: str) -> bytes:
    """The XLSX file with a shared-strings part (and its content type) holding this XML."""
    source = zipfile.ZipFile(io.BytesIO(data))
    types = source.read("[Content_Types].xml").decode()
    if "sharedStrings" not in types:
        types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                          'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                                          "</Types>")
    return with_parts(data, {"[Content_Types].xml": types, STRINGS: xml})


def sheet_xml(rows: str, before: str = "", prologue: str = "", dimension: str = "A1:C2") -> str:
    """A worksheet's XML around these rows (and, before them, a prologue such as a DTD)."""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prologue}<worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
            f"{before}<sheetData>{rows}</sheetData></worksheet>")


HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>programme</t></is></c><c r="B1" t="inlineStr"><is><t>fiscal '
              'year</t></is></c><c r="C1" t="inlineStr"><is><t>amount</t></is></c></row>')


def with_sheet(rows: str, **kwargs) -> bytes:
    """A sound workbook whose sheet holds the header row and these rows."""
    return with_parts(workbook(), {SHEET: sheet_xml(HEADER_ROW + rows, **kwargs)})


def _deflated(chunk: bytes, times: int, head: bytes, tail: bytes) -> tuple[bytes, int, int]:
    """head + chunk × times + tail, deflated (raw), with its CRC-32 and size, without compressing it all.

    After a full flush the compressor starts afresh, so the chunk compresses to the same bytes each time.
    """
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert block == again
    end = compressor.compress(tail) + compressor.flush()
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return start + block * times + end, crc, len(head) + len(chunk) * times + len(tail)


def raw_zip(members: list[tuple[str, bytes, int, int, int, int]]) -> bytes:
    """A zip archive written by hand: (name, stored bytes, method, CRC-32, size unpacked, size declared)."""
    out, directory = io.BytesIO(), []
    for name, stored, method, crc, _size, declared in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0, crc, len(stored), declared,
                              len(encoded), 0) + encoded + stored)
        directory.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0, crc, len(stored),
                                     declared, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    out.write(b"".join(directory))
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(directory), len(directory), out.tell() - start,
                          start, 0))
    return out.getvalue()


def zip_bomb(unpacked: int = 1024 * MEGABYTE, declared: int | None = None, part: str = SHEET) -> bytes:
    """A sound workbook whose sheet (or other part) unpacks to `unpacked` bytes of rows; its zip directory gives
    that size, or `declared` (a directory that lies)."""
    chunk = b"".join(b'<row><c t="inlineStr"><is><t>HELPLINE</t></is></c><c><v>2026</v></c><c><v>1000</v></c></row>'
                     for _ in range(10_000))
    if part == STRINGS:
        chunk = b"<si><t>HELPLINE</t></si>" * 40_000
        head, tail = f'<sst xmlns="{MAIN}">'.encode(), b"</sst>"
    else:
        head = sheet_xml(HEADER_ROW).split("</sheetData>")[0].encode()
        tail = b"</sheetData></worksheet>"
    stored, crc, size = _deflated(chunk, max(1, (unpacked - len(head) - len(tail)) // len(chunk)), head, tail)
    sound = zipfile.ZipFile(io.BytesIO(with_shared_strings(workbook(), f'<sst xmlns="{MAIN}"/>')))
    members = []
    for info in sound.infolist():
        if info.filename == part:
            members.append((part, stored, zipfile.ZIP_DEFLATED, crc, size, declared or size))
        else:
            content = sound.read(info)
            packed = zlib.compressobj(9, zlib.DEFLATED, -15)
            packed = packed.compress(content) + packed.flush()
            members.append((info.filename, packed, zipfile.ZIP_DEFLATED, zlib.crc32(content), len(content),
                            len(content)))
    return raw_zip(members)


def many_parts(count: int = 20_000) -> bytes:
    """A zip archive of a sound workbook and `count` empty parts (its directory alone is large)."""
    sound = zipfile.ZipFile(io.BytesIO(workbook()))
    members = [(info.filename, sound.read(info), zipfile.ZIP_STORED, zlib.crc32(sound.read(info)),
                info.file_size, info.file_size) for info in sound.infolist()]
    members += [(f"x/{number}", b"", zipfile.ZIP_STORED, 0, 0, 0) for number in range(count)]
    return raw_zip(members)


def with_compression(data: bytes, method: int) -> bytes:
    """The XLSX file with its sheet compressed by another method (bzip2, LZMA)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item),
                            compress_type=method if item.filename == SHEET else zipfile.ZIP_DEFLATED)
    return out.getvalue()


def encrypted(data: bytes) -> bytes:
    """The XLSX file with the 'encrypted' flag set on its sheet in the zip directory."""
    at = data.index(SHEET.encode(), data.index(b"PK\x01\x02")) - 46  # the sheet's entry in the directory
    assert data[at:at + 4] == b"PK\x01\x02"
    flags = struct.unpack_from("<H", data, at + 8)[0] | 1
    return data[:at + 8] + struct.pack("<H", flags) + data[at + 10:]


def hostile_xlsx() -> dict[str, tuple[Callable[[], bytes], str]]:
    """Every hostile XLSX file of the suite: name → (its bytes when called, what the refusal says)."""
    wide_values = "".join(f'<row r="{r}">' + '<c><v>1</v></c>' * 16_384 + "</row>" for r in range(2, 5))
    return {
        "zip bomb (1 GB sheet)": (lambda: zip_bomb(), "unpacks to 1,024 MB"),
        "zip bomb whose directory lies": (lambda: zip_bomb(declared=20_000), "damaged"),
        "zip bomb in the shared strings": (lambda: zip_bomb(200 * MEGABYTE, part=STRINGS),
                                           "sharedStrings.xml' unpacks to 200 MB, more than the 25 MB"),
        "bzip2 inside": (lambda: with_compression(workbook(), zipfile.ZIP_BZIP2),
                         "compression method Excel does not use"),
        "encrypted part": (lambda: encrypted(workbook()), "encrypted"),
        "20,000 parts": (lambda: many_parts(), "more than 10,000 parts"),
        "styles of 20 MB": (lambda: with_parts(workbook(), {"xl/styles.xml": f'<styleSheet xmlns="{MAIN}">'
                                                    + "<a/>" * (5 * MEGABYTE) + "</styleSheet>"}),
                            "'xl/styles.xml' unpacks to 20 MB, more than the 16 MB"),
        "content types of 20 MB": (lambda: with_parts(workbook(), {"[Content_Types].xml": CONTENT_TYPES.replace(
            "</Types>", '<Default Extension="x" ContentType="y"/>' * (20 * MEGABYTE // 40) + "</Types>")}),
            "'[Content_Types].xml' unpacks to 20 MB; a workbook's"),
        "dimension lie, 16,384 values a row": (lambda: with_sheet(wide_values, dimension="A1:XFD1048576"),
                                               "Row 2 has a value in column XFD (column 16,384)"),
        "a row of 200,000 cells": (lambda: with_sheet('<row r="2">' + "<c/>" * 200_000 + "</row>"),
                                   "a row of more than 100,000 elements"),
        "elements nested 200,000 deep": (lambda: with_sheet('<row r="2"><c><is>' + "<r>" * 200_000 + "</r>" * 200_000
                                                    + "</is></c></row>"), "a row of more than 100,000 elements"),
        "a cell of 40 MB": (lambda: with_sheet('<row r="2"><c t="inlineStr"><is><t>' + "x" * (40 * MEGABYTE)
                                       + "</t></is></c></row>"), "a text or tag of more than 1 MB"),
        "an attribute of 40 MB": (lambda: with_sheet(f'<row r="2" x="{"x" * (40 * MEGABYTE)}"/>'),
                                  "a text or tag of more than 1 MB"),
        "a comment of 40 MB": (lambda: with_sheet(f"<!--{'x' * (40 * MEGABYTE)}-->"),
                               "a text or tag of more than 1 MB"),
        "row 1,048,576": (lambda: with_sheet('<row r="1048576"><c><v>1</v></c></row>'), "goes on to row 1,048,576"),
        "300,000 rows": (lambda: with_sheet("".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
                                            for r in range(2, 300_002))), "more than 250,000 rows"),
        "billion laughs in the sheet": (lambda: with_parts(workbook(), {
            SHEET: sheet_xml(HEADER_ROW, prologue=BILLION_LAUGHS)}),
                                        "declares XML entities"),
        "billion laughs in the shared strings": (lambda: with_shared_strings(
            workbook(), f'{BILLION_LAUGHS}<sst xmlns="{MAIN}"><si><t>&lol9;</t></si></sst>'), "declares XML entities"),
        "billion laughs in the workbook": (lambda: with_parts(workbook(), {"xl/workbook.xml": re.sub(
            "^(<\\?xml[^>]*>)?", BILLION_LAUGHS.replace("\\", "\\\\"),
            zipfile.ZipFile(io.BytesIO(workbook())).read("xl/workbook.xml").decode(), count=1)}),
            "declares XML entities"),
        "external entity in the sheet": (lambda: with_parts(workbook(), {SHEET: sheet_xml(
            '<row r="1"><c t="inlineStr"><is><t>&secret;</t></is></c></row>', prologue=EXTERNAL_ENTITY)}),
            "declares XML entities"),
        "external entity in the shared strings": (lambda: with_shared_strings(
            workbook(), f'{EXTERNAL_ENTITY}<sst xmlns="{MAIN}"><si><t>&secret;</t></si></sst>'),
            "declares XML entities"),
    }


def large_but_sound_xlsx() -> dict[str, tuple[Callable[[], bytes], str]]:
    """XLSX files that are large or odd but not refused: name → (its bytes when called, what reading them says)."""
    return {
        "styles of 400,000 cell styles": (lambda: with_parts(workbook(), {"xl/styles.xml": (
            f'<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="dd-mm-yyyy"/></numFmts>'
            '<cellXfs>' + '<xf numFmtId="164"/>' * 400_000 + "</cellXfs></styleSheet>")}), "read: 1 rows"),
        "content types of 3 MB": (lambda: with_parts(workbook(), {"[Content_Types].xml": CONTENT_TYPES.replace(
            "</Types>", '<Default Extension="x" ContentType="y"/>' * (3 * MEGABYTE // 40) + "</Types>")}),
            "read: 1 rows"),
        "dimension lie with blank cells to XFD": (lambda: with_sheet(
            "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>HELPLINE</t></is></c><c r="B{r}"><v>2026</v></c>'
                    f'<c r="C{r}"><v>{r}</v></c><c r="XFD{r}" s="0"/></row>' for r in range(2, 2002)),
            dimension="A1:XFD1048576"), "read: 2000 rows"),
        "2,000,000 elements between the rows": (lambda: with_sheet('<row r="2"><c r="A2"><v>1</v></c></row>',
                                                           before="<cols>" + "<col/>" * 2_000_000 + "</cols>"),
                                                "read: 1 rows"),
        "shared strings of 20 MB": (lambda: with_shared_strings(workbook(), f'<sst xmlns="{MAIN}">'
                                                        + "".join(f"<si><t>{n:x}</t></si>" for n in range(1_000_000))
                                                        + "</sst>"), "read: 1 rows"),
    }


# -- CSV --------------------------------------------------------------------------------------------------------
def hostile_csv() -> dict[str, tuple[Callable[[], bytes], str]]:
    """Every hostile CSV file of the suite: name → (its bytes when called, what the refusal says)."""
    header = b"programme;fiscal year;amount\n"
    return {
        "26 MB": (lambda: header + b"HELPLINE;2026;1\n" * (26 * MEGABYTE // 16),
                  "larger than the 25 MB an import reads"),
        "a line of 20 MB": (lambda: header + b"1;" * (10 * MEGABYTE),
                            "Line 2 of this CSV file is longer than 1,000,000"),
        "a row of 400,000 values": (lambda: header + b"1;" * 400_000 + b"\n", "Row 2 has a value in column 400,000"),
        "a cell of 200,000 characters": (lambda: header + b'"' + b"x" * 200_000 + b'";2026;1\n',
                                         "cannot be read at line 2 (field larger than field limit"),
        "300,000 rows": (lambda: header + b"HELPLINE;2026;1\n" * 300_000, "more than 250,000 rows"),
        "20,000,000 empty lines": (lambda: header + b"\n" * 20_000_000 + b"HELPLINE;2026;1\n",
                                   "more than 250,000 rows"),
        "neither UTF-8 nor Windows-1252": (lambda: header + b"HELPLINE;2026;1\x81\n",
                                           "neither UTF-8 nor Windows-1252 text (byte 0x81 on line 2 is neither)"),
    }


# -- JSON (portfolio documents) ---------------------------------------------------------------------------------
def portfolio(**sections) -> dict:
    """A portfolio document with these sections."""
    return {"format": "programme-tracker-portfolio", "format_version": 1, **sections}


def hostile_json() -> dict[str, tuple[Callable[[], bytes], str]]:
    """Every hostile portfolio document of the suite: name → (its bytes when called, what the refusal says)."""
    document = json.dumps(portfolio(organisations=[]))
    return {
        "nested 100,000 deep": (lambda: ("[" * 100_000 + "]" * 100_000).encode(), "nested deeper than"),
        "nested 100,000 deep in a record": (lambda: document.replace("[]", '[{"short_name": "X", "name": '
                                                             + "[" * 100_000 + "]" * 100_000 + "}]").encode(),
                                            "nested deeper than"),
        "3,000,000 empty objects": (lambda: ("[" + "{}," * 3_000_000 + "{}]").encode(), "more than 2,000,000 values"),
        "990,000 keys in one object": (lambda: ("{" + ",".join(f'"k{n}": 0' for n in range(990_000)) + "}").encode(),
                                       "an object has 990,000 keys (at most 1,000)"),
        "1,990,000 short texts": (lambda: ("[" + '"ab",' * 1_990_000 + '"ab"]').encode(),
                                  "document: must be a JSON object"),
        "a number of 100,000 digits": (lambda: document.replace("[]", '[{"short_name": "X", "name": 1' + "0" * 100_000
                                                        + "}]").encode(), "organisations X: name: a number of"),
        "26 MB": (lambda: document.replace("[]", json.dumps([{"short_name": "X",
                                                               "name": "x" * 26 * MEGABYTE}])).encode(),
                  "larger than the 25 MB an import reads"),
        "not UTF-8": (lambda: document.replace("[]", '[{"short_name": "X", "name": "caf\u00e9"}]').encode("cp1252"),
                      "not UTF-8"),
    }


# -- reading in a child process with limited memory ------------------------------------------------------------
# The reader: one process sets Django up once, then forks a child for each file. The child limits its own address
# space before it reads, so the limit covers all it holds (Python, Django and the readers included) just as a fresh
# process limited before it started would be, without paying Python's and Django's start (a second) for every file.
READER = r"""
import json, os, resource, sys, tempfile, time, traceback
import django
django.setup()
from programme_tracker.finance.spreadsheet import SpreadsheetError, read_table
from programme_tracker.portfolio.exchange import PortfolioImportError, read_document


def read(kind, path):
    if kind == "spreadsheet":
        try:
            table = read_table(open(path, "rb").read(), os.path.basename(path))
            print(f"read: {len(table.rows)} rows")
        except SpreadsheetError as exc:
            print(f"refused: {exc}")
    else:
        try:
            read_document(open(path, "rb").read())
            print("read")
        except PortfolioImportError as exc:
            print("refused: " + "; ".join(exc.errors))


def child(kind, path, limit, out, err):
    code = 1  # as an uncaught exception ends Python: the traceback on standard error, exit code 1
    try:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            read(kind, path)
            code = 0
        except BaseException:
            traceback.print_exc()
        # The child's own peaks (VmHWM, VmPeak): ru_maxrss would count the reader's memory at the fork too.
        status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
        print(f"peak: {status['VmHWM'].split()[0]} {status['VmPeak'].split()[0]}", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)  # whatever happened: never back into the reader's loop


for line in sys.stdin:
    kind, path, limit, timeout = json.loads(line)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        pid = os.fork()
        if pid == 0:
            child(kind, path, limit, out, err)
        deadline = time.monotonic() + timeout
        while (status := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        if status[0] == 0:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            answer = {"timeout": True}
        else:
            out.seek(0)
            err.seek(0)
            answer = {"code": os.waitstatus_to_exitcode(status[1]), "stdout": out.read(), "stderr": err.read()}
    print(json.dumps(answer), flush=True)
"""
_reader: subprocess.Popen | None = None


def _the_reader() -> subprocess.Popen:
    """The reader process, started at the first use and ended with the test run."""
    global _reader
    if _reader is None or _reader.poll() is not None:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "programme_tracker.config.settings"}
        _reader = subprocess.Popen([sys.executable, "-c", READER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   text=True, env=env)
        atexit.register(_reader.kill)
    return _reader


def run_limited(kind: str, path: Path, limit: int = 512 * MEGABYTE, timeout: int = 300):
    """Read the file (kind `spreadsheet` or `document`) in a child process limited to `limit` bytes of address
    space; returns (exit code, standard output, (peak resident memory, peak address space) in KB)."""
    reader = _the_reader()
    reader.stdin.write(json.dumps([kind, str(path), limit, timeout]) + "\n")
    reader.stdin.flush()
    answer = json.loads(reader.stdout.readline())
    if answer.get("timeout"):
        raise subprocess.TimeoutExpired([kind, str(path)], timeout)
    peak = re.search(r"peak: (\d+) (\d+)", answer["stderr"])
    peaks = (int(peak.group(1)), int(peak.group(2))) if peak else (0, 0)
    return answer["code"], answer["stdout"].strip() or answer["stderr"][-2000:], peaks
