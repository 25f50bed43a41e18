"""Make the encrypted test PDFs in this folder (qpdf is needed only here, at development time).

    python tests/data/pdf/make.py        # needs qpdf on PATH (Debian: apt-get install qpdf)

- encrypted-password.pdf: AES-256, user password "letmein": cannot be read without it;
- encrypted-owner-only.pdf: AES-256, empty user password, owner password "owner", copying not
  allowed: any reader opens it, so its text can be read.

federal-register-2020-17221.pdf is a copy of ../../../../shared/corpus/pdf/ (a US government
work, in the public domain): the FAA's proposed airworthiness directive for the Boeing 737 MAX.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # tests/, for pdf_writer

from pdf_writer import Run, make_pdf  # noqa: E402

TEXT = ["The council approved the water budget on Monday.", "The vote was seven to two."]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.pdf"
        plain.write_bytes(make_pdf([[Run(72, 100 + 14 * i, line) for i, line in enumerate(TEXT)]]))
        subprocess.run(["qpdf", "--encrypt", "letmein", "owner", "256", "--", str(plain),
                        str(HERE / "encrypted-password.pdf")], check=True)
        subprocess.run(["qpdf", "--encrypt", "", "owner", "256", "--extract=n", "--", str(plain),
                        str(HERE / "encrypted-owner-only.pdf")], check=True)


if __name__ == "__main__":
    main()
