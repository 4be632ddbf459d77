"""Builders for test data. Every case is made and moved through the real services."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import struct
import zlib

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from casework import roles, services
from casework.models import Case, Category, Department, District, Region, StaffProfile
from casework.states import CaseState
from casework.uploads import image_check
from contractors.models import Contract, Contractor, ContractorMember
from contractors.services import work_order_issue
from contractors.validators import bin_check_digit

_serial = itertools.count(1)


def valid_bin(serial: int | None = None) -> str:
    serial = next(_serial) if serial is None else serial
    while True:
        first11 = f"2001400{serial:04d}"
        check = bin_check_digit(first11)
        if check is not None:
            return first11 + str(check)
        serial += 1000


def image_upload(name: str = "photo.jpg", fmt: str = "JPEG", size=(64, 48), color=(120, 120, 120)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def _png(width: int, height: int, colour_type: int, data: bytes) -> bytes:
    def chunk(kind: bytes, payload: bytes) -> bytes:
        crc = zlib.crc32(kind + payload)
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def png_declaring(width: int, height: int) -> bytes:
    """A PNG of a few dozen bytes whose header declares width × height RGB pixels (its data is
    one empty row: it gets no further than a header check)."""
    return _png(width, height, 2, zlib.compress(b"\x00"))


def png_of_nothing(width: int, height: int) -> bytes:
    """A real, valid PNG of width × height transparent pixels: about a hundred kilobytes on disk
    for tens of megapixels, width × height × 4 bytes once decoded."""
    row = b"\x00" + bytes(width * 4)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return _png(width, height, 6, data)


class World:
    """Two regions; region A has districts A1 and A2 with one department each; region B has B1."""

    def __init__(self):
        for role in roles.ROLES:
            Group.objects.get_or_create(name=role)
        self.region_a = Region.objects.create(code="AQT", name_kk="А", name_ru="А", name_en="A")
        self.region_b = Region.objects.create(code="ZHA", name_kk="Б", name_ru="Б", name_en="B")
        self.a1 = District.objects.create(
            region=self.region_a, code="A1", kind="city", name_kk="А1", name_ru="А1", name_en="A1"
        )
        self.a2 = District.objects.create(
            region=self.region_a,
            code="A2",
            kind="district",
            name_kk="А2",
            name_ru="А2",
            name_en="A2",
        )
        self.b1 = District.objects.create(
            region=self.region_b, code="B1", kind="city", name_kk="Б1", name_ru="Б1", name_en="B1"
        )
        self.dep_a1 = Department.objects.create(
            district=self.a1, code="A1-ROADS", name_kk="Жол", name_ru="Дороги", name_en="Roads"
        )
        self.dep_a1_build = Department.objects.create(
            district=self.a1,
            code="A1-BUILD",
            name_kk="Құрылыс",
            name_ru="Стройка",
            name_en="Building",
        )
        self.dep_a2 = Department.objects.create(
            district=self.a2, code="A2-ROADS", name_kk="Жол", name_ru="Дороги", name_en="Roads"
        )
        self.dep_b1 = Department.objects.create(
            district=self.b1, code="B1-ROADS", name_kk="Жол", name_ru="Дороги", name_en="Roads"
        )
        self.pothole = Category.objects.create(
            code="pothole", name_kk="Шұңқыр", name_ru="Яма", name_en="Pothole"
        )
        self.corruption = Category.objects.create(
            code="corruption_report",
            name_kk="Жемқорлық",
            name_ru="Коррупция",
            name_en="Corruption",
            public=False,
            corruption_report=True,
        )
        self.contractor = Contractor.objects.create(legal_name="ТОО «Тест Жол»", bin=valid_bin())
        self.other_contractor = Contractor.objects.create(legal_name="ТОО «Басқа»", bin=valid_bin())
        today = timezone.localdate()
        self.contract = self._contract("A1-001", self.contractor, self.dep_a1, self.a1, today)
        self.other_contract = self._contract(
            "A1-002", self.other_contractor, self.dep_a1, self.a1, today
        )
        self.contract_b1 = self._contract("B1-001", self.contractor, self.dep_b1, self.b1, today)
        self.users: dict[str, object] = {}
        self.clerk = self.user("clerk", district=self.a1)
        self.officer = self.user("officer", department=self.dep_a1)
        self.officer2 = self.user("officer", name="officer2", department=self.dep_a1)
        self.inspector = self.user("inspector", department=self.dep_a1)
        self.contractor_user = self.user("contractor", contractor=self.contractor)
        self.investigator = self.user("investigator", region=self.region_a)
        self.manager = self.user("manager", region=self.region_a)
        # The same roles, out of scope for cases in A1 / dep_a1.
        self.clerk_a2 = self.user("clerk", name="clerk_a2", district=self.a2)
        self.officer_build = self.user(
            "officer", name="officer_build", department=self.dep_a1_build
        )
        self.inspector_a2 = self.user("inspector", name="inspector_a2", department=self.dep_a2)
        self.other_contractor_user = self.user(
            "contractor", name="other_contractor", contractor=self.other_contractor
        )
        self.investigator_b = self.user("investigator", name="investigator_b", region=self.region_b)
        self.manager_b = self.user("manager", name="manager_b", region=self.region_b)

    def _contract(self, number, contractor, department, district, today):
        contract = Contract.objects.create(
            contractor=contractor,
            department=department,
            number=number,
            signed_on=today,
            amount_kzt=1_000_000,
            starts_on=today - dt.timedelta(days=365),
            ends_on=today + dt.timedelta(days=365),
            warranty_months=24,
        )
        contract.districts.set([district])
        contract.categories.set([self.pothole])
        return contract

    def user(self, role: str, *, name: str | None = None, contractor=None, **scope):
        username = name or role
        user = get_user_model().objects.create_user(username=username, password="pw-" + username)
        user.groups.add(Group.objects.get(name=role))
        if contractor is not None:
            ContractorMember.objects.create(user=user, contractor=contractor)
        else:
            StaffProfile.objects.create(user=user, **scope)
        self.users[username] = user
        return user

    def case(
        self, *, district: District | None = None, category: Category | None = None, **kw
    ) -> Case:
        kw.setdefault("title", "Яма на дороге")
        kw.setdefault("description", "Глубокая яма у дома 5.")
        kw.setdefault("channel", "web")
        kw.setdefault("latitude", "50.283900")
        kw.setdefault("longitude", "57.167000")
        kw.setdefault("complainant", {"name": "Айгүл Сейтқали", "phone": "+77011234567"})
        # Checked here, so that the case has its attachments on return; uploads as the web form
        # sends them are published after commit (casework.photo_jobs, tests/intake/test_complain).
        kw["photos"] = [image_check(p) for p in kw.get("photos") or []] or None
        return services.case_open(
            district=district or self.a1, category=category or self.pothole, **kw
        )

    def advance(self, case: Case, target: str) -> Case:
        """Drive a case along the happy path until it reaches `target`."""
        path = {
            CaseState.RECEIVED: [],
            CaseState.ASSIGNED: ["assign"],
            CaseState.CONTRACTOR_NOTIFIED: ["assign", "notify"],
            CaseState.REPAIRED: ["assign", "notify", "repair"],
            CaseState.VERIFIED: ["assign", "notify", "repair", "verify"],
            CaseState.REJECTED: ["reject"],
            # A corruption report's own lifecycle.
            CaseState.UNDER_REVIEW: ["review_start"],
            CaseState.REFERRED: ["review_start", "refer"],
            CaseState.ANSWERED: ["review_start", "answer"],
        }[target]
        for step in path:
            case = Case.objects.get(pk=case.pk)
            if step == "assign":
                department = (
                    self.dep_a1
                    if case.district_id == self.a1.pk
                    else Department.objects.filter(district=case.district).first()
                )
                clerk = (
                    self.clerk
                    if case.district_id == self.a1.pk
                    else self.user("clerk", name=f"clerk-{case.pk}", district=case.district)
                )
                case = services.case_assign(case, actor=clerk, department=department)
            elif step == "notify":
                work_order_issue(case, actor=self.officer, contract=self.contract)
            elif step == "repair":
                services.case_report_repaired(
                    case,
                    actor=self.contractor_user,
                    before=[image_upload("b.jpg")],
                    after=[image_upload("a.png", "PNG")],
                )
            elif step == "verify":
                services.case_verify(case, actor=self.inspector)
            elif step == "reject":
                services.case_reject(case, actor=self.clerk, reason_code="spam", reason="Реклама.")
            elif step == "review_start":
                services.case_review_start(case, actor=self.investigator)
            elif step == "refer":
                services.case_refer(
                    case,
                    actor=self.investigator,
                    referred_to="Прокуратура области",
                    answer="Материалы переданы в прокуратуру.",
                )
            elif step == "answer":
                services.case_answer(
                    case, actor=self.investigator, answer="Факты не подтвердились."
                )
        return Case.objects.get(pk=case.pk)
