#!/usr/bin/env python3
"""Writes app/src/domain/common-passwords.txt, the list of common passwords
the server refuses (checked case-insensitively).

Source: the frequency-ordered password list of zxcvbn (49,233 entries from
leaked password sets, German ones among them), as packaged in
@zxcvbn-ts/language-common 3.0.4, MIT licence, Copyright (c) 2012-2016 Dan
Wheeler and Dropbox, Inc. Only entries of at least 8 characters are kept:
no password policy the portal accepts allows a shorter one, so shorter
entries could never be refused by this rule.

Usage: scripts/common-passwords.py   (needs npm and network access to the registry)
"""
import json
import pathlib
import subprocess
import tarfile
import tempfile

PACKAGE = "@zxcvbn-ts/language-common@3.0.4"
SHORTEST_POLICY_LENGTH = 8
OUT = pathlib.Path(__file__).resolve().parent.parent / "app/src/domain/common-passwords.txt"
LICENSE = OUT.with_name("common-passwords.LICENSE")

with tempfile.TemporaryDirectory() as tmp:
    name = subprocess.run(["npm", "pack", "--silent", PACKAGE], cwd=tmp, check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
    with tarfile.open(pathlib.Path(tmp) / name) as archive:
        passwords = json.load(archive.extractfile("package/src/passwords.json"))
        # MIT: the list travels with its copyright and permission notice.
        LICENSE.write_bytes(archive.extractfile("package/LICENSE.txt").read())

seen, kept = set(), []
for password in passwords:
    folded = password.lower()
    if len(folded) >= SHORTEST_POLICY_LENGTH and folded not in seen and "\n" not in folded:
        seen.add(folded)
        kept.append(folded)

OUT.write_text(
    f"# {len(kept)} common passwords of at least {SHORTEST_POLICY_LENGTH} characters, most common first, lower case.\n"
    f"# From zxcvbn's password list ({PACKAGE}, MIT, (c) 2012-2016 Dan Wheeler and Dropbox, Inc.).\n"
    "# Its licence: common-passwords.LICENSE. Regenerate with scripts/common-passwords.py.\n" + "\n".join(kept) + "\n",
    encoding="utf-8",
)
print(f"{OUT}: {len(kept)} entries")
