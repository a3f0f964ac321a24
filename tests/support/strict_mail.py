#!/usr/bin/python3
"""Parses every message file given (or every file of the directories given) with
Python's email package under policy.strict, which raises on serious defects, and
prints one JSON object per message: its defects (message, headers and every MIME
part), the headers the tests look at, the text of its text/plain part, and, for
every application/pdf part, the text poppler's pdftotext extracts from it.

Run with Debian's /usr/bin/python3 (the tests do)."""
import email
import email.policy
import json
import pathlib
import subprocess
import sys
import tempfile


def pdf_text(data):
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(data)
        pdf.flush()
        return subprocess.run(["pdftotext", "-enc", "UTF-8", pdf.name, "-"], check=True,
                              capture_output=True).stdout.decode("utf-8")


def files(arguments):
    for argument in arguments:
        path = pathlib.Path(argument)
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.is_file())
        else:
            yield path


def report(path):
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.strict)
    defects = []
    text = None
    parts = []
    pdfs = []
    for part in message.walk():
        defects += [str(d) for d in part.defects]
        for name in part.keys():
            defects += [name + ": " + str(d) for d in part[name].defects]
        if part.is_multipart():
            continue
        parts.append({"content_type": part.get_content_type(), "filename": part.get_filename()})
        if part.get_content_type() == "text/plain" and text is None and part.get_filename() is None:
            text = part.get_content()
        if part.get_content_type() == "application/pdf":
            pdfs.append(pdf_text(part.get_content()))
    return {
        "file": path.name,
        "defects": defects,
        "key": str(message["X-Outreach-Key"]),
        "content_language": str(message["Content-Language"] or ""),
        "subject": str(message["Subject"]),
        "parts": parts,
        "body": text or "",
        "pdf_texts": pdfs,
    }


for path in files(sys.argv[1:]):
    try:
        print(json.dumps(report(path)))
    except Exception as error:  # a message the strict policy refuses
        print(json.dumps({"file": path.name, "defects": ["unparsable: " + repr(error)]}))
