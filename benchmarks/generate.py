"""A seeded generator of a synthetic ppkg graph, for the benchmarks.

It writes records that look like the shipped graph (graph/*.trig), in ppkg's vocabulary
(ontology/ppkg.ttl): one named graph per ppkg:NewsArticle source, each restating what that source
says about the people it mentions — who they are, the parties and other organizations they belong
to and in which role, the offences they were charged with and sentenced for, the sentence, the
imprisonment and time served, their release under a (dated) pardon decree with its figures, their
recognition as political prisoners, and what they and others said (ppkg:Statement with text,
speaker and source). People, decrees and organizations recur across sources, sometimes with a
disagreeing value for a functional property (sentence length, time served, a decree figure), as
real sources do. Offences, roles and occupations are SKOS concepts, in the ontology's graph.

Deterministic for a seed: the same `--triples --seed` give the same file, byte for byte. The
number of quads written is the first whole source past `--triples` (a few hundred over at most).

    python benchmarks/generate.py --triples 100000 --seed 1 --out benchmarks/out/g.trig

`.trig` writes TriG with prefixes and one block per graph (like the shipped files); `.nq` writes
N-Quads.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

# --- namespaces --------------------------------------------------------------------------------

BASE = "https://w3id.org/ppkg/id/"
NS = {
    "ppkg": "https://w3id.org/ppkg/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "src": BASE + "source/",
    "person": BASE + "person/",
    "orgn": BASE + "organization/",
    "mem": BASE + "membership/",
    "event": BASE + "event/",
    "doc": BASE + "document/",
    "fig": BASE + "figure/",
    "st": BASE + "statement/",
    "rs": BASE + "reported-speech/",
    "off": BASE + "offence/",
    "role": BASE + "role/",
    "occ": BASE + "occupation/",
}
ONTOLOGY_GRAPH = "https://w3id.org/ppkg/ontology"

# Terms are kept as N-Triples text; the TriG writer compacts them with the prefixes above.


def iri(prefix: str, local: str) -> str:
    return f"<{NS[prefix]}{local}>"


def P(local: str) -> str:  # a ppkg term
    return f"<{NS['ppkg']}{local}>"


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPE_RE = re.compile(r'["\\\n\r\t]')


def lit(text: str, lang: str | None = None) -> str:
    body = '"' + _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], text) + '"'
    return body + "@" + lang if lang else body


def typed(lexical: str, datatype: str) -> str:
    return f'"{lexical}"^^<{NS["xsd"]}{datatype}>'


A = f"<{NS['rdf']}type>"
LABEL = f"<{NS['rdfs']}label>"
COMMENT = f"<{NS['rdfs']}comment>"
TRUE = typed("true", "boolean")


def kebab(name: str) -> str:
    """peopleReleased → people-released"""
    return re.sub(r"([A-Z])", lambda m: "-" + m.group(1).lower(), name)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- vocabularies --------------------------------------------------------------------------------

# (slug, label, comment); the first ones are the concepts of ontology/concepts.ttl.
OFFENCES = [
    ("smuggling", "smuggling", "Smuggling goods across a border."),
    ("libel", "libel", "Publishing false statements that damage someone's reputation."),
    ("assault-on-a-prison-officer", "assault on a prison officer", "Using violence against a member of prison staff."),
    ("inciting-violence", "inciting violence", "Calling on others to commit violence."),
    ("organizing-mass-disorder", "organizing mass disorder", "Organizing riots or mass disturbances of public order."),
] + [(slugify(name), name, f"The offence of {name}, as the sources name it.") for name in [
    "hooliganism", "illegal drug possession", "drug trafficking", "tax evasion", "high treason",
    "abuse of office", "embezzlement", "illegal entrepreneurship", "money laundering",
    "calling for the seizure of power", "illegal border crossing", "espionage", "fraud",
    "forgery of documents", "resisting a police officer", "illegal possession of weapons",
    "inciting religious hatred", "extremism", "financing terrorism", "insulting the head of state",
    "evasion of military service", "participation in mass riots", "vandalism", "bribery",
    "illegal religious activity", "contempt of court", "theft", "obstruction of justice",
    "public calls against the state", "unlawful assembly", "disobeying a lawful order",
    "misappropriation", "violation of election law", "defamation online", "usurpation of power",
]]
ROLES = [
    ("member", "member"), ("deputy-chairperson", "deputy chairperson"),
    ("coordinator", "coordinator"), ("spokesperson", "spokesperson"), ("president", "president"),
    ("minister-of-health", "minister of health"), ("chairperson", "chairperson"),
    ("secretary-general", "secretary general"), ("founder", "founder"),
    ("board-member", "board member"), ("editor-in-chief", "editor-in-chief"),
    ("regional-coordinator", "regional coordinator"), ("youth-wing-leader", "youth wing leader"),
    ("treasurer", "treasurer"), ("press-secretary", "press secretary"),
]
PARTY_ROLES = ["member"] * 8 + ["deputy-chairperson", "chairperson", "coordinator",
                                "secretary-general", "regional-coordinator", "youth-wing-leader",
                                "treasurer", "press-secretary", "spokesperson", "board-member"]
OCCUPATIONS = [
    ("journalist", "journalist"), ("blogger", "blogger"), ("lawyer", "lawyer"),
    ("human-rights-activist", "human rights activist"), ("economist", "economist"),
    ("poet", "poet"), ("student", "student"), ("teacher", "teacher"), ("imam", "imam"),
    ("academic", "academic"), ("businessperson", "businessperson"), ("musician", "musician"),
    ("civil-servant", "civil servant"), ("engineer", "engineer"),
]
STATUSES = ["PoliticalPrisoner", "FormerPoliticalPrisoner"]

FIRST_M = ["Ali", "Ilkin", "Fuad", "Fikret", "Afgan", "Seymour", "Mehman", "Giyas", "Bayram",
           "Tofig", "Rauf", "Elchin", "Anar", "Emin", "Ilgar", "Rashad", "Tural", "Orkhan",
           "Vugar", "Kamran", "Natig", "Elvin", "Jamil", "Zaur", "Ramin", "Farid", "Nijat",
           "Taleh", "Arif", "Intigam", "Rasul", "Abulfaz", "Yadigar", "Nurlan", "Murad", "Samir"]
FIRST_F = ["Gozal", "Leyla", "Khadija", "Aynur", "Sevinj", "Gunel", "Narmin", "Aygun", "Ulviyya",
           "Nigar", "Arzu", "Shahla", "Lala", "Aysel", "Nargiz", "Zarifa", "Fatima", "Samira"]
LAST = ["Mammadov", "Aliyev", "Huseynov", "Hasanov", "Guliyev", "Ismayilov", "Rustamzade",
        "Ibrahimov", "Bayramli", "Gahramanli", "Mukhtarli", "Jafarov", "Karimov", "Abbasov",
        "Babayev", "Valiyev", "Rzayev", "Safarov", "Nasirov", "Orujov", "Zeynalov", "Musayev",
        "Hajiyev", "Suleymanov", "Alizade", "Yusifov", "Asgarov", "Amirov", "Najafov", "Talibov",
        "Gasimov", "Ahmadov", "Bagirov", "Mirzayev", "Sadigov", "Shirinov", "Tagiyev", "Farajov",
        "Aghayev", "Hazi", "Insanov", "Faramazoglu", "Mahmudov", "Quliyev", "Novruzlu"]

PARTY_WORDS_A = ["Popular", "Democratic", "Liberal", "National", "Republican", "Civic", "Green",
                 "Social", "Progressive", "Unity", "Freedom", "Justice", "Equality", "Solidarity",
                 "Reform", "Citizens'", "Independent", "Modern", "Alternative", "Labour"]
PARTY_WORDS_B = ["Front", "Alliance", "Movement", "Union", "Forum", "Congress", "Council",
                 "Coalition", "Bloc", "League"]
OCCASIONS = ["Novruz", "Republic Day", "Independence Day", "New Year", "Ramadan", "Victory Day",
             "National Salvation Day", "Constitution Day", "Solidarity Day", "Flag Day"]
MONTH_OF = {"Novruz": 3, "Republic Day": 5, "Independence Day": 10, "New Year": 12,
            "Ramadan": 5, "Victory Day": 11, "National Salvation Day": 6, "Constitution Day": 11,
            "Solidarity Day": 12, "Flag Day": 11}
NUMBER_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve"]

PRISONER_SAYS = [
    "I did not expect this.",
    "But our struggle continues.",
    "The motives behind my arrests were purely political.",
    "Starting today, I will resume my struggle.",
    "The charges against me were fabricated from the first day.",
    "I was never shown the evidence they claimed to have.",
    "What is important is not our freedom, but the freedom of the country.",
    "They moved me from a small prison into a big prison.",
    "I thank everyone who campaigned for our release.",
    "Many of my friends are still behind bars.",
    "I was sentenced for what I wrote, not for what they say I did.",
    "Prison did not break my will.",
    "The court did not let my lawyer speak.",
    "I will keep writing about corruption.",
    "We will not stop until every political prisoner is free.",
    "My family suffered more than I did.",
    "The pardon is welcome, but it is not justice.",
    "Nobody has apologised for the years I lost.",
]
OTHERS_SAY = [
    "This release is a welcome step, and we expect further similar steps.",
    "Dozens more remain imprisoned on politically motivated charges.",
    "The authorities must release all those detained for their peaceful activity.",
    "The trial fell far short of international fair trial standards.",
    "Journalists should never be jailed for doing their work.",
    "We call for the immediate and unconditional release of all political prisoners.",
    "The government must end the practice of imprisoning its critics.",
    "The pardon does not address the root causes of the crackdown.",
]
HEADLINES = [
    "{n} political prisoners freed under the {occasion} pardon",
    "Pardon decree frees activists ahead of {occasion}",
    "Opposition members remain jailed despite {occasion} amnesty",
    "Court sentences {name} to {years} years",
    "Rights groups demand release of {name}",
    "{party} members arrested after protest",
    "Journalist {name} goes on trial",
    "What the {occasion} pardon means for political prisoners",
]


# --- the graph builder -----------------------------------------------------------------------------

class Graph:
    """One named graph: subjects in insertion order, each with its (predicate, object) pairs."""

    def __init__(self, name: str):
        self.name = name
        self.subjects: dict[str, list[tuple[str, str]]] = {}
        self.seen: set[tuple[str, str, str]] = set()

    def add(self, s: str, p: str, o: str) -> None:
        if (s, p, o) in self.seen:
            return
        self.seen.add((s, p, o))
        self.subjects.setdefault(s, []).append((p, o))

    def __len__(self) -> int:
        return len(self.seen)


class Generator:
    def __init__(self, triples: int, seed: int):
        self.target = triples
        self.seed = seed
        self.rng = random.Random(f"ppkg-bench/{seed}")
        self.used_slugs: set[str] = set()
        n = max(triples, 1000)
        self.n_parties = 8 + n // 40_000
        self.n_decrees = 3 + n // 30_000
        self.n_other_orgs = 6 + n // 25_000
        self.people: list[dict] = []
        self.by_decree: dict[int, list[int]] = defaultdict(list)  # decree → people released by it
        self.unreleased: list[int] = []
        self.graphs: list[Graph] = []
        self.quads = 0
        self._setup()

    # -- helpers ----------------------------------------------------------------------------------

    def unique_slug(self, base: str) -> str:
        slug, n = base, 1
        while slug in self.used_slugs:
            n += 1
            slug = f"{base}-{n}"
        self.used_slugs.add(slug)
        return slug

    @staticmethod
    def date(rng: random.Random, year: int, month: int | None = None) -> str:
        month = month or rng.randint(1, 12)
        return typed(f"{year:04d}-{month:02d}-{rng.randint(1, 28):02d}", "date")

    # -- shared entities --------------------------------------------------------------------------

    def _setup(self) -> None:
        rng = self.rng
        # parties
        names = [f"{a} {b} Party" for a in PARTY_WORDS_A for b in PARTY_WORDS_B]
        rng.shuffle(names)
        self.parties = [{"iri": iri("orgn", "popular-front-of-azerbaijan-party"),
                         "label": "Popular Front Party", "alt": "PFPA", "type": "PoliticalParty"}]
        for name in names[: self.n_parties - 1]:
            self.parties.append({"iri": iri("orgn", self.unique_slug(slugify(name))),
                                 "label": name, "alt": "".join(w[0] for w in name.split()),
                                 "type": "PoliticalParty"})
        # weights: a few big opposition parties, a long tail
        self.party_weights = [1.0 / (i + 1) ** 0.8 for i in range(len(self.parties))]
        # other organizations
        self.youth = [{"iri": iri("orgn", "nida"), "label": "NIDA", "type": "YouthOrganization"}]
        self.rights = [{"iri": iri("orgn", s), "label": l, "type": "HumanRightsOrganization"}
                       for s, l in [("human-rights-watch", "Human Rights Watch"),
                                    ("amnesty-international", "Amnesty International"),
                                    ("freedom-house", "Freedom House"),
                                    ("committee-to-protect-journalists",
                                     "Committee to Protect Journalists")]]
        self.media = []
        cities = ["Baku", "Ganja", "Sumgait", "Lankaran", "Shaki", "Nakhchivan", "Mingachevir",
                  "Quba", "Shamakhi", "Zagatala"]
        kinds = ["Daily", "Radio", "Times", "Online", "Herald", "Post", "Voice", "Today"]
        for i in range(self.n_other_orgs):
            city = cities[i % len(cities)]
            kind = kinds[(i // len(cities)) % len(kinds)]
            round_ = i // (len(cities) * len(kinds))
            suffix = f" {round_ + 1}" if round_ else ""
            self.media.append({"iri": iri("orgn", self.unique_slug(slugify(f"{city} {kind}{suffix}"))),
                               "label": f"{city} {kind}{suffix}", "type": "MediaOutlet"})
            self.youth.append({"iri": iri("orgn", self.unique_slug(slugify(f"{city} youth movement{suffix}"))),
                               "label": f"{city} Youth Movement{suffix}", "type": "YouthOrganization"})
            self.rights.append({"iri": iri("orgn", self.unique_slug(slugify(f"{city} rights centre{suffix}"))),
                                "label": f"{city} Rights Centre{suffix}", "type": "HumanRightsOrganization"})
        self.state = {"iri": iri("orgn", "azerbaijan"), "label": "Azerbaijan", "type": "State"}
        self.government = {"iri": iri("orgn", "government-of-azerbaijan"),
                           "label": "Government of Azerbaijan", "type": "StateBody"}
        self.president = {"iri": iri("person", "ilham-aliyev"), "label": "Ilham Aliyev"}
        for slug in ("ilham-aliyev", "azerbaijan", "government-of-azerbaijan", "nida",
                     "popular-front-of-azerbaijan-party", "human-rights-watch",
                     "amnesty-international", "freedom-house", "committee-to-protect-journalists"):
            self.used_slugs.add(slug)
        # pardon decrees, each with a date and figures
        self.decrees = []
        for i in range(self.n_decrees):
            occasion = OCCASIONS[i % len(OCCASIONS)]
            year = 2005 + (i * 7 + rng.randint(0, 3)) % 20
            slug = self.unique_slug(slugify(f"{occasion} {year} pardon decree"))
            released = rng.randint(50, 900)
            political = rng.randint(5, min(120, released))
            self.decrees.append({
                "i": i, "slug": slug, "iri": iri("doc", slug), "occasion": occasion, "year": year,
                "label": f"{MONTH_NAMES[MONTH_OF[occasion]]} {year} {occasion} pardon decree",
                "date": typed(f"{year:04d}-{MONTH_OF[occasion]:02d}-{rng.randint(1, 28):02d}", "date"),
                "released": released, "political": political, "remaining": rng.randint(20, 160),
            })

    # -- people ------------------------------------------------------------------------------------

    def new_person(self, decree: int | None) -> int:
        idx = len(self.people)
        r = random.Random(f"ppkg-bench/{self.seed}/person/{idx}")
        female = r.random() < 0.3
        first = r.choice(FIRST_F if female else FIRST_M)
        last = r.choice(LAST)
        if female and last.endswith(("ov", "ev")):
            last += "a"
        name = f"{first} {last}"
        slug = self.unique_slug(slugify(name))
        charges = r.sample(range(len(OFFENCES)), k=r.choice([1, 1, 2, 2, 3]))
        # skew towards the first offences: a handful of charges are used against most people
        charges = sorted({min(c, int(r.paretovariate(1.2)) - 1) if r.random() < 0.6 else c
                          for c in charges})
        arrest_year = (self.decrees[decree]["year"] - r.randint(1, 6)) if decree is not None \
            else r.randint(2008, 2024)
        sentence = r.choice([2, 3, 4, 5, 6, 7, 8, 9, 10, 12])
        person = {
            "idx": idx, "slug": slug, "iri": iri("person", slug), "name": name,
            "occupations": r.sample(range(len(OCCUPATIONS)), k=r.choice([0, 1, 1, 1, 2])),
            "party": (r.choices(range(len(self.parties)), weights=self.party_weights)[0]
                      if r.random() < 0.7 else None),
            "party_role": r.choice(PARTY_ROLES),
            "since": r.randint(1995, 2018) if r.random() < 0.5 else None,
            "other_org": (r.choice(self.youth + self.media + self.rights[4:] or self.youth)
                          if r.random() < 0.25 else None),
            "other_role": r.choice(["member", "coordinator", "founder", "board-member",
                                    "editor-in-chief", "spokesperson"]),
            "charges": charges,
            "arrest_year": max(1995, arrest_year),
            "arrest_month": r.randint(1, 12),
            "max_penalty": sentence + r.randint(0, 5) if r.random() < 0.4 else None,
            "sentenced": r.random() < 0.85,
            "sentence": sentence,
            "decree": decree,
            "served": r.randint(1, sentence) if decree is not None else None,
            "recognised_by": r.choice(self.rights) if r.random() < 0.55 else None,
        }
        self.people.append(person)
        if decree is None:
            self.unreleased.append(idx)
        else:
            self.by_decree[decree].append(idx)
        return idx

    def pick_people(self, rng: random.Random, decree: int | None, k: int) -> list[int]:
        pool = self.by_decree[decree] if decree is not None else self.unreleased
        chosen: list[int] = []
        for _ in range(k):
            if pool and rng.random() < 0.3:
                idx = rng.choice(pool)
                if idx in chosen:
                    continue
            else:
                idx = self.new_person(decree)
            chosen.append(idx)
        return chosen

    # -- writing one source ------------------------------------------------------------------------

    def org(self, g: Graph, org: dict) -> None:
        g.add(org["iri"], A, P(org["type"]))
        g.add(org["iri"], LABEL, lit(org["label"]))
        if org.get("alt"):
            g.add(org["iri"], f"<{NS['skos']}altLabel>", lit(org["alt"]))

    def decree(self, g: Graph, rng: random.Random, d: dict, src_hex: str) -> tuple[str, str]:
        D = d["iri"]
        g.add(D, A, P("PardonDecree"))
        g.add(D, LABEL, lit(d["label"]))
        g.add(D, P("issuedBy"), self.president["iri"])
        g.add(D, P("occasionDescription"), lit(f"on the eve of {d['occasion']}"))
        g.add(self.president["iri"], A, P("Person"))
        g.add(self.president["iri"], LABEL, lit(self.president["label"]))
        # figures: sources mostly agree, sometimes round or disagree
        for prop, key, what in (("peopleReleased", "released", "people freed"),
                                ("politicalPrisonersReleased", "political", "political prisoners released")):
            value = d[key]
            qualifier = "Exactly"
            if rng.random() < 0.25:
                value, qualifier = (value // 100) * 100 or value, "MoreThan"
            elif rng.random() < 0.1:
                value += rng.choice([-1, 1])
            F = iri("fig", f"{d['slug']}-{kebab(prop)}-{src_hex}")
            g.add(D, P(prop), F)
            g.add(F, A, P("Figure"))
            g.add(F, LABEL, lit(f"{'More than ' if qualifier == 'MoreThan' else ''}{value} {what}"))
            g.add(F, P("value"), typed(str(max(value, 0)), "nonNegativeInteger"))
            g.add(F, P("qualifier"), P(qualifier))
            g.add(F, P("asStated"), lit(f"{'more than ' if qualifier == 'MoreThan' else ''}{value} {what}"))
        if rng.random() < 0.5:
            F = iri("fig", f"{d['slug']}-political-prisoners-remaining-{src_hex}")
            g.add(D, P("politicalPrisonersRemaining"), F)
            g.add(F, A, P("Figure"))
            g.add(F, LABEL, lit("Dozens more remain imprisoned"))
            g.add(F, P("qualifier"), P("Dozens"))
            g.add(F, P("asStated"), lit("dozens more remain imprisoned"))
            g.add(F, P("estimatedBy"), lit("observers"))
        issued = iri("event", f"{d['slug']}-issued")
        g.add(issued, A, P("DocumentIssuance"))
        g.add(issued, LABEL, lit(f"Issuance of the {d['label']}"))
        g.add(issued, P("document"), D)
        g.add(issued, P("agent"), self.president["iri"])
        g.add(issued, P("location"), self.state["iri"])
        g.add(issued, P("date"), d["date"])
        mass = iri("event", f"{d['slug']}-mass-release")
        g.add(mass, A, P("Release"))
        g.add(mass, LABEL, lit(f"Mass release under the {d['label']}"))
        g.add(mass, P("underDecree"), D)
        g.add(mass, P("location"), self.state["iri"])
        g.add(mass, P("date"), d["date"])
        self.org(g, self.state)
        return D, mass

    def person(self, g: Graph, rng: random.Random, p: dict, src: str, src_hex: str,
               mass: str | None, about_release: bool) -> None:
        X, name, slug = p["iri"], p["name"], p["slug"]
        g.add(X, A, P("Person"))
        g.add(X, LABEL, lit(name))
        for o in p["occupations"]:
            g.add(X, P("occupation"), iri("occ", OCCUPATIONS[o][0]))
        memberships = []
        if p["party"] is not None:
            memberships.append((self.parties[p["party"]], p["party_role"]))
        if p["other_org"] is not None:
            memberships.append((p["other_org"], p["other_role"]))
        for org, role in memberships:
            M = iri("mem", f"{slug}-{org['iri'][len(NS['orgn']) + 1:-1]}")
            role_label = dict(ROLES)[role]
            self.org(g, org)
            g.add(M, A, P("Membership"))
            g.add(M, LABEL, lit(f"{name}, {role_label} of {org['label']}"))
            g.add(M, P("member"), X)
            g.add(M, P("organization"), org["iri"])
            g.add(M, P("role"), iri("role", role))
            if p["since"] and org is not p["other_org"]:
                g.add(M, P("since"), typed(str(p["since"]), "gYear"))
        charges = [iri("off", OFFENCES[c][0]) for c in p["charges"]]
        charge_words = " and ".join(OFFENCES[c][1] for c in p["charges"])
        year, month = p["arrest_year"], p["arrest_month"]
        # arrest and charging
        if rng.random() < 0.6:
            E = iri("event", f"arrest-{slug}")
            g.add(E, A, P("Arrest"))
            g.add(E, LABEL, lit(f"Arrest of {name}"))
            g.add(E, P("concerns"), X)
            g.add(E, P("agent"), self.government["iri"])
            g.add(E, P("date"), self.date(random.Random(f"{slug}/arrest"), year, month))
            self.org(g, self.government)
        C = iri("event", f"charging-{slug}")
        g.add(C, A, P("Charging"))
        g.add(C, LABEL, lit(f"{name} charged with {charge_words}"))
        g.add(C, P("concerns"), X)
        for c in charges:
            g.add(C, P("charge"), c)
        if p["max_penalty"]:
            g.add(C, P("maximumPenalty"), typed(f"P{p['max_penalty']}Y", "duration"))
        if rng.random() < 0.7:
            g.add(C, P("date"), self.date(random.Random(f"{slug}/charge"), year, month))
        else:
            g.add(C, P("dateUnknown"), TRUE)
        last_event = C
        if p["sentenced"]:
            S = iri("event", f"sentencing-{slug}")
            years = p["sentence"]
            if rng.random() < 0.05:  # a source that disagrees on the sentence
                years += rng.choice([-1, 1, 2])
            g.add(S, A, P("Sentencing"))
            g.add(S, LABEL, lit(f"{name} sentenced to {years} years for {charge_words}"))
            g.add(S, P("concerns"), X)
            for c in charges:
                g.add(S, P("charge"), c)
            g.add(S, P("sentenceLength"), typed(f"P{max(years, 1)}Y", "duration"))
            g.add(S, P("inConnectionWith"), C)
            g.add(S, P("date"), typed(f"{min(year + 1, 2025)}", "gYear"))
            last_event = S
        I = iri("event", f"imprisonment-{slug}")
        g.add(I, A, P("Imprisonment"))
        g.add(I, LABEL, lit(f"Imprisonment of {name}"))
        g.add(I, P("concerns"), X)
        g.add(I, P("inConnectionWith"), last_event)
        g.add(I, P("date"), typed(f"{year:04d}-{month:02d}", "gYearMonth"))
        if p["decree"] is not None:
            served = p["served"]
            if rng.random() < 0.05:
                served += 2
            g.add(I, P("timeServed"), typed(f"P{served}Y", "duration"))
            words = NUMBER_WORDS[served] if served < len(NUMBER_WORDS) else str(served)
            g.add(I, P("durationDescription"), lit(f"served {words} years"))
        else:
            g.add(I, P("ongoing"), TRUE)
        release = None
        if p["decree"] is not None and (about_release or rng.random() < 0.5):
            d = self.decrees[p["decree"]]
            release = iri("event", f"release-{slug}-{d['year']}")
            g.add(release, A, P("Release"))
            g.add(release, LABEL, lit(f"Release of {name} under the {d['label']}"))
            g.add(release, P("concerns"), X)
            g.add(release, P("underDecree"), d["iri"])
            if mass is not None:
                g.add(release, P("partOf"), mass)
            g.add(release, P("date"), d["date"])
            g.add(release, P("dateDescription"), lit(f"on the eve of {d['occasion']}"))
            g.add(d["iri"], A, P("PardonDecree"))
            g.add(d["iri"], LABEL, lit(d["label"]))
        if p["recognised_by"] is not None and rng.random() < 0.6:
            org = p["recognised_by"]
            R = iri("event", f"recognition-{slug}-{org['iri'][len(NS['orgn']) + 1:-1]}")
            g.add(R, A, P("Recognition"))
            g.add(R, LABEL, lit(f"{name} recognised as a political prisoner by {org['label']}"))
            g.add(R, P("concerns"), X)
            g.add(R, P("recognisedAs"),
                  P("FormerPoliticalPrisoner" if release else "PoliticalPrisoner"))
            g.add(R, P("agent"), org["iri"])
            g.add(R, P("dateUnknown"), TRUE)
            self.org(g, org)
        for n in range(rng.choice([0, 1, 1, 2])):
            text = " ".join(rng.sample(PRISONER_SAYS, k=rng.randint(1, 3)))
            T = iri("st", f"{src_hex}-{slug}-{n + 1}")
            g.add(T, A, P("Statement"))
            g.add(T, LABEL, lit(f"{name}: \"{text.split('.')[0]}\""))
            g.add(T, P("text"), lit(text))
            g.add(T, P("speaker"), X)
            g.add(T, P("occasionDescription"), lit("told reporters"))
            if release is not None:
                g.add(T, P("about"), release)
            g.add(T, P("source"), src)

    def source(self, number: int) -> Graph:
        rng = self.rng
        src_hex = f"{rng.getrandbits(64):016x}"
        src = iri("src", src_hex)
        g = Graph(src[1:-1])
        decree_i = rng.randrange(len(self.decrees)) if rng.random() < 0.6 else None
        d = self.decrees[decree_i] if decree_i is not None else None
        k = rng.randint(2, 8)
        people = self.pick_people(rng, decree_i, k)
        first = self.people[people[0]]
        party = self.parties[first["party"]]["label"] if first["party"] is not None else "Opposition"
        headline = rng.choice(HEADLINES).format(
            n=d["political"] if d else k, occasion=d["occasion"] if d else "holiday",
            name=first["name"], years=first["sentence"], party=party)
        g.add(src, A, P("NewsArticle"))
        g.add(src, LABEL, lit(headline))
        if rng.random() < 0.7:
            g.add(src, P("title"), lit(headline))
        else:
            g.add(src, P("openingWords"), lit(
                f"{first['name']} and {k - 1} others were among those named in the report"))
        g.add(src, P("corpusFile"), lit(f"{number:06d}_{src_hex}.txt"))
        if rng.random() < 0.5:
            outlet = rng.choice(self.media)
            g.add(src, P("publisher"), outlet["iri"])
            self.org(g, outlet)
        mass = None
        if d is not None:
            _, mass = self.decree(g, rng, d, src_hex)
        for idx in people:
            self.person(g, rng, self.people[idx], src, src_hex, mass, d is not None)
        for n in range(rng.choice([0, 1, 1, 2])):  # what others said
            org = rng.choice(self.rights)
            text = rng.choice(OTHERS_SAY)
            T = iri("st", f"{src_hex}-{slugify(org['label'])}-{n + 1}")
            self.org(g, org)
            g.add(T, A, P("Statement"))
            g.add(T, LABEL, lit(f"{org['label']}: \"{text.split(',')[0].rstrip('.')}\""))
            g.add(T, P("text"), lit(text))
            g.add(T, P("speaker"), org["iri"])
            if mass is not None:
                g.add(T, P("about"), mass)
            g.add(T, P("source"), src)
        return g

    # -- concepts and the whole dataset ------------------------------------------------------------

    def concepts(self) -> Graph:
        g = Graph(ONTOLOGY_GRAPH)
        skos = NS["skos"]
        for prefix, cls, scheme, items in (
                ("off", "Offence", "OffenceScheme", [(s, l) for s, l, _ in OFFENCES]),
                ("role", "Role", "RoleScheme", ROLES),
                ("occ", "Occupation", "OccupationScheme", OCCUPATIONS)):
            for slug, label in items:
                C = iri(prefix, slug)
                g.add(C, A, P(cls))
                g.add(C, LABEL, lit(label, "en"))
                g.add(C, f"<{skos}prefLabel>", lit(label, "en"))
                g.add(C, f"<{skos}inScheme>", P(scheme))
                g.add(C, f"<{skos}topConceptOf>", P(scheme))
        return g

    def run(self):
        g = self.concepts()
        self.quads = len(g)
        yield g
        number = 0
        while self.quads < self.target:
            g = self.source(number)
            number += 1
            self.quads += len(g)
            yield g


MONTH_NAMES = ["", "January", "February", "March", "April", "May", "June", "July", "August",
               "September", "October", "November", "December"]


# --- writers ---------------------------------------------------------------------------------------

_LOCAL_OK = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")


class Compactor:
    def __init__(self):
        # longest namespace first, so person: wins over a shorter prefix
        self.namespaces = sorted(NS.items(), key=lambda kv: -len(kv[1]))
        self.cache: dict[str, str] = {}

    def __call__(self, term: str) -> str:
        if term[0] == "<":
            got = self.cache.get(term)
            if got is None:
                got = term
                body = term[1:-1]
                for prefix, ns in self.namespaces:
                    if body.startswith(ns) and _LOCAL_OK.match(body[len(ns):]):
                        got = f"{prefix}:{body[len(ns):]}"
                        break
                if term == A:
                    got = "a"
                self.cache[term] = got
            return got
        if term == TRUE:
            return "true"
        if term.endswith(">") and '"^^<' in term:
            lexical, _, datatype = term.rpartition("^^")
            return lexical + "^^" + self(datatype)
        return term


def write(path: Path, graphs, fmt: str) -> int:
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        if fmt == "nq":
            for g in graphs:
                gname = f"<{g.name}>"
                lines = []
                for s, pos in g.subjects.items():
                    for p, o in pos:
                        lines.append(f"{s} {p} {o} {gname} .\n")
                out.write("".join(lines))
                count += len(g)
            return count
        c = Compactor()
        for prefix, ns in NS.items():
            out.write(f"@prefix {prefix}: <{ns}> .\n")
        out.write("\n")
        for g in graphs:
            parts = [f"{c('<' + g.name + '>')} {{\n"]
            for s, pos in g.subjects.items():
                parts.append(f"    {c(s)}\n")
                by_p: dict[str, list[str]] = {}
                for p, o in pos:
                    by_p.setdefault(p, []).append(c(o))
                items = [f"        {c(p)} {', '.join(os_)}" for p, os_ in by_p.items()]
                parts.append(" ;\n".join(items) + " .\n\n")
            parts.append("}\n\n")
            out.write("".join(parts))
            count += len(g)
    return count


def generate(triples: int, seed: int, out: str | Path) -> dict:
    """Write the synthetic dataset; returns {"quads", "graphs", "people", "seconds"}."""
    out = Path(out)
    fmt = "nq" if out.suffix in (".nq", ".nquads") else "trig"
    if out.suffix not in (".nq", ".nquads", ".trig"):
        raise ValueError(f"{out}: write .trig or .nq")
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    gen = Generator(triples, seed)
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    graphs = 0

    def counted():
        nonlocal graphs
        for g in gen.run():
            graphs += 1
            yield g

    quads = write(tmp, counted(), fmt)
    os.replace(tmp, out)  # a half-written file never looks like a cached one
    return {"quads": quads, "graphs": graphs, "people": len(gen.people),
            "decrees": len(gen.decrees), "parties": len(gen.parties),
            "seconds": time.perf_counter() - started}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=100_000,
                        help="how many quads to write, at least (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--out", required=True, help="output file, .trig or .nq")
    args = parser.parse_args(argv)
    info = generate(args.triples, args.seed, args.out)
    print(f"{args.out}: {info['quads']} quads in {info['graphs']} named graphs "
          f"({info['people']} people, {info['parties']} parties, {info['decrees']} pardon decrees) "
          f"in {info['seconds']:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
