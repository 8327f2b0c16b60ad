"""A valid example of every ppkg class, and one defect at a time, for the SHACL shape tests.

The baseline is self-contained: its own concepts (roles, offences, ...) under a test namespace,
plus the figure qualifiers and statuses the ontology itself declares. Each Case names the node
shape it exercises, the resource whose defect it introduces, the triples it removes and adds, and
the part of the sh:message the report must show for that resource.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef

from ppkg.formats import rdf_format
from ppkg.archive.rdf_input import parse_data

PREFIXES = {
    "ppkg": "https://w3id.org/ppkg/ontology#",
    "ppkgsh": "https://w3id.org/ppkg/shapes#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "t": "https://w3id.org/ppkg/id/test/",
}

HEADER = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items())

BASELINE = HEADER + """
# Sources and agents
t:source a ppkg:NewsArticle ; rdfs:label "Test article" ; ppkg:title "Test article" ;
    ppkg:publisher t:outlet ; ppkg:corpusFile "test.txt" ; ppkg:url <https://example.org/test-article> ;
    ppkg:datePublished "2019-03-16"^^xsd:date ; ppkg:archivalReference "Test archive, box 7" .
t:untitled a ppkg:Source ; rdfs:label "Untitled test source" ; ppkg:openingWords "It was a cold day" .
t:outlet a ppkg:MediaOutlet ; rdfs:label "Test Outlet" .
t:state a ppkg:State ; rdfs:label "Testland" .
t:ministry a ppkg:StateBody ; rdfs:label "Ministry of Tests" .
t:party a ppkg:PoliticalParty ; rdfs:label "Test Party"@en ; ppkg:knownFor "its rallies" .
t:youth a ppkg:YouthOrganization ; rdfs:label "Test Youth" .
t:ngo a ppkg:HumanRightsOrganization ; rdfs:label "Test Watch" .
t:group a ppkg:WorkingGroup ; rdfs:label "Test working group" .
t:parliament a ppkg:InternationalBody ; rdfs:label "Test Parliament" .
t:club a ppkg:Organization ; rdfs:label "Test Club" .
t:alice a ppkg:Person ; rdfs:label "Alice Test"@en ; ppkg:occupation t:journalist ;
    ppkg:parent t:bob ; ppkg:knownFor "her reports" .
t:bob a ppkg:Person ; rdfs:label "Bob Test" .

# Concepts
t:journalist a ppkg:Occupation ; rdfs:label "journalist" ; skos:prefLabel "journalist"@en ;
    skos:inScheme ppkg:OccupationScheme .
t:member-role a ppkg:Role ; rdfs:label "member" ; skos:prefLabel "member"@en ; skos:inScheme ppkg:RoleScheme .
t:minister-role a ppkg:Role ; rdfs:label "minister" ; skos:prefLabel "minister"@en ; skos:inScheme ppkg:RoleScheme .
t:smuggling a ppkg:Offence ; rdfs:label "smuggling" ; skos:prefLabel "smuggling"@en ;
    skos:inScheme ppkg:OffenceScheme .
t:torture a ppkg:Violation ; rdfs:label "torture" ; skos:prefLabel "torture"@en ; skos:inScheme ppkg:ViolationScheme .
t:detainee a ppkg:PrisonerStatus ; rdfs:label "detainee" ; skos:prefLabel "detainee"@en ;
    skos:inScheme ppkg:StatusScheme .
t:roughly a ppkg:FigureQualifier ; rdfs:label "roughly" ; skos:prefLabel "roughly"@en ;
    skos:inScheme ppkg:FigureQualifierScheme .

# Memberships
t:membership a ppkg:Membership ; rdfs:label "Alice Test, member of the Test Party" ;
    ppkg:member t:alice ; ppkg:organization t:party ; ppkg:role t:member-role ;
    ppkg:former false ; ppkg:since "2010"^^xsd:gYear .
t:position a ppkg:PositionHeld ; rdfs:label "Bob Test, minister" ;
    ppkg:member t:bob ; ppkg:organization t:ministry ; ppkg:role t:minister-role .

# Events
t:arrest a ppkg:Arrest ; rdfs:label "Arrest of Alice Test" ; ppkg:concerns t:alice ;
    ppkg:agent t:ministry ; ppkg:location t:state ; ppkg:date "2018-05-01"^^xsd:date ;
    ppkg:dateDescription "on 1 May" .
t:charging a ppkg:Charging ; rdfs:label "Alice Test charged with smuggling" ; ppkg:concerns t:alice ;
    ppkg:charge t:smuggling ; ppkg:maximumPenalty "P7Y"^^xsd:duration ;
    ppkg:date "2018-06"^^xsd:gYearMonth ; ppkg:inConnectionWith t:arrest .
t:sentencing a ppkg:Sentencing ; rdfs:label "Alice Test sentenced" ; ppkg:concerns t:alice ;
    ppkg:charge t:smuggling ; ppkg:sentenceLength "P3Y"^^xsd:duration ; ppkg:date "2018"^^xsd:gYear .
t:imprisonment a ppkg:Imprisonment ; rdfs:label "Imprisonment of Alice Test" ; ppkg:concerns t:alice ;
    ppkg:timeServed "P1Y"^^xsd:duration ; ppkg:durationDescription "a year" ; ppkg:ongoing false ;
    ppkg:dateUnknown true ; ppkg:dateDescription "after the trial" .
t:hunger-strike a ppkg:HungerStrike ; rdfs:label "Hunger strike" ; ppkg:agent t:alice ;
    ppkg:participant t:bob ; ppkg:dateUnknown true .
t:protest a ppkg:Protest ; rdfs:label "Protest" ; ppkg:agent t:youth ; ppkg:dateUnknown true .
t:rally a ppkg:Rally ; rdfs:label "Rally for Alice Test" ; ppkg:agent t:party ;
    ppkg:demand "free Alice Test" ; ppkg:participantCount t:fig-rally ; ppkg:date "2019-01-19"^^xsd:date .
t:campaign a ppkg:Campaign ; rdfs:label "#FreeAlice" ; ppkg:hashtag "#FreeAlice" ; ppkg:platform "Facebook" ;
    ppkg:participantCount t:fig-thousands ; ppkg:agentDescription "citizens" ; ppkg:dateUnknown true .
t:issuance a ppkg:DocumentIssuance ; rdfs:label "Pardon decree issued" ; ppkg:document t:decree ;
    ppkg:agent t:bob ; ppkg:date "2019-03-15"^^xsd:date .
t:mass-release a ppkg:Release ; rdfs:label "Mass release" ; ppkg:underDecree t:decree ;
    ppkg:participantCount t:fig-released ; ppkg:concernsDescription "other activists" ;
    ppkg:date "2019-03-16"^^xsd:date .
t:still-held a ppkg:Imprisonment ; rdfs:label "Imprisonment of Bob Test" ; ppkg:concerns t:bob ;
    ppkg:ongoing true ; ppkg:ongoingAfter t:mass-release ; ppkg:dateUnknown true .
t:prosecution a ppkg:Prosecution ; rdfs:label "Alice Test faces a new prison term" ;
    ppkg:concerns t:alice ; ppkg:date "2018"^^xsd:gYear ; ppkg:dateDescription "at the end of 2018" .
t:release a ppkg:Release ; rdfs:label "Release of Alice Test" ; ppkg:concerns t:alice ;
    ppkg:underDecree t:decree ; ppkg:partOf t:mass-release ; ppkg:date "2019-03-16"^^xsd:date .
t:recognition a ppkg:Recognition ; rdfs:label "Alice Test recognised as a political prisoner" ;
    ppkg:concerns t:alice ; ppkg:recognisedAs ppkg:PoliticalPrisoner ; ppkg:agent t:group ;
    ppkg:dateUnknown true .
t:self-identification a ppkg:SelfIdentification ;
    rdfs:label "Alice Test calls herself a political prisoner" ; ppkg:concerns t:alice ;
    ppkg:agent t:alice ; ppkg:recognisedAs ppkg:PoliticalPrisoner ; ppkg:expressedIn t:statement ;
    ppkg:dateUnknown true .
t:allegation a ppkg:Allegation ; rdfs:label "Torture alleged" ; ppkg:concerns t:alice ;
    ppkg:alleges t:torture ; ppkg:agentDescription "her lawyers" ; ppkg:dateUnknown true .
t:interview a ppkg:Interview ; rdfs:label "Interview with Alice Test" ; ppkg:agent t:outlet ;
    ppkg:participant t:alice ; ppkg:dateUnknown true .
t:death a ppkg:Death ; rdfs:label "Death of Bob Test" ; ppkg:concerns t:bob ; ppkg:date "2003"^^xsd:gYear .

# Documents and figures
t:decree a ppkg:PardonDecree ; rdfs:label "Test pardon decree" ; ppkg:issuedBy t:bob ;
    ppkg:title "On pardon" ; ppkg:summary "pardons people" ; ppkg:occasionDescription "ahead of the holiday" ;
    ppkg:peopleReleased t:fig-released ; ppkg:politicalPrisonersReleased t:fig-pp-released ;
    ppkg:politicalPrisonersBefore t:fig-before ;
    ppkg:politicalPrisonersRemaining [ a ppkg:Figure ; rdfs:label "Dozens remaining" ;
        ppkg:qualifier ppkg:Dozens ; ppkg:asStated "dozens more remain" ] .
t:other-decree a ppkg:Decree ; rdfs:label "Another decree" ; ppkg:issuedBy t:bob .
t:resolution a ppkg:Resolution ; rdfs:label "Test resolution" ; ppkg:issuedBy t:parliament ;
    ppkg:demand "release all political prisoners" .
t:report a ppkg:Report ; rdfs:label "Test report" ; ppkg:issuedBy t:ngo ; ppkg:status "being prepared" .
t:list a ppkg:PoliticalPrisonerList ; rdfs:label "Test list" ; ppkg:issuedBy t:group .
t:dossier a ppkg:Document ; rdfs:label "Test dossier" .
t:fig-released a ppkg:Figure ; rdfs:label "More than 400 released" ;
    ppkg:value 400 ; ppkg:qualifier ppkg:MoreThan ; ppkg:asStated "more than 400" ;
    ppkg:estimatedBy "officials" .
t:fig-pp-released a ppkg:Figure ; rdfs:label "51 political prisoners released" ;
    ppkg:value 51 ; ppkg:qualifier ppkg:Exactly ; ppkg:asStated "51" ;
    ppkg:identifiedBy "international organizations" .
t:fig-before a ppkg:Figure ; rdfs:label "Roughly 130 before" ;
    ppkg:value 130 ; ppkg:qualifier t:roughly ; ppkg:asStated "some 130" .
t:fig-thousands a ppkg:Figure ; rdfs:label "Thousands joined" ; ppkg:qualifier ppkg:Thousands ;
    ppkg:asStated "thousands of users" .
t:fig-rally a ppkg:Figure ; rdfs:label "Thousands at the rally" ; ppkg:qualifier ppkg:Thousands ;
    ppkg:asStated "thousands" .

# Statements
t:statement a ppkg:Statement ; rdfs:label "Alice Test: \\"I am free\\"" ; ppkg:text "I am free." ;
    ppkg:speaker t:alice ; ppkg:occasion t:interview ; ppkg:about t:release ; ppkg:context "She said:" ;
    ppkg:occasionDescription "outside the prison" ; ppkg:source t:source .
t:statement-2 a ppkg:Statement ; rdfs:label "Officials on the decree" ; ppkg:text "It is an act of mercy." ;
    ppkg:speakerDescription "officials" ; ppkg:about t:decree, t:ministry ; ppkg:source t:untitled .
t:characterisation a ppkg:Characterisation ; rdfs:label "The test article on the rally" ;
    ppkg:text "That rally may have been the largest." ; ppkg:about t:rally ; ppkg:source t:source .
t:reported a ppkg:ReportedSpeech ; rdfs:label "Testland denies it holds political prisoners" ;
    ppkg:text "Testland denies that there are any political prisoners." ; ppkg:speaker t:state ;
    ppkg:speakerDescription "Testland" ; ppkg:about t:state ; ppkg:occasion t:interview ; ppkg:source t:source .
"""


def expand(name: str) -> URIRef:
    prefix, local = name.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def turtle(text: str, graph: Graph | None = None) -> Graph:
    """Parse a Turtle snippet (the prefixes above are declared) with ppkg's own parser."""
    return parse_data(HEADER + text, rdf_format("turtle"), graph, name="<test>")


def baseline() -> Graph:
    return parse_data(BASELINE, rdf_format("turtle"), name="<baseline>")


@dataclass(frozen=True)
class Case:
    id: str
    shape: str  # the node shape that must report it, e.g. "ppkgsh:PersonShape"
    focus: str  # the resource, e.g. "t:alice"; "t:decree ppkg:p" is the object of t:decree ppkg:p
    message: str  # a part of the expected sh:message
    remove: tuple[str, ...] = ()  # "t:alice rdfs:label": every triple with that subject and predicate
    add: str = ""  # Turtle
    severity: str = "Violation"

    def graph(self) -> Graph:
        g = baseline()
        for pattern in self.remove:
            s, p = pattern.split()
            assert (expand(s), expand(p), None) in g, f"{self.id}: nothing to remove for {pattern}"
            g.remove((expand(s), expand(p), None))
        if self.add:
            turtle(self.add, g)
        return g

    def focus_node(self, g: Graph):
        parts = self.focus.split()
        if len(parts) == 1:
            return expand(parts[0])
        node = g.value(expand(parts[0]), expand(parts[1]))
        assert node is not None, self.focus
        return node


def C(id, shape, focus, message, remove=(), add="", severity="Violation") -> Case:  # noqa: N802
    if isinstance(remove, str):
        remove = (remove,)
    return Case(id, "ppkgsh:" + shape, focus, message, tuple(remove), add, severity)


LABEL_TEXT = "non-empty string"

CASES: list[Case] = [
    # Types
    C("misspelt-class", "DeclaredClassShape", "ppkg:Arest", "not a class declared in the ppkg ontology",
      add='t:x a ppkg:Arest ; rdfs:label "x" .'),
    C("agent-only", "AgentShape", "t:someone", "must be typed as a person",
      add='t:someone a ppkg:Agent ; rdfs:label "someone" .'),
    # Person
    C("person-no-label", "PersonShape", "t:alice", "A person must have a name", remove="t:alice rdfs:label"),
    C("person-empty-label", "PersonShape", "t:alice", "A person must have a name",
      remove="t:alice rdfs:label", add='t:alice rdfs:label "" .'),
    C("person-blank-label", "PersonShape", "t:alice", "A person must have a name",
      remove="t:alice rdfs:label", add='t:alice rdfs:label "   "@en .'),
    C("person-iri-label", "PersonShape", "t:alice", "A person must have a name",
      remove="t:alice rdfs:label", add="t:alice rdfs:label t:bob ."),
    C("person-number-label", "PersonShape", "t:alice", "A person must have a name",
      remove="t:alice rdfs:label", add="t:alice rdfs:label 42 ."),
    C("occupation-string", "PersonShape", "t:alice", "occupation (ppkg:occupation) must be a concept",
      add='t:alice ppkg:occupation "journalist" .'),
    C("parent-not-person", "PersonShape", "t:alice", "parent (ppkg:parent) must be a ppkg:Person",
      add="t:alice ppkg:parent t:party ."),
    C("known-for-number", "PersonShape", "t:alice", "known for (ppkg:knownFor)",
      add="t:alice ppkg:knownFor 3 ."),
    # Organization (targeted through subclasses)
    C("party-no-label", "OrganizationShape", "t:party", "An organization must have a name",
      remove="t:party rdfs:label"),
    C("state-no-label", "OrganizationShape", "t:state", "An organization must have a name",
      remove="t:state rdfs:label"),
    C("org-known-for-empty", "OrganizationShape", "t:ngo", "known for (ppkg:knownFor)",
      add='t:ngo ppkg:knownFor "" .'),
    # Membership
    C("membership-no-label", "MembershipShape", "t:membership", "A membership must have a label",
      remove="t:membership rdfs:label"),
    C("membership-no-member", "MembershipShape", "t:membership", "exactly one member (ppkg:member)",
      remove="t:membership ppkg:member"),
    C("membership-two-members", "MembershipShape", "t:membership", "exactly one member (ppkg:member)",
      add="t:membership ppkg:member t:bob ."),
    C("membership-member-org", "MembershipShape", "t:membership", "exactly one member (ppkg:member)",
      remove="t:membership ppkg:member", add="t:membership ppkg:member t:ngo ."),
    C("membership-no-organization", "MembershipShape", "t:membership", "exactly one organization",
      remove="t:membership ppkg:organization"),
    C("membership-organization-person", "MembershipShape", "t:membership", "exactly one organization",
      remove="t:membership ppkg:organization", add="t:membership ppkg:organization t:bob ."),
    C("membership-two-organizations", "MembershipShape", "t:membership", "exactly one organization",
      add="t:membership ppkg:organization t:youth ."),
    C("membership-no-role", "MembershipShape", "t:membership", "must give the member's role",
      remove="t:membership ppkg:role"),
    C("membership-role-string", "MembershipShape", "t:membership", "must give the member's role",
      remove="t:membership ppkg:role", add='t:membership ppkg:role "member" .'),
    C("position-no-role", "MembershipShape", "t:position", "must give the member's role",
      remove="t:position ppkg:role"),
    C("membership-former-string", "MembershipShape", "t:membership", "ppkg:former must be a boolean",
      remove="t:membership ppkg:former", add='t:membership ppkg:former "yes" .'),
    C("membership-since-bad", "MembershipShape", "t:membership", "start of a membership (ppkg:since)",
      remove="t:membership ppkg:since", add='t:membership ppkg:since "2010-13"^^xsd:gYearMonth .'),
    C("position-in-party", "PositionHeldShape", "t:position", "should be in a state",
      remove="t:position ppkg:organization", add="t:position ppkg:organization t:party .",
      severity="Warning"),
    # Concepts
    C("role-no-label", "RoleShape", "t:member-role", "A role must have a label", remove="t:member-role rdfs:label"),
    C("role-no-preflabel", "RoleShape", "t:member-role", "preferred label (skos:prefLabel)",
      remove="t:member-role skos:prefLabel"),
    C("role-wrong-scheme", "RoleShape", "t:member-role", "roles scheme (skos:inScheme ppkg:RoleScheme)",
      remove="t:member-role skos:inScheme", add="t:member-role skos:inScheme ppkg:OffenceScheme ."),
    C("occupation-no-label", "OccupationShape", "t:journalist", "An occupation must have a label",
      remove="t:journalist rdfs:label"),
    C("occupation-no-scheme", "OccupationShape", "t:journalist", "occupations scheme",
      remove="t:journalist skos:inScheme"),
    C("occupation-no-preflabel", "OccupationShape", "t:journalist", "preferred label",
      remove="t:journalist skos:prefLabel"),
    C("offence-no-label", "OffenceShape", "t:smuggling", "An offence must have a label",
      remove="t:smuggling rdfs:label"),
    C("offence-no-scheme", "OffenceShape", "t:smuggling", "offences scheme (skos:inScheme ppkg:OffenceScheme)",
      remove="t:smuggling skos:inScheme"),
    C("offence-empty-preflabel", "OffenceShape", "t:smuggling", "preferred label",
      remove="t:smuggling skos:prefLabel", add='t:smuggling skos:prefLabel ""@en .'),
    C("violation-no-scheme", "ViolationShape", "t:torture", "violations scheme",
      remove="t:torture skos:inScheme"),
    C("violation-no-label", "ViolationShape", "t:torture", "A violation must have a label",
      remove="t:torture rdfs:label"),
    C("violation-no-preflabel", "ViolationShape", "t:torture", "preferred label",
      remove="t:torture skos:prefLabel"),
    C("status-no-scheme", "PrisonerStatusShape", "t:detainee", "statuses scheme",
      remove="t:detainee skos:inScheme"),
    C("status-no-label", "PrisonerStatusShape", "t:detainee", "A prisoner status must have a label",
      remove="t:detainee rdfs:label"),
    C("status-no-preflabel", "PrisonerStatusShape", "t:detainee", "preferred label",
      remove="t:detainee skos:prefLabel"),
    C("qualifier-no-scheme", "FigureQualifierShape", "t:roughly", "figure qualifiers scheme",
      remove="t:roughly skos:inScheme"),
    C("qualifier-no-label", "FigureQualifierShape", "t:roughly", "A figure qualifier must have a label",
      remove="t:roughly rdfs:label"),
    C("qualifier-no-preflabel", "FigureQualifierShape", "t:roughly", "preferred label",
      remove="t:roughly skos:prefLabel"),
    # Events
    C("event-no-label", "EventShape", "t:protest", "An event must have a label", remove="t:protest rdfs:label"),
    C("event-plain", "EventShape", "t:happening", "should have a specific type",
      add='t:happening a ppkg:Event ; rdfs:label "Something" ; ppkg:dateUnknown true .', severity="Warning"),
    C("date-impossible-day", "EventShape", "t:arrest", "date (ppkg:date) must be a valid",
      remove="t:arrest ppkg:date", add='t:arrest ppkg:date "2019-02-30"^^xsd:date .'),
    C("date-datetime-lexical", "EventShape", "t:arrest", "date (ppkg:date) must be a valid",
      remove="t:arrest ppkg:date", add='t:arrest ppkg:date "2019-03-16T10:00:00"^^xsd:date .'),
    C("date-bad-month", "EventShape", "t:charging", "date (ppkg:date) must be a valid",
      remove="t:charging ppkg:date", add='t:charging ppkg:date "2019-13"^^xsd:gYearMonth .'),
    C("date-short-year", "EventShape", "t:sentencing", "date (ppkg:date) must be a valid",
      remove="t:sentencing ppkg:date", add='t:sentencing ppkg:date "19"^^xsd:gYear .'),
    C("date-string", "EventShape", "t:arrest", "date (ppkg:date) must be a valid",
      remove="t:arrest ppkg:date", add='t:arrest ppkg:date "2019-03-16" .'),
    C("date-datetime-type", "EventShape", "t:arrest", "date (ppkg:date) must be a valid",
      remove="t:arrest ppkg:date", add='t:arrest ppkg:date "2019-03-16T10:00:00"^^xsd:dateTime .'),
    C("date-unknown-string", "EventShape", "t:protest", "ppkg:dateUnknown must be a boolean",
      remove="t:protest ppkg:dateUnknown", add='t:protest ppkg:dateUnknown "true" .'),
    C("date-description-empty", "EventShape", "t:arrest", "date as stated (ppkg:dateDescription)",
      add='t:arrest ppkg:dateDescription "" .'),
    C("concerns-string", "EventShape", "t:arrest", "Who an event concerns (ppkg:concerns)",
      add='t:arrest ppkg:concerns "Alice" .'),
    C("concerns-concept", "EventShape", "t:arrest", "Who an event concerns (ppkg:concerns)",
      add="t:arrest ppkg:concerns t:torture ."),
    C("agent-document", "EventShape", "t:protest", "Who carried out an event (ppkg:agent)",
      add="t:protest ppkg:agent t:decree ."),
    C("participant-string", "EventShape", "t:hunger-strike", "A participant in an event",
      add='t:hunger-strike ppkg:participant "several activists" .'),
    C("agent-description-empty", "EventShape", "t:campaign", "agent as stated (ppkg:agentDescription)",
      add='t:campaign ppkg:agentDescription " " .'),
    C("location-not-state", "EventShape", "t:arrest", "location (ppkg:location) must be a state",
      remove="t:arrest ppkg:location", add="t:arrest ppkg:location t:ministry ."),
    C("part-of-not-event", "EventShape", "t:release", "larger event (ppkg:partOf)",
      add="t:release ppkg:partOf t:decree ."),
    C("in-connection-with-not-event", "EventShape", "t:charging", "earlier event (ppkg:inConnectionWith)",
      add="t:charging ppkg:inConnectionWith t:alice ."),
    C("charge-string", "EventShape", "t:sentencing", "A charge (ppkg:charge) must be an offence concept",
      add='t:sentencing ppkg:charge "smuggling" .'),
    C("charge-violation-concept", "EventShape", "t:sentencing", "A charge (ppkg:charge) must be an offence",
      add="t:sentencing ppkg:charge t:torture ."),
    C("duration-description-number", "EventShape", "t:imprisonment", "duration as stated",
      add="t:imprisonment ppkg:durationDescription 3 ."),
    C("ongoing-string", "EventShape", "t:imprisonment", "ppkg:ongoing must be a boolean",
      remove="t:imprisonment ppkg:ongoing", add='t:imprisonment ppkg:ongoing "no" .'),
    C("participant-count-number", "EventShape", "t:rally", "participant count (ppkg:participantCount)",
      remove="t:rally ppkg:participantCount", add="t:rally ppkg:participantCount 5000 ."),
    C("demand-iri", "EventShape", "t:rally", "A demand (ppkg:demand)", add="t:rally ppkg:demand t:alice ."),
    C("concerns-description-empty", "EventShape", "t:mass-release", "Whom an event concerned, as stated",
      remove="t:mass-release ppkg:concernsDescription", add='t:mass-release ppkg:concernsDescription "" .'),
    C("ongoing-after-person", "EventShape", "t:still-held", "after which an event is reported still going on",
      remove="t:still-held ppkg:ongoingAfter", add="t:still-held ppkg:ongoingAfter t:alice ."),
    C("expressed-in-document", "EventShape", "t:self-identification", "The words that make an event",
      remove="t:self-identification ppkg:expressedIn",
      add="t:self-identification ppkg:expressedIn t:decree ."),
    C("ongoing-after-not-ongoing", "OngoingAfterShape", "t:still-held", "must say it is ongoing",
      remove="t:still-held ppkg:ongoing"),
    C("ongoing-after-ongoing-false", "OngoingAfterShape", "t:still-held", "must say it is ongoing",
      remove="t:still-held ppkg:ongoing", add="t:still-held ppkg:ongoing false ."),
    C("prosecution-no-concerns", "ProsecutionShape", "t:prosecution", "who faced it",
      remove="t:prosecution ppkg:concerns"),
    C("self-identification-by-another", "SelfIdentificationShape", "t:self-identification",
      "must be made by the person it concerns",
      remove="t:self-identification ppkg:agent", add="t:self-identification ppkg:agent t:bob ."),
    C("self-identification-no-agent", "SelfIdentificationShape", "t:self-identification",
      "must be made by the person it concerns", remove="t:self-identification ppkg:agent"),
    C("self-identification-no-words", "SelfIdentificationShape", "t:self-identification",
      "must give the words that make it", remove="t:self-identification ppkg:expressedIn"),
    C("event-no-date", "EventDateShape", "t:arrest", "must have a date (ppkg:date) or say that the source",
      remove="t:arrest ppkg:date"),
    C("event-date-unknown-false", "EventDateShape", "t:protest", "must have a date (ppkg:date) or say",
      remove="t:protest ppkg:dateUnknown", add="t:protest ppkg:dateUnknown false ."),
    C("rally-no-date", "EventDateShape", "t:rally", "must have a date (ppkg:date) or say",
      remove="t:rally ppkg:date"),
    # Event subtypes
    C("charging-no-concerns", "ChargingShape", "t:charging", "who was charged", remove="t:charging ppkg:concerns"),
    C("charging-no-charge", "ChargingShape", "t:charging", "should name the offences charged",
      remove="t:charging ppkg:charge", severity="Warning"),
    C("maximum-penalty-words", "ChargingShape", "t:charging", "maximum penalty (ppkg:maximumPenalty)",
      remove="t:charging ppkg:maximumPenalty", add='t:charging ppkg:maximumPenalty "seven years"^^xsd:duration .'),
    C("sentencing-no-concerns", "SentencingShape", "t:sentencing", "who was sentenced",
      remove="t:sentencing ppkg:concerns"),
    C("sentence-length-string", "SentencingShape", "t:sentencing", "sentence length (ppkg:sentenceLength)",
      remove="t:sentencing ppkg:sentenceLength", add='t:sentencing ppkg:sentenceLength "P3Y" .'),
    C("sentence-length-words", "SentencingShape", "t:sentencing", "sentence length (ppkg:sentenceLength)",
      remove="t:sentencing ppkg:sentenceLength", add='t:sentencing ppkg:sentenceLength "three years"^^xsd:duration .'),
    C("imprisonment-no-concerns", "ImprisonmentShape", "t:imprisonment", "who was imprisoned",
      remove="t:imprisonment ppkg:concerns"),
    C("time-served-integer", "ImprisonmentShape", "t:imprisonment", "time served (ppkg:timeServed)",
      remove="t:imprisonment ppkg:timeServed", add="t:imprisonment ppkg:timeServed 2 ."),
    C("release-nothing", "ReleaseShape", "t:mass-release", "must say who was freed",
      remove=("t:mass-release ppkg:underDecree", "t:mass-release ppkg:participantCount")),
    C("release-under-report", "ReleaseShape", "t:release", "decree of a release (ppkg:underDecree)",
      remove="t:release ppkg:underDecree", add="t:release ppkg:underDecree t:report ."),
    C("recognition-no-status", "RecognitionShape", "t:recognition", "must give the status recognised",
      remove="t:recognition ppkg:recognisedAs"),
    C("recognition-status-offence", "RecognitionShape", "t:recognition", "must give the status recognised",
      remove="t:recognition ppkg:recognisedAs", add="t:recognition ppkg:recognisedAs t:smuggling ."),
    C("recognition-no-concerns", "RecognitionShape", "t:recognition", "who was recognised",
      remove="t:recognition ppkg:concerns"),
    C("allegation-no-violation", "AllegationShape", "t:allegation", "must name the violation alleged",
      remove="t:allegation ppkg:alleges"),
    C("allegation-violation-string", "AllegationShape", "t:allegation", "must name the violation alleged",
      remove="t:allegation ppkg:alleges", add='t:allegation ppkg:alleges "torture" .'),
    C("allegation-no-concerns", "AllegationShape", "t:allegation", "who was mistreated",
      remove="t:allegation ppkg:concerns"),
    C("issuance-no-document", "DocumentIssuanceShape", "t:issuance", "must name the document issued",
      remove="t:issuance ppkg:document"),
    C("issuance-document-person", "DocumentIssuanceShape", "t:issuance", "must name the document issued",
      remove="t:issuance ppkg:document", add="t:issuance ppkg:document t:bob ."),
    C("hashtag-no-hash", "CampaignShape", "t:campaign", "must be a string that starts with '#'",
      remove="t:campaign ppkg:hashtag", add='t:campaign ppkg:hashtag "FreeAlice" .'),
    C("hashtag-space", "CampaignShape", "t:campaign", "must be a string that starts with '#'",
      remove="t:campaign ppkg:hashtag", add='t:campaign ppkg:hashtag "#Free Alice" .'),
    C("platform-empty", "CampaignShape", "t:campaign", "platform (ppkg:platform)",
      remove="t:campaign ppkg:platform", add='t:campaign ppkg:platform "" .'),
    # Documents
    C("document-no-label", "DocumentShape", "t:resolution", "A document must have a label",
      remove="t:resolution rdfs:label"),
    C("decree-no-label", "DocumentShape", "t:decree", "A document must have a label", remove="t:decree rdfs:label"),
    C("issued-by-string", "DocumentShape", "t:report", "Who issued a document (ppkg:issuedBy)",
      add='t:report ppkg:issuedBy "Test Watch" .'),
    C("title-empty", "DocumentShape", "t:decree", "title (ppkg:title)",
      remove="t:decree ppkg:title", add='t:decree ppkg:title "" .'),
    C("summary-lang", "DocumentShape", "t:decree", "summary (ppkg:summary)",
      remove="t:decree ppkg:summary", add='t:decree ppkg:summary "pardons"@en .'),
    C("status-empty", "DocumentShape", "t:report", "status (ppkg:status)",
      remove="t:report ppkg:status", add='t:report ppkg:status "" .'),
    C("occasion-description-number", "DocumentShape", "t:decree", "occasion as stated",
      add="t:decree ppkg:occasionDescription 1 ."),
    C("document-demand-empty", "DocumentShape", "t:resolution", "A demand (ppkg:demand)",
      remove="t:resolution ppkg:demand", add='t:resolution ppkg:demand "" .'),
    C("people-released-number", "PardonDecreeShape", "t:decree", "people released (ppkg:peopleReleased)",
      remove="t:decree ppkg:peopleReleased", add="t:decree ppkg:peopleReleased 400 ."),
    C("pp-released-number", "PardonDecreeShape", "t:decree", "ppkg:politicalPrisonersReleased",
      remove="t:decree ppkg:politicalPrisonersReleased", add="t:decree ppkg:politicalPrisonersReleased 51 ."),
    C("pp-before-person", "PardonDecreeShape", "t:decree", "ppkg:politicalPrisonersBefore",
      remove="t:decree ppkg:politicalPrisonersBefore", add="t:decree ppkg:politicalPrisonersBefore t:alice ."),
    C("pp-remaining-untyped", "PardonDecreeShape", "t:decree", "ppkg:politicalPrisonersRemaining",
      add='t:decree ppkg:politicalPrisonersRemaining [ ppkg:asStated "some" ] .'),
    # Figures
    C("figure-no-label", "FigureShape", "t:fig-released", "A figure must have a label",
      remove="t:fig-released rdfs:label"),
    C("figure-no-as-stated", "FigureShape", "t:fig-released", "source's own words (ppkg:asStated)",
      remove="t:fig-released ppkg:asStated"),
    C("blank-figure-no-as-stated", "FigureShape", "t:decree ppkg:politicalPrisonersRemaining",
      "source's own words (ppkg:asStated)",
      remove="t:decree ppkg:politicalPrisonersRemaining",
      add='t:decree ppkg:politicalPrisonersRemaining [ a ppkg:Figure ; rdfs:label "dozens" ; ppkg:qualifier ppkg:Dozens ] .'),
    C("figure-no-qualifier", "FigureShape", "t:fig-thousands", "must have a qualifier (ppkg:qualifier)",
      remove="t:fig-thousands ppkg:qualifier"),
    C("figure-qualifier-string", "FigureShape", "t:fig-thousands", "must have a qualifier (ppkg:qualifier)",
      remove="t:fig-thousands ppkg:qualifier", add='t:fig-thousands ppkg:qualifier "thousands" .'),
    C("figure-value-negative", "FigureShape", "t:fig-pp-released", "value (ppkg:value) must be a non-negative",
      remove="t:fig-pp-released ppkg:value", add='t:fig-pp-released ppkg:value -1 .'),
    C("figure-value-decimal", "FigureShape", "t:fig-pp-released", "value (ppkg:value) must be a non-negative",
      remove="t:fig-pp-released ppkg:value", add="t:fig-pp-released ppkg:value 51.5 ."),
    C("figure-value-words", "FigureShape", "t:fig-pp-released", "value (ppkg:value) must be a non-negative",
      remove="t:fig-pp-released ppkg:value", add='t:fig-pp-released ppkg:value "fifty-one"^^xsd:integer .'),
    C("figure-estimated-by-empty", "FigureShape", "t:fig-released", "Whose estimate",
      add='t:fig-released ppkg:estimatedBy "" .'),
    C("figure-identified-by-empty", "FigureShape", "t:fig-pp-released", "Who identified the people",
      remove="t:fig-pp-released ppkg:identifiedBy", add='t:fig-pp-released ppkg:identifiedBy "" .'),
    C("more-than-no-value", "FigureValueShape", "t:fig-released", "must give its number (ppkg:value)",
      remove="t:fig-released ppkg:value"),
    C("exactly-no-value", "FigureValueShape", "t:fig-pp-released", "must give its number (ppkg:value)",
      remove="t:fig-pp-released ppkg:value"),
    C("thousands-with-value", "VagueFigureShape", "t:fig-thousands", "should not give a value",
      add='t:fig-thousands ppkg:value 3000 .', severity="Warning"),
    # Statements
    C("statement-no-label", "StatementShape", "t:statement", "A statement must have a label",
      remove="t:statement rdfs:label"),
    C("statement-no-text", "StatementShape", "t:statement", "A statement must give its verbatim text (ppkg:text)",
      remove="t:statement ppkg:text"),
    C("statement-empty-text", "StatementShape", "t:statement", "A statement must give its verbatim text",
      remove="t:statement ppkg:text", add='t:statement ppkg:text "" .'),
    C("statement-no-source", "StatementShape", "t:statement", "must name the source that reports it",
      remove="t:statement ppkg:source"),
    C("statement-source-person", "StatementShape", "t:statement", "must name the source that reports it",
      remove="t:statement ppkg:source", add="t:statement ppkg:source t:alice ."),
    C("statement-speaker-string", "StatementShape", "t:statement", "speaker (ppkg:speaker) must be a person",
      remove="t:statement ppkg:speaker", add='t:statement ppkg:speaker "Alice" .'),
    C("statement-speaker-description-empty", "StatementShape", "t:statement-2", "speaker as stated",
      remove="t:statement-2 ppkg:speakerDescription", add='t:statement-2 ppkg:speakerDescription "" .'),
    C("statement-occasion-person", "StatementShape", "t:statement", "occasion of a statement (ppkg:occasion)",
      remove="t:statement ppkg:occasion", add="t:statement ppkg:occasion t:bob ."),
    C("statement-occasion-description-empty", "StatementShape", "t:statement", "occasion as stated",
      remove="t:statement ppkg:occasionDescription", add='t:statement ppkg:occasionDescription "" .'),
    C("statement-about-concept", "StatementShape", "t:statement", "What a statement is about (ppkg:about)",
      add="t:statement ppkg:about t:torture ."),
    C("statement-context-empty", "StatementShape", "t:statement", "context of a statement (ppkg:context)",
      remove="t:statement ppkg:context", add='t:statement ppkg:context "" .'),
    C("reported-no-label", "ReportedSpeechShape", "t:reported", "Reported speech must have a label",
      remove="t:reported rdfs:label"),
    C("reported-no-text", "ReportedSpeechShape", "t:reported", "source's sentence that reports it (ppkg:text)",
      remove="t:reported ppkg:text"),
    C("reported-no-source", "ReportedSpeechShape", "t:reported", "must name the source that reports it",
      remove="t:reported ppkg:source"),
    C("reported-speaker-concept", "ReportedSpeechShape", "t:reported", "speaker of reported speech",
      remove="t:reported ppkg:speaker", add="t:reported ppkg:speaker t:journalist ."),
    C("reported-speaker-description-number", "ReportedSpeechShape", "t:reported", "speaker as stated",
      remove="t:reported ppkg:speakerDescription", add="t:reported ppkg:speakerDescription 7 ."),
    C("reported-occasion-document", "ReportedSpeechShape", "t:reported", "occasion of reported speech",
      remove="t:reported ppkg:occasion", add="t:reported ppkg:occasion t:decree ."),
    C("reported-about-string", "ReportedSpeechShape", "t:reported", "What reported speech is about",
      add='t:reported ppkg:about "Testland" .'),
    C("characterisation-no-label", "CharacterisationShape", "t:characterisation",
      "A characterisation must have a label", remove="t:characterisation rdfs:label"),
    C("characterisation-no-text", "CharacterisationShape", "t:characterisation",
      "must give the source's own sentence", remove="t:characterisation ppkg:text"),
    C("characterisation-no-source", "CharacterisationShape", "t:characterisation",
      "must name the source whose judgement it is", remove="t:characterisation ppkg:source"),
    C("characterisation-source-person", "CharacterisationShape", "t:characterisation",
      "must name the source whose judgement it is",
      remove="t:characterisation ppkg:source", add="t:characterisation ppkg:source t:alice ."),
    C("characterisation-about-nothing", "CharacterisationShape", "t:characterisation",
      "must say what it is about", remove="t:characterisation ppkg:about"),
    C("characterisation-about-concept", "CharacterisationShape", "t:characterisation",
      "must say what it is about", add="t:characterisation ppkg:about t:torture ."),
    C("statement-no-speaker", "SpeakerShape", "t:statement", "must say who spoke",
      remove="t:statement ppkg:speaker"),
    C("reported-no-speaker", "SpeakerShape", "t:reported", "must say who spoke",
      remove=("t:reported ppkg:speaker", "t:reported ppkg:speakerDescription")),
    # Sources
    C("source-no-label", "SourceShape", "t:source", "A source must have a label", remove="t:source rdfs:label"),
    C("source-publisher-person", "SourceShape", "t:source", "publisher (ppkg:publisher)",
      remove="t:source ppkg:publisher", add="t:source ppkg:publisher t:alice ."),
    C("source-title-empty", "SourceShape", "t:source", "A source's title (ppkg:title)",
      remove="t:source ppkg:title", add='t:source ppkg:title "" ; ppkg:openingWords "Once" .'),
    C("source-opening-words-empty", "SourceShape", "t:untitled", "opening words (ppkg:openingWords)",
      add='t:untitled ppkg:openingWords "" .'),
    C("source-corpus-file-number", "SourceShape", "t:source", "corpus file (ppkg:corpusFile)",
      remove="t:source ppkg:corpusFile", add="t:source ppkg:corpusFile 0 ."),
    C("source-no-title", "SourceTitleShape", "t:source", "must have a title (ppkg:title) or",
      remove="t:source ppkg:title"),
    C("untitled-no-opening-words", "SourceTitleShape", "t:untitled", "must have a title (ppkg:title) or",
      remove="t:untitled ppkg:openingWords"),
    C("source-url-string", "SourceShape", "t:source", "URL (ppkg:url) must be an http(s) IRI",
      remove="t:source ppkg:url", add='t:source ppkg:url "https://example.org/test-article" .'),
    C("source-url-not-http", "SourceShape", "t:source", "URL (ppkg:url) must be an http(s) IRI",
      remove="t:source ppkg:url", add="t:source ppkg:url <urn:isbn:0451450523> ."),
    C("source-date-published-bad", "SourceShape", "t:source", "publication date (ppkg:datePublished)",
      remove="t:source ppkg:datePublished", add='t:source ppkg:datePublished "16 March 2019" .'),
    C("source-archival-reference-empty", "SourceShape", "t:source", "archival reference (ppkg:archivalReference)",
      remove="t:source ppkg:archivalReference", add='t:source ppkg:archivalReference " " .'),
    # Submissions (the validator types what an upload describes ppkgsh:Submitted)
    C("submitted-without-source", "SubmittedResourceShape", "t:alice", "Say which source document states this",
      add="t:alice a ppkgsh:Submitted ."),
    C("submitted-source-not-in-submission", "SubmittedResourceShape", "t:alice",
      "Say which source document states this", add="t:alice a ppkgsh:Submitted ; ppkg:source t:source ."),
    C("submitted-source-not-a-source", "SubmittedResourceShape", "t:alice",
      "Say which source document states this",
      add="t:alice a ppkgsh:Submitted ; ppkg:source t:bob . t:bob a ppkgsh:Submitted ; ppkg:source t:source2 . "
          't:source2 a ppkgsh:Submitted, ppkg:NewsArticle ; rdfs:label "S" ; ppkg:title "S" ; '
          "ppkg:url <https://example.org/s> ."),
    C("submitted-source-cannot-be-found", "SubmittedSourceShape", "t:untitled", "must say where to find it",
      add="t:untitled a ppkgsh:Submitted ."),
]
