"""What ppkg adds to a record entered in a form or a spreadsheet, so that nobody writes RDF:

- IRIs for new resources (`mint`), in the folder of their kind: person/, event/, source/ …;
- datatypes: a value typed as text takes the datatype the shapes expect of its property
  (xsd:boolean, xsd:duration, xsd:integer …); a date takes xsd:gYear, xsd:gYearMonth or
  xsd:date by its own precision, since a date is only as precise as the source ("2019" stays a
  year). A value that fits none is given the first datatype, and the shapes then say what is
  wrong with it, in their own words;
- labels a person need not type: a source document's is its title (or opening words); an
  event's is its kind and whom it concerns ("Release of Ilkin Rustamzade"); a quote's, who said it.

Nothing else is filled in: no date, place, identifier or URL the person did not give.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
import unicodedata
from typing import Callable, Iterable

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS, SH

from ppkg.archive.shacl import load_ontology, load_shapes
from ppkg.entry.lookup import subclasses
from ppkg.vocab import ID, PPKG, RDF_TYPE, XSD_STRING

LABEL = str(RDFS.label)
FOLDERS = (  # the class, and the folder under id/ its new resources go to
    (PPKG + "Person", "person"), (PPKG + "Organization", "organization"),
    (PPKG + "Source", "source"), (PPKG + "Statement", "statement"),
    (PPKG + "ReportedSpeech", "reported-speech"), (PPKG + "Event", "event"),
    (PPKG + "Document", "document"), (PPKG + "Figure", "figure"),
)
_FOLDED = str.maketrans({"ə": "e", "Ə": "e", "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss",
                         "æ": "ae", "œ": "oe", "þ": "th"})


def slug(text: str, most: int = 48) -> str:
    """Lower-case ASCII words joined by '-' ("Rüstəmzadə" → "rustemzade")."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLDED))
    ascii_text = folded.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:most].strip("-") or "record"


def folder(cls: str) -> str:
    """The folder under id/ for new resources of `cls` (or of the kind name `cls`)."""
    if "/" not in cls and "#" not in cls:
        return cls
    for known, name in FOLDERS:
        if cls in subclasses([known]):
            return name
    return "resource"


def mint(cls: str, name: str, *salt: str) -> str:
    """A new, stable IRI: the same class, name and salt always give the same one."""
    digest = hashlib.sha256("\x1f".join((cls, name) + salt).encode()).hexdigest()[:10]
    return f"{ID}{folder(cls)}/{slug(name)}-{digest}"


# --- datatypes ------------------------------------------------------------------------------

_lock = threading.Lock()
_expected: dict = {}


def expected_datatypes() -> dict[str, list[tuple[str, re.Pattern | None]]]:
    """Property → the (datatype, pattern) alternatives its shapes accept, where none is a string."""
    shapes = load_shapes()
    with _lock:
        hit = _expected.get(id(shapes))
        if hit is not None:
            return hit
        found: dict[str, list] = {}
        for prop_shape, path in shapes.subject_objects(SH.path):
            if not isinstance(path, URIRef):
                continue
            options = []
            datatype = shapes.value(prop_shape, SH.datatype)
            if datatype is not None:
                options.append((str(datatype), shapes.value(prop_shape, SH.pattern)))
            alternatives = shapes.value(prop_shape, getattr(SH, "or"))
            for option in Collection(shapes, alternatives) if alternatives is not None else ():
                datatype = shapes.value(option, SH.datatype)
                if datatype is not None:
                    options.append((str(datatype), shapes.value(option, SH.pattern)))
            if options and all(d != XSD_STRING for d, _ in options):
                found.setdefault(str(path), options)
        value = {p: [(d, re.compile(str(pat)) if pat is not None else None) for d, pat in opts]
                 for p, opts in found.items()}
        _expected[id(shapes)] = value
        return value


def typed(predicate: str, literal: ox.Literal, expected: dict) -> ox.Literal:
    """`literal` with the datatype the shapes expect of `predicate` (`expected`, from
    expected_datatypes()), if it came as plain text."""
    options = expected.get(predicate)
    if not options or literal.datatype.value != XSD_STRING or literal.language:
        return literal
    text = literal.value
    chosen = next((d for d, pattern in options if pattern is not None and pattern.search(text)),
                  options[0][0])
    return ox.Literal(text, datatype=ox.NamedNode(chosen))


# --- labels ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=128)
def _class_label(cls: str) -> str:
    label = load_ontology().value(URIRef(cls), RDFS.label)
    return str(label) if label is not None else cls.rsplit("#", 1)[-1]


def complete(triples: Iterable, label_of: Callable[[list[str]], dict[str, str]]) -> list:
    """The triples with datatypes and missing labels added (see the module docstring).

    `label_of(iris)` gives the names of published resources the labels are made from."""
    out = []
    expected = expected_datatypes()
    for t in triples:
        if isinstance(t.object, ox.Literal):
            t = ox.Triple(t.subject, t.predicate, typed(t.predicate.value, t.object, expected))
        out.append(t)
    values: dict = {}
    for t in out:
        values.setdefault((t.subject, t.predicate.value), []).append(t.object)
    types = {(s, o.value) for (s, p), objs in values.items() if p == RDF_TYPE for o in objs}
    wanted = [(s, cls) for s, cls in types if (s, LABEL) not in values]
    people = {o.value for s, _ in wanted for p in (PPKG + "concerns", PPKG + "speaker")
              for o in values.get((s, p), ()) if isinstance(o, ox.NamedNode)}
    names = {iri: v[0].value for iri in people
             if (v := values.get((ox.NamedNode(iri), LABEL)))}
    names.update(label_of(sorted(people - set(names))) if people - set(names) else {})
    for subject, cls in sorted(wanted, key=lambda w: (str(w[0]), w[1])):
        label = _label(cls, subject, values, names)
        if label:
            values[(subject, LABEL)] = [ox.Literal(label)]
            out.append(ox.Triple(subject, ox.NamedNode(LABEL), ox.Literal(label)))
    return out


def _first(values: dict, subject, prop: str) -> str:
    found = values.get((subject, PPKG + prop))
    return found[0].value if found else ""


def _label(cls: str, subject, values: dict, names: dict) -> str:
    if cls in subclasses([PPKG + "Source"]):
        return _first(values, subject, "title") or _first(values, subject, "openingWords")
    if cls in subclasses([PPKG + "Statement", PPKG + "ReportedSpeech"]):
        speaker = names.get(_first(values, subject, "speaker")) or _first(
            values, subject, "speakerDescription")
        if speaker:
            return f"{_class_label(cls)} by {speaker}"
        words = _first(values, subject, "text").split()
        return f"{_class_label(cls)}: {' '.join(words[:8])}{' …' if len(words) > 8 else ''}"
    if cls in subclasses([PPKG + "Event"]):
        whom = [names.get(o.value) for o in values.get((subject, PPKG + "concerns"), ())
                if isinstance(o, ox.NamedNode)]
        whom = [w for w in whom if w]
        return f"{_class_label(cls)} of {', '.join(whom)}" if whom else _class_label(cls)
    return ""


def label_finder(query) -> Callable[[list[str]], dict[str, str]]:
    """`label_of` for `complete`, over the published graph and the ontology."""

    def label_of(iris: list[str]) -> dict[str, str]:
        found = {}
        ontology = load_ontology()
        for iri in iris:
            label = ontology.value(URIRef(iri), RDFS.label)
            if isinstance(label, Literal):
                found[iri] = str(label)
        rest = [i for i in iris if i not in found]
        for start in range(0, len(rest), 500):
            values = " ".join(f"<{i}>" for i in rest[start:start + 500])
            rows = query.select("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                                f"SELECT ?r (MIN(STR(?l)) AS ?label) WHERE {{ VALUES ?r {{ {values} }}"
                                " ?r rdfs:label ?l } GROUP BY ?r", limit=500)
            found.update({r.value: label.value for r, label in rows.rows if label is not None})
        return found

    return label_of
