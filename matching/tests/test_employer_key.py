"""The same-employer rule sees one employer however many legal suffixes, abbreviations,
punctuation and capitals its name carries (issue 23, section 1). The engine stays Django-free."""

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.engine import employer_key

WORDS = ["Acme", "Northwind", "Harbor", "Blue", "Ridge", "Mutual", "Insurance", "Association", "International"]
SUFFIXES = ["Inc.", "Inc", "LLC", "Ltd.", "Limited", "Co.", "Company", "Corp.", "Corporation", "Incorporated", "PLC"]
SHORT = {"Insurance": ["Ins.", "Ins"], "Association": ["Assn.", "Assn", "Assoc."], "International": ["Intl", "Intl."]}
SEPARATORS = [" ", ", ", " , ", "  ", ",  "]
CASES = [str, str.upper, str.lower, str.title]


@st.composite
def spellings(draw):
    base = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
    written = [draw(st.sampled_from([w, *SHORT.get(w, [])])) for w in base]
    suffixes = draw(st.lists(st.sampled_from(SUFFIXES), max_size=4))
    name = " ".join(written)
    for suffix in suffixes:
        name += draw(st.sampled_from(SEPARATORS)) + suffix
    case = draw(st.sampled_from(CASES))
    return " ".join(base), case(name)


@settings(max_examples=300, deadline=None)
@given(spellings())
def test_stacked_suffixes_abbreviations_punctuation_and_case_are_one_employer(spelling):
    base, written = spelling
    assert employer_key(written) == employer_key(base) != ""


def test_the_names_from_the_issue_are_one_employer():
    one = employer_key("Acme Insurance")
    assert one == employer_key("Acme Insurance Company, Inc.") == employer_key("Acme Insurance Co., LLC")
    assert one == employer_key("ACME Ins. Co.")
    assert employer_key("Acme Intl Assn.") == employer_key("Acme International Association")


def test_a_name_that_is_all_suffix_keeps_a_word_and_others_stay_different():
    assert employer_key("Company, Inc.") != ""
    assert employer_key("Acme Insurance Co.") != employer_key("Acme Reinsurance Co.")
    assert employer_key("Acme Insurance") != employer_key("Acme")


def test_the_engine_imports_nothing_from_django():
    import ast
    from pathlib import Path

    import matching.engine

    tree = ast.parse(Path(matching.engine.__file__).read_text())
    names = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [n for n in names if n and n.split(".")[0] == "django"]
