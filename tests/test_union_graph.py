"""The store's default graph is the union of its named graphs as a set, kept so by submissions."""


from ppkg.vocab import PROVENANCE_GRAPH, SUBMISSION_GRAPH_BASE
from ppkg.store.embedded.dataset import apply_change, load_dataset
from ppkg.store.entries import read_change

BAYRAMLI = "<https://w3id.org/ppkg/id/person/gozal-bayramli>"
PERSON = "<https://w3id.org/ppkg/ontology#Person>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
GRAPH = SUBMISSION_GRAPH_BASE + "test-union"
NEW = '<https://w3id.org/ppkg/id/person/someone-new>'


def count(store, pattern):
    return int(next(iter(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")))["n"].value)


def entry(kind, data=""):
    return {"kind": kind, "graph": GRAPH, "data": data,
            "provenance": f'<{GRAPH}> {LABEL} "record" <{PROVENANCE_GRAPH}> .\n'}


def test_a_submission_restating_a_fact_and_its_withdrawal_leave_the_union_a_set():
    store = load_dataset().store
    restated = f"{BAYRAMLI} a {PERSON}"
    assert count(store, restated) == 1  # both sources state it; the union holds it once

    apply_change(store, read_change(entry("add", f'{BAYRAMLI} {TYPE} {PERSON} <{GRAPH}> .\n'
                                    f'{NEW} {TYPE} {PERSON} <{GRAPH}> .\n'
                                    f'{NEW} {LABEL} "Someone new" <{GRAPH}> .\n')))
    assert count(store, restated) == 1
    assert count(store, f"{NEW} a {PERSON}") == 1
    assert count(store, f"GRAPH <{GRAPH}> {{ ?s ?p ?o }}") == 3

    apply_change(store, read_change(entry("withdraw")))
    assert count(store, restated) == 1  # still stated by the two sources
    assert count(store, f"{NEW} ?p ?o") == 0  # only the withdrawn graph stated these
    assert count(store, f"GRAPH <{GRAPH}> {{ ?s ?p ?o }}") == 0
    assert count(store, f"<{GRAPH}> {LABEL} ?l") == 1  # the provenance stays, in the union too
    assert count(store, "?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } }") == 0
