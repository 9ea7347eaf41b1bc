"""The bilan's PDF is tagged for screen readers (PDF/UA-1), says its title and language, and has a bookmark per
heading; a long report made in parts keeps its title, language and bookmarks, not its tags (pypdf joins
pages, not structure trees: see `render_pdf_in_parts`)."""

import io

import pytest
from pypdf import PdfReader

from bilans import documents
from bilans.documents import gather, render_pdf

from tests.bilan_fixtures import YEAR_2024


def outline_titles(reader, outline=None):
    titles = []
    for item in reader.outline if outline is None else outline:
        titles += outline_titles(reader, item) if isinstance(item, list) else [item.title]
    return titles


def structure_kinds(element, found=None, depth=0):
    """The structure types (/H1, /P, /Table, /Figure…) under a structure element."""
    found = set() if found is None else found
    element = element.get_object()
    if depth > 40:
        return found
    if "/S" in element:
        found.add(str(element["/S"]))
    children = element.get("/K")
    if children is None:
        return found
    children = children.get_object()
    for child in children if isinstance(children, list) else [children]:
        child = child.get_object() if hasattr(child, "get_object") else child
        if isinstance(child, dict) and "/S" in child:  # a structure element (not marked content)
            structure_kinds(child, found, depth + 1)
    return found


@pytest.fixture
def report(lanaudiere):
    data = gather(lanaudiere, *YEAR_2024)
    return data, PdfReader(io.BytesIO(render_pdf(data, mark="Projet — version 1 du 1er décembre 2026")))


def test_the_pdf_is_tagged_with_a_structure_tree_of_headings_paragraphs_and_tables(report):
    _data, reader = report
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    tree = catalog["/StructTreeRoot"].get_object()
    assert "/ParentTree" in tree
    kinds = structure_kinds(tree)
    assert {"/H1", "/H2", "/H3", "/P", "/Table", "/L"} <= kinds, kinds
    # Each page's marked content is tied to the tree.
    assert all("/StructParents" in page for page in reader.pages)


def test_the_pdf_says_its_language_and_title_and_declares_pdf_ua(report):
    data, reader = report
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fr-CA"
    assert reader.metadata.title == f"Bilan annuel – {data['plan']['title']}"
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp


def test_the_pdf_has_a_bookmark_per_heading(report):
    data, reader = report
    titles = [" ".join(title.replace("\u00a0", " ").split()) for title in outline_titles(reader)]
    assert titles[0] == data["plan"]["title"]
    assert "Sommaire de l’année" in titles and "Liste des acronymes" in titles
    for axis in data["axes"]:
        assert f"Axe {axis['code']} : {axis['title']}" in titles


def test_a_long_report_made_in_parts_keeps_its_title_language_and_bookmarks(lanaudiere, monkeypatch, settings):
    settings.BILAN_RENDER_PROCESSES = 1
    monkeypatch.setattr(documents, "PARTS_ABOVE", 10)  # Lanaudière's 37 actions are then "long"
    data = gather(lanaudiere, *YEAR_2024)
    reader = PdfReader(io.BytesIO(render_pdf(data)))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fr-CA"
    assert reader.metadata.title == f"Bilan annuel – {data['plan']['title']}"
    titles = outline_titles(reader)
    assert "Sommaire de l’année" in titles and len(titles) > len(data["axes"]) + 5
    # Untagged, and it does not claim otherwise.
    assert "/StructTreeRoot" not in catalog and "/MarkInfo" not in catalog
