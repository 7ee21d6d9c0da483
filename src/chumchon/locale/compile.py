"""Compile every .po under src/chumchon/locale to its .mo, with polib (no GNU gettext needed).

    .venv/bin/python src/chumchon/locale/compile.py          compile all catalogs
    .venv/bin/python src/chumchon/locale/compile.py --check  exit 1 if any .mo is stale

Fuzzy and untranslated entries are left out of the .mo (as msgfmt does), so Django falls back
to the msgid, which for our own strings is the Thai source text.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent


def catalogs(root: Path = LOCALE_DIR) -> list[Path]:
    return sorted(root.rglob("*.po"))


def compile_po(po_path: Path) -> Path:
    po = polib.pofile(str(po_path))
    mo_path = po_path.with_suffix(".mo")
    po.save_as_mofile(str(mo_path))
    return mo_path


def is_stale(po_path: Path) -> bool:
    mo_path = po_path.with_suffix(".mo")
    if not mo_path.exists():
        return True
    po, mo = polib.pofile(str(po_path)), polib.mofile(str(mo_path))

    def table(entries: list[polib.POEntry] | list[polib.MOEntry]) -> dict[object, object]:
        out: dict[object, object] = {}
        for e in entries:
            if e.msgid == "":
                continue
            out[(e.msgctxt, e.msgid)] = (
                tuple(sorted(e.msgstr_plural.items())) if e.msgid_plural else e.msgstr
            )
        return out

    plural_rule = po.metadata.get("Plural-Forms") != mo.metadata.get("Plural-Forms")
    return plural_rule or table(po.translated_entries()) != table(list(mo))


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = [p for p in catalogs() if is_stale(p)]
        for p in stale:
            sys.stderr.write(f"stale: {p.with_suffix('.mo').relative_to(LOCALE_DIR.parent)}\n")
        return 1 if stale else 0
    for po_path in catalogs():
        mo_path = compile_po(po_path)
        n = len(polib.pofile(str(po_path)).translated_entries())
        sys.stdout.write(f"{mo_path.relative_to(LOCALE_DIR.parent)}: {n} messages\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
