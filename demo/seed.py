"""Builds the demo world through the real services, so every demo case has a true history.

Idempotent: reference rows are fetched or created by natural key, and cases are only made when
the demo regions have none.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import ExifTags, Image, ImageDraw
from PIL.TiffImagePlugin import IFDRational

from casework import clock, outbox, roles, services
from casework.models import (
    Case,
    Category,
    CategoryRouting,
    Department,
    District,
    Escalation,
    Official,
    OutboxJob,
    Region,
    StaffProfile,
)
from casework.sweep import sweep_run
from casework.uploads import image_check
from contractors.models import Contract, Contractor, ContractorMember, WorkOrder
from contractors.selectors import current_work_order
from contractors.services import (
    work_order_acknowledge,
    work_order_issue,
    work_order_report_repair,
    work_orders_escalate_unacknowledged,
)
from contractors.validators import bin_check_digit
from demo import data, red_flags
from demo.inquiries import inquiries_seed
from demo.open_data import open_data_seed
from demo.posts import posts_seed
from demo.project_cameras import project_cameras_seed
from demo.projects import projects_seed
from demo.ratings import ratings_seed
from demo.votes import votes_seed
from intake.models import DistrictArea
from oversight.attribution import attributions_backfill
from oversight.failures import failures_recompute
from oversight.red_flags.run import red_flags_full_pass
from oversight.services import act_sign
from workflows import queues
from workflows import services as workflow_services
from workflows.recipients import queue_members

PASSWORD = "demo12345"
# Districts of Aktobe region whose cases the ordinary histories make (the rest are "rural").
RURAL_EXCLUDED = ("AQT-CITY", "AQT-ALGA")
User = get_user_model()


@dataclass
class World:
    regions: dict[str, Region] = field(default_factory=dict)
    districts: dict[str, District] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    contractors: list[Contractor] = field(default_factory=list)
    contracts: dict[str, list[Contract]] = field(default_factory=dict)
    # The district road firms and, per rural district, their framework contracts there (apart
    # from `contracts`, which the other histories choose from).
    firms: list[Contractor] = field(default_factory=list)
    firm_contracts: dict[str, list[Contract]] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)
    after_photos: list[bytes] = field(default_factory=list)


def valid_bin(prefix: str, serial: int) -> str:
    """A BIN with a correct check digit (prefix: registration year, month, entity type)."""
    while True:
        first11 = f"{prefix}{serial:05d}"[:11]
        check = bin_check_digit(first11)
        if check is not None:
            return first11 + str(check)
        serial += 1


def _org(world: World) -> None:
    aqt, _ = Region.objects.get_or_create(
        code="AQT",
        defaults={
            "name_kk": "Ақтөбе облысы",
            "name_ru": "Актюбинская область",
            "name_en": "Aktobe region",
        },
    )
    zha, _ = Region.objects.get_or_create(
        code="ZHA",
        defaults={
            "name_kk": "Жамбыл облысы",
            "name_ru": "Жамбылская область",
            "name_en": "Zhambyl region",
        },
    )
    world.regions = {"AQT": aqt, "ZHA": zha}
    for region, rows in ((aqt, data.AKTOBE_DISTRICTS), (zha, data.ZHAMBYL_DISTRICTS)):
        for code, kind, (kk, ru, en), centre in rows:
            akim, _ = Official.objects.get_or_create(
                position=f"Аким: {ru}",
                defaults={"full_name": _fictional_name(code, "akim")},
            )
            district, _ = District.objects.get_or_create(
                code=code,
                defaults={
                    "region": region,
                    "kind": kind,
                    "name_kk": kk,
                    "name_ru": ru,
                    "name_en": en,
                    "akim": akim,
                    "akim_office_email": f"akimat.{code.lower()}@example.kz",
                },
            )
            world.districts[code] = district
            # Where the district is, so that intake can place chat and Open311 complaints.
            DistrictArea.objects.get_or_create(
                district=district,
                defaults={
                    "latitude": Decimal(str(centre[0])),
                    "longitude": Decimal(str(centre[1])),
                    "radius_km": 15 if kind == "city" else 40,
                },
            )
            dept_ru = (
                "Отдел жилищно-коммунального хозяйства, пассажирского транспорта и автомобильных "
                f"дорог ({ru})"
            )
            dept_kk = (
                "Тұрғын үй-коммуналдық шаруашылығы, жолаушылар көлігі және автомобиль жолдары "
                f"бөлімі ({kk})"
            )
            dept_en = f"Department of housing and utilities, passenger transport and roads ({en})"
            if code == "ZHA-TARAZ":
                dept_ru = (
                    "Отдел строительства, жилищно-коммунального хозяйства и пассажирского "
                    "транспорта акимата города Тараз"
                )
                dept_kk = (
                    "Тараз қаласы әкімдігінің құрылыс, тұрғын үй-коммуналдық шаруашылығы және "
                    "жолаушылар көлігі бөлімі"
                )
                dept_en = (
                    "Taraz city department of construction, housing and utilities and "
                    "passenger transport"
                )
            head, _ = Official.objects.get_or_create(
                position=f"Руководитель: {dept_ru}",
                defaults={"full_name": _fictional_name(code, "head")},
            )
            department, _ = Department.objects.get_or_create(
                code=f"{code}-ZHKH",
                defaults={
                    "district": district,
                    "name_kk": dept_kk,
                    "name_ru": dept_ru,
                    "name_en": dept_en,
                    "head": head,
                    "email": f"zhkh.{code.lower()}@example.kz",
                },
            )
            world.departments[code] = department
    construction, _ = Department.objects.get_or_create(
        code="AQT-CITY-BUILD",
        defaults={
            "district": world.districts["AQT-CITY"],
            "name_kk": "Ақтөбе қаласының құрылыс бөлімі",
            "name_ru": "Отдел строительства города Актобе",
            "name_en": "Aktobe city construction department",
            "email": "stroy.aqt@example.kz",
        },
    )
    world.departments["AQT-CITY-BUILD"] = construction
    for code, (kk, ru, en), public, identity, repair_days in data.CATEGORIES:
        world.categories[code], _ = Category.objects.get_or_create(
            code=code,
            defaults={
                "name_kk": kk,
                "name_ru": ru,
                "name_en": en,
                "public": public,
                "requires_identity": identity,
                "corruption_report": code == "corruption_report",
                "sla_repair_days": repair_days,
            },
        )
    for district_code, district in world.districts.items():
        for category_code, category in world.categories.items():
            department = world.departments[district_code]
            if district_code == "AQT-CITY" and category_code == "construction_delay":
                department = construction
            CategoryRouting.objects.get_or_create(
                district=district, category=category, defaults={"department": department}
            )


_FIRST = [
    "Айгүл",
    "Нұрлан",
    "Ерлан",
    "Гүлнар",
    "Асхат",
    "Динара",
    "Бауыржан",
    "Салтанат",
    "Марат",
    "Жанар",
    "Сергей",
    "Ольга",
]
_LAST = [
    "Сейтқали",
    "Ахметов",
    "Жұмабаева",
    "Тілеуов",
    "Қасымова",
    "Омаров",
    "Әбенова",
    "Ким",
    "Петрова",
    "Байжанов",
]


def _fictional_name(seed: str, role: str) -> str:
    rng = random.Random(f"{seed}:{role}")
    return f"{rng.choice(_LAST)} {rng.choice(_FIRST)}"


def _contractors(world: World) -> None:
    today = timezone.localdate()
    for index, (name, prefix, in_house, phone, email) in enumerate(data.CONTRACTORS):
        contractor = Contractor.objects.filter(legal_name=name).first()
        if contractor is None:
            contractor = Contractor.objects.create(
                legal_name=name,
                bin=valid_bin(prefix, 1000 + index * 37),
                in_house=in_house,
                phone=phone,
                email=email,
                contact_name=_fictional_name(name, "contact"),
            )
        world.contractors.append(contractor)
    atps, aqtobe_zhol, batys, zharyq, taraz_zhol = world.contractors
    plans = [
        # (number, contractor, department code, district codes, categories, amount)
        (
            "АКТ-ЖКХ-2026/014",
            atps,
            "AQT-CITY",
            ["AQT-CITY"],
            ["pothole", "manhole_surround", "sidewalk"],
            "412500000",
        ),
        (
            "АКТ-ЖКХ-2026/022",
            aqtobe_zhol,
            "AQT-CITY",
            ["AQT-CITY"],
            ["pothole", "sidewalk", "yard_improvement"],
            "238900000",
        ),
        ("АКТ-ЖКХ-2026/031", zharyq, "AQT-CITY", ["AQT-CITY"], ["street_lighting"], "0"),
        (
            "АКТ-СТР-2026/005",
            batys,
            "AQT-CITY-BUILD",
            ["AQT-CITY"],
            ["construction_delay", "yard_improvement"],
            "1250000000",
        ),
        (
            "ОБЛ-ЖКХ-2026/102",
            batys,
            None,
            [c for c in world.districts if c.startswith("AQT-") and c != "AQT-CITY"],
            ["pothole", "manhole_surround", "street_lighting", "sidewalk", "yard_improvement"],
            "96000000",
        ),
        (
            "ОБЛ-ЖКХ-2026/117",
            aqtobe_zhol,
            None,
            [c for c in world.districts if c.startswith("AQT-") and c != "AQT-CITY"],
            ["pothole", "sidewalk"],
            "84000000",
        ),
        (
            "ТРЗ-2026/047",
            taraz_zhol,
            "ZHA-TARAZ",
            ["ZHA-TARAZ"],
            [
                "pothole",
                "manhole_surround",
                "sidewalk",
                "street_lighting",
                "yard_improvement",
                "construction_delay",
            ],
            "187300000",
        ),
        (
            "ТРЗ-2026/051",
            atps,
            "ZHA-TARAZ",
            ["ZHA-TARAZ"],
            ["pothole", "manhole_surround"],
            "156000000",
        ),
    ]
    for number, contractor, dept_code, district_codes, categories, amount in plans:
        holders = [dept_code] if dept_code else district_codes
        for holder in holders:
            department = world.departments[holder]
            contract, created = Contract.objects.get_or_create(
                department=department,
                number=number,
                defaults={
                    "contractor": contractor,
                    "signed_on": dt.date(today.year, 1, 15),
                    "amount_kzt": Decimal(amount),
                    "starts_on": dt.date(today.year - 1, 1, 1),
                    "ends_on": dt.date(today.year + 1, 12, 31),
                    "warranty_months": 36,
                },
            )
            if created:
                contract.districts.set(
                    [world.districts[c] for c in district_codes if c == holder or dept_code]
                )
                contract.categories.set([world.categories[c] for c in categories])
            for code in district_codes if dept_code else [holder]:
                world.contracts.setdefault(code, []).append(contract)
    _district_firms(world, today)


def _district_firms(world: World, today: dt.date) -> None:
    rural = [c for c in sorted(world.districts) if c.startswith("AQT-") and c not in RURAL_EXCLUDED]
    categories = [world.categories[c] for c in ("pothole", "manhole_surround", "sidewalk")]
    for index, (name, prefix, _slug, phone, email) in enumerate(data.DISTRICT_FIRMS):
        firm = Contractor.objects.filter(legal_name=name).first()
        if firm is None:
            firm = Contractor.objects.create(
                legal_name=name,
                bin=valid_bin(prefix, 2000 + index * 41),
                phone=phone,
                email=email,
                contact_name=_fictional_name(name, "contact"),
            )
        world.firms.append(firm)
        for code in rural:
            contract, created = Contract.objects.get_or_create(
                department=world.departments[code],
                number=f"ОБЛ-ЖКХ-2026/{140 + index}",
                defaults={
                    "contractor": firm,
                    "signed_on": dt.date(today.year, 1, 20),
                    "amount_kzt": Decimal("64000000"),
                    "starts_on": dt.date(today.year - 1, 1, 1),
                    "ends_on": dt.date(today.year + 1, 12, 31),
                    "warranty_months": 36,
                },
            )
            if created:
                contract.districts.set([world.districts[code]])
                contract.categories.set(categories)
            world.firm_contracts.setdefault(code, []).append(contract)


@functools.cache
def _password_hash() -> str:
    """The demo password hashed once: every demo user has the same one, and hashing it again
    for each of them is most of the time seeding the users takes."""
    return make_password(PASSWORD)


def _user(username: str, first: str, last: str, role: str, **scope) -> object:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(
            username=username,
            password=_password_hash(),
            first_name=first,
            last_name=last,
            email=f"{username}@example.kz",
            is_staff=False,
        )
        user.groups.add(Group.objects.get(name=role))
        if role == roles.CONTRACTOR:
            ContractorMember.objects.create(user=user, contractor=scope["contractor"])
        else:
            StaffProfile.objects.create(user=user, **scope)
    return user


def _users(world: World) -> None:
    for role in roles.ROLES:
        Group.objects.get_or_create(name=role)
    d, dep, r = world.districts, world.departments, world.regions
    atps, aqtobe_zhol, batys, zharyq, taraz_zhol = world.contractors
    specs = [
        ("clerk.aktobe", "Айгүл", "Сейтқали", roles.CLERK, {"district": d["AQT-CITY"]}),
        ("officer.aktobe", "Нұрлан", "Ахметов", roles.OFFICER, {"department": dep["AQT-CITY"]}),
        ("officer2.aktobe", "Ольга", "Петрова", roles.OFFICER, {"department": dep["AQT-CITY"]}),
        ("inspector.aktobe", "Марат", "Тілеуов", roles.INSPECTOR, {"department": dep["AQT-CITY"]}),
        ("officer.build", "Асхат", "Омаров", roles.OFFICER, {"department": dep["AQT-CITY-BUILD"]}),
        (
            "inspector.build",
            "Жанар",
            "Әбенова",
            roles.INSPECTOR,
            {"department": dep["AQT-CITY-BUILD"]},
        ),
        ("clerk.alga", "Динара", "Қасымова", roles.CLERK, {"district": d["AQT-ALGA"]}),
        ("officer.alga", "Бауыржан", "Байжанов", roles.OFFICER, {"department": dep["AQT-ALGA"]}),
        ("inspector.alga", "Сергей", "Ким", roles.INSPECTOR, {"department": dep["AQT-ALGA"]}),
        ("contractor.atps", "Ерлан", "Жұмабаев", roles.CONTRACTOR, {"contractor": atps}),
        (
            "contractor.aqtobezhol",
            "Ерболат",
            "Сапарұлы",
            roles.CONTRACTOR,
            {"contractor": aqtobe_zhol},
        ),
        ("contractor.batys", "Салтанат", "Омарова", roles.CONTRACTOR, {"contractor": batys}),
        ("contractor.zharyq", "Гүлнар", "Әбенова", roles.CONTRACTOR, {"contractor": zharyq}),
        ("investigator.aktobe", "Асқар", "Нұрланұлы", roles.INVESTIGATOR, {"region": r["AQT"]}),
        ("manager.aktobe", "Гүлмира", "Сәрсенова", roles.MANAGER, {"region": r["AQT"]}),
        ("clerk.taraz", "Әсел", "Бекова", roles.CLERK, {"district": d["ZHA-TARAZ"]}),
        ("officer.taraz", "Дәурен", "Сапаров", roles.OFFICER, {"department": dep["ZHA-TARAZ"]}),
        ("inspector.taraz", "Қайрат", "Есенов", roles.INSPECTOR, {"department": dep["ZHA-TARAZ"]}),
        ("contractor.tarazzhol", "Бекзат", "Нұров", roles.CONTRACTOR, {"contractor": taraz_zhol}),
        ("investigator.zhambyl", "Мадина", "Ержанова", roles.INVESTIGATOR, {"region": r["ZHA"]}),
        ("manager.zhambyl", "Талғат", "Жақсылықов", roles.MANAGER, {"region": r["ZHA"]}),
    ]
    for firm, (_name, _prefix, slug, _phone, _email) in zip(
        world.firms, data.DISTRICT_FIRMS, strict=True
    ):
        last, first = _fictional_name(firm.legal_name, "crew").split(" ", 1)
        specs.append((f"contractor.{slug}", first, last, roles.CONTRACTOR, {"contractor": firm}))
    # Every other district of Aktobe region has its akimat clerk, its department's officer and
    # its inspector (the red-flag histories order and accept repairs there).
    for code in sorted(d):
        if not code.startswith("AQT-") or code in ("AQT-CITY", "AQT-ALGA"):
            continue
        slug = code.split("-", 1)[1].lower()
        for role, scope in (
            (roles.CLERK, {"district": d[code]}),
            (roles.OFFICER, {"department": dep[code]}),
            (roles.INSPECTOR, {"department": dep[code]}),
        ):
            last, first = _fictional_name(code, role).split(" ", 1)
            specs.append((f"{role}.{slug}", first, last, role, scope))
    for username, first, last, role, scope in specs:
        world.users[username] = _user(username, first, last, role, **scope)
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", "admin@example.kz", PASSWORD)


def demo_logins() -> list[tuple[str, str]]:
    rows = []
    for user in User.objects.filter(groups__name__in=roles.ROLES).order_by("username").distinct():
        role = ", ".join(sorted(user.groups.values_list("name", flat=True)))
        rows.append((user.username, role))
    rows.append(("admin", "superuser (Django admin)"))
    return rows


def _photo(
    rng: random.Random,
    label: str,
    *,
    taken_at: dt.datetime | None = None,
    point: tuple[float, float] | None = None,
) -> SimpleUploadedFile:
    """A small believable asphalt photo: grey noise with dark patches, each one different; with
    the time and place a phone would write into it, when given."""
    image = Image.new("RGB", (320, 240), (110, 110, 112))
    draw = ImageDraw.Draw(image)
    for _ in range(400):
        x, y = rng.randrange(320), rng.randrange(240)
        shade = rng.randrange(80, 150)
        draw.point((x, y), fill=(shade, shade, shade + 2))
    for _ in range(rng.randrange(3, 7)):
        # Kerbs, cracks and shadows: what makes two photos of asphalt tell apart.
        x, y = rng.randrange(320), rng.randrange(240)
        w, h = rng.randrange(20, 160), rng.randrange(10, 90)
        shade = rng.choice([35, 60, 150, 185])
        draw.rectangle((x, y, x + w, y + h), fill=(shade, shade, shade + 3))
    if label == "before":
        cx, cy = rng.randrange(80, 240), rng.randrange(60, 180)
        draw.ellipse((cx - 50, cy - 30, cx + 50, cy + 30), fill=(45, 42, 40))
    else:
        x0, y0 = rng.randrange(20, 120), rng.randrange(20, 100)
        draw.rectangle(
            (x0, y0, x0 + rng.randrange(90, 180), y0 + rng.randrange(60, 120)), fill=(58, 58, 62)
        )
    exif = Image.Exif()
    if taken_at is not None:
        local = timezone.localtime(taken_at)
        sub = exif.get_ifd(ExifTags.IFD.Exif)
        sub[36867] = local.strftime("%Y:%m:%d %H:%M:%S")
        sub[36881] = local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]
    if point is not None:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps[1], gps[2] = "N", _dms(point[0])
        gps[3], gps[4] = "E", _dms(point[1])
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70, exif=exif.tobytes())
    return SimpleUploadedFile(f"{label}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _dms(value: float) -> tuple:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return (IFDRational(degrees), IFDRational(minutes), IFDRational(round(seconds * 1000), 1000))


def _near(rng: random.Random, case: Case, metres: float) -> tuple[float, float]:
    """A point about `metres` from the case's point, in a random direction."""
    angle = rng.uniform(0, 2 * math.pi)
    lat = float(case.latitude) + metres * math.cos(angle) / 111_320
    lon = float(case.longitude) + metres * math.sin(angle) / (111_320 * math.cos(math.radians(lat)))
    return round(lat, 6), round(lon, 6)


def _repair_photos(rng: random.Random, world: World, case: Case, when: dt.datetime) -> dict:
    """Before/after photos as a crew would take them on site; a few are the kind an inspector
    must question: an old photo, one taken elsewhere, one already sent for another case."""
    order = current_work_order(case)
    trick = rng.random()
    before_time = when - dt.timedelta(minutes=rng.randrange(90, 600))
    before_time = max(before_time, order.issued_at + dt.timedelta(minutes=20))
    before_point = _near(rng, case, rng.uniform(2, 25))
    after_point = _near(rng, case, rng.uniform(2, 25))
    if trick < 0.04:
        before_time = order.issued_at - dt.timedelta(days=rng.randrange(3, 40))
    elif trick < 0.07:
        after_point = _near(rng, case, rng.uniform(600, 3000))
    before = _photo(rng, "before", taken_at=before_time, point=before_point)
    after = _photo(
        rng, "after", taken_at=when - dt.timedelta(minutes=rng.randrange(5, 60)), point=after_point
    )
    if 0.07 <= trick < 0.10 and world.after_photos:
        reused = rng.choice(world.after_photos)
        after = SimpleUploadedFile("after.jpg", reused, content_type="image/jpeg")
    else:
        world.after_photos.append(after.read())
        after.seek(0)
    return {"before": [before], "after": [after]}


# Case histories --------------------------------------------------------------------------


def _working_moment(
    rng: random.Random, start: dt.datetime, hours_min: float, hours_max: float
) -> dt.datetime:
    moment = start + dt.timedelta(hours=rng.uniform(hours_min, hours_max))
    local = timezone.localtime(moment)
    if local.hour < 9:
        local = local.replace(hour=9, minute=rng.randrange(60))
    elif local.hour >= 18:
        local = (local + dt.timedelta(days=1)).replace(hour=9, minute=rng.randrange(60))
    while local.weekday() >= 5:
        local += dt.timedelta(days=1)
    return local


class _Stop(Exception):
    pass


def _escalate_until(moment: dt.datetime) -> None:
    """Escalate what fell due before `moment`, each at the moment it fell due, as the
    deadline sweep and the acknowledgement check on beat would have done."""
    while True:
        due = (
            WorkOrder.objects.filter(
                acknowledged_at__isnull=True,
                acknowledge_escalated_at__isnull=True,
                status=WorkOrder.Status.ISSUED,
                acknowledge_due_at__lt=moment,
            )
            .order_by("acknowledge_due_at")
            .values_list("acknowledge_due_at", flat=True)
            .first()
        )
        fire = (
            Escalation.objects.filter(fired_at__isnull=True, fire_at__lt=moment)
            .order_by("fire_at")
            .values_list("fire_at", flat=True)
            .first()
        )
        if due is None and fire is None:
            return
        if fire is None or (due is not None and due < fire):
            later = due + dt.timedelta(seconds=1)
            with clock.frozen_at(later):
                work_orders_escalate_unacknowledged(later)
        else:
            sweep_run(now=fire)


def _case_history(world: World, rng: random.Random, index: int, now: dt.datetime) -> None:
    region_code = "ZHA" if index % 5 == 4 else "AQT"
    if region_code == "ZHA":
        district_code = "ZHA-TARAZ"
    else:
        district_code = "AQT-CITY" if rng.random() < 0.7 else "AQT-ALGA"
    district = world.districts[district_code]
    centre = next(
        c
        for code, _k, _n, c in data.AKTOBE_DISTRICTS + data.ZHAMBYL_DISTRICTS
        if code == district_code
    )
    category_code = rng.choices(
        [c[0] for c in data.CATEGORIES], weights=[30, 22, 14, 12, 10, 6, 3]
    )[0]
    category = world.categories[category_code]
    street_ru, street_kk = rng.choice(data.STREETS[region_code])
    house = rng.randrange(1, 140)
    ru_title, ru_text, kk_title, kk_text = rng.choice(data.COMPLAINTS[category_code])
    kazakh = rng.random() < 0.4
    title = kk_title if kazakh else ru_title
    text = (kk_text if kazakh else ru_text).format(
        street=street_kk if kazakh else street_ru, house=house
    )
    received = _working_moment(
        rng, now - dt.timedelta(days=min(rng.expovariate(1 / 22), 110) + 0.2), 0, 1
    )
    if received > now:  # moved past a weekend into the future: it came in this morning
        received = now - dt.timedelta(minutes=rng.randrange(5, 300))
    anonymous = rng.random() < 0.2 and not category.requires_identity
    complainant = (
        None
        if anonymous
        else {
            "name": f"{rng.choice(_LAST)} {rng.choice(_FIRST)}",
            "phone": "+7 70"
            + " ".join(
                str(rng.randrange(low, high))
                for low, high in ((0, 9), (100, 999), (10, 99), (10, 99))
            ),
            "language": "kk" if kazakh else "ru",
        }
    )
    channel = rng.choice(
        ["whatsapp", "whatsapp", "telegram", "web", "phone", "facebook", "open311"]
    )
    clerk = world.users[
        "clerk.taraz"
        if region_code == "ZHA"
        else ("clerk.aktobe" if district_code == "AQT-CITY" else "clerk.alga")
    ]
    case = services.case_open(
        title=title,
        description=text,
        category=category,
        district=district,
        channel=channel,
        actor=clerk if channel == "phone" else None,
        latitude=round(centre[0] + rng.uniform(-0.03, 0.03), 6),
        longitude=round(centre[1] + rng.uniform(-0.04, 0.04), 6),
        address=f"{street_kk if kazakh else street_ru}, {house}",
        complainant=complainant,
        received_at=received,
        # Checked now: the demo's cases have their photos whether or not a worker runs.
        photos=[image_check(_photo(rng, "before"))] if rng.random() < 0.5 else None,
    )
    moment = received

    def step(hours_min: float, hours_max: float) -> dt.datetime:
        nonlocal moment
        moment = _working_moment(rng, moment, hours_min, hours_max)
        if moment >= now - dt.timedelta(minutes=5):
            raise _Stop
        # What beat would have done meanwhile happens first, at its own moments.
        _escalate_until(moment)
        return moment

    if category.corruption_report:
        _corruption_report_history(world, rng, case, region_code, step)
        return
    officer_name = {
        "AQT-CITY": "officer.aktobe",
        "AQT-ALGA": "officer.alga",
        "ZHA-TARAZ": "officer.taraz",
    }[district_code]
    inspector_name = officer_name.replace("officer", "inspector")
    if category_code == "construction_delay" and district_code == "AQT-CITY":
        officer_name, inspector_name = "officer.build", "inspector.build"
    officer, inspector = world.users[officer_name], world.users[inspector_name]
    department = CategoryRouting.objects.get(district=district, category=category).department
    fate = rng.random()
    try:
        if fate < 0.12:
            code = rng.choice(
                ["out_of_jurisdiction", "no_violation", "spam", "withdrawn", "duplicate"]
            )
            with clock.frozen_at(step(1, 30)):
                duplicate = None
                if code == "duplicate":
                    duplicate = (
                        Case.objects.filter(district=district, category=category, duplicate_of=None)
                        .exclude(pk=case.pk)
                        .order_by("-id")
                        .first()
                    )
                    if duplicate is None:
                        code = "no_violation"
                services.case_reject(
                    case,
                    actor=clerk,
                    reason_code=code,
                    reason=data.REJECT_TEXTS[code][1 if kazakh else 0],
                    duplicate_of=duplicate,
                )
            if rng.random() < 0.2:
                with clock.frozen_at(step(24, 120)):
                    services.case_reopen(
                        case,
                        actor=clerk,
                        kind="appeal",
                        reason="Заявитель обжаловал отказ, приложив новые фото.",
                    )
            return
        first_department = department
        if rng.random() < 0.08:
            first_department = world.departments[
                "AQT-CITY-BUILD" if district_code == "AQT-CITY" else district_code
            ]
            if first_department == department:
                first_department = None
        with clock.frozen_at(step(1, 30)):
            if first_department is not None and first_department != department:
                services.case_assign(case, actor=clerk, department=first_department)
                with clock.frozen_at(step(2, 60)):
                    services.case_assign(
                        case,
                        actor=world.users["officer.build"],
                        department=department,
                        reason="Не наш профиль: перенаправлено в отдел ЖКХ.",
                    )
            else:
                services.case_assign(case, actor=clerk, department=department)
        if rng.random() < 0.08:
            with clock.frozen_at(step(2, 20)):
                services.case_extend_deadline(
                    case,
                    actor=officer,
                    decision=rng.choice(data.EXTENSION_TEXTS),
                    new_due_at=min(
                        case.due_at + dt.timedelta(days=20),
                        case.received_at + dt.timedelta(days=55),
                    ),
                )
        contracts = [
            c
            for c in world.contracts.get(district_code, [])
            if c.department_id == department.pk and category in c.categories.all()
        ]
        if not contracts:
            return
        with clock.frozen_at(step(2, 70)):
            work_order_issue(
                case,
                actor=officer,
                contract=rng.choice(contracts),
                note="Устранить в срок по договору.",
            )
        contractor_user = _contractor_user(world, case)
        if rng.random() < 0.85:
            # Most crews confirm the order within the working day; the rest are escalated.
            with clock.frozen_at(step(0.5, 6)):
                work_order_acknowledge(current_work_order(case), actor=contractor_user)
        rounds = 0
        while True:
            with clock.frozen_at(step(24, 24 * 18)):
                work_order_report_repair(
                    case,
                    actor=contractor_user,
                    note="Работы выполнены.",
                    **_repair_photos(rng, world, case, clock.now()),
                )
            if rounds == 0 and rng.random() < 0.15:
                rounds += 1
                with clock.frozen_at(step(4, 60)):
                    services.case_return_for_rework(
                        case, actor=inspector, reason=rng.choice(data.RETURN_TEXTS)
                    )
                continue
            break
        with clock.frozen_at(step(4, 60)):
            quantity = Decimal(rng.randrange(5, 60)) / 10
            act_sign(
                case,
                actor=inspector,
                quantity=quantity,
                unit="m2",
                amount_kzt=(quantity * rng.randrange(14_000, 26_000)).quantize(Decimal("1")),
                description=f"{category.name_ru}: ремонт покрытия, {quantity} м²",
                note="Проверено на месте, принято.",
            )
        if rng.random() < 0.06:
            with clock.frozen_at(step(24 * 5, 24 * 40)):
                services.case_reopen(
                    case,
                    actor=clerk,
                    kind="citizen_dispute",
                    reason="Житель сообщает: яма появилась снова через три недели.",
                )
    except _Stop:
        return


def _corruption_report_history(world: World, rng: random.Random, case: Case, region_code, step):
    """A corruption report goes to the region's investigators only: taken up, then referred or
    answered, or still under review."""
    investigator = world.users[
        "investigator.zhambyl" if region_code == "ZHA" else "investigator.aktobe"
    ]
    try:
        with clock.frozen_at(step(1, 30)):
            services.case_review_start(case, actor=investigator)
        fate = rng.random()
        if fate < 0.4:
            with clock.frozen_at(step(24, 24 * 10)):
                services.case_refer(
                    case,
                    actor=investigator,
                    referred_to=data.REFERRED_TO,
                    answer=data.REFERRAL_ANSWER,
                )
        elif fate < 0.8:
            with clock.frozen_at(step(24, 24 * 10)):
                services.case_answer(case, actor=investigator, answer=data.REVIEW_ANSWER)
    except _Stop:
        return


def _contractor_user(world: World, case: Case):
    order = current_work_order(case)
    for user in world.users.values():
        member = getattr(user, "contractor_membership", None)
        if member is not None and member.contractor_id == order.contractor_id:
            return user
    raise RuntimeError(f"no demo user for contractor {order.contractor}")


def _warranty_complaints(world: World, rng: random.Random, now: dt.datetime, count: int) -> int:
    """A few repairs fail again within their warranty: a new complaint a few metres away, made
    through case_open like any other, is linked to the failed repair on its own."""
    accepted = list(
        WorkOrder.objects.filter(
            accepted_at__isnull=False, accepted_at__lt=now - dt.timedelta(days=3)
        )
        .select_related("case", "case__category", "case__district")
        .order_by("id")
    )
    chosen = rng.sample(accepted, min(count, len(accepted)))
    for order in chosen:
        old = order.case
        lat, lon = _near(rng, old, rng.uniform(3, 20))
        when = order.accepted_at + (now - order.accepted_at) * rng.uniform(0.3, 0.9)
        services.case_open(
            title="Яма появилась снова",
            description=f"На месте ремонта по обращению {old.tracking_code} снова провал "
            "асфальта у люка, площадью около двух квадратных метров.",
            category=old.category,
            district=old.district,
            channel="whatsapp",
            latitude=lat,
            longitude=lon,
            address=old.address,
            complainant={
                "name": f"{rng.choice(_LAST)} {rng.choice(_FIRST)}",
                "phone": f"+7 701 {rng.randrange(100, 999)} {rng.randrange(10, 99)} 00",
            },
            received_at=min(_working_moment(rng, when, 0, 1), now - dt.timedelta(minutes=10)),
        )
    return len(chosen)


def _taraz_manholes(world: World, rng: random.Random, now: dt.datetime) -> int:
    """Taraz, Zhambyl region: pits around road manholes are repaired under a current-repair
    contract, one "before" photo was taken days before the work order, the inspector accepts
    2.5 m² and signs the act; two months later a complaint 10 m away says the pits are back (a
    warranty claim: the act's work failed). Returns the number of cases made (2)."""
    district = world.districts["ZHA-TARAZ"]
    category = world.categories["manhole_surround"]
    clerk, officer = world.users["clerk.taraz"], world.users["officer.taraz"]
    inspector, crew = world.users["inspector.taraz"], world.users["contractor.tarazzhol"]
    contract = next(c for c in world.contracts["ZHA-TARAZ"] if c.number == "ТРЗ-2026/047")
    moment = _working_moment(rng, now - dt.timedelta(days=80), 0, 1)

    def at(hours: float) -> dt.datetime:
        nonlocal moment
        moment = _working_moment(rng, moment, hours, hours)
        _escalate_until(moment)
        return moment

    case = services.case_open(
        title="Ямы вокруг люков на проспекте Толе би",
        description="Вокруг колодезных люков на проспекте Толе би, 42 провалы асфальта от одного "
        "до трёх квадратных метров, машины объезжают по встречной.",
        category=category,
        district=district,
        channel="whatsapp",
        latitude=42.900612,
        longitude=71.366905,
        address="проспект Толе би, 42",
        complainant={"name": "Серикбаева Жанар", "phone": "+7 701 555 42 42", "language": "ru"},
        received_at=moment,
    )
    with clock.frozen_at(at(2)):
        services.case_assign(case, actor=clerk, department=world.departments["ZHA-TARAZ"])
    with clock.frozen_at(at(20)):
        order = work_order_issue(
            case, actor=officer, contract=contract, note="Текущий ремонт: обрамление люков."
        )
    with clock.frozen_at(at(3)):
        work_order_acknowledge(order, actor=crew)
    with clock.frozen_at(at(48)):
        photos = _repair_photos(rng, world, case, clock.now())
        # The "before" photo was taken a week before the work order was issued.
        photos["before"] = [
            _photo(
                rng,
                "before",
                taken_at=order.issued_at - dt.timedelta(days=7),
                point=_near(rng, case, 6),
            )
        ]
        work_order_report_repair(case, actor=crew, note="Обрамление люков восстановлено.", **photos)
    with clock.frozen_at(at(5)):
        act_sign(
            case,
            actor=inspector,
            quantity=Decimal("2.5"),
            unit="m2",
            amount_kzt=Decimal("49500"),
            description="Ремонт асфальтобетонного покрытия вокруг люков, 2,5 м²",
            note="Принято на месте.",
        )
    lat, lon = _near(rng, case, 10)
    failed_at = _working_moment(rng, moment + dt.timedelta(days=61), 0, 1)
    services.case_open(
        title="Ямы у люков снова появились",
        description="На проспекте Толе би, 42 у люков опять ямы, ремонт был два месяца назад.",
        category=category,
        district=district,
        channel="whatsapp",
        latitude=lat,
        longitude=lon,
        address="проспект Толе би, 42",
        complainant={"name": "Серикбаева Жанар", "phone": "+7 701 555 42 42", "language": "ru"},
        received_at=min(failed_at, now - dt.timedelta(days=1)),
    )
    return 2


def _claim_some(rng: random.Random) -> None:
    """About half of the open tasks are taken by someone of their queue, as on a working day."""
    for task in queues.case_tasks().filter(status="NEW").order_by("pk"):
        members = sorted(queue_members(task), key=lambda user: user.pk)
        if members and rng.random() < 0.5:
            workflow_services.task_claim(task.pk, actor=rng.choice(members))


def seed(case_count: int = 300, *, seed_value: int = 2026) -> dict[str, int]:
    """Create the demo world. Returns how many rows of each kind were made."""
    world = World()
    # Demo histories are not news: their outbox jobs are settled below, not handed over one by one.
    with outbox.held(), transaction.atomic():
        _org(world)
        _contractors(world)
        _users(world)
        made = {"cases": 0, "occupancies": posts_seed(world, timezone.localdate())}
        demo_regions = [world.regions["AQT"], world.regions["ZHA"]]
        if not Case.objects.filter(region__in=demo_regions).exists():
            rng = random.Random(seed_value)
            now = timezone.now()
            made["taraz"] = _taraz_manholes(world, rng, now)
            case_count -= made["taraz"]
            # One case in twelve is each kind of history the red flags are there to catch
            # (demo.red_flags), so that an investigator finds a few dozen hits of each.
            flagged = case_count // 12
            districts = len([c for c in world.districts if c.startswith("AQT-")]) - 2
            made["flagged"] = (
                red_flags.rejected_at_deadline(world, rng, now, flagged)
                + red_flags.accepted_in_minutes(world, rng, now, flagged)
                + red_flags.district_orders(world, rng, now, min(flagged, 2 * districts))
                # Close inspector-contractor pairs stand out only among many ordinary ones.
                + red_flags.close_pairs(world, rng, now, case_count // 2)
            )
            case_count -= made["flagged"]
            # About one case in 25 is a repeat complaint about a failed repair (a warranty claim).
            repeats = case_count // 25
            for index in range(case_count - repeats):
                _case_history(world, rng, index, now)
            made_repeats = _warranty_complaints(world, rng, now, repeats)
            for index in range(case_count - repeats + made_repeats, case_count):
                _case_history(world, rng, index, now)
            made["cases"] = case_count + made["flagged"]
            today = timezone.localdate()
            split = red_flags.split_contracts(world, rng, today, max(1, flagged))
            made["contracts_modified"] = red_flags.modified_contracts(
                world, rng, split, today, max(1, flagged)
            )
            # Deadlines the demo histories have passed are escalated when they fell due.
            _escalate_until(now)
            made["escalated"] = WorkOrder.objects.exclude(acknowledge_escalated_at=None).count()
            made["escalations"] = Escalation.objects.exclude(fired_at=None).count()
            _claim_some(rng)
            # The outbox jobs below are not run: attribute the decisions and link the failures
            # of accepted work as their jobs would have.
            made["attributions"] = attributions_backfill()
            made["failures"] = failures_recompute()
            # ... and find the red flags in them, as the nightly pass would.
            made["red_flags"] = sum(red_flags_full_pass().values())
            made["inquiries"] = inquiries_seed(world)
            made["votes"] = votes_seed(rng)
            made["rating_figures"] = ratings_seed()
            made["cases"] += made["taraz"]
            made["projects"] = projects_seed(world, timezone.localdate())
            # After the registry's projects, which it would otherwise stand in for.
            made["camera_snapshots"] = project_cameras_seed(world)
            # Demo histories are not news: nobody is to be notified of them.
            OutboxJob.objects.filter(status=OutboxJob.Status.PENDING).update(
                status=OutboxJob.Status.DONE, done_at=now, last_error="demo seed: not sent"
            )
    made["open_data"] = open_data_seed() if made["cases"] else 0  # after commit
    return made


# What `demo.red_flags` builds its histories with.
photo = _photo
near = _near
repair_photos = _repair_photos
working_moment = _working_moment
escalate_until = _escalate_until
contractor_user = _contractor_user
fictional_name = _fictional_name


def district_centre(code: str) -> tuple[float, float]:
    return next(
        c for k, _kind, _n, c in data.AKTOBE_DISTRICTS + data.ZHAMBYL_DISTRICTS if k == code
    )


def uploaded(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")
