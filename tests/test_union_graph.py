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
    """Both copies of the union — the full store's default graph and the union-only store that
    queries naming no graph read — stay equal sets through an add and a withdrawal."""
    dataset = load_dataset()
    stores = (dataset.store, dataset.union)
    restated = f"{BAYRAMLI} a {PERSON}"

    def union_counts(pattern):
        return {count(store, pattern) for store in stores}

    assert union_counts(restated) == {1}  # both sources state it; the union holds it once
    apply_change(dataset, read_change(entry("add", f'{BAYRAMLI} {TYPE} {PERSON} <{GRAPH}> .\n'
                                               f'{NEW} {TYPE} {PERSON} <{GRAPH}> .\n'
                                               f'{NEW} {LABEL} "Someone new" <{GRAPH}> .\n')))
    assert union_counts(restated) == {1}
    assert union_counts(f"{NEW} a {PERSON}") == {1}
    assert count(dataset.store, f"GRAPH <{GRAPH}> {{ ?s ?p ?o }}") == 3

    apply_change(dataset, read_change(entry("withdraw")))
    assert union_counts(restated) == {1}  # still stated by the two sources
    assert union_counts(f"{NEW} ?p ?o") == {0}  # only the withdrawn graph stated these
    assert count(dataset.store, f"GRAPH <{GRAPH}> {{ ?s ?p ?o }}") == 0
    assert union_counts(f"<{GRAPH}> {LABEL} ?l") == {1}  # the provenance stays, in the union too
    assert count(dataset.store, "?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } }") == 0
    assert count(dataset.union, "?s ?p ?o") == count(dataset.store, "?s ?p ?o")
