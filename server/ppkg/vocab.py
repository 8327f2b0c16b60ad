"""Names ppkg uses everywhere: namespaces, its own graph IRIs, prefix maps.

Namespaces are plain strings (IRI prefixes), as the store and the serializers take them; an IRI
is `NAMESPACE + "localName"`.
"""

from __future__ import annotations

# --- W3C and community vocabularies ---------------------------------------------------------
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
SD = "http://www.w3.org/ns/sparql-service-description#"
FOAF = "http://xmlns.com/foaf/0.1/"
SH = "http://www.w3.org/ns/shacl#"
VANN = "http://purl.org/vocab/vann/"
FORMATS = "http://www.w3.org/ns/formats/"
ENTAILMENT = "http://www.w3.org/ns/entailment/"
RESULTS = "http://www.w3.org/2005/sparql-results#"
ITS = "http://www.w3.org/2005/11/its"

RDF_TYPE = RDF + "type"
RDF_LANG_STRING = RDF + "langString"
RDF_DIR_LANG_STRING = RDF + "dirLangString"
XSD_STRING = XSD + "string"
LABEL_PROPERTIES = (SKOS + "prefLabel", RDFS + "label")

# --- ppkg's own IRIs ---------------------------------------------------------------------------
DATA_BASE = "https://w3id.org/ppkg/"  # what the shipped files mint (Config.base_iri maps it)
ONTOLOGY_PATH = "ontology"
ONTOLOGY_IRI = DATA_BASE + ONTOLOGY_PATH  # the ontology, and the name of its graph
PPKG = ONTOLOGY_IRI + "#"
SHAPES_IRI = DATA_BASE + "shapes"
PPKGSH = SHAPES_IRI + "#"
RESOURCE_PATH = "id/"
ID = DATA_BASE + RESOURCE_PATH

ONTOLOGY_GRAPH = ONTOLOGY_IRI
PROVENANCE_GRAPH = DATA_BASE + "graph/provenance"  # submission records (PROV-O)
SUBMISSION_GRAPH_BASE = ID + "submission/"  # each accepted submission is a graph of its own
ARCHIVIST_BASE = ID + "archivist/"  # who submitted (a token's name)
SKOLEM_BASE = DATA_BASE + ".well-known/genid/"  # blank nodes, during validation only

# Kinds of resource under id/, and the prefixes the graph files give them (graph/*.trig).
RESOURCE_KINDS = ("person", "organization", "membership", "event", "document", "figure",
                  "statement", "reported-speech", "source", "offence", "role", "occupation",
                  "violation")
KIND_PREFIXES = {"source": "src", "organization": "orgn", "membership": "mem", "document": "doc",
                 "figure": "fig", "statement": "st", "reported-speech": "rs", "offence": "off",
                 "violation": "vio", "occupation": "occ"}

# The prefixes of the vocabularies, for Turtle, SPARQL and reports.
PREFIXES = {
    "ppkg": PPKG,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "schema": SCHEMA,
    "dcterms": DCTERMS,
    "prov": PROV,
    "void": VOID,
    "sh": SH,
}
JSONLD_CONTEXT_PREFIXES = ("ppkg", "rdfs", "skos", "schema", "xsd")


def resource_prefixes(base: str = DATA_BASE) -> dict[str, str]:
    """The vocabulary prefixes and one per resource kind, with resources under `base`."""
    out = {name: PREFIXES[name] for name in ("rdf", "rdfs", "owl", "skos", "schema", "xsd",
                                             "dcterms")}
    out["ppkg"] = base + ONTOLOGY_PATH + "#"
    for kind in RESOURCE_KINDS:
        out[KIND_PREFIXES.get(kind, kind)] = base + RESOURCE_PATH + kind + "/"
    return out


def sparql_prologue(*names: str) -> str:
    """`PREFIX name: <ns>` lines for the named vocabularies (all of PREFIXES when none)."""
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in (names or PREFIXES))
