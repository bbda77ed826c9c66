"""Cellar notices (the EU Publications Office's XML metadata of an act), read to plain facts.

A notice's root is ``NOTICE``. An *object* notice holds one ``WORK`` (the act: CELEX number,
dates, EuroVoc subjects) or one ``EXPRESSION`` (one language version: its title); a *branch*
notice holds the ``WORK`` and its expressions together. Properties are direct children,
each with its value in ``VALUE`` (data, dates) or ``PREFLABEL`` (concepts). Nested works
(a consolidated version, cited acts) are other acts and are never read as this one.

Only direct children are read, with ``find``/``findall`` on exact tag names: the XML was
already vetted by ``crawlers.payloads.parse_xml`` (no DTD entities, no network).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from crawlers.text import single_line

CELEX = re.compile(
    r"^(?P<sector>[0-9CE])(?P<year>\d{4})(?P<type>[A-Z]{1,2})(?P<number>\d{1,4}[A-Z0-9()]*)$"
)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ENGLISH = frozenset({"en", "eng"})
EUROVOC = "EUROVOC"


@dataclass(frozen=True)
class Notice:
    """What one notice says about an act (``None`` or empty where it says nothing).

    Attributes:
        celex: The act's CELEX number (``32018R0196``), without a language suffix.
        title: The English title, when the notice holds an English expression.
        other_languages: The languages of expressions that are not English.
        document_date: The date of the document (ISO ``YYYY-MM-DD``).
        entry_into_force: The date of entry into force (ISO).
        subjects: EuroVoc subjects, most specific first as the notice lists them.
        directory: Headings of the Directory of EU legislation in force.
    """

    celex: str | None
    title: str | None = None
    other_languages: tuple[str, ...] = ()
    document_date: str | None = None
    entry_into_force: str | None = None
    subjects: tuple[str, ...] = ()
    directory: tuple[str, ...] = ()


def read_notice(root: Element) -> Notice | None:
    """The facts of a ``NOTICE``, or ``None`` when it holds neither a work nor an expression
    (a layout this reader does not know)."""
    work = root.find("WORK")
    expressions = root.findall("EXPRESSION")
    if work is None and not expressions:
        return None
    english = [e for e in expressions if is_english(e)]
    others = [lang for e in expressions if not is_english(e) for lang in languages(e)]
    celex = celex_of(work) if work is not None else None
    if celex is None and expressions:
        celex = celex_of(expressions[0].find("EXPRESSION_BELONGS_TO_WORK"))
    return Notice(
        celex=celex,
        title=expression_title(english[0]) if english else None,
        other_languages=tuple(dict.fromkeys(others)),
        document_date=document_date(work) if work is not None else None,
        entry_into_force=value(work, "RESOURCE_LEGAL_DATE_ENTRY-INTO-FORCE"),
        subjects=eurovoc_subjects(work) if work is not None else (),
        directory=leaf_labels(work, "RESOURCE_LEGAL_IS_ABOUT_CONCEPT_DIRECTORY-CODE"),
    )


def celex_of(element: Element | None) -> str | None:
    """The CELEX number among an element's ``SAMEAS`` identifiers (language suffix dropped)."""
    if element is None:
        return None
    for uri in element.findall("SAMEAS/URI"):
        if text(uri.find("TYPE")) == "celex":
            number = text(uri.find("IDENTIFIER")).split(".")[0]
            if CELEX.match(number):
                return number
    return None


def languages(expression: Element) -> list[str]:
    """The language codes an expression states (``LANG`` values, language concepts)."""
    codes = [text(v) for v in expression.findall("LANG/VALUE")]
    codes += [text(c) for c in expression.findall("EXPRESSION_USES_LANGUAGE/OP-CODE")]
    return [code.lower() for code in codes if code]


def is_english(expression: Element) -> bool:
    """Whether an expression is the English one (one that states no language is taken as
    the language the notice was asked for, English)."""
    stated = languages(expression)
    return not stated or any(code in ENGLISH for code in stated)


def expression_title(expression: Element) -> str | None:
    """An expression's title (``EXPRESSION_TITLE``, else ``TITLE``)."""
    return value(expression, "EXPRESSION_TITLE") or value(expression, "TITLE")


def document_date(work: Element) -> str | None:
    """The date of the document.

    ``DATE_DOCUMENT`` where the notice gives it. Object notices give only generic ``DATE``
    values: the document date and later ones (entry into force, end of validity), so the
    earliest is the document date.
    """
    explicit = value(work, "DATE_DOCUMENT") or value(work, "WORK_DATE_DOCUMENT")
    if explicit:
        return explicit
    dates = sorted(d for d in (text(v) for v in work.findall("DATE/VALUE")) if ISO_DATE.match(d))
    return dates[0] if dates else None


def eurovoc_subjects(work: Element) -> tuple[str, ...]:
    """EuroVoc subjects: the concepts the work is about, then its thesaurus leaves."""
    about = [
        text(concept.find("PREFLABEL"))
        for concept in work.findall("IS_ABOUT")
        if text(concept.find("URI/TYPE")) == EUROVOC
    ]
    leaves = leaf_labels(work, "WORK_IS_ABOUT_CONCEPT_EUROVOC")
    return tuple(dict.fromkeys(label for label in (*about, *leaves) if label))


def leaf_labels(work: Element | None, tag: str) -> tuple[str, ...]:
    """The most specific concept of each path in a concept hierarchy property.

    Branch notices mark the leaf (``leaf="true"``); object notices give each concept its
    ``path`` and ``level``, the leaf being the deepest level of its path.
    """
    if work is None:
        return ()
    deepest: dict[tuple[int, str], tuple[int, str]] = {}
    for hierarchy in work.findall(tag):
        for parent in hierarchy.iter(tag):
            for concept in parent.findall(tag):
                label = text(concept.find("PREFLABEL"))
                if not label or concept.get("leaf") == "false":
                    continue
                key = (id(parent), concept.get("path") or label)
                level = int(concept.get("level") or 0)
                if key not in deepest or level > deepest[key][0]:
                    deepest[key] = (level, label)
    return tuple(dict.fromkeys(label for _, label in deepest.values()))


def value(element: Element | None, tag: str) -> str | None:
    """The ``VALUE`` of a direct child property, on one line (``None`` when absent)."""
    if element is None:
        return None
    return text(element.find(f"{tag}/VALUE")) or None


def text(element: Element | None) -> str:
    """An element's text on one line (empty when absent)."""
    return single_line(element.text or "") if element is not None else ""
