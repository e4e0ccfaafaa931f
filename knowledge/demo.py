"""Demo data for ``seed_demo``: each demo property's FAQ (seven Q&A entries), plus one team-wide note.

The properties differ where real ones do (pets, parking, fees), so a search or an AI answer for
the wrong property is easy to spot. Assistance animals are always described as not pets, with
no pet fees or deposits: that is the Fair Housing rule, whatever a property's pet policy.
Runs after ``crm.leads.demo.seed`` (which creates the properties); idempotent; the entries are
ingested synchronously, so the demo can be searched as soon as the command ends.
"""

from __future__ import annotations

from typing import Any

from crm.properties.models import Property
from crm.teams.models import Team
from knowledge.ingestion import document_ingest
from knowledge.models import Document, DocumentKind, DocumentSource
from knowledge.services import document_create_qa, document_create_text

ASSISTANCE = (
    "Assistance animals (service and support animals) are not pets: they are welcome at every property, "
    "with no pet deposit, pet fee or pet rent and no breed or weight limits."
)

FAQ: dict[str, list[tuple[str, str, str]]] = {
    "Riverside Commons": [
        (
            DocumentKind.POLICY,
            "Do you allow pets?",
            "Yes. Riverside Commons welcomes up to two pets per apartment: dogs up to 50 lb and cats. Each pet "
            "needs a $300 refundable pet deposit and $35 a month in pet rent. Aggressive breeds as defined by our "
            f"insurer are not accepted. {ASSISTANCE}",
        ),
        (
            DocumentKind.AMENITIES,
            "Where do residents park, and what does it cost?",
            "Surface parking is free, first come, first served, one space per bedroom. Covered parking is $40 a "
            "month and a reserved garage space is $85 a month; ask the leasing office for the waitlist. Guests "
            "park in the spaces marked Visitor for up to 48 hours.",
        ),
        (
            DocumentKind.FEES,
            "What fees do I pay to apply and move in?",
            "The application fee is $50 per adult applicant and the administration fee is $150 per apartment, "
            "both due when you apply. The security deposit is $500 with approved credit, up to one month's rent "
            "otherwise. Monthly: trash and recycling $15, pest control $5, and water and sewer billed by usage.",
        ),
        (
            DocumentKind.AMENITIES,
            "What amenities does Riverside Commons have?",
            "A saltwater pool with a sundeck, a 24-hour fitness center, a fenced dog park with a pet wash station, "
            "a clubhouse with coworking space and free coffee, package lockers, and direct access to the river "
            "hike-and-bike trail. Every apartment has an in-unit washer and dryer.",
        ),
        (
            DocumentKind.LEASE_TERMS,
            "What lease lengths do you offer?",
            "Leases run 6 to 15 months. 12-month leases get the best rate; 6 to 9-month leases add $150 a month. "
            "Breaking a lease early costs two months' rent with 60 days' written notice.",
        ),
        (
            DocumentKind.APPLICATION,
            "What do I need to qualify?",
            "Each adult applies separately with a photo ID. We look for gross monthly income of three times the "
            "rent, a credit check and a rental history check. Guarantors are accepted and must earn five times "
            "the rent. Applications are usually decided within two business days.",
        ),
        (
            DocumentKind.FAQ,
            "How does move-in work?",
            "Before move-in: sign the lease, pay the deposit and the first month's prorated rent, and send proof "
            "of renter's insurance with at least $100,000 liability. Move-ins are Monday to Saturday, 9 am to "
            "4 pm; reserve the freight elevator through the leasing office. Keys and fobs are handed out on the day.",
        ),
    ],
    "Maple Court": [
        (
            DocumentKind.POLICY,
            "Do you allow pets?",
            "Maple Court is a cats-only community: up to two cats per apartment, with a $250 refundable pet "
            "deposit and $25 a month in pet rent per cat. Dogs are not allowed as pets. "
            f"{ASSISTANCE}",
        ),
        (
            DocumentKind.AMENITIES,
            "Where do residents park, and what does it cost?",
            "Parking is in the heated underground garage at $110 a month per space, with EV charging on level P1 "
            "for $30 a month more. There is no free lot. Street parking on Maple Avenue needs a Denver residential "
            "permit. Bike storage is free.",
        ),
        (
            DocumentKind.FEES,
            "What fees do I pay to apply and move in?",
            "The application fee is $45 per adult and there is no administration fee. The security deposit is "
            "one month's rent. Monthly: a $65 utility package covering water, sewer, trash and high-speed "
            "internet. Gas and electricity are in your own name.",
        ),
        (
            DocumentKind.AMENITIES,
            "What amenities does Maple Court have?",
            "A rooftop deck with mountain views and grills, a fitness studio, a resident lounge with a library, "
            "a cat play room, secure package room and bike storage with a repair station. Washers and dryers are "
            "in each apartment on floors 3 to 6 and on a shared laundry floor for the rest.",
        ),
        (
            DocumentKind.LEASE_TERMS,
            "What lease lengths do you offer?",
            "12-month leases only, and 18-month leases on request for apartments that turn over in spring. "
            "Early termination needs 60 days' notice and a fee of one month's rent.",
        ),
        (
            DocumentKind.APPLICATION,
            "What do I need to qualify?",
            "Apply online with a photo ID and your last two pay stubs or an offer letter. Household income must "
            "be at least 2.5 times the rent, and we check credit and rental history. Guarantors are not "
            "accepted; an extra deposit may be offered instead.",
        ),
        (
            DocumentKind.FAQ,
            "How does move-in work?",
            "Pay the security deposit within 72 hours of approval to hold the apartment. Before keys: the first "
            "month's rent, proof of renter's insurance and a utility transfer confirmation. Move-ins are Tuesday "
            "to Saturday; book the loading dock at least a week ahead.",
        ),
    ],
    "Harbor View Lofts": [
        (
            DocumentKind.POLICY,
            "Do you allow pets?",
            "Harbor View Lofts does not allow pets. This is a pet-free building because of the historic wood "
            f"floors and the shared ventilation. {ASSISTANCE} Request an accommodation through the leasing office.",
        ),
        (
            DocumentKind.AMENITIES,
            "Where do residents park, and what does it cost?",
            "Harbor View Lofts has no resident parking. Nearby garages offer monthly parking from about $225; we "
            "have a discount with the Alaskan Way garage. The building is next to the waterfront streetcar, and "
            "secure bike storage is free.",
        ),
        (
            DocumentKind.FEES,
            "What fees do I pay to apply and move in?",
            "The application fee is $43 per adult, the amount Washington allows for a tenant screening report. "
            "There is no administration fee. The security deposit is $1,000 and can be paid in three monthly "
            "installments. Utilities: $95 a month for water, sewer, trash and internet.",
        ),
        (
            DocumentKind.AMENITIES,
            "What amenities does Harbor View Lofts have?",
            "Converted warehouse lofts with 14-foot ceilings and exposed beams, a rooftop terrace over Elliott Bay, "
            "a maker space with a woodshop, a resident lounge, and a 24-hour concierge who signs for packages. "
            "Every loft has a washer and dryer.",
        ),
        (
            DocumentKind.LEASE_TERMS,
            "What lease lengths do you offer?",
            "Leases run 9 to 18 months. Month-to-month is available after the first lease at $200 a month more. "
            "Early termination needs 30 days' notice and a fee of one month's rent.",
        ),
        (
            DocumentKind.APPLICATION,
            "What do I need to qualify?",
            "We follow Seattle's first-in-time rule: complete applications are reviewed in the order received. "
            "Income of two times the rent, or a guarantor at four times. We do not use criminal history in "
            "screening. A portable screening report under 30 days old is accepted.",
        ),
        (
            DocumentKind.FAQ,
            "How does move-in work?",
            "After approval, sign the lease within 48 hours. Move-ins are any day from 8 am to 6 pm; book the "
            "freight elevator and the loading zone with the concierge. Renter's insurance is recommended, not "
            "required.",
        ),
    ],
}

TEAM_NOTE_TITLE = "Assistance animals and Fair Housing"
TEAM_NOTE = f"""# Assistance animals are not pets

{ASSISTANCE}

# How to answer a request

Never ask about a disability or a diagnosis. If the disability or the need for the animal is not
obvious, a letter from a health professional may be requested. Route every accommodation request
to the property manager; do not approve or deny it yourself.
"""


def seed(team: Team, stdout: Any) -> None:
    if Document.objects.filter(source=DocumentSource.QA, question=FAQ["Riverside Commons"][0][1]).exists():
        stdout.write("Demo knowledge base already present.")
        return
    documents = []
    for name, entries in FAQ.items():
        prop = Property.objects.filter(name=name).first()
        if prop is None:
            continue
        for kind, question, answer in entries:
            documents.append(document_create_qa(team=team, question=question, answer=answer, property=prop, kind=kind))
    documents.append(document_create_text(team=team, title=TEAM_NOTE_TITLE, text=TEAM_NOTE, kind=DocumentKind.POLICY))
    # Ingested here and now (the tasks, enqueued for after the commit, then find them ready).
    for document in documents:
        document_ingest(document_id=str(document.pk))
    stdout.write(f"Added {len(documents)} knowledge base entries.")
