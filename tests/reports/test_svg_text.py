from xml.etree import ElementTree as ET

from reports.charts import bar_chart, line_chart
from reports.maps import map_svg

BAD = "\x08\x00\x1f\ufffe"


def test_chart_and_map_labels_lose_the_characters_xml_forbids_and_stay_escaped():
    svgs = [
        line_chart([f"Қаң{BAD}тар", "Ақпан"], [(f"Түсті{BAD}", [1, 2])], title=f"Т{BAD}<b>"),
        bar_chart([f"Мердігер{BAD} & Ко"], [("%", [50])], title="t", unit=f"%{BAD}"),
        map_svg([], {"AQT-01": f"Аудан{BAD}"}, title=f"Карта{BAD}"),
    ]
    texts = []
    for svg in svgs:
        root = ET.fromstring(str(svg))  # a real XML parser: a forbidden character fails here
        texts += [
            "".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text")
        ]
    joined = " ".join(texts)
    assert "Қаңтар" in joined and "Т<b>" in joined and "Мердігер & Ко" in joined
    assert not any(c in joined for c in BAD)
