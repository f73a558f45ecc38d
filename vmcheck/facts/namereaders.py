"""Readers for the caller strategies in ``names``: what stands at a given place of the message, a person's name or
an organisation's, as a span of word indices.
"""

from __future__ import annotations

from vmcheck.facts.nametext import CONNECTORS, JOINS, LEAD_SEARCH_WORDS, MAX_COMPANY_WORDS, MAX_NAME_WORDS, NAME_SHAPE, NameText, Span


def read_name(t: NameText, i: int) -> Span | None:
    """A person's name starting at word i: optional titles, then one to three name words."""
    start = i = t.skip_fillers(i)
    if i + 1 < t.n and t.low[i] == "your" and t.is_title(i + 1):
        i += 1
    while i < t.n and t.is_title(i):
        i += 1
    last = None
    while i < t.n and len(t.name_words((start, i))) <= MAX_NAME_WORDS and t.is_name(i) and not t.possessive[i]:
        if last is not None and t.low[i] == t.low[start]:
            start = i  # "this is Sarah Sarah Lindgren": said again, in full
        last = i
        i += 1
        if t.ends_clause(last):
            break
    if last is None:
        return None
    if i < t.n and t.possessive[i] and not t.ends_clause(last):
        return None  # "this is John Miller's assistant": someone else's name
    return start, last


def read_name_before(t: NameText, k: int, punctuated: bool = False) -> Span | None:
    """A name ending just before word k, at the start of its clause; `punctuated`: "Sarah, this is"."""
    last = k - 1
    if last < 0 or t.ends_clause(last) != punctuated or not (t.is_name(last) or t.is_company_word(last)):
        return None
    first = last
    while first > 0 and last - first < MAX_COMPANY_WORDS - 1 and not t.ends_clause(first - 1):
        before = first - 1
        if t.is_title(before):
            first = before
            break
        if before in t.recipient or not (t.is_name(before) or t.is_company_word(before) or t.possessive[before]):
            break
        first = before
    return (first, last) if t.starts_clause(first) else None


def read_company(t: NameText, i: int) -> Span | None:
    """The words of an organisation's name from word i to the end of its noun phrase."""
    i = t.skip_fillers(i)
    generic = i < t.n and t.low[i] == "the" and not t.cased  # lowercase "the job site" is no name
    if i < t.n and t.low[i] == "the":
        i = t.skip_fillers(i + 1)
    start, last = i, None
    while i < t.n and i - start < MAX_COMPANY_WORDS:
        if last is not None and t.possessive[last] and not (t.is_name(i, recase=False) or t.is_company_word(i)):
            break  # "Dr. Patel's office" is a practice; "Acme Bank's fraud team" belongs to Acme Bank
        if t.possessive[i] and t.clean[i][:1].isupper() and any(t.is_company_word(k) for k in range(start, i)):
            break  # "Paws and Claws Animal Hospital Biscuit's all done": a new sentence
        titled = t.is_title(i) and i + 1 < t.n and t.is_name(i + 1)  # "Dr. Patel's office"
        if titled or t.is_name(i) or t.is_company_word(i) or t.low[i] in t.w.departments or t.ent[i] == "ORG":
            last = i
        elif _joins_names(t, i, last):
            pass
        else:
            head = _lowercase_company_head(t, i)
            if head is None:
                break
            i = last = head
        if t.ends_clause(i) and not _lists_names(t, i):
            break
        i += 1
    if last is None or last + 1 < t.n and t.low[last + 1] in t.w.roles and not t.ends_clause(last):
        return None  # "home health nurse" is a job
    if (t.possessive[last] or generic) and not any(t.is_company_word(k) for k in range(start, last + 1)):
        return None  # "Tyler's mom" is a role
    return start, last


def _joins_names(t: NameText, i: int, last: int | None) -> bool:
    """A connector inside a proper name: "City of Springfield", "Smith & Wesson", "Plumbing and Heating"."""
    joined = i + 1 < t.n and (t.is_name(i + 1) or t.is_company_word(i + 1))
    return t.clean[i].lower() in CONNECTORS and last == i - 1 and joined


def _lists_names(t: NameText, i: int) -> bool:
    """ "Baker, Lane and Co.": a comma between names that "and" or "&" goes on to join."""
    k = i + 2
    listed = k < t.n and t.is_name(i + 1) and not t.ends_clause(i + 1) and t.clean[k].lower() in JOINS
    return t.words[i].text.rstrip().endswith(",") and listed and _joins_names(t, k, k - 1)


def _lowercase_company_head(t: NameText, i: int) -> int | None:
    """The last company word in a run of plain lowercase words ("blue ridge property management")."""
    found = None
    for k in range(i, min(i + 4, t.n)):
        if not t.clean[k].islower() or not NAME_SHAPE.fullmatch(t.clean[k]) or t.low[k] in t.w.not_names:
            break
        if t.is_company_word(k):
            found = k
        if t.ends_clause(k):
            break
    return found


def organisation(t: NameText, i: int) -> Span | None:
    """The organisation named from word i, preferring the whole to its part or practice."""
    span = read_company(t, i)
    if span is None:
        return None
    first, last = span
    words = range(first, last + 1)
    part = t.low[last] in t.w.departments or any(t.possessive[k] for k in words) or not is_organisation(t, span)
    lead = t.phrase_at(last + 1, t.w.part_of) if last + 1 < t.n and not t.ends_clause(last) else 0
    whole = organisation(t, last + 1 + lead) if lead and part else None
    if whole:
        return whole
    return span if is_organisation(t, span) else None


def is_organisation(t: NameText, span: Span) -> bool:
    """Some word is a proper name that is neither a generic company word nor a department
    ("the bank" is no company), and the phrase is no titled person ("a patient of Dr. Reyes")."""
    first, last = span
    words = range(first, last + 1)
    plain = [k for k in words if not t.is_company_word(k) and t.low[k] not in t.w.departments]
    proper = any(t.is_name(k) or t.ent[k] == "ORG" for k in plain)
    person = t.is_title(first) and not t.is_company(span)
    return proper and not person


def firm(t: NameText, i: int) -> Span | None:
    """Names joined into a firm's from word i: "Smith & Jones", "Baker, Lane and Co.", "Whitaker and Bloom calling".

    Two people say where they are from ("this is Maria and Tom from Acme"), so names joined
    by a bare "and" make a firm only with a company word in them or a cue after them."""
    span = read_company(t, i)
    if span is None:
        return None
    joins = {t.clean[k].lower() for k in range(span[0], span[1] + 1)} & JOINS
    return span if joins and ("&" in joins or t.is_company(span) or cue_after(t, span)) else None


def cue_after(t: NameText, span: Span) -> bool:
    """A cue such as "calling" or "here" after the span, a comma between allowed: "Brightwater Staffing, calling"."""
    k = span[1] + 1
    return k < t.n and not t.ends_sentence(span[1]) and t.low[k] in t.w.after_name


def company_after(t: NameText, i: int) -> Span | None:
    """The organisation named after the caller's name: "X from Y", "X, Y", "X calling from Y".

    Past a verb of the caller's own ("I work with Tom", "I spoke with Dave at...") a lead may
    name someone else, so only an organisation with a company word in it counts there."""
    verb = False
    for k in range(i, min(i + LEAD_SEARCH_WORDS, t.n)):
        if k > i and t.ends_sentence(k - 1) or t.low[k] in t.w.topic_words:
            break
        lead = t.phrase_at(k, t.w.company_leads)
        if lead:
            company = organisation(t, k + lead)
            if company and (not verb or t.is_company(company)):
                return company
        elif k == i and k > 0 and t.ends_clause(k - 1):
            company = read_company(t, k)
            company = organisation(t, k) if company and t.is_company(company) else None
            if company:
                return company
        verb |= t.verb[k] and t.low[k] not in t.w.after_name
    return None
