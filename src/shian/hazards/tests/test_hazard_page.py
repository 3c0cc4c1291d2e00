"""The hazard page as its users meet it: one action panel with only the steps this user may take now,
per-step checks with field errors, the timeline by people's names, evidence as thumbnails or names."""

import datetime as dt
import re

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shian.core.choices import Role
from shian.core.tests.factories import UserFactory
from shian.hazards import services
from shian.hazards.choices import HazardState
from shian.hazards.models import Evidence, Hazard
from shian.registry.tests.factories import BusinessFactory

# a real 1×1 PNG: uploaded images are decoded and re-encoded (core.files), so a bare header is refused
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c49444154789c63f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)
PDF = b"%PDF-1.7\n" + b"0" * 2048


@pytest.fixture
def shop(city):
    return BusinessFactory(name="海曙老王面馆", region=city["haishu_grid"])


@pytest.fixture
def owner(shop):
    return UserFactory(username="owner", last_name="钱", first_name="安全员", role=Role.BUSINESS_STAFF, business=shop)


@pytest.fixture
def inspector(users):
    user = users["inspector"]
    user.last_name, user.first_name = "周", "执法员"
    user.save()
    return user


@pytest.fixture
def hazard(inspector, shop):
    return services.hazard_create(actor=inspector, business=shop, title="冷藏柜温度超标")


@pytest.fixture
def ordered(inspector, hazard):
    deadline = timezone.localdate() + dt.timedelta(days=10)
    return services.hazard_transition(
        actor=inspector, hazard=hazard, action="order", deadline=deadline, order_text="修复冷藏柜"
    )


def section(html: str, element_id: str) -> str:
    """The markup of the element with ``element_id`` up to the end of its <section>/<ol>."""
    start = html.index(f'id="{element_id}"')
    tag = html.rfind("<", 0, start)
    name = re.match(r"<(\w+)", html[tag:]).group(1)
    return html[tag : html.index(f"</{name}>", start)]


def steps_in(html: str) -> list[str]:
    return re.findall(r'data-step="(\w+)"', section(html, "action-panel"))


def post_step(client, hazard, action, **data):
    hazard.refresh_from_db()
    return client.post(f"/hazards/{hazard.pk}/transition/", {"action": action, "version": hazard.version, **data})


def test_after_an_order_each_side_is_offered_only_its_own_steps(web, inspector, owner, ordered):
    regulator_page = web(inspector).get(f"/hazards/{ordered.pk}/").content.decode()
    assert steps_in(regulator_page) == ["verify"]  # on-site check; never the business's; 立案 only through a lead
    panel = section(regulator_page, "action-panel")
    assert "等待经营主体整改并提交整改证据，截止 " + ordered.deadline.isoformat() in panel  # whom it waits for
    business_page = web(owner).get(f"/hazards/{ordered.pk}/").content.decode()
    assert steps_in(business_page) == ["start", "submit"]
    panel = section(business_page, "action-panel")
    assert panel.count("<form") == 1 and panel.count('name="note"') == 1  # one form, one note box
    assert 'name="deadline"' not in panel and 'name="order_text"' not in panel  # no step of theirs sets them
    assert 'type="file"' in panel  # "submit" needs evidence: it goes with the step


def test_the_business_steps_are_refused_to_a_regulator(web, inspector, ordered):
    response = post_step(web(inspector), ordered, "start")
    assert response.status_code == 200 and "action" in response.context["form"].errors
    with pytest.raises(PermissionDenied):
        services.hazard_transition(actor=inspector, hazard=ordered, action="start")
    ordered.refresh_from_db()
    assert ordered.state == HazardState.ORDERED


def test_deadline_and_order_are_required_for_the_ordering_step_only(web, inspector, hazard):
    client = web(inspector)
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert steps_in(page) == ["order"]
    assert 'name="deadline"' in section(page, "action-panel")
    response = post_step(client, hazard, "order", deadline="", order_text="")
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"deadline", "order_text"}
    assert 'class="errorlist' in section(response.content.decode(), "action-panel")
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert "deadline" in post_step(client, hazard, "order", deadline=past, order_text="x").context["form"].errors
    hazard.refresh_from_db()
    assert hazard.state == HazardState.FOUND and hazard.version == 1
    # a case is not opened from the hazard's panel: the step is not offered, and a forged one is refused
    assert "action" in post_step(client, hazard, "escalate", note="拒不整改").context["form"].errors
    hazard.refresh_from_db()
    assert hazard.state == HazardState.FOUND


def test_order_through_the_panel_keeps_deadline_and_order(web, inspector, hazard):
    deadline = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    response = post_step(web(inspector), hazard, "order", deadline=deadline, order_text="三日内修复", note="现场发现")
    assert response.status_code == 302
    hazard.refresh_from_db()
    assert (hazard.state, hazard.deadline.isoformat(), hazard.order_text) == ("ordered", deadline, "三日内修复")
    assert hazard.events.last().note == "现场发现"


def test_destructive_steps_look_different_and_ask_first(web, inspector, owner, ordered):
    services.hazard_transition(
        actor=owner, hazard=ordered, action="submit", uploads=[SimpleUploadedFile("a.png", PNG, "image/png")]
    )
    panel = section(web(inspector).get(f"/hazards/{ordered.pk}/").content.decode(), "action-panel")
    reject = re.search(r"<button[^>]*data-step=\"reject\"[^>]*>", panel).group(0)
    verify = re.search(r"<button[^>]*data-step=\"verify\"[^>]*>", panel).group(0)
    assert "danger" in reject and "data-confirm=" in reject
    assert "danger" not in verify and "data-confirm" not in verify
    assert "须填写说明" in panel  # the step that needs a note says so


def test_when_the_user_may_do_nothing_the_panel_says_who_acts_next(web, inspector, owner, ordered):
    services.hazard_transition(
        actor=owner, hazard=ordered, action="submit", uploads=[SimpleUploadedFile("a.png", PNG, "image/png")]
    )
    panel = section(web(owner).get(f"/hazards/{ordered.pk}/").content.decode(), "action-panel")
    assert "<form" not in panel and "data-step" not in panel
    assert "等待监管人员审核整改材料" in panel
    assert steps_in(web(inspector).get(f"/hazards/{ordered.pk}/").content.decode()) == ["verify", "reject"]


def test_timeline_shows_names_and_steps_and_officials_to_a_business_by_role(web, inspector, owner, ordered):
    client = web(owner)
    response = post_step(
        client, ordered, "submit", note="已更换温控器", file=SimpleUploadedFile("修好了.png", PNG, "image/png")
    )
    assert response.status_code == 302
    html = web(inspector).get(f"/hazards/{ordered.pk}/").content.decode()
    timeline = section(html, "timeline")
    assert re.findall(r'class="tl-actor">([^<]+)<', timeline) == ["周执法员", "周执法员", "钱安全员"]
    assert "责令整改" in timeline and "提交整改材料" in timeline and "已更换温控器" in timeline
    assert ">inspector<" not in html and ">owner<" not in html  # never login names
    business_view = client.get(f"/hazards/{ordered.pk}/").content.decode()
    assert re.findall(r'class="tl-actor">([^<]+)<', section(business_view, "timeline")) == [
        "检查人员",
        "检查人员",
        "钱安全员",
    ]
    assert "周执法员" not in business_view  # not in the timeline, nor as the one who found it


def test_evidence_image_as_thumbnail_pdf_by_name(web, inspector, owner, ordered):
    response = web(owner).post(
        f"/hazards/{ordered.pk}/transition/",
        {
            "action": "submit",
            "version": ordered.version,
            "file": [
                SimpleUploadedFile("整改后.png", PNG, "image/png"),
                SimpleUploadedFile("整改报告.pdf", PDF, "application/pdf"),
            ],
        },
    )
    assert response.status_code == 302
    image, pdf = Evidence.objects.filter(hazard=ordered).order_by("pk")
    html = web(inspector).get(f"/hazards/{ordered.pk}/").content.decode()
    evidence = section(html, "evidence")
    thumbs = re.findall(r"<img[^>]*>", evidence)
    assert len(thumbs) == 1
    assert f'src="/hazards/{ordered.pk}/evidence/{image.pk}/"' in thumbs[0]
    assert 'class="thumb"' in thumbs[0] and 'loading="lazy"' in thumbs[0]
    assert f'<a href="/hazards/{ordered.pk}/evidence/{image.pk}/" class="thumb-link">' in evidence  # the full file
    assert "整改报告.pdf" in evidence and "2.0" in evidence  # the name as uploaded and its size (KB)
    assert pdf.file.name not in evidence and "hazards/" not in evidence.replace('"/hazards/', "")  # no storage path
    assert "钱安全员" in evidence
    download = web(inspector).get(f"/hazards/{ordered.pk}/evidence/{pdf.pk}/")
    assert download["Content-Type"] == "application/pdf" and "filename" in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 64, "不是"),
        ("fake.png", b"GIF89a" + b"\x00" * 64, "不是"),
        ("huge.png", PNG + b"\x00" * (10 * 1024 * 1024), "10 MB"),
    ],
)
def test_a_bad_upload_is_refused_with_a_field_error(web, owner, ordered, name, data, fragment):
    response = post_step(web(owner), ordered, "submit", file=SimpleUploadedFile(name, data))
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert any(name in e and fragment in e for e in errors), errors
    assert name in section(response.content.decode(), "action-panel")
    assert not Evidence.objects.filter(hazard=ordered).exists()
    ordered.refresh_from_db()
    assert ordered.state == HazardState.ORDERED


def test_submit_without_a_file_says_where_to_attach_it(web, owner, ordered):
    response = post_step(web(owner), ordered, "submit")
    assert "file" in response.context["form"].errors
    files_with_start = post_step(web(owner), ordered, "start", file=SimpleUploadedFile("a.png", PNG))
    assert "file" in files_with_start.context["form"].errors
    ordered.refresh_from_db()
    assert ordered.state == HazardState.ORDERED and not ordered.evidence.exists()


def test_regulator_verifies_on_site_with_own_photo(web, inspector, ordered):
    client = web(inspector)
    assert set(post_step(client, ordered, "verify", note="").context["form"].errors) == {"note", "file"}
    response = post_step(client, ordered, "verify", note="现场复查合格", file=SimpleUploadedFile("复查.png", PNG))
    assert response.status_code == 302
    ordered.refresh_from_db()
    assert ordered.state == HazardState.VERIFIED
    assert ordered.evidence.get().submitted_by == inspector


def test_hazard_list_reads_on_a_phone(web, users, inspector, ordered, shop):
    Hazard.objects.filter(pk=ordered.pk).update(deadline=timezone.localdate() - dt.timedelta(days=3))
    html = web(users["haishu"]).get("/hazards/").content.decode()
    assert "hazards/hazards.css" in html
    table = section(html, "hazards")
    assert 'class="table hazard-table"' in html
    assert 'data-state="ordered"' in table and 'data-severity="general"' in table
    assert "超期 3 天" in table and 'data-label="整改期限"' in table
    tab = web(users["haishu"]).get(f"/registry/businesses/{shop.pk}/?tab=hazards").content.decode()
    assert "超期 3 天" in tab and "hazard-table" in tab


def test_existing_evidence_gets_its_original_name(ordered):
    import importlib

    migration = importlib.import_module("shian.hazards.migrations.0004_evidence_original_name")
    evidence = Evidence(hazard=ordered, content_type="image/png", size=len(PNG))
    evidence.file.save("照片.png", ContentFile(PNG), save=False)
    evidence.save()
    assert re.search(r"/\d{14}-照片\.png$", evidence.file.name)
    migration.fill_original_names(apps, None)
    evidence.refresh_from_db()
    assert evidence.original_name == "照片.png" and evidence.name == "照片.png"


def test_a_step_from_an_older_page_shows_the_hazard_as_it_is_now(web, inspector, owner, ordered):
    stale_version = ordered.version
    lead = services.case_lead_raise(actor=inspector, hazard=ordered, detail="拒不整改")
    services.case_lead_decide(
        actor=UserFactory(role=Role.DISTRICT_REGULATOR, region=inspector.region),
        lead=lead,
        action="accept",
        approver="王局长",
        approved_on=timezone.localdate(),
    )
    response = web(owner).post(f"/hazards/{ordered.pk}/transition/", {"action": "start", "version": stale_version})
    assert response.status_code == 200 and "action" in response.context["form"].errors
    ordered.refresh_from_db()
    assert ordered.state == HazardState.ESCALATED
    html = response.content.decode()
    panel = section(html, "action-panel")
    assert "已立案：等待案件办结" in panel and "您当前不能执行该步骤" in panel
