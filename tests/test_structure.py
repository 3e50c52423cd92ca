"""Listing pages become one record per listed resource (worked out from the text's shape, tested
on listings written here); articles keep their heading structure."""

import pytest

from assistant.ingest import discover_files, ingest_file, load_catalogue
from assistant.ingest.base import lines_from_text
from assistant.ingest.clean import clean_lines
from assistant.ingest.structure import PageMetadata, build_documents, split_label

from .conftest import BUNDLED_CORPUS


def documents_of(text: str, **page):
    lines = lines_from_text(text)
    removals = clean_lines(lines)
    meta = PageMetadata(
        path="page.txt",
        title=page.pop("title", "Resource library"),
        organisation=page.pop("organisation", "Example Network"),
        url="https://example.org/library",
        title_source="catalogue",
        **page,
    )
    return build_documents(lines, meta, removals), removals


LIBRARY = """Our library collects practical material for people who support survivors of exploitation across the region.

Survivor-led Peer Support: A Starter Kit
ToolkitsTraining

Peer support groups run by survivors help people rebuild confidence after exploitation. This kit explains how to recruit facilitators, keep meetings safe...Learn More

TAGS: Africa
Available in French

Labour Recruitment Fees in the Gulf (2021)
Research

Migrant workers often pay fees of several months' wages before they travel, which traps them in debt. The report traces who collects the fees and how...Learn More

TAGS: Middle East

Shelter Standards for Child Victims
Guidance

Minimum standards for residential care of children who have been trafficked, including staffing ratios, education, family tracing and consent to medical care.

TAGS: Global
"""


def test_a_resource_library_page_gives_one_record_per_resource():
    documents, removals = documents_of(LIBRARY)
    lead, *records = documents
    assert lead.id == "page.txt" and "practical material" in lead.text
    assert [r.title for r in records] == [
        "Survivor-led Peer Support: A Starter Kit",
        "Labour Recruitment Fees in the Gulf",
        "Shelter Standards for Child Victims",
    ]
    first, second, third = records
    assert (
        first.resource_types == ["Toolkits", "Training"] and first.region == "Africa" and first.languages == ["French"]
    )
    assert second.year == 2021 and second.resource_types == ["Research"] and second.region == "Middle East"
    assert third.region == "Global" and "family tracing" in third.text
    for position, record in enumerate(records, start=1):
        assert record.id == f"page.txt#{position}" and record.record == position
        assert record.source_title == "Resource library" and record.organisation == "Example Network"
        assert record.url == "https://example.org/library"
    assert first.source_line == 3 and second.source_line == 11
    assert "Learn More" not in first.text and "TAGS" not in first.text and "Toolkits" not in first.text
    assert any(r.reason.startswith("region -> metadata") for r in removals)


PUBLICATIONS = """Forced Labour in Fishing Fleets: Evidence from Three Ports (2019)

Crews recruited through brokers described confiscated passports, unpaid wages and violence at sea. This paper sets out what port inspectors found and what they could not see.

View resource

Available in Thai
Available in Burmese

Returning Home After Trafficking: A Longitudinal Study (2016)

Many people who come home after trafficking face debt, stigma and unemployment, and some are trafficked again. We followed forty returnees for three years to learn what helped them.

View resource

Interviewing Children Who May Have Been Trafficked (2014)

Children rarely disclose exploitation in a first interview. These notes describe how to prepare, who should be present and which questions to avoid.

View resource
"""


def test_a_publications_list_with_years_and_languages():
    documents, _ = documents_of(PUBLICATIONS, title="Publications")
    assert [(d.title, d.year) for d in documents] == [
        ("Forced Labour in Fishing Fleets: Evidence from Three Ports", 2019),
        ("Returning Home After Trafficking: A Longitudinal Study", 2016),
        ("Interviewing Children Who May Have Been Trafficked", 2014),
    ]
    assert documents[0].languages == ["Thai", "Burmese"]
    assert all(d.record is not None for d in documents), "no page-level document when there is no lead text"


ARTICLE = """Working with survivors
I. Principles
a. Consent
Assistance must be voluntary and based on informed consent, explained in a language the person understands.
b. Confidentiality
Personal data about survivors must be kept confidential and shared only when necessary.
II. Practice
CASE MANAGEMENT
Each person should have one case manager who coordinates services and keeps the plan up to date.
"""


def test_an_article_keeps_its_heading_structure_and_is_not_a_listing():
    documents, _ = documents_of(ARTICLE, title="Working with survivors")
    assert len(documents) == 1
    document = documents[0]
    sections = {document.text[b.start : b.end][:25]: b.section for b in document.blocks if b.kind != "heading"}
    assert sections["Assistance must be volunt"] == ("I. Principles", "a. Consent")
    assert sections["Personal data about survi"] == ("I. Principles", "b. Confidentiality")
    assert sections["Each person should have o"] == ("II. Practice", "CASE MANAGEMENT")


def test_labels_glued_by_a_scrape_are_split():
    assert split_label("GuidanceGood PracticesPublications") == ["Guidance", "Good Practices", "Publications"]
    assert split_label("COVID-19 resourcesGuidance") == ["COVID-19 resources", "Guidance"]


@pytest.fixture(scope="module")
def bundled_records():
    files, _ = discover_files(BUNDLED_CORPUS, "catalogue.toml", 64 << 20)
    catalogue = load_catalogue(BUNDLED_CORPUS / "catalogue.toml")
    return {f.relative: ingest_file(f, catalogue).documents for f in files}


EXPECTED_RECORDS = {
    "000_017820f5e2618961.txt": [
        "Building Slavery-free Communities: A Resilience Framework",
        "A practical guide for SMEs on how to mitigate the risk of modern slavery in their operations.",
        "The Butterfly Longitudinal Research Project",
        "Human trafficking & traffickers in Vietnam- An analysis of the nature of trafficking and the profile of "
        "traffickers in Vietnam based on information from court cases",
    ],
    "001_7805c1cdfc4ec49b.txt": [
        "Human Trafficking for Labour Exploitation/Forced and Bonded Labour: Identification – Prevention – "
        "Prosecution; and Prosecution of Offenders, Justice for Victims",
        "Guidance: Child modern slavery and human trafficking",
        "Disrupting Harm in Malaysia: Evidence on Online Child Sexual Exploitation and Abuse",
        "Labor Inspection Training on Child Labor – Nepal",
    ],
    "003_0f88c6faabdea640.txt": [
        "Legislating Against Modern Slavery, Human Trafficking & Forced Labour",
        "Appropriations Briefing Book",
        "Assessing Modern Slavery Risks in the Vietnam-Taiwan Migration Corridor",
        "Modern Slavery: Statutory Guidance for England and Wales (under s49 of the Modern Slavery Act 2015) and "
        "Non-Statutory Guidance for Scotland and Northern Ireland",
    ],
    "004_0e36c2b1859f3387.txt": [
        "Trafficking Victim Identification: A Practitioner Guide",
        "Dialogue Brief: Protecting and Assisting Boy Survivors of Trafficking and Sexual Exploitation and Abuse",
        "Dialogue Brief: Challenges in Identifying Victims of Trafficking Who Are Encountered as Offenders",
        "Identifying Trafficking Victims: An Analysis of Victim Identification Tools and Resources in Asia",
        "Identification of Trafficking Victims in Europe and the Former Soviet Union",
        "Seeing the Unseen: Barriers and Opportunities in the Identification of Trafficking Victims in Indonesia",
        "Identification and Referral of Trafficking Victims in Indonesia. Guidelines for Frontline Responders and "
        "Multi-Disciplinary Teams at the Village Level",
        "Vulnerability and Exploitation Along the Balkan Route: Identifying Victims of Human Trafficking in Serbia",
        "Another Side of the Story. Challenges in Research with Unidentified and Unassisted Trafficking Victims",
        "Leaving the Past Behind. When Trafficking Victims Decline Assistance. Summary Report for Practitioners and "
        "Policymakers",
    ],
}


@pytest.mark.parametrize("path", sorted(EXPECTED_RECORDS))
def test_every_resource_on_the_bundled_listing_pages_is_its_own_record(bundled_records, path):
    records = [d for d in bundled_records[path] if d.record is not None]
    assert [r.title for r in records] == EXPECTED_RECORDS[path]


def test_bundled_records_carry_their_own_metadata(bundled_records):
    nexus = {d.title: d for d in bundled_records["004_0e36c2b1859f3387.txt"]}
    seeing = nexus[
        "Seeing the Unseen: Barriers and Opportunities in the Identification of Trafficking Victims in Indonesia"
    ]
    assert (
        seeing.year == 2018 and seeing.organisation == "NEXUS Institute" and seeing.languages == ["Bahasa Indonesian"]
    )
    assert seeing.source_line == 41 and seeing.source_title.startswith("Identification of Trafficking Victims")
    lead = bundled_records["001_7805c1cdfc4ec49b.txt"][0]
    assert lead.record is None and lead.organisation == "NEXUS Institute" and lead.year == 2020


def test_no_cms_chrome_survives_in_the_bundled_corpus(bundled_records):
    chrome = {
        "nav_menu_item",
        "acf-field",
        "wp_block",
        "Read More",
        "Access This Resource",
        "DOWNLOAD",
        "exactmetrics_note",
        "Screen Shot",
    }
    for documents in bundled_records.values():
        for document in documents:
            for marker in chrome:
                assert marker not in document.text, (document.id, marker)


def test_a_glossary_term_that_wraps_in_plain_text_is_not_a_heading():
    text = (
        "Glossary\n\n"
        "This glossary explains the terms that the guidance uses for people who support survivors.\n\n"
        "\u201cIndependent Child Trafficking Guardians Regional Practice Co-\n"
        "Ordinator\u201d (ICTG RPC) holds a strategic role, working with professionals who are already engaged "
        "with a child.\n\n"
        "\u201cRecovery Period\u201d refers to the period from a positive Reasonable Grounds decision, at least 45 days.\n"
    )
    documents, _ = documents_of(text, title="Guidance")
    document = documents[0]
    headings = [document.text[b.start : b.end] for b in document.blocks if b.kind == "heading"]
    assert not any("Independent" in heading for heading in headings)
