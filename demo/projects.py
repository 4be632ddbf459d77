"""About forty demo projects across both demo regions: roads, yards, lighting and the rest; some
planned for next year, some under way with late milestones, some completed under warranty; those
laid over demo complaints get them linked. Idempotent (skips when the regions have projects)."""

from __future__ import annotations

import datetime as dt
import random

from casework.models import Case
from projects.linking import project_link_cases
from projects.models import Milestone, Project
from projects.services import milestone_record, progress_record, project_create

SECTORS = [
    (Project.Sector.ROADS, "Жол жөндеу", "Ремонт дороги"),
    (Project.Sector.YARDS, "Аула абаттандыру", "Благоустройство двора"),
    (Project.Sector.LIGHTING, "Көше жарығы", "Уличное освещение"),
    (Project.Sector.WATER, "Су құбыры", "Водопровод"),
    (Project.Sector.PARKS, "Саябақ", "Сквер"),
    (Project.Sector.HEATING, "Жылу желісі", "Теплосеть"),
]
STAGES = [
    ("Жобалау", "Проектирование"),
    ("Дайындық жұмыстары", "Подготовительные работы"),
    ("Негізгі жұмыстар", "Основные работы"),
    ("Қабылдау", "Приёмка"),
]


def _geometry(rng: random.Random, sector: str, lat: float, lon: float) -> dict:
    if sector == Project.Sector.ROADS or sector == Project.Sector.LIGHTING:
        end = [
            round(lon + rng.uniform(0.004, 0.012), 6),
            round(lat + rng.uniform(-0.003, 0.003), 6),
        ]
        return {"type": "LineString", "coordinates": [[round(lon, 6), round(lat, 6)], end]}
    if sector in (Project.Sector.YARDS, Project.Sector.PARKS):
        w, h = rng.uniform(0.0008, 0.002), rng.uniform(0.0005, 0.0012)
        ring = [[lon - w, lat - h], [lon + w, lat - h], [lon + w, lat + h], [lon - w, lat + h]]
        ring = [[round(x, 6), round(y, 6)] for x, y in ring]
        return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    return {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}


def _spot(rng: random.Random, district, index: int) -> tuple[float, float]:
    """Over a demo complaint every other project (so that it gets linked ones), else near the
    district's centre."""
    cases = Case.objects.filter(district=district, latitude__isnull=False).order_by("pk")
    count = cases.count()
    if count and index % 2 == 0:
        case = cases[rng.randrange(count)]
        return float(case.latitude), float(case.longitude)
    from demo.seed import district_centre

    lat, lon = district_centre(district.code)
    return lat + rng.uniform(-0.02, 0.02), lon + rng.uniform(-0.03, 0.03)


def _milestones(rng, project, actor, today: dt.date, late: bool) -> None:
    start = today - dt.timedelta(days=rng.randint(120, 200))
    for number, (kk, ru) in enumerate(STAGES):
        planned_start = start + dt.timedelta(days=45 * number)
        planned_end = planned_start + dt.timedelta(days=40)
        data = {
            "name_kk": kk,
            "name_ru": ru,
            "planned_start": planned_start,
            "planned_end": planned_end,
        }
        if planned_end < today - dt.timedelta(days=20):
            slip = rng.randint(5, 25) if late and number >= 1 else rng.randint(-3, 0)
            actual_end = min(planned_end + dt.timedelta(days=slip), today)
            data |= {
                "actual_start": planned_start,
                "actual_end": actual_end,
                "status": Milestone.Status.MET,
            }
        elif planned_start < today:
            data |= {"actual_start": planned_start}
        milestone_record(project, actor=actor, data=data)


def projects_seed(world, today: dt.date, *, count: int = 40, seed_value: int = 14) -> int:
    regions = [world.regions["AQT"], world.regions["ZHA"]]
    if Project.objects.filter(region__in=regions).exists():
        return 0
    rng = random.Random(seed_value)
    aktobe = sorted(c for c in world.districts if c.startswith("AQT-"))
    taraz = max(1, count // 5)
    places = ((["AQT-CITY"] * 14 + aktobe * 2)[: count - taraz]) + ["ZHA-TARAZ"] * taraz
    made = 0
    for index, code in enumerate(places[:count]):
        district = world.districts[code]
        region_code = code.split("-", 1)[0]
        actor = world.users["manager.aktobe" if region_code == "AQT" else "manager.zhambyl"]
        sector, title_kk, title_ru = SECTORS[index % len(SECTORS)]
        lat, lon = _spot(rng, district, index)
        kind = index % 5
        if kind == 0:  # planned for next year
            status, year, warranty = Project.Status.PREPARATION, today.year + 1, None
        elif kind == 4:  # done, under warranty
            status, year = Project.Status.COMPLETED, today.year - 1
            warranty = today + dt.timedelta(days=rng.randint(100, 600))
        else:
            status, year, warranty = Project.Status.IMPLEMENTATION, today.year, None
        contracts = (
            world.contracts.get(code, [])[:1] if status != Project.Status.PREPARATION else []
        )
        project = project_create(
            actor=actor,
            data={
                "code": f"{code.lower()}-{index + 1:03d}",
                "title_kk": f"{title_kk} №{index + 1}, {district.name_kk}",
                "title_ru": f"{title_ru} №{index + 1}, {district.name_ru}",
                "description_ru": f"{title_ru}: демонстрационный проект.",
                "description_kk": f"{title_kk}: демонстрациялық жоба.",
                "sector": sector,
                "type": [
                    Project.Type.REPAIR,
                    Project.Type.REHABILITATION,
                    Project.Type.CONSTRUCTION,
                ][index % 3],
                "status": status,
                "region": world.regions[region_code],
                "district": district,
                "geometry": _geometry(rng, sector, lat, lon),
                "budget_amount": rng.randrange(20, 900) * 1_000_000,
                "budget_source": "Местный бюджет" if index % 3 else "Республиканский бюджет",
                "budget_approved_on": dt.date(year - 1, 12, 15),
                "planned_year": year,
                "department": world.departments.get(code),
                "warranty_until": warranty,
            },
            contracts=contracts,
        )
        if status != Project.Status.PREPARATION:
            _milestones(rng, project, actor, today, late=index % 3 == 1)
            share = rng.uniform(0.2, 0.9) if status == Project.Status.IMPLEMENTATION else 1.0
            progress_record(
                project,
                actor=actor,
                observed_on=today - dt.timedelta(days=rng.randint(1, 14)),
                physical_percent=round(share * 100, 1),
                spent_amount=round(float(project.budget_amount) * share * rng.uniform(0.8, 1.0), 2),
            )
        project_link_cases(project)
        made += 1
    return made
