"""Acceptance: an agent uploads a PDF, watches it being read without a reload, then searches a
question and sees the passage that answers it, cited with its document; all in Chromium."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from django.db import connection
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from crm.teams.roles import Role
from crm.teams.scoping import team_scope
from knowledge import ingestion, services
from knowledge.embedders import Embedder, get_embedder
from knowledge.ingestion import document_ingest
from knowledge.models import Document
from tests.browser.sessions import log_in
from tests.factories import MembershipFactory, PropertyFactory, TeamFactory, UserFactory
from tests.knowledge.samples import make_pdf

pytestmark = pytest.mark.browser

PET_POLICY = make_pdf(
    [
        [
            "# Pet Policy",
            "Riverside Commons welcomes dogs up to 50 lb and cats, two pets per home.",
            "Each pet needs a $300 refundable pet deposit and $35 monthly pet rent.",
            "Assistance animals are not pets and pay no pet fees.",
        ],
        ["# Parking", "Covered parking is $40 a month. Garage spaces are $85 a month."],
    ]
)


@pytest.fixture
def agent(live_server: Any, settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    team = TeamFactory(name="Riverside Living")
    with scopes_disabled():
        membership = MembershipFactory(team=team, role=Role.AGENT, user=UserFactory(name="Ana Agent"))
        PropertyFactory(team=team, name="Riverside Commons")
    return membership


class GatedEmbedder(Embedder):
    """The real embedder, which waits for the test to open the gate before its first batch."""

    def __init__(self) -> None:
        self.real = get_embedder()
        self.name = self.real.name
        self.gate = threading.Event()

    def embed(self, texts: list[str]) -> list[list[float]]:
        assert self.gate.wait(15), "the test never opened the gate"
        return self.real.embed(texts)


def test_an_uploaded_pdf_is_read_live_and_its_passage_answers_a_search(
    page: Page, live_server: Any, agent: Any, console_errors: list[str], monkeypatch: Any
) -> None:
    # The "worker" is this test: uploads are queued here instead of running eagerly in the request.
    queued: list[str] = []
    monkeypatch.setattr(services, "_enqueue_ingest", lambda document: queued.append(str(document.pk)))
    embedder = GatedEmbedder()
    monkeypatch.setattr(ingestion, "embedder_for_team", lambda team: embedder)
    log_in(page, live_server, agent.user)

    # 1. Upload the PDF for Riverside Commons.
    page.goto("/knowledge/")
    expect(page.get_by_role("heading", name="Knowledge", exact=True)).to_be_visible()
    expect(page.get_by_text("Drop files here, or choose them below.")).to_be_visible()  # the JS drop zone
    page.get_by_label("Files").set_input_files(
        files=[{"name": "pet-policy.pdf", "mimeType": "application/pdf", "buffer": PET_POLICY}]
    )
    expect(page.locator("[data-chosen-files]")).to_contain_text("pet-policy.pdf")
    upload_panel = page.locator("#upload-panel")
    upload_panel.get_by_label("Property").select_option(label="Riverside Commons")
    upload_panel.get_by_label("Kind").select_option(label="Policy")
    upload_panel.get_by_role("button", name="Upload").click()
    expect(page.locator("#toasts").get_by_text("Added “pet-policy”. Reading it now.")).to_be_visible()

    # 2. It appears in the list as pending, and the page follows it without a reload.
    row = page.get_by_role("row", name=re.compile("pet-policy"))
    status = row.get_by_test_id("document-status")
    expect(status).to_have_text("Pending")
    page.evaluate("window.__sameDocument = true")
    assert len(queued) == 1

    def work() -> None:
        try:
            with scopes_disabled():
                team = Document.objects.get(pk=queued[0]).team
            with team_scope(team):
                document_ingest(document_id=queued[0])
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        expect(status).to_have_text("Processing")
        expect(row.locator("progress")).to_have_attribute("value", "15")  # read and chunked; embedding waits
        embedder.gate.set()
        expect(status).to_have_text("Ready")
    finally:
        embedder.gate.set()
        worker.join(15)
    expect(row).to_contain_text("2 passages")
    expect(row.locator("progress")).to_have_count(0)
    expect(row).not_to_have_attribute("hx-trigger", re.compile(".*"))  # polling stopped
    assert page.evaluate("window.__sameDocument") is True

    # 3. Search a prospect's question: the pet passage comes first, cited with its document.
    page.get_by_role("link", name="Search the knowledge base").click()
    page.get_by_label("Search for").fill("How much is the pet deposit for a dog?")
    page.get_by_role("button", name="Search", exact=True).click()
    best = page.locator(".search-result").first
    expect(best).to_contain_text("pet-policy")
    expect(best).to_contain_text("$300")
    expect(best.get_by_role("link", name="pet-policy")).to_be_visible()
    expect(best.locator("mark").first).to_be_visible()  # the matching words are highlighted

    # 4. The citation leads to the passage in its document.
    best.get_by_role("link", name="pet-policy").click()
    expect(page.get_by_role("heading", name="pet-policy", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Pet Policy (page 1)")).to_be_visible()

    assert console_errors == []


def test_files_dropped_on_the_drop_zone_are_uploaded_and_one_is_deleted_from_the_list(
    page: Page, live_server: Any, agent: Any, console_errors: list[str], monkeypatch: Any
) -> None:
    monkeypatch.setattr(services, "_enqueue_ingest", lambda document: None)
    log_in(page, live_server, agent.user)
    page.goto("/knowledge/")
    zone = page.locator("[data-dropzone]")
    data_transfer = page.evaluate_handle(
        """() => {
            const transfer = new DataTransfer();
            const parking = "# Parking\\n\\nGarage spaces are $85 a month.";
            transfer.items.add(new File([parking], "parking.md", {type: "text/markdown"}));
            transfer.items.add(new File(["Rent is due on the first."], "rent.txt", {type: "text/plain"}));
            return transfer;
        }"""
    )
    zone.dispatch_event("dragenter", {"dataTransfer": data_transfer})
    expect(zone).to_have_class(re.compile("kb-dragover"))
    zone.dispatch_event("drop", {"dataTransfer": data_transfer})
    expect(page.locator("[data-chosen-files] li")).to_have_count(2)
    page.locator("#upload-panel").get_by_role("button", name="Upload").click()
    expect(page.locator("#toasts").get_by_text("Added “parking”, “rent”. Reading them now.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("parking"))).to_be_visible()
    rent = page.get_by_role("row", name=re.compile("rent"))
    expect(rent).to_be_visible()

    # Deleting from the list asks first, then removes the row in place.
    page.once("dialog", lambda dialog: dialog.accept())
    rent.get_by_role("link", name="Delete rent").click()
    expect(page.locator("#toasts").get_by_text("Deleted “rent”.")).to_be_visible()
    expect(rent).to_have_count(0)
    expect(page.get_by_role("row", name=re.compile("parking"))).to_be_visible()
    assert console_errors == []
